package intent

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand"
	"os"
	"sort"
	"unicode/utf8"

	"github.com/earshothq/earshot/enrich/textnorm"
)

// A Model is a learned layer over the rules, trained from people's intent
// corrections (`earshot train intent`). For every intent it is a logistic
// regression over the rules' score and the text's words (word, 5-letter
// prefix so inflections share weight, word pair; Chinese ideographs and
// ideograph pairs):
//
//	P(intent) = σ(bias + ruleWeight·(±1 as the rules report it or not) + Σ weight(feature))
//
// Trained on the shipped development set alone it trusts the rules; the
// corrections teach it the wordings the rules get wrong ("book a tasting
// for our café" is buying, "rattles like a tractor, love it" no complaint)
// and, through shared words and prefixes, similar texts nobody corrected.
type Model struct {
	rules      string // version of the rules it was trained over
	bias       [numIntents]float32
	ruleWeight [numIntents]float32
	weights    map[uint32][numIntents]float32
	version    string
}

const (
	numIntents  = 6 // len(Names)
	modelFormat = "ESIM1"
	prefixRunes = 5
)

// Version identifies the model: the first 12 hex digits of the SHA-256 of
// its content, prefixed "intent-".
func (m *Model) Version() string { return m.version }

// Rules is the version of the rules the model was trained over.
func (m *Model) Rules() string { return m.rules }

// Features appends the hashed features of a text to dst (distinct, sorted).
func Features(toks []textnorm.Token, dst []uint32) []uint32 {
	dst = dst[:0]
	prev, prevHan := "", ""
	for _, t := range toks {
		switch t.Kind {
		case textnorm.Word:
			dst = append(dst, hashFeature("w", t.Text, ""))
			if utf8.RuneCountInString(t.Text) > prefixRunes {
				dst = append(dst, hashFeature("p", runePrefix(t.Text, prefixRunes), ""))
			}
			if prev != "" {
				dst = append(dst, hashFeature("b", prev, t.Text))
			}
			prev, prevHan = t.Text, ""
		case textnorm.Han:
			dst = append(dst, hashFeature("h", t.Text, ""))
			if prevHan != "" {
				dst = append(dst, hashFeature("hh", prevHan, t.Text))
			}
			prev, prevHan = "", t.Text
		case textnorm.Punct:
			if t.Text == "?" || t.Text == "？" {
				dst = append(dst, hashFeature("?", "", ""))
			}
			prev, prevHan = "", ""
		}
	}
	sort.Slice(dst, func(i, j int) bool { return dst[i] < dst[j] })
	out := dst[:0]
	for i, f := range dst {
		if i == 0 || f != dst[i-1] {
			out = append(out, f)
		}
	}
	return out
}

func hashFeature(kind, a, b string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(a))
	h.Write([]byte{0})
	h.Write([]byte(b))
	return h.Sum32()
}

func runePrefix(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// RuleScores are the scores the rules (and the sentiment evidence the
// analysis adds) gave each intent, in the order of Names; 0 when not
// reported.
func RuleScores(ms []Match) [numIntents]float64 {
	var s [numIntents]float64
	for _, m := range ms {
		if k := intentIndex(m.Name); k >= 0 {
			s[k] = m.Score
		}
	}
	return s
}

// Apply returns the intents the model reports for a text whose rules found
// ms: an intent stays when its probability reaches one half (its score
// becomes that probability), a new one is added with the word that
// weighed most for it as evidence. feats are Features(toks).
func (m *Model) Apply(ms []Match, text string, toks []textnorm.Token, feats []uint32) []Match {
	rule := RuleScores(ms)
	var z [numIntents]float64
	norm := featureNorm(len(feats))
	for k := range z {
		z[k] = float64(m.bias[k]) + float64(m.ruleWeight[k])*ruleInput(rule[k])
	}
	for _, f := range feats {
		if w, ok := m.weights[f]; ok {
			for k := range z {
				z[k] += float64(w[k]) * norm
			}
		}
	}
	var out []Match
	for k, name := range Names {
		p := math.Round(sigmoid(z[k])*1000) / 1000
		if p < 0.5 {
			continue
		}
		idx := -1
		for i := range ms {
			if ms[i].Name == name {
				idx = i
			}
		}
		if idx >= 0 {
			mm := ms[idx]
			mm.Score = p
			out = append(out, mm)
			continue
		}
		out = append(out, Match{Name: name, Score: p, Evidence: []Span{m.strongestWord(k, text, toks)}})
	}
	return out
}

// strongestWord is the span of the token whose own features weigh most
// for intent k (the whole text when none does).
func (m *Model) strongestWord(k int, text string, toks []textnorm.Token) Span {
	best, bestW := -1, float32(0)
	var one [1]textnorm.Token
	var buf []uint32
	for i := range toks {
		one[0] = toks[i]
		buf = Features(one[:], buf)
		var w float32
		for _, f := range buf {
			w += m.weights[f][k]
		}
		if w > bestW {
			best, bestW = i, w
		}
	}
	if best < 0 {
		return Span{Start: 0, End: len(text), Text: text}
	}
	t := toks[best]
	return Span{Start: t.Start, End: t.End, Text: text[t.Start:t.End]}
}

// ruleInput is what the model sees of the rules: whether they reported
// the intent (+1) or not (−1). Their decision, not their score, so a
// model without word weights decides exactly as the rules do.
func ruleInput(score float64) float64 {
	if score > 0 {
		return 1
	}
	return -1
}

func featureNorm(n int) float64 {
	if n == 0 {
		return 0
	}
	return 1 / math.Sqrt(float64(n))
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// A TrainExample is one labelled text for Train: its features, the
// rules' scores, and per intent +1 (has it), −1 (has not) or 0 (not
// labelled: a correction speaks of one intent only).
type TrainExample struct {
	Features []uint32
	Rule     [numIntents]float64
	Label    [numIntents]int8
	Weight   float32
}

// LabelOf returns the position of intent name in Names, or −1.
func LabelOf(name string) int { return intentIndex(name) }

// TrainOptions tune Train.
type TrainOptions struct {
	Epochs int
	Rate   float64 // AdaGrad learning rate
	L2     float64 // penalty on word weights (the rule weight and bias are free)
	Seed   int64
}

// DefaultTrainOptions are the settings `earshot train intent` uses.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{Epochs: 20, Rate: 0.5, L2: 5e-4, Seed: 1}
}

// Train fits a model over the rules of version rules, deterministically.
func Train(examples []TrainExample, rules string, o TrainOptions) (*Model, error) {
	if len(examples) == 0 {
		return nil, errors.New("training intents: no examples")
	}
	if o.Epochs <= 0 || o.Rate <= 0 || o.L2 < 0 {
		return nil, fmt.Errorf("training intents: epochs %d, rate %v, l2 %v: want positive epochs and rate", o.Epochs, o.Rate, o.L2)
	}
	type acc struct{ w, g [numIntents]float64 }
	params := map[uint32]*acc{}
	var bias, rw, gBias, gRW [numIntents]float64
	// Start from the rules' own decisions (σ(4) ≈ 0.98), so texts they
	// get right teach the word weights little and the words learn from
	// the disagreements.
	for k := range rw {
		rw[k] = 4
	}
	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewSource(o.Seed))
	const eps = 1e-8
	for epoch := 0; epoch < o.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			ex := &examples[i]
			wt := float64(ex.Weight)
			if wt == 0 {
				wt = 1
			}
			norm := featureNorm(len(ex.Features))
			for k := 0; k < numIntents; k++ {
				if ex.Label[k] == 0 {
					continue
				}
				x := ruleInput(ex.Rule[k])
				z := bias[k] + rw[k]*x
				for _, f := range ex.Features {
					if a := params[f]; a != nil {
						z += a.w[k] * norm
					}
				}
				y := 0.0
				if ex.Label[k] > 0 {
					y = 1
				}
				g := (sigmoid(z) - y) * wt
				gBias[k] += g * g
				bias[k] -= o.Rate * g / math.Sqrt(gBias[k]+eps)
				gRW[k] += g * x * g * x
				rw[k] -= o.Rate * g * x / math.Sqrt(gRW[k]+eps)
				for _, f := range ex.Features {
					a := params[f]
					if a == nil {
						a = &acc{}
						params[f] = a
					}
					gf := g*norm + o.L2*a.w[k]
					a.g[k] += gf * gf
					a.w[k] -= o.Rate * gf / math.Sqrt(a.g[k]+eps)
				}
			}
		}
	}
	m := &Model{rules: rules, weights: map[uint32][numIntents]float32{}}
	for k := range bias {
		m.bias[k], m.ruleWeight[k] = float32(bias[k]), float32(rw[k])
	}
	for f, a := range params {
		var w [numIntents]float32
		keep := false
		for k := range w {
			w[k] = float32(a.w[k])
			keep = keep || math.Abs(a.w[k]) >= 1e-3
		}
		if keep {
			m.weights[f] = w
		}
	}
	if err := m.seal(); err != nil {
		return nil, err
	}
	return m, nil
}

// modelFile is the saved form: JSON, features in hash order, gzipped.
type modelFile struct {
	Format     string                `json:"format"`
	Intents    []string              `json:"intents"`
	Rules      string                `json:"rules"`
	Bias       [numIntents]float32   `json:"bias"`
	RuleWeight [numIntents]float32   `json:"rule_weight"`
	Features   []uint32              `json:"features"`
	Weights    [][numIntents]float32 `json:"weights"`
}

func (m *Model) file() modelFile {
	f := modelFile{Format: modelFormat, Intents: Names, Rules: m.rules, Bias: m.bias, RuleWeight: m.ruleWeight}
	for h := range m.weights {
		f.Features = append(f.Features, h)
	}
	sort.Slice(f.Features, func(i, j int) bool { return f.Features[i] < f.Features[j] })
	for _, h := range f.Features {
		f.Weights = append(f.Weights, m.weights[h])
	}
	return f
}

// seal computes the version from the saved content.
func (m *Model) seal() error {
	b, err := json.Marshal(m.file())
	if err != nil {
		return fmt.Errorf("encoding intent model: %w", err)
	}
	sum := sha256.Sum256(b)
	m.version = "intent-" + hex.EncodeToString(sum[:])[:12]
	return nil
}

// Save writes the model (gzipped JSON).
func (m *Model) Save(w io.Writer) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(zw).Encode(m.file()); err != nil {
		return fmt.Errorf("writing intent model: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("writing intent model: %w", err)
	}
	return nil
}

// Decode reads a model written by Save.
func Decode(r io.Reader) (*Model, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("reading intent model: %w", err)
	}
	var f modelFile
	dec := json.NewDecoder(io.LimitReader(zr, 256<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decoding intent model: %w", err)
	}
	if f.Format != modelFormat {
		return nil, fmt.Errorf("decoding intent model: format %q, want %s", f.Format, modelFormat)
	}
	if len(f.Intents) != numIntents {
		return nil, fmt.Errorf("decoding intent model: %d intents, want %d", len(f.Intents), numIntents)
	}
	for i, n := range f.Intents {
		if n != Names[i] {
			return nil, fmt.Errorf("decoding intent model: intent %d is %q, want %q", i, n, Names[i])
		}
	}
	if len(f.Features) != len(f.Weights) {
		return nil, fmt.Errorf("decoding intent model: %d features but %d weight rows", len(f.Features), len(f.Weights))
	}
	m := &Model{rules: f.Rules, bias: f.Bias, ruleWeight: f.RuleWeight, weights: make(map[uint32][numIntents]float32, len(f.Features))}
	for i, h := range f.Features {
		m.weights[h] = f.Weights[i]
	}
	if err := m.seal(); err != nil {
		return nil, err
	}
	return m, nil
}

// LoadModel reads a model file.
func LoadModel(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading intent model: %w", err)
	}
	m, err := Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
