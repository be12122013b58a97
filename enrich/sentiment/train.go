package sentiment

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"slices"
	"sort"
)

// Example is one labelled text.
type Example struct {
	Text  string `json:"text"`
	Label string `json:"label"` // negative, neutral, positive (or 0, 1, 2)
	// Lang is the text's language (ISO 639-1); it picks the lexicon and
	// decides which languages the full head serves.
	Lang string `json:"lang,omitempty"`
	// Group names the subset an evaluation reports the example under
	// (the dataset's language); Lang when empty.
	Group string `json:"-"`
	// Weight multiplies the example's pull on the fit (0 means 1): people's
	// corrections count more than the base data.
	Weight float32 `json:"weight,omitempty"`
}

// ParseLabel maps a label name or UMSAB digit to its class.
func ParseLabel(s string) (int, error) {
	switch s {
	case "negative", "neg", "0", "-1":
		return classNegative, nil
	case "neutral", "neu", "1":
		return classNeutral, nil
	case "positive", "pos", "2":
		return classPositive, nil
	}
	return 0, fmt.Errorf("unknown sentiment label %q (want negative, neutral or positive)", s)
}

// TrainOptions control training. Training is deterministic for a given
// data order and Seed.
type TrainOptions struct {
	Bits   int     // log2 of hashed feature buckets
	Epochs int     // passes over the data for the full head
	Rate   float64 // AdaGrad learning rate
	L2     float64 // L2 penalty per update
	Seed   int64
	// Bags is how many models (different shuffle seeds) are averaged;
	// averaging lowers the variance that 1,800 texts per language leave.
	Bags int
	// NB, when above 0, scales each feature for each class by its
	// naive-Bayes log-count ratio (smoothed with NB) before fitting, as in
	// NBSVM: words that tell classes apart move faster and are penalised
	// less. The scale is folded into the weights, so a model costs the same.
	NB float64
	// NBPlain counts every text once in the naive-Bayes ratios, whatever
	// its weight (the fit still uses the weights): otherwise the written
	// feedback, ~4,700 texts at weight 3, sets the ratios of the features
	// it shares with 14,700 tweets (seventh round: val 59.1 → 59.6 at
	// 2^19 buckets, 59.6 → 60.2 at 2^20, over seeds 1/6/11).
	NBPlain bool
	// Features are the feature families of the full head.
	Features Features
}

// DefaultTrainOptions are the settings the shipped model was trained with.
func DefaultTrainOptions() TrainOptions {
	f := legacyFeatures
	f.Compose, f.Routine, f.LangMeta, f.Gone = true, true, true, true
	f.ArNorm, f.HashSplit, f.Clitics, f.Register = true, true, true, true
	return TrainOptions{Bits: 20, Epochs: 5, Rate: 0.05, L2: 3e-3, Seed: 1, Bags: 3, NB: 1, NBPlain: true, Features: f}
}

// Train fits both heads on examples.
func Train(examples []Example, opts TrainOptions) (*Model, error) {
	if len(examples) == 0 {
		return nil, errors.New("training sentiment model: no examples")
	}
	if opts.Bits < 10 || opts.Bits > 26 {
		return nil, fmt.Errorf("training sentiment model: bits %d outside 10..26", opts.Bits)
	}
	if opts.Features == (Features{}) {
		opts.Features = legacyFeatures
	}
	if err := opts.Features.validate(); err != nil {
		return nil, fmt.Errorf("training sentiment model: %w", err)
	}
	lex, err := loadLexicons()
	if err != nil {
		return nil, err
	}
	ext := extractor{lex: lex, mask: 1<<opts.Bits - 1, feat: opts.Features}
	labels := make([]int, len(examples))
	weights := make([]float32, len(examples))
	full := make([]vec, len(examples))
	lexical := make([]vec, len(examples))
	langs := map[string]bool{}
	var sc scratch
	for i, ex := range examples {
		c, err := ParseLabel(ex.Label)
		if err != nil {
			return nil, fmt.Errorf("training sentiment model: example %d: %w", i+1, err)
		}
		labels[i] = c
		weights[i] = ex.Weight
		if weights[i] == 0 {
			weights[i] = 1
		}
		if !(weights[i] > 0 && weights[i] <= 100) {
			return nil, fmt.Errorf("training sentiment model: example %d: weight %v outside (0, 100]", i+1, ex.Weight)
		}
		if ex.Lang != "" {
			langs[ex.Lang] = true
		}
		ext.extract(ex.Text, nil, ex.Lang, false, &sc)
		full[i] = vec{idx: slices.Clone(sc.v.idx), val: slices.Clone(sc.v.val)}
		ext.extract(ex.Text, nil, ex.Lang, true, &sc)
		lexical[i] = vec{idx: slices.Clone(sc.v.idx), val: slices.Clone(sc.v.val)}
	}
	m := &Model{bits: uint8(opts.Bits), feat: opts.Features, lexical: map[uint32][numClasses]float32{}}
	for l := range langs {
		m.languages = append(m.languages, l)
	}
	sort.Strings(m.languages)

	var scale []float32
	if opts.NB > 0 {
		scale = nbScale(full, labels, nbWeights(weights, opts.NBPlain), 1<<opts.Bits, opts.NB)
	}
	bags := max(opts.Bags, 1)
	var w []float32
	var b [numClasses]float32
	for bag := 0; bag < bags; bag++ {
		o := opts
		o.Seed = opts.Seed + int64(bag)
		wb, bb := fitLogistic(full, labels, weights, 1<<opts.Bits, scale, o)
		if w == nil {
			w = make([]float32, len(wb))
		}
		for j, v := range wb {
			w[j] += v / float32(bags)
		}
		for k := range b {
			b[k] += bb[k] / float32(bags)
		}
	}
	m.full, m.fullScale = quantise(w)
	m.fullBias = b

	lopts := opts
	lopts.Epochs = max(opts.Epochs, 20)
	lw, lb := fitLogistic(lexical, labels, weights, 1<<opts.Bits, nil, lopts)
	m.lexicalBias = lb
	for _, v := range lexical {
		for _, idx := range v.idx {
			var row [numClasses]float32
			for k := range row {
				row[k] = lw[int(idx)*numClasses+k]
			}
			m.lexical[idx] = row
		}
	}
	return m, nil
}

// fitLogistic trains a multinomial logistic regression with AdaGrad. A
// non-nil scale multiplies each feature per class during training and is
// folded into the returned weights.
func fitLogistic(xs []vec, ys []int, weights []float32, dim int, scale []float32, opts TrainOptions) ([]float32, [numClasses]float32) {
	w := make([]float32, dim*numClasses)
	g2 := make([]float32, dim*numClasses)
	var b [numClasses]float32
	var bg2 [numClasses]float32
	rng := rand.New(rand.NewSource(opts.Seed))
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	rate := float32(opts.Rate)
	l2 := float32(opts.L2)
	for epoch := 0; epoch < opts.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, n := range order {
			x := xs[n]
			var z [numClasses]float64
			for k := range z {
				z[k] = float64(b[k])
			}
			for i, idx := range x.idx {
				base := int(idx) * numClasses
				for k := 0; k < numClasses; k++ {
					if scale != nil {
						z[k] += float64(w[base+k] * x.val[i] * scale[base+k])
					} else {
						z[k] += float64(w[base+k] * x.val[i])
					}
				}
			}
			p := softmax(z)
			for k := 0; k < numClasses; k++ {
				g := float32(p[k])
				if k == ys[n] {
					g -= 1
				}
				if weights[n] != 1 {
					g *= weights[n]
				}
				bg2[k] += g * g
				b[k] -= rate * g / float32(math.Sqrt(float64(bg2[k]))+1e-8)
				for i, idx := range x.idx {
					j := int(idx)*numClasses + k
					xv := x.val[i]
					if scale != nil {
						xv *= scale[j]
					}
					gj := g*xv + l2*w[j]
					g2[j] += gj * gj
					w[j] -= rate * gj / float32(math.Sqrt(float64(g2[j]))+1e-8)
				}
			}
		}
	}
	if scale != nil {
		for j := range w {
			w[j] *= scale[j]
		}
	}
	return w, b
}

// nbWeights are the weights the naive-Bayes ratios count texts with: the
// training weights, or 1 for every text when plain.
func nbWeights(weights []float32, plain bool) []float32 {
	if !plain {
		return weights
	}
	ones := make([]float32, len(weights))
	for i := range ones {
		ones[i] = 1
	}
	return ones
}

// nbScale returns, per bucket and class, the naive-Bayes log-count ratio
// log((p+α)/(q+α)) of the bucket's presence in texts of the class (p) and
// of the other classes (q), normalised by the class sizes.
func nbScale(xs []vec, ys []int, weights []float32, dim int, alpha float64) []float32 {
	counts := make([]float32, dim*numClasses)
	var docs [numClasses]float64
	var total float64
	for n, x := range xs {
		docs[ys[n]] += float64(weights[n])
		total += float64(weights[n])
		for _, idx := range x.idx {
			counts[int(idx)*numClasses+ys[n]] += weights[n]
		}
	}
	scale := make([]float32, dim*numClasses)
	for j := 0; j < dim; j++ {
		base := j * numClasses
		var all float64
		for k := 0; k < numClasses; k++ {
			all += float64(counts[base+k])
		}
		for k := 0; k < numClasses; k++ {
			c := float64(counts[base+k])
			other := all - c
			p := (c + alpha) / (docs[k] + alpha)
			q := (other + alpha) / (total - docs[k] + alpha)
			scale[base+k] = float32(math.Abs(math.Log(p / q)))
		}
	}
	return scale
}

// quantise maps weights to int8 with one scale for the whole table.
func quantise(w []float32) ([]int8, float32) {
	var maxAbs float32
	for _, v := range w {
		maxAbs = max(maxAbs, float32(math.Abs(float64(v))))
	}
	if maxAbs == 0 {
		return make([]int8, len(w)), 1
	}
	scale := maxAbs / 127
	q := make([]int8, len(w))
	for i, v := range w {
		q[i] = int8(math.Round(float64(v / scale)))
	}
	return q, scale
}

// BalanceWeights returns a weight per example such that, within each
// language, every class carries the same total weight and the language as
// a whole weighs weight per example (classes are rarely written in equal
// numbers, and a class that dominates a small language's data becomes
// that language's default).
func BalanceWeights(examples []Example, weight float32) []float32 {
	type key struct {
		lang  string
		class int
	}
	perClass := map[key]int{}
	perLang := map[string]int{}
	classes := map[string]map[int]bool{}
	for _, ex := range examples {
		c, _ := ParseLabel(ex.Label)
		perClass[key{ex.Lang, c}]++
		perLang[ex.Lang]++
		if classes[ex.Lang] == nil {
			classes[ex.Lang] = map[int]bool{}
		}
		classes[ex.Lang][c] = true
	}
	out := make([]float32, len(examples))
	for i, ex := range examples {
		c, _ := ParseLabel(ex.Label)
		share := float64(perLang[ex.Lang]) / float64(len(classes[ex.Lang]))
		out[i] = weight * float32(share/float64(perClass[key{ex.Lang, c}]))
	}
	return out
}
