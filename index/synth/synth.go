// Package synth generates enriched mentions that look like a listening
// workload, for benchmarks: tweet-length texts in nine languages (Chinese
// without spaces), a Zipf-distributed vocabulary with a long tail of rare
// words, order numbers, handles and hashtags, enrichment labels that agree
// with the text (a delivery complaint says "late" and is negative), a few
// dozen brands, identities for some authors, and timestamps spread over a
// period. A generator is deterministic for its seed, so a benchmark can
// rebuild the same corpus and ask questions about it.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/record"
)

// Config shapes a corpus.
type Config struct {
	Seed uint64
	// Start and Span bound created_at: mentions are spread uniformly over
	// [Start, Start+Span).
	Start time.Time
	Span  time.Duration
	// Count, when set, makes created_at advance with the sequence number,
	// Count mentions over the period with up to 30 minutes of jitter, as a
	// live stream arrives. Zero gives every mention a random time in the
	// period (a backfill in no particular order), which scatters any time
	// window over the whole index.
	Count int
	// TailWords is the size of each language's generated rare-word
	// vocabulary (default 40,000).
	TailWords int
	// Authors is how many distinct authors write (default 200,000).
	Authors int
}

// DefaultConfig is a year of mentions ending on 2026-01-01.
func DefaultConfig() Config {
	return Config{Seed: 1, Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Span: 365 * 24 * time.Hour,
		TailWords: 40000, Authors: 200000}
}

// Generator makes mentions. It is not safe for concurrent use.
type Generator struct {
	cfg       Config
	rng       *rand.Rand
	langs     []*language
	langCum   []float64
	sourceCum []float64
	brandZipf *rand.Zipf
	author    *rand.Zipf
	n         int
}

type language struct {
	*lexicon
	tail       []string
	tailZipf   *rand.Zipf
	commonZipf *rand.Zipf
}

type weighted struct {
	name   string
	weight float64
}

// New returns a generator for cfg (zero fields take DefaultConfig's values).
func New(cfg Config) *Generator {
	d := DefaultConfig()
	if cfg.Start.IsZero() {
		cfg.Start = d.Start
	}
	if cfg.Span <= 0 {
		cfg.Span = d.Span
	}
	if cfg.TailWords <= 0 {
		cfg.TailWords = d.TailWords
	}
	if cfg.Authors <= 0 {
		cfg.Authors = d.Authors
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	g := &Generator{cfg: cfg, rng: rng,
		brandZipf: rand.NewZipf(rng, 1.3, 1, uint64(len(brands)-1)),
		author:    rand.NewZipf(rng, 1.1, 2, uint64(cfg.Authors-1)),
	}
	total := 0.0
	for _, lx := range lexicons {
		l := &language{lexicon: lx,
			commonZipf: rand.NewZipf(rng, 1.05, 1, uint64(len(lx.common)-1)),
		}
		// The tail is generated from its own seed so that it is the same
		// vocabulary whatever the corpus seed.
		tr := rand.New(rand.NewPCG(uint64(len(g.langs))+1, 7))
		seen := map[string]bool{}
		for len(l.tail) < cfg.TailWords {
			var sb strings.Builder
			for range 2 + tr.IntN(3) {
				sb.WriteString(lx.syllables[tr.IntN(len(lx.syllables))])
			}
			if w := sb.String(); !seen[w] {
				seen[w] = true
				l.tail = append(l.tail, w)
			}
			if len(seen) > 50*cfg.TailWords { // small syllable sets cannot fill a huge tail
				break
			}
		}
		l.tailZipf = rand.NewZipf(rng, 1.07, 1, uint64(len(l.tail)-1))
		g.langs = append(g.langs, l)
		total += lx.weight
		g.langCum = append(g.langCum, total)
	}
	total = 0
	for _, s := range sources {
		total += s.weight
		g.sourceCum = append(g.sourceCum, total)
	}
	return g
}

func pick(rng *rand.Rand, cum []float64) int {
	x := rng.Float64() * cum[len(cum)-1]
	for i, c := range cum {
		if x < c {
			return i
		}
	}
	return len(cum) - 1
}

// Batch returns the next n mentions.
func (g *Generator) Batch(n int) []*record.EnrichedMention {
	out := make([]*record.EnrichedMention, n)
	for i := range out {
		out[i] = g.Next()
	}
	return out
}

// Next returns the next mention. Its id is "m" followed by its sequence
// number, so the corpus of a seed can be rebuilt and overwritten.
func (g *Generator) Next() *record.EnrichedMention {
	r := g.rng
	seq := g.n
	g.n++
	l := g.langs[pick(r, g.langCum)]
	source := sources[pick(r, g.sourceCum)].name

	// Decide what the mention is about first, then write the text to match.
	var aspects []string
	switch x := r.Float64(); {
	case x < 0.35:
	case x < 0.85:
		aspects = []string{aspectNames[r.IntN(len(aspectNames))]}
	default:
		a, b := r.IntN(len(aspectNames)), r.IntN(len(aspectNames))
		aspects = []string{aspectNames[a]}
		if b != a {
			aspects = append(aspects, aspectNames[b])
		}
	}
	sentiment := ""
	switch x := r.Float64(); {
	case x < 0.36:
		sentiment = record.SentimentNegative
	case x < 0.66:
		sentiment = record.SentimentNeutral
	case x < 0.96:
		sentiment = record.SentimentPositive
	}
	var ms []string
	nb := 0
	if r.Float64() < 0.7 {
		nb = 1
		if r.Float64() < 0.15 {
			nb = 2
		}
	}
	for range nb {
		b := brands[g.brandZipf.Uint64()]
		if !contains(ms, b) {
			ms = append(ms, b)
		}
	}
	text := g.text(l, aspects, sentiment, ms, 8+r.IntN(33))
	title := ""
	if (source == "web" || source == "feed") && r.Float64() < 0.4 {
		title = g.text(l, aspects, "", ms, 4+r.IntN(5))
	}
	createdAt := g.createdAt(seq)
	author := g.author.Uint64()
	id := "m" + strconv.Itoa(seq)
	m := &record.EnrichedMention{
		Mention: record.Mention{
			Schema: record.SchemaVersion, ID: id, Source: source, SourceID: "s" + strconv.Itoa(seq),
			Channel: source + "-" + strconv.Itoa(int(author%7)), Kind: kindFor(source, r),
			Author: record.Author{Platform: source, Handle: "user" + strconv.FormatUint(author, 10),
				Name: "User " + strconv.FormatUint(author, 36)},
			Title: title, Text: text, URL: "https://example.test/" + source + "/" + id,
			CreatedAt: createdAt, FetchedAt: createdAt.Add(time.Duration(1+r.IntN(600)) * time.Second),
		},
		EnrichedAt: createdAt.Add(time.Duration(601+r.IntN(600)) * time.Second),
	}
	if source == "forms" {
		m.Author.Email = "user" + strconv.FormatUint(author, 10) + "@example.com"
	}
	if r.Float64() < 0.03 {
		// Some records were never enriched (the analysis was skipped).
		return m
	}
	a := &m.Analysis
	a.Language = &record.Language{Code: l.code, Confidence: 0.8 + 0.2*r.Float64(), Method: "model"}
	if sentiment != "" {
		score := 0.2 + 0.8*r.Float64()
		switch sentiment {
		case record.SentimentNegative:
			score = -score
		case record.SentimentNeutral:
			score = 0.4*r.Float64() - 0.2
		}
		a.Sentiment = &record.Sentiment{Label: sentiment, Score: score, Confidence: 0.5 + 0.5*r.Float64()}
	}
	for _, as := range aspects {
		s := sentiment
		if s == "" {
			s = record.SentimentNeutral
		}
		ev := prefixRunes(text, 12)
		a.Aspects = append(a.Aspects, record.Aspect{Name: as, Sentiment: s, Score: r.Float64(),
			Evidence: record.Span{Start: 0, End: len(ev), Text: ev}})
	}
	for _, in := range intentsFor(sentiment, r) {
		a.Intents = append(a.Intents, record.Intent{Name: in, Score: 0.5 + 0.5*r.Float64()})
	}
	if len(ms) > 0 {
		p := &record.Preferences{}
		for _, b := range ms {
			if b == brands[0] || b == brands[1] {
				p.Brands = append(p.Brands, b)
			} else {
				p.Competitors = append(p.Competitors, b)
				p.Brands = append(p.Brands, b)
			}
		}
		if r.Float64() < 0.2 {
			p.Products = []string{products[r.IntN(len(products))]}
		}
		a.Preferences = p
	}
	switch x := r.Float64(); {
	case x < 0.08:
		m.Identity = &record.Identity{Outcome: record.MatchExact, CustomerID: "C" + strconv.FormatUint(author%50000, 10), Score: 0.99}
	case x < 0.13:
		m.Identity = &record.Identity{Outcome: record.MatchNone, ProspectID: "P" + strconv.FormatUint(author, 10)}
	}
	return m
}

func (g *Generator) createdAt(seq int) time.Time {
	secs := int64(g.cfg.Span / time.Second)
	if g.cfg.Count <= 0 {
		return g.cfg.Start.Add(time.Duration(g.rng.Int64N(secs)) * time.Second)
	}
	at := int64(float64(secs)*float64(seq)/float64(g.cfg.Count)) + g.rng.Int64N(3601) - 1800
	return g.cfg.Start.Add(time.Duration(max(0, min(secs-1, at))) * time.Second)
}

// text writes n words of l about the aspects with the sentiment, naming
// the brands.
func (g *Generator) text(l *language, aspects []string, sentiment string, brandNames []string, n int) string {
	r := g.rng
	var sb strings.Builder
	sep := " "
	if l.cjk {
		sep = ""
	}
	for i := range n {
		var w string
		switch x := r.Float64(); {
		case x < 0.44:
			w = l.common[l.commonZipf.Uint64()]
		case x < 0.58 && len(aspects) > 0:
			ws := l.aspects[aspects[r.IntN(len(aspects))]]
			w = ws[r.IntN(len(ws))]
		case x < 0.65 && sentiment == record.SentimentPositive:
			w = l.positive[r.IntN(len(l.positive))]
		case x < 0.65 && sentiment == record.SentimentNegative:
			w = l.negative[r.IntN(len(l.negative))]
		case x < 0.69 && len(brandNames) > 0:
			w = brandNames[r.IntN(len(brandNames))]
		case x < 0.70:
			w = "#" + strconv.Itoa(100000+r.IntN(900000)) // an order number: nearly unique
		case x < 0.71:
			w = "@user" + strconv.FormatUint(g.author.Uint64(), 10)
		case x < 0.72:
			w = "#" + strings.ToLower(brands[g.brandZipf.Uint64()]) + aspectNames[r.IntN(len(aspectNames))]
		default:
			w = l.tail[l.tailZipf.Uint64()]
		}
		if i > 0 {
			if l.cjk && (w[0] == '#' || w[0] == '@' || isASCIILetter(w[0])) {
				sb.WriteByte(' ')
			} else {
				sb.WriteString(sep)
			}
		}
		sb.WriteString(w)
		if !l.cjk && r.IntN(9) == 0 && i < n-1 {
			sb.WriteString([]string{",", ".", "!", "?"}[r.IntN(4)])
		}
	}
	if l.cjk {
		sb.WriteString("。")
	} else {
		sb.WriteString([]string{".", "!", "?", ""}[r.IntN(4)])
	}
	return sb.String()
}

func isASCIILetter(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }

func intentsFor(sentiment string, r *rand.Rand) []string {
	var out []string
	switch sentiment {
	case record.SentimentNegative:
		out = append(out, "complaint")
		if r.Float64() < 0.15 {
			out = append(out, "churn_risk")
		}
	case record.SentimentPositive:
		if r.Float64() < 0.6 {
			out = append(out, "praise")
		}
	}
	switch x := r.Float64(); {
	case x < 0.12:
		out = append(out, "question")
	case x < 0.2:
		out = append(out, "buying")
	case x < 0.25:
		out = append(out, "support")
	}
	return out
}

func kindFor(source string, r *rand.Rand) record.Kind {
	switch source {
	case "forms":
		return record.KindFormSubmission
	case "web":
		if r.IntN(3) == 0 {
			return record.KindReview
		}
		return record.KindComment
	case "mastodon":
		if r.IntN(4) == 0 {
			return record.KindReply
		}
	}
	return record.KindMention
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func prefixRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// String describes the corpus shape, for benchmark output.
func (c Config) String() string {
	order := "in random time order"
	if c.Count > 0 {
		order = "in time order (a stream)"
	}
	return fmt.Sprintf("seed %d, %s from %s %s, %d tail words per language, %d authors",
		c.Seed, c.Span, c.Start.Format("2006-01-02"), order, c.TailWords, c.Authors)
}
