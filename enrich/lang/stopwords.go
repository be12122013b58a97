package lang

// stopwords are frequent function words, written for Earshot, that tell
// close languages apart in texts too short for trigrams to settle it
// ("J'adore ma Brewly One, le service client est top").
var stopwords = map[string][]string{
	"en": {"the", "and", "is", "are", "was", "were", "of", "to", "with", "this", "that", "it", "you", "my", "for", "have", "has", "not", "but", "what", "how", "just", "can", "will", "at", "on", "i", "me", "so", "be"},
	"pl": {"i", "w", "z", "na", "nie", "się", "jest", "to", "że", "do", "jak", "ale", "czy", "mój", "moja", "już", "tak", "po", "przez", "dla", "od", "jestem", "bardzo", "co", "mi", "mnie"},
	"lv": {"un", "ir", "ar", "par", "no", "uz", "bet", "vai", "kā", "ka", "es", "man", "mans", "ļoti", "nav", "tas", "šis", "jau", "arī", "pie", "kas", "bija", "mani", "jūs"},
	"pt": {"o", "a", "os", "as", "e", "é", "de", "do", "da", "dos", "das", "em", "no", "na", "um", "uma", "não", "com", "que", "para", "por", "mas", "muito", "meu", "minha", "você", "isso", "eu"},
	"es": {"el", "la", "los", "las", "y", "es", "de", "del", "en", "un", "una", "no", "con", "que", "para", "por", "pero", "muy", "mi", "yo", "está", "esto", "qué", "lo", "me"},
	"fr": {"le", "la", "les", "et", "est", "de", "des", "du", "en", "un", "une", "ne", "pas", "avec", "que", "pour", "par", "mais", "très", "mon", "ma", "je", "qui", "au", "aux", "ce", "vous", "nous"},
	"de": {"der", "die", "das", "und", "ist", "nicht", "mit", "ein", "eine", "ich", "zu", "auf", "für", "den", "dem", "sehr", "aber", "mein", "meine", "es", "von", "im", "wie", "wir", "sie"},
	"it": {"il", "lo", "la", "i", "gli", "le", "e", "è", "di", "del", "della", "in", "un", "una", "non", "con", "che", "per", "ma", "molto", "mio", "mia", "sono", "questo", "ho"},
	"ru": {"и", "в", "не", "на", "я", "что", "это", "с", "как", "но", "очень", "мой", "он", "она", "был", "по", "за", "все", "мне", "уже"},
	"uk": {"і", "в", "не", "на", "я", "що", "це", "з", "як", "але", "дуже", "мій", "він", "вона", "був", "по", "за", "все", "мені", "вже"},
}

// stopwordBonus is the log-likelihood a stopword adds to its languages.
const stopwordBonus = 2.5
