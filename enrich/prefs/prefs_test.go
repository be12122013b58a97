package prefs

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/earshothq/earshot/enrich/textnorm"
)

// The embedded copy must stay identical to configs/taxonomy.yaml.
func TestEmbeddedTaxonomyMatchesConfigs(t *testing.T) {
	want, err := os.ReadFile("../../configs/taxonomy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, defaultTaxonomy) {
		t.Fatal("enrich/prefs/taxonomy.yaml differs from configs/taxonomy.yaml; copy one over the other")
	}
}

func extractor(t *testing.T) *Extractor {
	tax, err := LoadTaxonomy("")
	if err != nil {
		t.Fatal(err)
	}
	x, err := New(tax)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// signScorer is a stand-in clause scorer: negative if the clause has one
// of a few words, positive if another.
func signScorer(text string, toks []textnorm.Token) (string, float64) {
	c := strings.ToLower(text[toks[0].Start:toks[len(toks)-1].End])
	for _, w := range []string{"disaster", "fatalna", "briesmīga", "慢", "caro"} {
		if strings.Contains(c, w) {
			return "negative", -0.8
		}
	}
	for _, w := range []string{"great", "świetna", "laba", "很好", "ótima"} {
		if strings.Contains(c, w) {
			return "positive", 0.8
		}
	}
	return "neutral", 0
}

func TestAspectsPerClause(t *testing.T) {
	x := extractor(t)
	cases := []struct {
		text string
		want map[string]string
	}{
		{"Great product but delivery was a disaster", map[string]string{"product": "positive", "delivery": "negative"}},
		{"Jakość świetna, ale dostawa fatalna.", map[string]string{"quality": "positive", "delivery": "negative"}},
		{"Kvalitāte laba, bet piegāde bija briesmīga", map[string]string{"quality": "positive", "delivery": "negative"}},
		{"质量很好，但是物流太慢", map[string]string{"quality": "positive", "delivery": "negative"}},
		{"Qualidade ótima, mas o preço é caro", map[string]string{"quality": "positive", "price": "negative"}},
	}
	for _, c := range cases {
		toks := textnorm.Tokenize(c.text, nil)
		r := x.Extract(c.text, toks, signScorer)
		got := map[string]string{}
		for _, a := range r.Aspects {
			got[a.Name] = a.Sentiment
			if c.text[a.Start:a.End] != a.Text {
				t.Errorf("aspect span %d:%d = %q, text %q", a.Start, a.End, c.text[a.Start:a.End], a.Text)
			}
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: aspects %v, want %v", c.text, got, c.want)
		}
	}
}

func TestMentionsChannelsAndNeeds(t *testing.T) {
	x := extractor(t)
	text := "Looking for a Brewly One for our office, we now use DeLonghi. Please contact me by email or call me."
	r := x.Extract(text, textnorm.Tokenize(text, nil), nil)
	if !reflect.DeepEqual(r.Brands, []string{"Brewly"}) || !reflect.DeepEqual(r.Products, []string{"Brewly One"}) ||
		!reflect.DeepEqual(r.Competitors, []string{"DeLonghi"}) {
		t.Errorf("mentions: %+v", r)
	}
	if !reflect.DeepEqual(r.Channels, []string{"email", "phone"}) {
		t.Errorf("channels = %v, want email and phone", r.Channels)
	}
	if !reflect.DeepEqual(r.Needs, []string{"office use"}) {
		t.Errorf("needs = %v", r.Needs)
	}
	// A channel named without a contact cue is not a preference.
	text = "My email inbox is full of coffee newsletters"
	if r := x.Extract(text, textnorm.Tokenize(text, nil), nil); len(r.Channels) != 0 {
		t.Errorf("channels without a cue: %v", r.Channels)
	}
	// Inflected forms: Polish dostawy/dostawą, Latvian piegādi.
	for _, s := range []string{"Problem z dostawą", "Kiedy dostawy?", "Gaidu piegādi"} {
		r := x.Extract(s, textnorm.Tokenize(s, nil), nil)
		if len(r.Aspects) != 1 || r.Aspects[0].Name != "delivery" {
			t.Errorf("%q: aspects %+v, want delivery", s, r.Aspects)
		}
	}
}

func TestTaxonomyValidation(t *testing.T) {
	for _, bad := range []string{
		"brand: {name: X}\n",
		"brand: {name: X, terms: [x]}\nproducts: [{name: A, terms: [a]}, {name: A, terms: [b]}]\n",
		"brand: {name: X, terms: [x]}\naspects: [{name: price}]\n",
		"brand: {name: X, terms: [x]}\nchannels: [{name: email, terms: [email]}]\n",
		"brand: {name: X, terms: [x]}\ncolour: red\n",
	} {
		if _, err := ParseTaxonomy([]byte(bad), "test.yaml"); err == nil {
			t.Errorf("ParseTaxonomy(%q) = nil error", bad)
		}
	}
	if _, err := LoadTaxonomy("/nonexistent/taxonomy.yaml"); err == nil {
		t.Error("missing file: want error")
	}
}
