package analysis

import (
	"strings"

	"github.com/earshothq/earshot/enrich/prefs"
	"github.com/earshothq/earshot/enrich/textnorm"
)

// secondPerson are words that address the company ("your support",
// "wasz kurier"): a text that speaks to the brand is about the brand even
// when it does not name it.
var secondPerson = map[string]bool{
	"your": true, "you": true, "u": true,
	"wasz": true, "wasza": true, "wasze": true, "waszym": true, "waszej": true, "waszego": true, "wam": true, "was": true, "macie": true,
	"jūsu": true, "jums": true, "jūs": true,
	"vocês": true, "voces": true, "seu": true, "sua": true,
	"vuestro": true, "vuestra": true, "vuestros": true, "vuestras": true, "os": true, "tenéis": true,
	"euer": true, "eure": true, "euren": true, "eurem": true, "euch": true, "ihr": true,
	"votre": true, "vos": true, "vous": true,
	"vostro": true, "vostra": true,
}

// aboutBrand reports whether a text concerns what the taxonomy describes:
// it names the brand, a product, a feature or a competitor, speaks of an
// aspect other than price or taste (prices of flights are not about us),
// or addresses the company directly.
func aboutBrand(p *prefs.Result, toks []textnorm.Token, text string) bool {
	if len(p.Brands)+len(p.Products)+len(p.Features)+len(p.Competitors) > 0 {
		return true
	}
	for _, a := range p.Aspects {
		if a.Name != "price" && a.Name != "taste" {
			return true
		}
	}
	for _, t := range toks {
		if t.Kind == textnorm.Word && secondPerson[t.Text] {
			return true
		}
	}
	return strings.Contains(text, "你们")
}
