package intent

import (
	"strings"

	"github.com/earshothq/earshot/enrich/textnorm"
)

// The built-in class "provider" is the one who would do the work, named
// right after a search or a need (the cue class "seek": need a, looking
// for, szukam, meklēju, preciso de, busco, je cherche, ich suche, 想找):
// a noun of an agent or a supplier by its ending (plumber, supplier,
// electrician, elektryka, tłumacza, santehniķi, piegādātāju, eletricista,
// fontanero, proveedor, couvreur, prestataire, Elektriker, Lieferanten,
// 供应商, 公司, 师傅) or "someone" (kogoś, kādu, alguém, alguien,
// quelqu'un, jemanden, 人). It is found by word form, not by trade, so
// "need a chimney sweep" and "buscamos proveedor de globos" are a search
// for a provider whatever the business, and "szukam kluczy" (keys) is not.

// providerWindow is how many words after a search cue may name the provider
// ("preciso de um eletricista", "à la recherche d'un fournisseur").
const providerWindow = 6

// zhProviderWindow is the same in ideographs ("想找个靠谱的搬家公司").
const zhProviderWindow = 12

var providerWords = wordSet(
	"someone", "somebody", "company", "firm", "contractor", "tradesman", "tradesmen", "specialist",
	"professional", "pro", "dj", "service", "services", "sweep", "sweeps", "smith",
	"kogoś", "kogos", "firmy", "firmę", "firme", "ekipy", "ekipę", "fachowca", "specjalisty", "wykonawcy", "usługi",
	"kādu", "kadu", "firmu", "uzņēmumu", "meistaru", "speciālistu", "pakalpojumu", "meistars", "speciālists", "firma",
	"alguém", "alguem", "empresa", "profissional", "técnico", "tecnico", "serviço", "servico",
	"alguien", "profesional", "servicio",
	"quelqu'un", "quelqu", "prof", "profs", "entreprise", "société", "artisan", "professionnel", "dépanneur", "comptable", "expert-comptable", "nounou",
	"jemanden", "jemand", "firma", "fachmann", "dienstleister", "anbieter", "handwerker",
	// twenty-ninth round: a trade named by a loan word in every language
	"luthier", "luthiers",
	// thirty-ninth round: a club sought to join
	"club", "klub", "klubu", "klubs", "clube", "verein",
)

// providerNot are words with an agent's ending that name none.
var providerNot = wordSet(
	"answer", "number", "order", "other", "another", "after", "under", "over", "ever", "never", "water",
	"paper", "letter", "member", "whether", "either", "neither", "rather", "together", "better", "winter",
	"summer", "door", "floor", "colour", "color", "error", "for", "or", "minor", "major", "favor", "favour",
	"labor", "labour", "corner", "power", "hour", "your", "our", "four", "her", "per", "sooner", "later",
	"matter", "manner", "cover", "offer", "center", "centre", "refund", "transfer", "weather", "dinner",
	"her", "their", "super", "proper", "cheaper", "bigger", "smaller", "faster", "newer", "older",
	// de: words ending like agents
	"aber", "oder", "wieder", "immer", "einer", "jeder", "weiter", "unser", "euer", "nur", "hier",
	"unter", "über", "sicher", "schneller", "später", "leider", "vater", "mutter", "kinder", "zimmer",
	"nummer", "wasser", "ander", "anderer",
	// pl: words in -era that name no provider
	"partnera", "sera", "numera", "wieczora",
	// pt, es: words in -eira, -eiro, -era, -ero that name no provider
	"feira", "primeira", "primeiro", "terceira", "terceiro", "cadeira", "geladeira", "madeira", "carteira", "maneira",
	"bandeira", "dinheiro", "janeiro", "fevereiro", "inteiro", "inteira", "verdadeiro", "pero", "primero", "primera",
	"tercero", "tercera", "dinero", "manera", "carrera", "nevera", "fuera", "afuera", "entero", "entera", "enero", "febrero",
	// lv: first-person verbs with an agent's ending
	"meklēju", "meklēja", "domāju", "zināju", "gaidīju", "gribēju",
	// lv: words in -tavu, -nīcu that name no place of a trade
	"gatavu", "slimnīcu",
)

// providerSuffixes per language: endings of agent and supplier nouns in
// the forms a search puts them in (accusative, genitive).
var providerSuffixes = map[string][]string{
	"en": {"er", "ers", "or", "ors", "ist", "ists", "ian", "ians", "smith", "sweep", "ant", "ants"},
	"pl": {"yka", "ika", "arza", "arzy", "acza", "wcy", "wcę", "isty", "istę", "grafa", "ora", "nika", "era", "arz", "er", "ciela", "cielkę", "cielki"},
	"lv": {"meistaru", "meistars", "ķi", "ieri", "tāju", "ētāju", "ēju", "istu", "niekus", "nieku", "tājs", "ists", "nieks", "ķis", "tavu", "nīcu"},
	"pt": {"ista", "dor", "dora", "tor", "tora", "grafo", "grafa", "eiro", "eira"},
	"es": {"ista", "ero", "era", "dor", "dora", "tor", "tora", "grafo", "grafa"},
	"fr": {"eur", "euse", "ier", "ière", "ien", "ienne", "aire", "iste", "graphe"},
	"de": {"er", "erin", "ern", "anten", "ant", "isten", "ist", "eur", "dienst", "service", "betrieb", "grafen", "tekten", "logen", "schmied", "frau", "kraft", "schule", "hilfe", "verein"},
}

// zhProviders are ideograph words of a provider.
var zhProviders = []string{"公司", "师傅", "供应商", "商家", "厂家", "月嫂", "阿姨", "保姆", "老师", "教练", "人来", "人上门", "人帮", "团队", "店", "工作室", "服务",
	// twenty-eighth round: a place that does it, after a search (求推荐能玩卡丁车的地方)
	"的地方",
	// twenty-ninth round: performers hired (请两位踩高跷的表演者)
	"表演者", "演员"}

// possessives (sixteenth round): "je cherche mon prof de yoga sur insta"
// seeks a person known, not a provider.
var possessives = []string{"my", "his", "mon", "ma", "mes", "son", "sa", "ses", "mojego", "moją", "mojej", "meinen", "meine", "mein", "mi", "mis", "meu", "minha"}

// definite articles and possessives: a search for "the" one is for a
// particular person ("looking for the owner of…", "suche den Fahrer,
// der…"), not a provider.
var (
	definite   = wordSet(append([]string{"the", "den", "der", "dem", "le", "les", "l'", "el", "al", "los", "las", "o", "os", "ao"}, possessives...)...)
	possessive = wordSet(possessives...)
)

// beneficiary are the prepositions that name whom a search is for: a
// possessive after one ("for my son", "für meine Tochter") is not the
// person sought.
var beneficiary = wordSet("for", "für", "pour", "para", "pra", "dla")

// markProviders marks the class "provider" (bit) after every hit of the
// class seek (seekBit) in st, or of the class know (after: the words of
// the hit itself are not looked at).
func markProviders(st *state, lang string, seekBit, bit int, after bool) {
	if seekBit < 0 {
		return
	}
	n := len(st.hits)
	for h := 0; h < n; h++ {
		if int(st.hits[h].bit) != seekBit {
			continue
		}
		end := st.hits[h].end
		i := 0
		for i < len(st.toks) && st.toks[i].End <= end {
			i++
		}
		// i is the first token after the cue; the cue's last token too
		// may name one ("need someone").
		start := max(i-1, 0)
		c := st.clauseOf[start]
		if after {
			// "kennt jemand", "quelqu'un connait": the cue's own someone
			// is the one asked, not the provider
			start = i
		}
		if i < len(st.toks) && st.toks[i].Kind == textnorm.Han {
			if strings.HasPrefix(st.toks[i].Text, "我") {
				continue // 在找我们班主任老师, 在找我丢的钱包: the writer's own, not a provider
			}
			if k := zhProviderAt(st.toks, i); k > 0 && st.clauseOf[k-1] == c {
				st.mark(k-1, k, bit)
			}
			continue
		}
		forWhom, aside := false, -1
		for j, words := start, 0; j < len(st.toks) && words <= providerWindow; j++ {
			t := &st.toks[j]
			if k := asideEnd(st.toks, j); k > 0 && k+1 < len(st.toks) {
				// "für meinen Sohn (8) einen Verein": the aside breaks no
				// search; a provider beyond it is marked on the word
				// before the aside, in the search's clause
				if aside < 0 {
					aside = max(j-1, start)
				}
				j, c = k, st.clauseOf[k+1]
				continue
			}
			if st.clauseOf[j] != c {
				break
			}
			if t.Kind != textnorm.Word {
				continue
			}
			words++
			if forWhom {
				forWhom, words = false, words-1 // the one it is for ("Tochter") neither counts nor provides
				continue
			}
			if definite[t.Text] {
				if j-1 >= i && beneficiary[st.toks[j-1].Text] && possessive[t.Text] {
					// "suche für meine Tochter einen Verein": whom it is
					// for, not whom one seeks
					forWhom, words = true, words-2
					continue
				}
				break // looking for the owner, suche den Fahrer: a person, not a provider
			}
			if isProvider(lang, t.Text) {
				if aside >= 0 {
					st.mark(aside, aside+1, bit)
				} else {
					st.mark(j, j+1, bit)
				}
				break
			}
		}
	}
}

// asideEnd returns the index of the ")" closing a short aside that opens
// at toks[i] ("(8)", "(age 10)"), or 0.
func asideEnd(toks []textnorm.Token, i int) int {
	if toks[i].Text != "(" {
		return 0
	}
	for k := i + 1; k < len(toks) && k <= i+4; k++ {
		if toks[k].Text == ")" {
			return k
		}
	}
	return 0
}

// zhProviderAt returns one past the last ideograph of a provider word
// within zhProviderWindow ideographs from i, or 0.
func zhProviderAt(toks []textnorm.Token, i int) int {
	var b strings.Builder
	for j := i; j < len(toks) && j < i+zhProviderWindow && toks[j].Kind == textnorm.Han; j++ {
		b.WriteString(toks[j].Text)
		s := b.String()
		for _, p := range zhProviders {
			if strings.HasSuffix(s, p) {
				return j + 1
			}
		}
	}
	return 0
}

// isProvider reports whether w (lower case) names a provider in lang ("" or
// "unknown": any language).
func isProvider(lang, w string) bool {
	w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
	if providerWords[w] {
		return true
	}
	if providerNot[w] || len([]rune(w)) < 5 {
		return false
	}
	for l, sufs := range providerSuffixes {
		if lang != "" && lang != "unknown" && l != lang {
			continue
		}
		for _, s := range sufs {
			if strings.HasSuffix(w, s) {
				return true
			}
		}
	}
	return false
}
