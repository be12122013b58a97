// Package analysis is the analysis half of the enrich stage: it detects a
// mention's language, scores its sentiment overall and per aspect, finds
// intents with their evidence and extracts the preferences the taxonomy
// describes. `earshot analyze` and the enrich stage both call Analyze.
package analysis

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/enrich/intent"
	"github.com/earshothq/earshot/enrich/lang"
	"github.com/earshothq/earshot/enrich/prefs"
	"github.com/earshothq/earshot/enrich/relevance"
	"github.com/earshothq/earshot/enrich/sentiment"
	"github.com/earshothq/earshot/enrich/textnorm"
	"github.com/earshothq/earshot/internal/confx"
	"github.com/earshothq/earshot/record"
)

// DefaultTaxonomyPath is where the taxonomy is looked for by default. When
// that file does not exist (earshot started from another directory), the
// copy embedded in the binary is used.
const DefaultTaxonomyPath = "configs/taxonomy.yaml"

// Config configures the analysis.
type Config struct {
	// Languages the detector chooses from (ISO 639-1).
	Languages []string `yaml:"languages"`
	// SourcePrior is the prior probability of the language the source
	// states; 0 ignores stated languages.
	SourcePrior float64 `yaml:"source_prior"`
	// MinLanguageConfidence: below it the language is "unknown".
	MinLanguageConfidence float64 `yaml:"min_language_confidence"`
	// SentimentModel is a model file from `earshot train sentiment`;
	// empty uses the embedded model.
	SentimentModel string `yaml:"sentiment_model"`
	// IntentModel is a model file from `earshot train intent`, learned
	// from intent corrections over the rules; empty: the rules alone.
	IntentModel string `yaml:"intent_model"`
	// ModelPoll is how often the enrich stage looks for a new
	// SentimentModel or IntentModel file to swap in (default 10s).
	ModelPoll time.Duration `yaml:"model_poll"`
	// Taxonomy is the taxonomy file (brand, products, aspects, ...).
	Taxonomy string `yaml:"taxonomy"`
	// Intents selects phrase lists and thresholds.
	Intents intent.Config `yaml:"intents"`
	// Relevance tunes the per-brand relevance filter the enrich stage
	// applies (learned from corrections and mutes).
	Relevance relevance.Config `yaml:"relevance"`
	// BuyingThreshold is the score from which buying intent is reported
	// (overrides intents.thresholds.buying when set).
	BuyingThreshold float64 `yaml:"buying_threshold"`
}

// DefaultConfig returns the configuration used when the file says nothing.
func DefaultConfig() Config {
	o := lang.DefaultOptions()
	return Config{
		Languages:             o.Languages,
		SourcePrior:           o.SourcePrior,
		MinLanguageConfidence: o.MinConfidence,
		Taxonomy:              DefaultTaxonomyPath,
		ModelPoll:             DefaultModelPoll,
		Relevance:             relevance.DefaultConfig(),
		Intents:               intent.DefaultConfig(),
		BuyingThreshold:       intent.DefaultThreshold,
	}
}

// Validate reports every problem of c.
func (c Config) Validate() error {
	var errs []error
	if len(c.Languages) == 0 {
		errs = append(errs, confx.Keyf("analysis.languages", "at least one language is required"))
	}
	for i, l := range c.Languages {
		if b := lang.Base(l); len(b) != 2 {
			errs = append(errs, confx.Keyf(fmt.Sprintf("analysis.languages[%d]", i), "%q is not an ISO 639-1 code", l))
		}
	}
	if c.SourcePrior < 0 || c.SourcePrior >= 1 {
		errs = append(errs, confx.Keyf("analysis.source_prior", "%v outside [0, 1)", c.SourcePrior))
	}
	if c.MinLanguageConfidence < 0 || c.MinLanguageConfidence > 1 {
		errs = append(errs, confx.Keyf("analysis.min_language_confidence", "%v outside [0, 1]", c.MinLanguageConfidence))
	}
	if c.ModelPoll < 0 {
		errs = append(errs, confx.Keyf("analysis.model_poll", "%v is negative", c.ModelPoll))
	}
	if c.BuyingThreshold < 0 || c.BuyingThreshold > 1 {
		errs = append(errs, confx.Keyf("analysis.buying_threshold", "%v outside [0, 1]", c.BuyingThreshold))
	}
	if err := c.Intents.Validate(); err != nil {
		errs = append(errs, confx.Prefix("analysis.intents", err))
	}
	if err := c.Relevance.Validate(); err != nil {
		errs = append(errs, confx.Prefix("analysis", err))
	}
	return errors.Join(errs...)
}

// Analyzer runs the analysis. It is safe for concurrent use.
type Analyzer struct {
	logger   *slog.Logger
	detector *lang.Detector
	model    atomic.Pointer[loadedModel] // swapped without a restart (SetModel, WatchModel)
	intents  *intent.Detector
	// intentModel is the learned layer over the intent rules (nil model:
	// the rules alone), swapped like the sentiment model.
	intentModel atomic.Pointer[loadedIntentModel]
	featPool    sync.Pool
	prefs       *prefs.Extractor
	pool        sync.Pool

	analysed *prometheus.CounterVec
	found    *prometheus.CounterVec
	swaps    prometheus.Counter
}

// loadedModel is the sentiment model in use with what describes it.
type loadedModel struct {
	clf     *sentiment.Classifier
	version string // sentiment.Model.Version, recorded on every mention
	source  string // file, or "embedded"
}

// New loads the models and lists cfg names.
func New(cfg Config, logger *slog.Logger) (*Analyzer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	det, err := lang.New(lang.Options{
		Languages:     cfg.Languages,
		MinLetters:    lang.DefaultOptions().MinLetters,
		MinConfidence: cfg.MinLanguageConfidence,
		SourcePrior:   cfg.SourcePrior,
	})
	if err != nil {
		return nil, err
	}
	var model *sentiment.Model
	if cfg.SentimentModel == "" {
		model, err = sentiment.Embedded()
	} else {
		model, err = sentiment.LoadFile(cfg.SentimentModel)
	}
	if err != nil {
		return nil, err
	}
	clf, err := sentiment.NewClassifier(model)
	if err != nil {
		return nil, err
	}
	source := "embedded"
	if cfg.SentimentModel != "" {
		source = cfg.SentimentModel
	}
	taxPath := cfg.Taxonomy
	if taxPath == DefaultTaxonomyPath {
		if _, err := os.Stat(taxPath); errors.Is(err, os.ErrNotExist) {
			taxPath = "" // the embedded copy
		}
	}
	tax, err := prefs.LoadTaxonomy(taxPath)
	if err != nil {
		return nil, err
	}
	icfg := cfg.Intents
	icfg.Vocabulary = vocabulary(tax, icfg.Vocabulary)
	if cfg.BuyingThreshold > 0 {
		th := map[string]float64{}
		for k, v := range icfg.Thresholds {
			th[k] = v
		}
		th[intent.Buying] = cfg.BuyingThreshold
		icfg.Thresholds = th
	}
	ints, err := intent.New(icfg)
	if err != nil {
		return nil, fmt.Errorf("loading intent phrases: %w", err)
	}
	px, err := prefs.New(tax)
	if err != nil {
		return nil, err
	}
	a := &Analyzer{
		logger: logger.With("component", "analysis"), detector: det, intents: ints, prefs: px,
		analysed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "earshot", Subsystem: "analysis", Name: "records_total",
			Help: "Records analysed, by detected language.",
		}, []string{"language"}),
		found: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "earshot", Subsystem: "analysis", Name: "intents_total",
			Help: "Intents detected, by intent.",
		}, []string{"intent"}),
		swaps: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "earshot", Subsystem: "analysis", Name: "model_swaps_total",
			Help: "Sentiment and intent models swapped in while running.",
		}),
	}
	a.model.Store(&loadedModel{clf: clf, version: model.Version(), source: source})
	a.pool.New = func() any { return new([]textnorm.Token) }
	a.featPool.New = func() any { return new([]uint32) }
	a.intentModel.Store(&loadedIntentModel{version: ints.Version(), source: "rules"})
	if cfg.IntentModel != "" {
		im, err := intent.LoadModel(cfg.IntentModel)
		if err != nil {
			return nil, err
		}
		if err := a.SetIntentModel(im, cfg.IntentModel); err != nil {
			// The rules changed since it was trained (a new binary or
			// phrase list): its weights assume the old rules' scores.
			a.logger.Warn("not using the intent model; retrain it with `earshot train intent`", "file", cfg.IntentModel, "err", err)
		}
	}
	if taxPath == "" {
		taxPath = "(embedded)"
	}
	a.logger.Info("analysis ready", "languages", det.Languages(), "sentiment_model", source, "model_version", model.Version(),
		"sentiment_languages", model.Languages(), "taxonomy", taxPath, "took", time.Since(start).Round(time.Millisecond))
	return a, nil
}

// vocabulary gives intent phrases the taxonomy's word classes ({brand},
// {competitor}, {product}, {price}), keeping classes the config sets itself.
func vocabulary(tax *prefs.Taxonomy, own map[string][]string) map[string][]string {
	v := tax.Vocabulary()
	for k, words := range own {
		v[k] = words
	}
	return v
}

// RegisterMetrics registers the analyzer's counters.
func (a *Analyzer) RegisterMetrics(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{a.analysed, a.found, a.swaps} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("registering analysis metrics: %w", err)
		}
	}
	return nil
}

// Text returns the text Analyze looks at: the title and the body, with
// escapes decoded. Evidence offsets are byte offsets into it.
func Text(m *record.Mention) string {
	body := textnorm.Clean(m.Text)
	title := textnorm.Clean(m.Title)
	switch {
	case title == "":
		return body
	case body == "":
		return title
	}
	return title + "\n" + body
}

// Analyze fills the analysis of m. An empty text yields an empty analysis.
func (a *Analyzer) Analyze(m *record.Mention) record.Analysis {
	text := Text(m)
	if strings.TrimSpace(text) == "" {
		return record.Analysis{}
	}
	return a.AnalyzeText(text, m.Lang)
}

// AnalyzeText analyses a cleaned text whose source states language stated
// ("" when it does not).
func (a *Analyzer) AnalyzeText(text, stated string) record.Analysis {
	return a.analyze(text, stated, a.intentModel.Load())
}

// analyze is AnalyzeText with the intent model im (a nil im.m: the rules
// alone).
func (a *Analyzer) analyze(text, stated string, im *loadedIntentModel) record.Analysis {
	var out record.Analysis
	out.IntentModelVersion = im.version
	lm := a.model.Load() // one model for the whole record, even during a swap
	clf := lm.clf
	out.ModelVersion = lm.version
	det := a.detector.Detect(text, stated)
	out.Language = &record.Language{Code: det.Code, Confidence: det.Confidence, Method: det.Method}

	tp := a.pool.Get().(*[]textnorm.Token)
	defer a.pool.Put(tp)
	*tp = textnorm.Tokenize(text, *tp)
	toks := *tp

	code := sentiment.LexiconLanguage(det.Code, lang.Base(stated), false)
	s := clf.ClassifyTokens(text, toks, code)
	out.Sentiment = &record.Sentiment{Label: s.Label, Score: s.Score, Confidence: s.Confidence}

	p := a.prefs.Extract(text, toks, func(text string, clause []textnorm.Token) (string, float64) {
		return a.clauseSentiment(clf, text, clause, code)
	})
	matches, cues := a.intents.DetectCues(text, code, toks)
	// A churn risk (cancelling, returning what was bought) is about us
	// whatever words it uses, so its complaint is not damped as off-topic.
	onTopic := aboutBrand(&p, toks, text)
	for _, m := range matches {
		onTopic = onTopic || m.Name == intent.ChurnRisk
	}
	matches = a.withSentiment(matches, s, onTopic, ownPurchase(cues), cues.Has("hypo"), text, p.Aspects)
	if im.m != nil {
		fp := a.featPool.Get().(*[]uint32)
		*fp = intent.Features(toks, *fp)
		matches = im.m.Apply(matches, text, toks, *fp)
		a.featPool.Put(fp)
	}
	buying := false
	for _, m := range matches {
		buying = buying || m.Name == intent.Buying
		in := record.Intent{Name: m.Name, Score: m.Score}
		for _, e := range m.Evidence {
			in.Evidence = append(in.Evidence, record.Span{Start: e.Start, End: e.End, Text: e.Text})
		}
		out.Intents = append(out.Intents, in)
		a.found.WithLabelValues(m.Name).Inc()
	}
	if buying {
		// A purchase inquiry states its needs without a cue word
		// ("a quiet machine for a small office?").
		for _, n := range p.UncuedNeeds {
			if !slices.Contains(p.Needs, n) {
				p.Needs = append(p.Needs, n)
			}
		}
		sort.Strings(p.Needs)
	}
	for _, as := range p.Aspects {
		out.Aspects = append(out.Aspects, record.Aspect{
			Name: as.Name, Sentiment: as.Sentiment, Score: as.Score,
			Evidence: record.Span{Start: as.Start, End: as.End, Text: as.Text},
		})
	}
	if len(p.Brands)+len(p.Products)+len(p.Features)+len(p.Competitors)+len(p.Channels)+len(p.Needs) > 0 {
		out.Preferences = &record.Preferences{
			Brands: p.Brands, Products: p.Products, Features: p.Features,
			Competitors: p.Competitors, Channels: p.Channels, Needs: p.Needs,
		}
	}
	a.analysed.WithLabelValues(det.Code).Inc()
	return out
}

// Praise and complaint combine phrases with the text's sentiment, and
// only count for texts about the brand ("I recommend the train" praises
// nothing of ours):
//   - without brand context, a phrase score is scaled by offTopic;
//   - with it, a confident polarity adds evidence, more when lexicon words
//     agree with it, so "a Brewly One faz uma crema perfeita" is praise
//     without a praise phrase. Sentiment alone does not add a complaint
//     to a text another intent explains (a support request with an error
//     code, a purchase question about expensive capsules) or to a
//     conditional one ("if they refund me, let me know how it went": its
//     negativity is about what may happen), nor praise to a text with any
//     other intent. A text about something the writer
//     bought (ownPurchase) concerns a purchase, so its complaint is not
//     damped as off-topic and a confident negative adds one:
//     "上个月买的鞋子已经开胶了" names no brand. Other complaint phrases
//     off-topic are still damped ("flights to Lisbon are outrageously
//     expensive").
//
// ownPurchase reports whether the text concerns a purchase of the
// writer's own: something they bought, paid for or ordered (not a ticket
// or a rent, not a daydream, not what they sell), a price they call a
// robbery, too dear (not asked) or a joke, prices talked of without being
// asked for (pricetalk: "the prices in there", "ceny", "par tādu naudu";
// only a negative sentiment then makes it a complaint), an order they
// wait for ("where is my", "why has it not arrived", "how much longer"),
// a problem asked
// indignantly ("how is it that my…", "jak to jest że"), a rhetorical
// question beside it, a refund they demand or ask for beside a fault, a
// purchase not as promised ("no es lo que prometían") or a part missing
// on arrival ("llegó … y falta una bisagra"), or a question why nobody
// did something ("dlaczego nikt nic nie powiedział"; not "why did nobody
// tell me sooner", which praises), or a charge or a rise questioned ("why
// did you charge me", "kāpēc izrakstījāt rēķinu", "pourquoi ma prime
// augmente"), or someone of the business late to it ("瑜伽课老师迟到二十分钟";
// not the writer: "I'll be late"), or a charge made twice or for what was
// not asked for ("cobrou-me duas vezes", "cobrou o couvert que nem pedimos").
func ownPurchase(c intent.Cues) bool {
	if c.Has("elsewhere") || c.Has("sell") {
		return false
	}
	// twentieth round: a charge or a rise questioned ("¿por qué me cobráis
	// 8€ si en el cartel pone 5€?"), even beside an if-clause
	if c.Has("why") && (c.Has("charged") || c.Has("risen") || c.Has("invoice")) {
		return true
	}
	if c.Has("hypo") {
		return false
	}
	bought := c.Has("past")
	// a price complained of, or (twenty-first round) a charge made twice or
	// for what was not asked for ("a via verde cobrou-me duas vezes",
	// "cobrou o couvert que a gente nem pediu"), not asked about nor thanked for
	charged := c.Has("robbery") || c.Has("mock") || (c.Has("dear") && !c.Has("question")) ||
		(c.Has("pricetalk") && !c.Has("question") && !c.Has("seek") && !c.Has("want") && !c.Has("priceask") && !c.Has("quote") && !c.Has("home") && !c.Has("job")) ||
		(c.Has("charged") && (c.Has("twice") || c.Has("unasked")) && !c.Has("question") && !c.Has("thanks"))
	waiting := c.Has("impatient") || c.Has("whereis") || c.Has("rhetoric") || c.Has("indignant") ||
		(c.Has("late") && !c.Has("selflate") && !c.Has("question") && !c.Has("personal")) ||
		(c.Has("why") && (c.Has("parcel") || c.Has("arrive") || c.Has("refund"))) ||
		(c.Has("why") && c.Has("duration") && (c.Has("mine") || c.Has("aftercare"))) ||
		(c.Has("why") && c.Has("nothing") && !c.Has("sooner"))
	refund := c.Has("demand") || (c.Has("refund") && (c.Has("fault") || c.Has("since") || c.Has("recur")))
	// eighteenth round: a purchase not as promised, a part missing on arrival
	unmet := c.Has("unmet") || (c.Has("missing") && c.Has("arrive"))
	return bought || charged || waiting || refund || unmet
}

const (
	offTopic          = 0.6
	sentimentEvidence = 0.6  // weight of sentiment as evidence, times its confidence
	lexiconEvidence   = 0.8  // the same when lexicon words agree with the label
	minSentimentConf  = 0.55 // below it sentiment adds nothing
)

func (a *Analyzer) withSentiment(ms []intent.Match, s sentiment.Result, onTopic, purchase, hypothetical bool, text string, aspects []prefs.Aspect) []intent.Match {
	th := a.intents.Threshold
	has := func(names ...string) bool {
		for _, m := range ms {
			for _, n := range names {
				if m.Name == n {
					return true
				}
			}
		}
		return false
	}
	adjust := func(name, polar string, explained bool) {
		idx := -1
		for i := range ms {
			if ms[i].Name == name {
				idx = i
			}
		}
		score := 0.0
		if idx >= 0 {
			score = ms[idx].Score
		}
		switch {
		case !onTopic && !(name == intent.Complaint && purchase):
			score *= offTopic
		case idx < 0 && explained:
		default:
			if s.Label == polar && s.Confidence >= minSentimentConf {
				w := sentimentEvidence
				if pol := s.Signals.Polarity(); pol != 0 && (pol > 0) == (polar == sentiment.ClassNames[2]) {
					w = lexiconEvidence
				}
				score = 1 - (1-score)*(1-w*s.Confidence)
			}
		}
		score = math.Round(score*1000) / 1000
		switch {
		case idx >= 0 && score >= th(name):
			ms[idx].Score = score
		case idx >= 0:
			ms = append(ms[:idx], ms[idx+1:]...)
		case score >= th(name):
			ms = append(ms, intent.Match{Name: name, Score: score, Evidence: []intent.Span{polarEvidence(text, aspects, polar)}})
		}
	}
	adjust(intent.Complaint, sentiment.ClassNames[0], hypothetical || has(intent.Buying, intent.Support))
	adjust(intent.Praise, sentiment.ClassNames[2], has(intent.Buying, intent.Support, intent.Complaint, intent.ChurnRisk))
	sort.SliceStable(ms, func(i, j int) bool { return intentOrder(ms[i].Name) < intentOrder(ms[j].Name) })
	return ms
}

// polarEvidence is the strongest aspect clause of the wanted polarity, or
// the whole text.
func polarEvidence(text string, aspects []prefs.Aspect, polar string) intent.Span {
	best := -1
	for i, a := range aspects {
		if a.Sentiment == polar && (best < 0 || math.Abs(a.Score) > math.Abs(aspects[best].Score)) {
			best = i
		}
	}
	if best >= 0 {
		a := aspects[best]
		return intent.Span{Start: a.Start, End: a.End, Text: a.Text}
	}
	return intent.Span{Start: 0, End: len(text), Text: text}
}

func intentOrder(name string) int {
	for i, n := range intent.Names {
		if n == name {
			return i
		}
	}
	return len(intent.Names)
}

// clauseSentiment scores one clause. Clauses are short, so explicit
// lexicon evidence ("disaster", "świetna") decides the direction when
// present; otherwise the model scores the clause. The label follows the
// score with the thresholds of the text's (sentiment.LabelOf), so an
// aspect scored −0.30 is never "neutral".
func (a *Analyzer) clauseSentiment(clf *sentiment.Classifier, text string, clause []textnorm.Token, code string) (string, float64) {
	// The lexicon alone is cheap; the model runs only when it is silent.
	lex := clf.LexicalHead(text, clause, code)
	switch pol := lex.Signals.Polarity(); {
	case pol > 0:
		return sentiment.ClassNames[2], max(lex.Score, sentiment.NeutralBand)
	case pol < 0:
		return sentiment.ClassNames[0], min(lex.Score, -sentiment.NeutralBand)
	}
	r := clf.ClassifyTokens(text, clause, code)
	return sentiment.LabelOf(r.Score), r.Score
}

// Brands are the taxonomy's brands a text names (the relevance filter's
// key for a correction's text).
func (a *Analyzer) Brands(text string) []string {
	text = textnorm.Clean(text)
	toks := textnorm.Tokenize(text, nil)
	return a.prefs.Extract(text, toks, nil).Brands
}
