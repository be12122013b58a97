package intent

import (
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/earshothq/earshot/enrich/textnorm"
)

// ruleDetector compiles a phrase file with the given cues and rules.
func ruleDetector(t *testing.T, yaml string, vocab map[string][]string) (*Detector, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "phrases.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return New(Config{PhrasesFile: path, Vocabulary: vocab})
}

const ruleFile = `
negators:
  en: [not]
cues:
  en:
    seek: ["looking for", "need a"]
    help: [help]
    past: [bought]
rules:
  buying:
    - "seek + product + !negation + !help = 0.8"
    - "past & !question = -0.9"
  question:
    - "product & question = 0.7"
`

func TestRulesClauseAndTextScope(t *testing.T) {
	d, err := ruleDetector(t, ruleFile, map[string][]string{"product": {"coffee machine", "brewly one", "grinder*", "咖啡机"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		text   string
		buying bool
	}{
		{"Looking for a coffee machine for the office", true},
		{"looking for grinders under 100 euros", true},              // stem
		{"Looking for advice. The coffee machine is fine", false},   // other clause
		{"Not looking for a coffee machine", false},                 // negation in the clause
		{"Need a coffee machine technician to help me", false},      // help in the clause
		{"Looking for a coffee machine, bought one already", false}, // text-level suppressor
		{"Looking for a coffee, machine wanted", false},             // "coffee machine" is a phrase
		{"looking for 咖啡机", true},                                   // phrase of ideographs
	} {
		_, got := detect(t, d, c.text, "en")[Buying]
		if got != c.buying {
			t.Errorf("%q: buying = %v, want %v", c.text, got, c.buying)
		}
	}
	// The suppressor needs no question: with one it stays away.
	if _, got := detect(t, d, "Looking for a coffee machine, bought one already?", "en")[Buying]; !got {
		t.Error("a question lifts the suppressor: want buying")
	}
	// Rules are language-independent; the cues are not.
	if _, got := detect(t, d, "Looking for a coffee machine", "pl")[Buying]; got {
		t.Error("English cues applied to a Polish text")
	}
	if _, got := detect(t, d, "Brewly One?", "pl")[Question]; !got {
		t.Error("built-in classes (product, question) should work in every language")
	}
}

func TestRuleEvidenceSpansTheClauseCues(t *testing.T) {
	d, err := ruleDetector(t, ruleFile, map[string][]string{"product": {"coffee machine"}})
	if err != nil {
		t.Fatal(err)
	}
	text := "Hi! We are looking for a quiet coffee machine."
	b, ok := detect(t, d, text, "en")[Buying]
	if !ok || len(b.Evidence) != 1 {
		t.Fatalf("buying = %+v", b)
	}
	e := b.Evidence[0]
	if e.Text != "looking for a quiet coffee machine" || text[e.Start:e.End] != e.Text {
		t.Errorf("evidence %+v, want the span from the cue to the product", e)
	}
}

func TestRuleFileErrors(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"rules:\n  buying:\n    - \"nosuch + question\"\n", `unknown class "nosuch"`},
		{"rules:\n  buying:\n    - \"question = 2\"\n", "weight must be"},
		{"rules:\n  buying:\n    - \"!question\"\n", "first group"},
		{"rules:\n  buying:\n    - \"question + \"\n", "empty class"},
		{"rules:\n  wishes:\n    - \"question\"\n", `unknown intent "wishes"`},
		{"cues:\n  en:\n    question: [huh]\n", "built-in class"},
		{"cues:\n  en:\n    seek: [\"looking for = 0.5\"]\n", "cues take no weight"},
		{"aliases:\n  a: [b]\n  b: [a]\nrules:\n  buying:\n    - \"a\"\n", "nests too deep"},
		{"masks:\n  nosuch: [seek]\n", `masks: "nosuch" is no cue class`},
		{"cues:\n  en:\n    askif: [if so]\nmasks:\n  askif: [question]\n", `masks/askif: "question" is no other cue class`},
		{"cues:\n  en:\n    askif: [if so]\nmasks:\n  askif: [askif]\n", "no other cue class"},
	} {
		_, err := ruleDetector(t, c.yaml, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want it to mention %q", c.yaml, err, c.want)
		}
	}
	many := map[string][]string{}
	for i := 0; i <= maxVocab; i++ {
		many[string(rune('a'+i))] = []string{"x"}
	}
	if _, err := New(Config{Vocabulary: many}); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("%d vocabulary classes: err = %v", len(many), err)
	}
}

// TestBuiltInRules checks the shipped cues and rules on wordings the
// phrase lists do not contain, and on the hard negatives next to them.
func TestBuiltInRules(t *testing.T) {
	d, err := New(evalConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang, text string
		want, not  []string
	}{
		{"en", "Looking for a quiet espresso machine for a small flat", []string{Buying}, nil},
		{"en", "I'm not looking for a new machine, just descaling tips", nil, []string{Buying}},
		{"en", "Need help connecting the machine to my phone", nil, []string{Buying}},
		{"es", "La cafetera es preciosa, pero el precio es demasiado alto para lo que ofrece.", []string{Complaint}, []string{Buying}},
		{"pl", "Szukam ekspresu do biura, coś niedrogiego", []string{Buying}, nil},
		{"pt", "Procuro uma cafeteira para o escritório", []string{Buying}, nil},
		{"lv", "Meklēju kafijas automātu mājai", []string{Buying}, nil},
		{"zh", "Brewly Mini 和 Nespresso 哪个更适合办公室？", []string{Buying}, nil},
		{"de", "Wie viel kostet die Brewly One bei euch?", []string{Buying}, nil},
		{"en", "Got my Brewly One last week, so happy", nil, []string{Buying}},
		{"fr", "Je vends ma Brewly One, quasi neuve.", nil, []string{Buying}},
		{"en", "Since the last update the grinder rattles every morning.", []string{Complaint}, []string{Support}},
		{"en", "The grinder rattles since the update, how do I fix it?", []string{Support}, []string{Complaint}},
		{"de", "Zwei Stunden in der Warteschleife, unglaublich.", []string{Complaint}, nil},
		{"en", "Not renewing my bean subscription next month.", []string{ChurnRisk}, nil},
		{"pt", "Vou cancelar o plano de grãos.", []string{ChurnRisk}, nil},
	} {
		got := detect(t, d, c.text, c.lang)
		for _, n := range c.want {
			if _, ok := got[n]; !ok {
				t.Errorf("%s %q: no %s (got %v)", c.lang, c.text, n, names(got))
			}
		}
		for _, n := range c.not {
			if _, ok := got[n]; ok {
				t.Errorf("%s %q: unexpected %s", c.lang, c.text, n)
			}
		}
	}
}

func names(ms map[string]Match) []string {
	var out []string
	for n := range ms {
		out = append(out, n)
	}
	return out
}

// TestRulesBeyondSixtyFourClasses: a class with a bit above 63 is found in
// its clause, excluded by "!", and the text's Cues report it; more than
// maxClasses classes are refused.
func TestRulesBeyondSixtyFourClasses(t *testing.T) {
	var b strings.Builder
	b.WriteString("cues:\n  en:\n")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&b, "    c%03d: [w%03d]\n", i, i)
	}
	b.WriteString("rules:\n  buying:\n    - \"c099 + c001 & !c098 = 0.8\"\n")
	d, err := ruleDetector(t, b.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		text   string
		buying bool
	}{
		{"w099 w001", true},
		{"w099. w001", false},      // two clauses
		{"w099 w001, w098", false}, // excluded anywhere in the text
		{"w001 w099 w070", true},   // another high class beside them
	} {
		_, got := detect(t, d, c.text, "en")[Buying]
		if got != c.buying {
			t.Errorf("%q: buying = %v, want %v", c.text, got, c.buying)
		}
	}
	_, cues := d.DetectCues("w099 w070", "en", textnorm.Tokenize("w099 w070", nil))
	if !cues.Has("c099") || !cues.Has("c070") || cues.Has("c001") {
		t.Errorf("cues of %q: c099 %v c070 %v c001 %v", "w099 w070", cues.Has("c099"), cues.Has("c070"), cues.Has("c001"))
	}
	b.Reset()
	b.WriteString("cues:\n  en:\n")
	for i := 0; i < maxClasses; i++ {
		fmt.Fprintf(&b, "    c%03d: [w%03d]\n", i, i)
	}
	if _, err := ruleDetector(t, b.String(), nil); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("%d cue classes and the built-ins: err = %v", maxClasses, err)
	}
	// the cues fill every bit and a rule names one more class (a
	// vocabulary class): refused with an error, not a panic
	b.Reset()
	b.WriteString("cues:\n  en:\n")
	for i := 0; i < maxClasses-len(builtinClasses); i++ {
		fmt.Fprintf(&b, "    c%03d: [w%03d]\n", i, i)
	}
	b.WriteString("rules:\n  buying:\n    - \"c001 & brand = 0.8\"\n")
	if _, err := ruleDetector(t, b.String(), nil); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("every bit taken and a rule's vocabulary class: err = %v", err)
	}
}

// TestAddressedQuestion checks the built-in class "you" in every seed
// language: a question to the business in the second person is marked, the
// same words as a statement, a question about knowing, recruiting or
// calling back, or a "why" are not.
func TestAddressedQuestion(t *testing.T) {
	d, err := ruleDetector(t, "rules:\n  buying:\n    - \"you = 0.7\"\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang, text string
		want       bool
	}{
		{"en", "hey do u guys frame posters", true},
		{"en", "Could you cater a party for 40?", true},
		{"en", "Do you know where the station is?", false},
		{"en", "Could you call me back tomorrow?", false},
		{"en", "Why do you charge for bags?", false},
		{"en", "I hope you frame it nicely", false},
		{"en", "Do you do marquee hire for weddings?", true},
		{"en", "Do you hire drivers for the summer?", false},
		{"pl", "Czy oprawiacie obrazy?", true},
		{"pl", "Czy wysłaliście już paczkę?", false},
		{"pl", "Czy wiecie, gdzie jest dworzec?", false},
		{"lv", "Vai jūs labojat skrejriteņus?", true},
		{"lv", "Vai izgatavojat atslēgas?", true},
		{"lv", "Vai jūs zināt, kur ir stacija?", false},
		{"pt", "Vocês entregam marmita no centro?", true},
		{"pt", "Vocês entregam marmita no centro.", false},
		{"pt", "Por que vocês cobram a sacola?", false},
		{"es", "¿Reparáis patinetes eléctricos?", true},
		{"es", "¿Sabéis si abre la piscina?", false},
		{"fr", "Encadrez-vous des affiches ?", true},
		{"fr", "Vous réparez les trottinettes ?", true},
		{"fr", "Savez-vous où est la gare ?", false},
		{"de", "Repariert ihr auch E-Scooter?", true},
		{"de", "Wisst ihr, wann der Laden aufmacht?", false},
		{"de", "Warum macht ihr sonntags zu?", false},
		{"zh", "你们能修电动滑板车吗？", true},
		{"zh", "你们为什么还不发货？", false},
		{"zh", "你们能修电动滑板车", false},
		// fifteenth round: a Latvian past second plural asks what the reader
		// did, not what the business does; pl clause-opening verbs need a
		// question mark and a vowel before -cie; es "dais"; nouns in -ís
		{"lv", "vai jūs arī redzējāt, ka tilts ir slēgts", false},
		{"lv", "vai redzējāt, ka tilts ir slēgts", false},
		{"lv", "Vai jūs jau bijāt tur?", false},
		{"lv", "vai jūs darījāt to pašu", false},
		{"lv", "Vai jūs piegādājat uz Tukumu?", true},
		{"lv", "vai jūs arī šujat aizkarus?", true},
		{"pl", "robicie torty na roczek?", true},
		{"pl", "robicie świetną robotę", false},
		{"pl", "zróbcie coś z tym?", false},
		{"es", "¿Dais clases de pádel?", true},
		{"es", "¿País de origen?", false},
		{"es", "¿Maíz dulce?", false},
		{"de", "Wart ihr schon mal im neuen Laden?", false},
		{"fr", "Vous faisiez des soldes l'an dernier ?", false},
		{"pt", "Vocês fizeram a entrega ontem?", false},
		{"pt", "Vocês fazem entrega aos domingos?", true},
	} {
		_, cues := d.DetectCues(c.text, c.lang, textnorm.Tokenize(c.text, nil))
		if got := cues.Has("you"); got != c.want {
			t.Errorf("%s %q: addressed question %v, want %v", c.lang, c.text, got, c.want)
		}
	}
}

// TestProvider checks the built-in class "provider": an agent or supplier
// noun (or "someone") right after a "seek" cue, in 8 languages, and not a
// particular person ("the owner") or a thing; "a good one" is a provider
// too (holdout/ counts "Szukam dobrego fryzjera" a purchase inquiry since
// the fourteenth round).
func TestProvider(t *testing.T) {
	yaml := `
cues:
  en: {seek: ["looking for", "need a", "need an", "need someone"]}
  pl: {seek: [szukam, potrzebujemy]}
  lv: {seek: [meklēju]}
  pt: {seek: [preciso, procuro]}
  es: {seek: [busco, buscamos, necesito]}
  fr: {seek: [cherche, "à la recherche"]}
  de: {seek: [suche, suchen]}
  zh: {seek: [想找, 在找]}
rules:
  buying:
    - "seek + provider = 0.7"
`
	d, err := ruleDetector(t, yaml, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang, text string
		want       bool
	}{
		{"en", "need a plumber asap", true},
		{"en", "Looking for a supplier of paper cups", true},
		{"en", "need someone to clear the gutters", true},
		{"en", "Looking for the owner of a lost dog", false},
		{"en", "Looking for a good barber", true},
		{"en", "need an answer today", false},
		{"en", "I need a plumber", true},
		{"pl", "Szukam elektryka na jutro", true},
		{"pl", "Potrzebujemy tłumacza przysięgłego", true},
		{"pl", "Szukam kluczy od samochodu", false},
		{"pl", "Szukam dobrego fryzjera", true},
		{"lv", "meklēju santehniķi Rīgā", true},
		{"lv", "meklēju atslēgas", false},
		{"pt", "Preciso de um eletricista", true},
		{"pt", "Procuro o dono do cachorro", false},
		{"es", "Busco fontanero urgente", true},
		{"es", "buscamos proveedor de globos", true},
		{"es", "Busco mis gafas", false},
		{"fr", "Je cherche un couvreur", true},
		{"fr", "à la recherche d'un fournisseur", true},
		{"fr", "Je cherche le livreur", false},
		{"de", "Suche einen Elektriker", true},
		{"de", "Wir suchen einen Lieferanten", true},
		{"de", "Suche den Fahrer von heute", false},
		{"de", "Suche meinen Schlüssel", false},
		{"zh", "想找个靠谱的搬家公司", true},
		{"zh", "在找供应商", true},
		{"zh", "在找一家好的理发店", true},
		{"zh", "在找我的钥匙", false},
	} {
		_, cues := d.DetectCues(c.text, c.lang, textnorm.Tokenize(c.text, nil))
		if got := cues.Has("provider"); got != c.want {
			t.Errorf("%s %q: provider %v, want %v", c.lang, c.text, got, c.want)
		}
	}
}

// TestQuestionOpenersAndANotA: a clause opened by a question particle or a
// verb before its subject asks without a question mark, only at the start
// of a sentence; a Chinese A-not-A (有没有, 能不能) asks and does not deny.
func TestQuestionOpenersAndANotA(t *testing.T) {
	d, err := ruleDetector(t, "negators:\n  zh: [不, 没]\nrules:\n  buying:\n    - \"question = 0.7\"\n  complaint:\n    - \"negation = 0.7\"\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang, text    string
		asked, denied bool
	}{
		{"pl", "czy da się zamówić tort na sobotę", true, false},
		{"pl", "Zamówiłam tort czy coś takiego", false, false},
		{"lv", "vai var pie jums pasūtīt kliņģeri", true, false},
		{"lv", "kafija vai tēja", false, false},
		{"de", "kann man bei euch Kanus mieten", true, false},
		{"de", "Für das, was die Mini kann, ist sie zu teuer", false, false},
		{"de", "Das Wetter ist schön. Gibt es noch Plätze", true, false},
		{"en", "can someone come out next week", true, false},
		{"en", "we can do it, can you believe it", false, false},
		{"zh", "有没有月嫂推荐", true, false},
		{"zh", "能不能周末送货", true, false},
		{"zh", "我没有收到", false, true},
		{"zh", "客服是不是下班了", false, true},
	} {
		ms := d.Detect(c.text, c.lang, textnorm.Tokenize(c.text, nil))
		var asked, denied bool
		for _, m := range ms {
			asked = asked || m.Name == Buying
			denied = denied || m.Name == Complaint
		}
		if asked != c.asked || denied != c.denied {
			t.Errorf("%s %q: asked %v denied %v, want %v %v", c.lang, c.text, asked, denied, c.asked, c.denied)
		}
	}
}

func TestDeTicketCompound(t *testing.T) {
	for w, want := range map[string]bool{
		"deutschlandticket": true, "monatstickets": true, "monatsfahrkarte": true,
		"ticket": false, "tickets": false, "fahrkarte": false, "ticketschalter": false, "karte": false,
	} {
		if got := deTicketCompound(w); got != want {
			t.Errorf("deTicketCompound(%q) = %v, want %v", w, got, want)
		}
	}
}

// TestRuleIndexTriesEveryRuleThatCanHold: the rule index (indexRules)
// only saves work. On every labelled text of the package, detection with
// it equals detection that tries every rule, evidence spans included;
// and it does leave rules out, or it would save nothing.
func TestRuleIndexTriesEveryRuleThatCanHold(t *testing.T) {
	indexed, err := New(evalConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	everyRule, err := New(evalConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	for i := range everyRule.cues.alwaysTry {
		everyRule.cues.alwaysTry[i] = ^uint64(0)
	}
	if n := len(everyRule.cues.rules) % 64; n != 0 {
		everyRule.cues.alwaysTry[len(everyRule.cues.alwaysTry)-1] = 1<<n - 1
	}
	var texts []LabelledText
	for _, pattern := range []string{"testdata/*.jsonl", "testdata/*/*.jsonl", "written/*/*.jsonl"} {
		set, err := ReadEvalSet(pattern)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, set...)
	}
	if len(texts) < 1000 {
		t.Fatalf("only %d texts read", len(texts))
	}
	for _, lt := range texts {
		toks := textnorm.Tokenize(lt.Text, nil)
		got, want := indexed.Detect(lt.Text, lt.Lang, toks), everyRule.Detect(lt.Text, lt.Lang, toks)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %q: with the index %+v, trying every rule %+v", lt.Lang, lt.Text, got, want)
		}
	}
	always := 0
	for _, w := range indexed.cues.alwaysTry {
		always += bits.OnesCount64(w)
	}
	if n := len(indexed.cues.rules); always > n/2 {
		t.Errorf("%d of %d rules are tried on every text", always, n)
	}
}

// TestMaskEverywhere: a mask hides the classes it lists where its hit
// covers them; a class listed "*class" is hidden in the whole text.
func TestMaskEverywhere(t *testing.T) {
	d, err := ruleDetector(t, `
cues:
  en:
    svc: ["cv writing"]
    job: [jobs, writing]
    lift: ["if so"]
    hypo: [if]
masks:
  svc: ["*job"]
  lift: [hypo]
rules:
  buying:
    - "svc & !job = 0.8"
`, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		text          string
		job, hypo, by bool
	}{
		{"cv writing? applying for jobs", false, false, true},
		{"applying for jobs", true, false, false},
		{"if so, if it rains", false, true, false},
		{"if so", false, false, false},
	} {
		ms, cues := d.DetectCues(c.text, "en", textnorm.Tokenize(c.text, nil))
		if cues.Has("job") != c.job || cues.Has("hypo") != c.hypo {
			t.Errorf("%q: job %v hypo %v, want %v %v", c.text, cues.Has("job"), cues.Has("hypo"), c.job, c.hypo)
		}
		if got := len(ms) > 0; got != c.by {
			t.Errorf("%q: buying %v, want %v", c.text, got, c.by)
		}
	}
	if _, err := ruleDetector(t, "cues:\n  en:\n    svc: [x]\nmasks:\n  svc: [\"*nosuch\"]\n", nil); err == nil || !strings.Contains(err.Error(), `"nosuch" is no other cue class`) {
		t.Errorf("a text-wide mask of no class: err = %v", err)
	}
}
