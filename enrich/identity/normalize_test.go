package identity

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

func testNormalizer() *Normalizer { return NewNormalizer(DefaultConfig()) }

func TestEmailNormalisation(t *testing.T) {
	n := testNormalizer()
	cases := []struct{ in, want string }{
		{"Jan.Kowalski@Example.PL", "jan.kowalski@example.pl"},
		{"  <jan@example.pl> ", "jan@example.pl"},
		{"mailto:Anna@firma.com.pl", "anna@firma.com.pl"},
		// Gmail ignores dots and +tags, and googlemail.com is the same mailbox.
		{"J.a.N.Kowalski+newsletter@gmail.com", "jankowalski@gmail.com"},
		{"jan.kowalski@googlemail.com", "jankowalski@gmail.com"},
		// Outlook keeps dots but drops +tags.
		{"maria.silva+promo@outlook.com", "maria.silva@outlook.com"},
		// A company domain keeps both: they may be different mailboxes.
		{"first.last+x@acme.lv", "first.last+x@acme.lv"},
		// Unicode mailboxes and IDN domains are kept, lower-cased.
		{"Jānis@Pasts.LV", "jānis@pasts.lv"},
		{"王伟@例子.中国", "王伟@例子.中国"},
	}
	for _, c := range cases {
		got, err := n.Email(c.in)
		if err != nil || got != c.want {
			t.Errorf("Email(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "jan", "jan@", "@example.com", "jan@localhost", "jan kowalski@example.com", "jan@exa_mple.com"} {
		if got, err := n.Email(bad); err == nil {
			t.Errorf("Email(%q) = %q, want an error", bad, got)
		}
	}
}

func TestPhoneNormalisationToE164(t *testing.T) {
	n := testNormalizer() // default region PL
	cases := []struct{ in, region, want string }{
		{"+48 601 234 567", "", "+48601234567"},
		{"0048 601-234-567", "", "+48601234567"},
		{"601 234 567", "", "+48601234567"},      // national, default region
		{"(22) 123 45 67", "PL", "+48221234567"}, // Warsaw landline
		{"2 612 3456", "LV", "+37126123456"},     // Latvian mobile written oddly
		{"+371 26123456", "", "+37126123456"},
		{"(11) 98765-4321", "BR", "+5511987654321"}, // São Paulo mobile
		{"912 345 678", "PT", "+351912345678"},
		{"138 0013 8000", "CN", "+8613800138000"},
		{"+1 (415) 555-2671", "", "+14155552671"},
		{"020 7946 0958", "GB", "+442079460958"},
		{"tel:+49-30-1234567", "", "+49301234567"},
	}
	for _, c := range cases {
		got, err := n.Phone(c.in, c.region)
		if err != nil || got != c.want {
			t.Errorf("Phone(%q, %q) = %q, %v; want %q", c.in, c.region, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "123", "call me", "+48 12"} {
		if got, err := n.Phone(bad, ""); err == nil {
			t.Errorf("Phone(%q) = %q, want an error", bad, got)
		}
	}
}

func TestHandleNormalisation(t *testing.T) {
	cases := []struct{ platform, in, want string }{
		{"mastodon", "@Jan@Mastodon.Social", "mastodon:jan@mastodon.social"},
		{"", "jan@mastodon.social", "mastodon:jan@mastodon.social"},
		{"mastodon", "https://mastodon.social/@Jan", "mastodon:jan@mastodon.social"},
		{"twitter", "@JanK", "x:jank"},
		{"x", "JanK", "x:jank"},
		{"", "https://twitter.com/JanK?ref=1", "x:jank"},
		{"", "https://www.instagram.com/maria.silva/", "instagram:maria.silva"},
		{"", "https://www.linkedin.com/in/janis-berzins", "linkedin:janis-berzins"},
		{"instagram", "Ｍａｒｉａ", "instagram:maria"}, // full-width letters fold (NFKC)
	}
	for _, c := range cases {
		got, err := Handle(c.platform, c.in)
		if err != nil || got != c.want {
			t.Errorf("Handle(%q, %q) = %q, %v; want %q", c.platform, c.in, got, err, c.want)
		}
	}
	for _, bad := range []struct{ p, h string }{{"x", ""}, {"", "noplatform"}, {"x", "two words"}, {"", "https://example.com/about"}} {
		if got, err := Handle(bad.p, bad.h); err == nil {
			t.Errorf("Handle(%q, %q) = %q, want an error", bad.p, bad.h, got)
		}
	}
}

func TestProfileURLNormalisation(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://www.Facebook.com/Jan.Kowalski/", "facebook.com/jan.kowalski"},
		{"http://m.facebook.com/jan.kowalski?fref=ts#x", "facebook.com/jan.kowalski"},
		{"mastodon.social/@jan", "mastodon.social/@jan"},
	}
	for _, c := range cases {
		got, err := ProfileURL(c.in)
		if err != nil || got != c.want {
			t.Errorf("ProfileURL(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestFoldTextAcrossScripts(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Jānis Bērziņš", "janis berzins"},
		{"ŁUKASZ Wróbel", "lukasz wrobel"},
		{"Małgorzata Żółkiewska-Nowak", "malgorzata zolkiewska nowak"},
		{"João da Conceição", "joao da conceicao"},
		{"Straße", "strasse"},
		{"Иван Петров", "ivan petrov"},
		{"Юлия Щербакова", "yuliya shcherbakova"},
		{"Олександр Ґонта", "oleksandr gonta"},
		{"Γιώργος Παπαδόπουλος", "giorgos papadopoulos"},
		{"王伟", "wangwei"},
		{"张 小明", "zhang xiaoming"},
		{"O'Brien", "obrien"},
		{"  JAN   KOWALSKI ", "jan kowalski"},
		{"Søren Kierkegaard", "soren kierkegaard"},
	}
	for _, c := range cases {
		if got := FoldText(c.in); got != c.want {
			t.Errorf("FoldText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSplitFullName(t *testing.T) {
	cases := []struct{ in, first, last string }{
		{"Jan Kowalski", "jan", "kowalski"},
		{"Kowalski, Jan", "jan", "kowalski"},
		{"Maria da Silva", "maria", "da silva"},
		{"Anna Maria Nowak", "anna maria", "nowak"},
		{"王伟", "wei", "wang"},
		{"欧阳娜娜", "nana", "ouyang"},
		{"曾小贤", "xiaoxian", "zeng"}, // surname reading, not "ceng"
		{"Madonna", "madonna", ""},
	}
	for _, c := range cases {
		f, l := SplitFullName(c.in)
		if f != c.first || l != c.last {
			t.Errorf("SplitFullName(%q) = %q, %q; want %q, %q", c.in, f, l, c.first, c.last)
		}
	}
}

func TestDateNormalisation(t *testing.T) {
	n := testNormalizer()
	for in, want := range map[string]string{
		"1985-03-07": "1985-03-07", "07.03.1985": "1985-03-07", "7/3/1985": "1985-03-07",
		"1985/03/07": "1985-03-07", "19850307": "1985-03-07", "1985-03-07T00:00:00Z": "1985-03-07",
	} {
		if got, err := n.Date(in); err != nil || got != want {
			t.Errorf("Date(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	cfg := DefaultConfig()
	cfg.DateOrder = "MDY"
	if got, _ := NewNormalizer(cfg).Date("3/7/1985"); got != "1985-03-07" {
		t.Errorf("MDY Date(3/7/1985) = %q", got)
	}
	for _, bad := range []string{"1985-02-30", "31.13.1985", "yesterday", "1850-01-01", "3000-01-01"} {
		if got, err := n.Date(bad); err == nil {
			t.Errorf("Date(%q) = %q, want an error", bad, got)
		}
	}
}

func TestPostcodeCountryDomainCompany(t *testing.T) {
	if got := Postcode("00-950", "PL"); got != "00950" {
		t.Errorf("Postcode PL = %q", got)
	}
	if got := Postcode("LV-1050", "LV"); got != "1050" {
		t.Errorf("Postcode LV = %q", got)
	}
	if got := Postcode("sw1a 1aa", "GB"); got != "SW1A1AA" {
		t.Errorf("Postcode GB = %q", got)
	}
	for in, want := range map[string]string{"pl": "PL", "Polska": "PL", "Latvija": "LV", "Brasil": "BR", "UK": "GB", "中国": "CN", "Narnia": "", "QQ": ""} {
		if got := Country(in); got != want {
			t.Errorf("Country(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Domain("https://www.Acme.pl/kontakt"); got != "acme.pl" {
		t.Errorf("Domain = %q", got)
	}
	for in, want := range map[string]string{"ACME Sp. z o.o.": "acme", "Acme": "acme", "Żabka Polska S.A.": "zabka polska", "阿里巴巴有限公司": "alibaba", "The Widget Company Ltd": "widget"} {
		if got := Company(in); got != want {
			t.Errorf("Company(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNicknamesAndPhonetics(t *testing.T) {
	for _, pair := range [][2]string{{"bill", "william"}, {"kasia", "katarzyna"}, {"gosia", "malgorzata"}, {"sasha", "aleksandr"}, {"ze", "jose"}, {"kuba", "jakub"}} {
		if !sameFormal(pair[0], pair[1]) {
			t.Errorf("%s and %s should share a formal name", pair[0], pair[1])
		}
	}
	if sameFormal("bill", "robert") {
		t.Error("bill and robert share no formal name")
	}
	for _, group := range [][]string{{"kowalski", "kovalski", "cowalski", "kowalsky"}, {"szymanski", "shimanski"}, {"thomas", "tomas"}, {"petrov", "petrow"}} {
		want := Phonetic(group[0])
		for _, w := range group[1:] {
			if got := Phonetic(w); got != want {
				t.Errorf("Phonetic(%q) = %q, want %q like %q", w, got, want, group[0])
			}
		}
	}
	if Phonetic("nowak") == Phonetic("kowalski") {
		t.Error("different names share a phonetic key")
	}
}

func TestJaroWinkler(t *testing.T) {
	cases := []struct {
		a, b   string
		lo, hi float64
	}{
		{"martha", "marhta", 0.96, 0.962},
		{"dixon", "dicksonx", 0.81, 0.815},
		{"kowalski", "kowalski", 1, 1},
		{"kowalski", "nowak", 0, 0.8},
		{"", "x", 0, 0},
		{"łukasz", "lukasz", 0.8, 0.9}, // runes: one differs
	}
	for _, c := range cases {
		if got := JaroWinkler(c.a, c.b); got < c.lo || got > c.hi {
			t.Errorf("JaroWinkler(%q, %q) = %.4f, want in [%g, %g]", c.a, c.b, got, c.lo, c.hi)
		}
	}
	if !editDistanceAtMost1("19850307", "19850370") || !editDistanceAtMost1("1985037", "19850307") || editDistanceAtMost1("19850307", "19860308") {
		t.Error("editDistanceAtMost1 is wrong")
	}
}

// EmailSpellings matches exactly the lower-cased addresses Email turns
// into the canonical one: written with a provider's dots, +tags and domain
// aliases, in any case; never a neighbour's mailbox or another domain.
func TestEmailSpellingsMatchExactlyTheNormalisedAddress(t *testing.T) {
	n := NewNormalizer(DefaultConfig())
	r := rand.New(rand.NewPCG(3, 4))
	for _, canonical := range []string{"jankowalski@gmail.com", "ola.nowak@outlook.com", "li_wei-88@proton.me", "zoë@gmail.com"} {
		pat := n.EmailSpellings(canonical)
		re, err := regexp.Compile(`^(?:` + pat + `)$`)
		if pat == "" || err != nil {
			t.Fatalf("%s: pattern %q (%v)", canonical, pat, err)
		}
		local, domain, _ := strings.Cut(canonical, "@")
		spellings := []string{canonical, strings.ToUpper(canonical), "x" + canonical, local + "x@" + domain,
			local + "@" + domain + ".evil.example", local + "@gmail.com", local + "@googlemail.com", local + "+news@" + domain,
			local + "+@" + domain, local + "@outlook.com"}
		for range 300 { // dots, a tag, an alias, upper case, at random
			var b strings.Builder
			for _, c := range local {
				if r.IntN(3) == 0 {
					b.WriteByte('.')
				}
				b.WriteRune(c)
			}
			if r.IntN(2) == 0 {
				b.WriteString("+t." + fmt.Sprint(r.IntN(100)))
			}
			d := domain
			if domain == "gmail.com" && r.IntN(2) == 0 {
				d = "googlemail.com"
			}
			s := b.String() + "@" + d
			if r.IntN(4) == 0 {
				s = strings.ToUpper(s)
			}
			spellings = append(spellings, s)
		}
		for _, s := range spellings {
			norm, err := n.Email(s)
			want := err == nil && norm == canonical
			if got := re.MatchString(strings.ToLower(s)); got != want {
				t.Errorf("%s: pattern %q matches %q: %v; Email gives %q (%v)", canonical, pat, s, got, norm, err)
			}
		}
	}
	for _, only := range []string{"jan@example.pl", "anna@wp.pl"} {
		if pat := n.EmailSpellings(only); pat != "" {
			t.Errorf("%s has one spelling, yet a pattern %q", only, pat)
		}
	}
}
