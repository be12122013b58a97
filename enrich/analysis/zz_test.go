package analysis
import ("testing";"encoding/json";"github.com/earshothq/earshot/pipeline";"github.com/earshothq/earshot/enrich/textnorm")
func TestZZ(t *testing.T){
 a := analyzer(t)
 for _, m := range []pipeline.Mention{{Text:"Vai kāds zina, vai jaunais atjauninājums novērš dzirnaviņu troksni?", Lang:"lv"},{Text:"今年夏天去里斯本的机票贵得离谱。", Lang:"zh"},{Text:"La cafetera es preciosa, pero el precio es demasiado alto para lo que ofrece.", Lang:"es"}} {
 r := a.Analyze(&m); b,_ := json.Marshal(r); t.Log(string(b))
 toks := textnorm.Tokenize(m.Text, nil)
 t.Log(a.intents.Detect(m.Text, m.Lang, toks))
 }
}
