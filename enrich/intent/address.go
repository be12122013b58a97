package intent

import (
	"strings"

	"github.com/earshothq/earshot/enrich/textnorm"
)

// The built-in class "you" is a question addressed to the business in the
// second person: "do you / can you / could you" opening a clause, czy +
// a second person plural verb (czy robicie, czy szyjecie), vai + jūs or
// such a verb (vai jūs, vai šujat), vocês + a verb, a vosotros verb
// (¿hacéis, alquiláis), vous + a verb or an inverted one (faites-vous),
// a clause opened by a verb and ihr / Sie (macht ihr, bieten Sie),
// 你们 / 您 / 贵公司. It is found by grammar, not by what is asked for, so a
// rule over it reaches businesses no list names; what the question is
// about is left to the rules' exclusions (a job, a refund, a fault, …)
// and to the verbs below that ask about the business rather than of it
// (do you know, are you hiring, do you buy used ones).
//
// English, Polish, Latvian and German questions are recognised by their
// word order or particle; a Portuguese, Spanish, French or Chinese
// pronoun and verb ("vocês fazem") are a question only in a clause that
// ends with a question mark (or 吗).

// addressStops are verbs (lower case) after which a second-person
// question is not about something the business would do or sell: knowing,
// thinking, remembering, answering, recruiting, buying from the writer,
// needing, wanting, being, calling back, paying.
var addressStops = wordSet(
	// en
	"know", "think", "remember", "understand", "mind", "care", "ever", "even", "really", "actually",
	"want", "wanna", "need", "like", "love", "hate", "hear", "read", "realise", "realize", "mean",
	"agree", "answer", "reply", "respond", "check", "call", "ring", "stop", "explain", "tell",
	"confirm", "let", "help", "have", "got", "buy", "purchase", "pay", "work", "speak", "delete",
	"remove", "see", "believe", "feel", "hire", "employ", "recruit",
	"consider", "test", "testam", "testáis", "testez", "testet", "atbildēsiet", "atbildēsit",
	"zvanīsiet",
	// calling back: zurückrufen, oddzwonić, piezvanīt, rappeler, ligar, llamar
	"zurückrufen", "anrufen", "oddzwonić", "oddzwonic", "zadzwonić", "zadzwonic", "piezvanīt",
	"atzvanīt", "rappeler", "appeler", "ligar", "retornar", "llamar", "llamarme", "rappelez",
	"rappelez-moi", "back",
	// pl
	"wiecie", "jesteście", "pamiętacie", "rozumiecie", "odpowiadacie", "odpisujecie", "czytacie",
	"słyszycie", "zatrudniacie", "szukacie", "potrzebujecie", "kupujecie", "skupujecie",
	"chcecie", "lubicie", "myślicie", "sądzicie", "pracujecie", "płacicie", "dzwonicie",
	"oddzwonicie", "przyjmujecie", "znacie", "widzicie", "uważacie", "odkupicie", "odkupujecie",
	// lv
	"zināt", "zinat", "atceraties", "saprotat", "strādājat", "meklējat", "pērkat", "iepērkat",
	"atbildat", "domājat", "esat", "pieņemat", "zvanāt", "dzirdat", "redzat", "gribat", "vēlaties",
	// pt
	"sabem", "sabe", "acham", "acha", "lembram", "estão", "estao", "são", "sao", "compram",
	"precisam", "contratam", "respondem", "vão", "vao", "querem", "pagam", "recebem", "ligam",
	"trabalham", "conhecem", "viram", "entendem",
	// es
	"sabéis", "sabeis", "creéis", "creeis", "pensáis", "pensais", "recordáis", "buscáis",
	"buscais", "contratáis", "contratais", "compráis", "comprais", "necesitáis", "queréis",
	"quereis", "sois", "estáis", "estais", "respondéis", "contestáis", "trabajáis", "pagáis",
	"habéis", "habeis", "oís", "veis", "conocéis", "entendéis", "recibís",
	// fr
	"savez", "pensez", "croyez", "rappelez", "souvenez", "recrutez", "embauchez", "cherchez",
	"achetez", "rachetez", "êtes", "comprenez", "répondez", "voulez", "trouvez", "payez",
	"connaissez", "moquez", "rappelerez", "avez", "savez-vous", "pensez-vous", "croyez-vous",
	"recrutez-vous", "embauchez-vous", "cherchez-vous", "achetez-vous", "rachetez-vous",
	"êtes-vous", "voulez-vous", "trouvez-vous", "connaissez-vous", "avez-vous",
	// de
	"wisst", "wissen", "sucht", "suchen", "stellt", "stellen", "kauft", "kaufen", "braucht",
	"brauchen", "seid", "sind", "denkt", "denken", "glaubt", "glauben", "erinnert", "erinnern",
	"antwortet", "antworten", "zahlt", "zahlen", "arbeitet", "arbeiten", "ruft", "rufen",
	"meint", "meinen", "findet", "finden", "kennt", "kennen", "hört", "hören", "lest", "lesen",
	"versteht", "verstehen", "wollt", "wollen", "habt", "haben", "nehmt", "nehmen",
	// past second persons (fifteenth round): they ask what the reader did,
	// not what the business does. The Latvian past is found by its ending
	// (lvPastSecondPlural), the Polish one by plSecondPlural; these are the
	// common pasts of the languages whose present and past endings overlap
	"wart", "hattet", "wurdet", "machtet", "kauftet", "saht", "gingt", "kamt",
	"faisiez", "aviez", "étiez", "vendiez", "pouviez", "vouliez", "saviez", "deviez", "disiez",
	"alliez", "fizeram", "venderam", "entregaram", "mandaram", "disseram", "tiveram", "foram",
	"deram", "fizeste", "hicisteis", "vendisteis", "mandasteis", "entregasteis",
)

// esShortVosotros are one-syllable vosotros verbs, written without an
// accent (¿Dais clases de pádel?); "veis" and "sois" are stops, "vais"
// (going to) asks nothing of the business.
var esShortVosotros = wordSet("dais")

// esNotVerbs are Spanish nouns that only end like a vosotros verb (-ís):
// esSecondPlural must not read "¿País de origen?" or "anís" as "¿hacéis?".
// They are no stop verbs (addressStops are verbs after a pronoun), so they
// have their own set.
var esNotVerbs = wordSet("país", "parís", "anís", "maíz", "raíz", "lápiz", "cortés", "inglés", "francés", "interés", "después", "través", "revés", "mes", "jamás", "además", "demás", "quizás", "atrás", "detrás", "compás")

// Words that may come before a clause-initial question: greetings and
// discourse words ("hi, do you…" is split at the comma; "hey do u…" is not).
var addressLead = wordSet(
	"hi", "hey", "hello", "hiya", "ok", "okay", "so", "and", "also", "btw", "quick", "question",
	"morning", "afternoon", "evening", "guys", "folks", "team", "please", "just", "um", "oh", "yo",
	"good", "there", "all", "hallo", "moin", "servus", "guten", "tag", "morgen", "abend", "und",
	"also", "kurze", "frage", "noch", "mal",
)

var (
	enAux      = wordSet("do", "does", "can", "could", "would", "will")
	enYou      = wordSet("you", "u", "ya", "y'all", "yall", "ye")
	enYouMore  = wordSet("guys", "all", "folks", "lot", "also", "still", "ever")
	pronounPT  = wordSet("vocês", "voces", "vcs", "vc", "você", "voce")
	pronounES  = wordSet("vosotros", "vosotras", "ustedes", "usted")
	deYou      = wordSet("ihr", "sie")
	lvYou      = wordSet("jūs", "jums", "jus")
	clitics    = wordSet("me", "nos", "te", "se", "lhe", "lhes", "os", "le", "la", "les", "en", "y", "nous", "m", "l", "também", "tambem", "también", "ainda", "já", "aussi", "auch", "mir", "uns")
	interrogPL = wordSet("czy", "można", "mozna")
)

func wordSet(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// markAddress marks the class "you" (bit) where st's text asks the business
// something in the second person, for language lang ("" tries every one).
// question is the bit the question marks were marked with.
func markAddress(st *state, lang string, bit, question int) {
	toks := st.toks
	for i := range toks {
		t := &toks[i]
		if t.Kind == textnorm.Punct {
			continue
		}
		asked := st.masks[st.clauseOf[i]].has(question)
		if end := addressAt(toks, i, lang, st.clauseStart, asked); end > i && !askedWhy(toks, i, st.clauseStart) && !stopAfter(toks, end, st.clauseStart) {
			st.mark(i, end, bit)
		}
	}
}

// whyWords ask why the business does something: a complaint or a
// question about it, not a purchase ("why do you charge for bags?").
var whyWords = wordSet("why", "dlaczego", "czemu", "kāpēc", "kādēļ", "porque", "porquê", "porqué", "pq", "pourquoi", "warum", "wieso", "weshalb")

// askedWhy reports whether the clause of token i asks why before it
// ("por que" and "por qué" are two words, 为什么 three ideographs).
func askedWhy(toks []textnorm.Token, i int, clauseStart []bool) bool {
	for j := i - 1; j >= 0 && j >= i-6; j-- {
		w := toks[j].Text
		if whyWords[w] || (w == "por" && j+1 < i && (toks[j+1].Text == "que" || toks[j+1].Text == "qué")) || (w == "为" && j+1 < i && toks[j+1].Text == "什") {
			return true
		}
		if clauseStart[j] {
			break
		}
	}
	return false
}

// stopAfter reports whether one of the next words of the clause after a
// modal question ("could you call me back", "czy możecie oddzwonić",
// "pourriez-vous me rappeler") is a stop verb.
func stopAfter(toks []textnorm.Token, end int, clauseStart []bool) bool {
	for j := end; j < len(toks) && j < end+4; j++ {
		if clauseStart[j] && j > end {
			break
		}
		if addressStops[toks[j].Text] && !(nounStops[toks[j].Text] && j > end && !enYouMore[toks[j-1].Text]) {
			return true
		}
	}
	return false
}

// nounStops are stop verbs that are nouns too: a stop only right after the
// pronoun ("do you hire drivers?"), not later ("do you do marquee hire?").
var nounStops = wordSet("hire", "work", "test", "call", "check")

// addressAt returns the end (exclusive) of a second-person question that
// starts at token i, or 0.
func addressAt(toks []textnorm.Token, i int, lang string, clauseStart []bool, asked bool) int {
	all := lang == "" || lang == "unknown"
	w := toks[i].Text
	if toks[i].Kind == textnorm.Han {
		if (all || lang == "zh") && asked {
			return zhAddress(toks, i)
		}
		return 0
	}
	if (all || lang == "en") && enAux[w] && leadsClause(toks, i, clauseStart) {
		j := i + 1
		if j < len(toks) && enYou[toks[j].Text] {
			j++
			for j < len(toks) && enYouMore[toks[j].Text] {
				j++
			}
			if verbOK(toks, j) {
				return i + 2
			}
		}
	}
	if (all || lang == "pl") && interrogPL[w] {
		for j := i + 1; j <= i+3 && j < len(toks) && toks[j].Kind == textnorm.Word; j++ {
			v := toks[j].Text
			if v == "u" && j+1 < len(toks) && toks[j+1].Text == "was" {
				return j + 2
			}
			if plSecondPlural(v) {
				if addressStops[v] {
					return 0
				}
				return j + 1
			}
		}
	}
	if (all || lang == "pl") && asked && w == "u" && i+1 < len(toks) && toks[i+1].Text == "was" {
		return i + 2
	}
	// a clause opened by a second person plural verb in a clause that ends
	// with a question mark: "robicie torty na roczek?" ("macie rację" and
	// "robicie świetną robotę" ask nothing: no question mark, no address).
	if (lang == "pl") && asked && leadsClause(toks, i, clauseStart) && plSecondPlural(w) && plVowelCie(w) && !addressStops[w] {
		return i + 1
	}
	if (all || lang == "lv") && w == "vai" {
		for j := i + 1; j <= i+2 && j < len(toks) && toks[j].Kind == textnorm.Word; j++ {
			v := toks[j].Text
			if lvYou[v] {
				if verbOK(toks, j+1) && !lvPastAfter(toks, j+1) {
					return j + 1
				}
				return 0
			}
			if lvPastSecondPlural(v) {
				return 0 // vai redzējāt…? asks what the reader saw, not what the business does
			}
			if lvSecondPlural(v) {
				if addressStops[v] {
					return 0
				}
				return j + 1
			}
		}
	}
	if (all || lang == "lv") && asked && w == "pie" && i+1 < len(toks) && lvYou[toks[i+1].Text] {
		return i + 2
	}
	if (all || lang == "pt") && asked && pronounPT[w] && verbOK(toks, i+1) {
		return i + 2
	}
	if (all || lang == "es") && asked {
		if (esSecondPlural(w) || esShortVosotros[w]) && !addressStops[w] {
			return i + 1
		}
		if pronounES[w] && verbOK(toks, i+1) {
			return i + 2
		}
	}
	// twenty-fifth round: a clause-opening third person plural verb asked of
	// the business (ustedes / vocês): "¿hacen visitas a domicilio?",
	// "trocam bateria de relógio na hora?"; not before an article, where the
	// verb has a subject of its own ("¿llegan los trenes a tiempo?")
	if (all || lang == "es" || lang == "pt") && asked && (leadsClause(toks, i, clauseStart) || i > 0 && toks[i-1].Text == "¿" && leadsClause(toks, i-1, clauseStart)) && thirdPluralAsk(lang, w) &&
		!addressStops[w] && i+1 < len(toks) && toks[i+1].Kind == textnorm.Word && !articles[toks[i+1].Text] {
		return i + 1
	}
	if all || lang == "fr" {
		if strings.HasSuffix(w, "-vous") && len(w) > len("-vous") && !strings.HasPrefix(w, "qu") && !addressStops[w] {
			return i + 1 // faites-vous, proposez-vous, louez-vous
		}
		if w == "vous" && (asked || estCeQue(toks, i)) && frVerbOK(toks, i+1) {
			return i + 2
		}
	}
	if (all || lang == "de") && leadsClause(toks, i, clauseStart) && i+1 < len(toks) && deYou[toks[i+1].Text] &&
		toks[i].Kind == textnorm.Word && !addressStops[w] && !addressLead[w] && deVerbLike(w) {
		return i + 2
	}
	return 0
}

// leadsClause reports whether token i opens its clause, greetings and
// discourse words aside ("hey do u guys…").
func leadsClause(toks []textnorm.Token, i int, clauseStart []bool) bool {
	for k := 0; k < 4; k++ {
		if clauseStart[i] {
			return true
		}
		if i == 0 || toks[i-1].Kind != textnorm.Word || !addressLead[toks[i-1].Text] {
			return false
		}
		i--
	}
	return false
}

// verbOK reports whether the word at j (clitics and adverbs skipped) is a
// verb the question may ask the business to do: not a stop verb, and a
// word at all.
func verbOK(toks []textnorm.Token, j int) bool {
	for k := 0; k < 2 && j < len(toks) && clitics[toks[j].Text]; k++ {
		j++
	}
	if j >= len(toks) || toks[j].Kind != textnorm.Word {
		return false
	}
	return !addressStops[toks[j].Text] && !allDigits(toks[j].Text)
}

// frVerbOK is verbOK for the word after "vous": a second person plural
// verb (-ez, or faites, dites), possibly after a clitic.
func frVerbOK(toks []textnorm.Token, j int) bool {
	for k := 0; k < 2 && j < len(toks) && clitics[toks[j].Text]; k++ {
		j++
	}
	if j >= len(toks) || toks[j].Kind != textnorm.Word {
		return false
	}
	v := toks[j].Text
	return (strings.HasSuffix(v, "ez") || v == "faites" || v == "dites") && !addressStops[v]
}

// estCeQue reports whether "vous" at i follows "est-ce que".
func estCeQue(toks []textnorm.Token, i int) bool {
	return i >= 2 && toks[i-1].Text == "que" && toks[i-2].Text == "est-ce"
}

// plSecondPlural: a present or future second person plural verb (robicie,
// szyjecie, wypożyczacie, moglibyście), not a past one (zrobiliście).
func plSecondPlural(w string) bool {
	if len(w) < 6 || !strings.HasSuffix(w, "cie") || w == "życie" {
		return false
	}
	return !strings.HasSuffix(w, "liście") && !strings.HasSuffix(w, "łyście") && !strings.HasSuffix(w, "łeście")
}

// lvSecondPlural: a present (or future) second person plural verb (šujat,
// iznomājat, varat, piegādājat, vedat, darāt, atvedīsiet), not a past one
// (redzējāt, bijāt, darījāt).
func lvSecondPlural(w string) bool {
	if lvPastSecondPlural(w) {
		return false
	}
	return len(w) >= 5 && (strings.HasSuffix(w, "at") || strings.HasSuffix(w, "āt") || strings.HasSuffix(w, "iet"))
}

// lvPastSecondPlural: a past second person plural verb. The past adds -ā-
// to a stem that in the second and third conjugations and in many of the
// first ends in -j- (runājāt, redzējāt, darījāt, dzīvojāt, gājāt,
// bijāt), so "-jāt" is always past (the present keeps a short a:
// runājat, piegādājat); the first conjugation's other pasts (nesāt,
// teicāt, ņēmāt, nācāt, sācāt, devāt, vedāt) end like the third
// conjugation's presents (darāt, lasāt), so only the common ones are
// listed.
func lvPastSecondPlural(w string) bool {
	return (len(w) >= 5 && strings.HasSuffix(w, "jāt")) || lvPast[w]
}

var lvPast = wordSet("teicāt", "ņēmāt", "nācāt", "sācāt", "devāt", "vedāt", "nesāt", "pirkāt", "bijāt", "gājāt", "redzējāt", "dzirdējāt", "lasījāt", "pamanījāt")

// lvPastAfter reports whether the verb after "vai jūs" (an adverb or two
// skipped: arī, jau, vēl, kādreiz) is past: "vai jūs arī redzējāt, ka…".
func lvPastAfter(toks []textnorm.Token, j int) bool {
	for k := j; k < len(toks) && k < j+3 && toks[k].Kind == textnorm.Word; k++ {
		if lvPastSecondPlural(toks[k].Text) {
			return true
		}
		if !lvAdverbs[toks[k].Text] {
			return false
		}
	}
	return false
}

var lvAdverbs = wordSet("arī", "ari", "jau", "vēl", "vel", "kādreiz", "tiešām", "tiešam", "nekad", "kaut", "šodien", "vakar")

// plVowelCie: a present plural verb ends in a vowel and -cie (robicie,
// macie, szyjecie, wypożyczacie); an imperative in a consonant and -cie
// (róbcie, kupcie, pijcie, zobaczcie).
func plVowelCie(w string) bool {
	r := []rune(strings.TrimSuffix(w, "cie"))
	if len(r) == 0 {
		return false
	}
	return strings.ContainsRune("aeiouyąęó", r[len(r)-1])
}

// esSecondPlural: a vosotros verb (hacéis, alquiláis, imprimís).
func esSecondPlural(w string) bool {
	if esNotVerbs[w] {
		return false
	}
	return len(w) >= 6 && (strings.HasSuffix(w, "áis") || strings.HasSuffix(w, "éis") || strings.HasSuffix(w, "ís"))
}

// thirdPluralAsk: an es or pt present third person plural verb (hacen,
// venden, fazem, trocam), the form a question to ustedes or vocês takes.
func thirdPluralAsk(lang string, w string) bool {
	if len([]rune(w)) < 5 || notThirdPlural[w] {
		return false
	}
	es := strings.HasSuffix(w, "an") || strings.HasSuffix(w, "en")
	pt := strings.HasSuffix(w, "am") || strings.HasSuffix(w, "em")
	switch lang {
	case "es":
		return es
	case "pt":
		return pt
	}
	return es || pt
}

// notThirdPlural are es and pt words with a third person plural ending that
// are none.
var notThirdPlural = wordSet("alguien", "quien", "alguem", "ninguem", "tambem", "porem", "joven", "imagen", "orden", "examen", "origen", "volumen", "resumen", "margen", "buen", "ontem", "homem", "viagem", "imagem", "mensagem", "ordem", "origem", "margem", "nuvem", "jovem", "garagem", "passagem", "porém", "também", "alguém", "ninguém", "quién", "quiénes", "cuándo", "cuánto", "después", "antes", "quanto", "quando")

// articles that give a verb before them a subject of its own.
var articles = wordSet("el", "la", "los", "las", "o", "a", "os", "as", "un", "una", "um", "uma", "mi", "mis", "meu", "minha", "su", "sus", "seu", "sua")

// deVerbLike: a clause-opening German word before ihr/Sie that can be a
// finite verb (macht, bietet, könnt, liefern), not a question word.
func deVerbLike(w string) bool {
	switch w {
	case "was", "wie", "wo", "wann", "warum", "wieso", "weshalb", "wer", "welche", "welcher", "welches", "woher", "wohin", "ob", "dass", "wenn", "falls", "die", "der", "das", "den", "dem":
		return false
	}
	return strings.HasSuffix(w, "t") || strings.HasSuffix(w, "en") || strings.HasSuffix(w, "n")
}

// zhAddress: 你们 / 您 / 你家 / 贵公司, 贵店 … in a question, not followed by
// a complaint's 怎么 / 为什么 or a recruiter's 招.
func zhAddress(toks []textnorm.Token, i int) int {
	w := toks[i].Text
	next := func(k int) string {
		if i+k < len(toks) && toks[i+k].Kind == textnorm.Han {
			return toks[i+k].Text
		}
		return ""
	}
	end := 0
	switch {
	case w == "你" && (next(1) == "们" || next(1) == "家"):
		end = i + 2
	case w == "您":
		end = i + 1
	case w == "贵" && (next(1) == "公" || next(1) == "店" || next(1) == "司" || next(1) == "单"):
		end = i + 2
	default:
		return 0
	}
	for k := end; k < end+3 && k < len(toks) && toks[k].Kind == textnorm.Han; k++ {
		switch toks[k].Text {
		case "怎", "为", "凭", "招", "知", "到", "是":
			return 0
		}
	}
	return end
}
