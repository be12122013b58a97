// Command grid trains the sentiment model under several settings on the
// UMSAB train split and reports val macro-F1 per language for each, the
// way `earshot train sentiment --umsab DIR --umsab-val` does. It is how
// the shipped settings were chosen; every configuration tried is one line
// of its output (enrich/analysis/README.md lists them).
//
//	go run ./enrich/sentiment/internal/grid -umsab ../shared/data/sentiment \
//	    -c base -c nb=0,bags=1 -c nb=1,bags=1,seed=2
//
// A configuration is a comma-separated list of key=value over the
// defaults (sentiment.DefaultTrainOptions): bits, epochs, rate, l2, seed,
// bags, nb (naive-Bayes scaling smoothing, 0 = off), nbp (1: every text counts once in the naive-Bayes ratios), char (min-max), cw
// (character block weight), compose (0/1), routine (0/1), lm (0/1: LangMeta), gone (0/1), ar, hs, cl, reg (0/1: ArNorm, HashSplit, Clitics, Register), fw (weight of the -feedback
// examples), bal (1: balance their classes per language) and xw (weight
// of each -extra example; 0, the default, leaves them out) and tf (share
// of the UMSAB train split learnt from) and va (1: score the odd val
// tweets only; 2: learn from the even ones as well); fw.LANG (the
// feedback weight of one language over fw, e.g. fw.pt=2) and tw.LANG (the
// weight of one language's train tweets, e.g. tw.hi=0.5); cv (k: k-fold
// cross-validation over the train split instead of val — each fold of
// the tweets, chosen by a hash of the line number since the label files
// cycle through the classes, is scored by a model learnt from the other
// folds and the feedback; the columns are means over the folds). "base" is the
// defaults; "shipped" scores the embedded model. Every configuration also
// trains on -feedback and reports -dev per language ("fb-…"); -errors lists
// the -dev texts it gets wrong. ff (share of each language's -feedback
// examples learnt from: a fixed subsample whatever the seed, the 25 %
// within the 50 %) draws the learning curve of the written feedback;
// -sets names more folders of labelled texts (comma-separated), each
// scored overall, with their mean in the column "sets"; -lang L adds
// each set's macro-F1 on its texts of language L and their mean ("L-sets");
// -lang lv,pl,zh,pt does so for each of those languages in turn.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/earshothq/earshot/enrich/lang"
	"github.com/earshothq/earshot/enrich/sentiment"
)

var showErrors, balance bool

// setLangs, when set, adds each -sets folder's macro-F1 on its texts of
// each of these languages (the folder's file name, Example.Group).
var setLangs []string

// extraWeight is the weight of each -extra example in the configuration
// being parsed (xw=; 0 leaves them out).
var extraWeight float32

// trainShare is the share of the UMSAB train split the configuration
// being parsed learns from (tf=; every example when 1): the learning curve
// says what more tweets would be worth.
var trainShare = 1.0

// valHalf, when 1, scores only the odd-numbered val tweets; when 2 the
// even-numbered ones are learnt from too: what learning from the val split
// would be worth on tweets not learnt from.
var valHalf int

// langWeight is the feedback weight of single languages (fw.LANG=), over fw.
var langWeight map[string]float32

// tweetWeight is the weight of the train tweets of single languages
// (tw.LANG=; 1 when not given).
var tweetWeight map[string]float32

// folds, when above 1, cross-validates over the train split (cv=).
var folds int

// feedbackShare is the share of each language's -feedback examples
// learnt from (ff=; every example when 1).
var feedbackShare = 1.0

// inShare says whether the i-th example of its language is within the
// share: a hash of i, so the subsample is the same for every seed and
// a smaller share's examples are within a larger one's.
func inShare(i int, share float64) bool {
	if share >= 1 {
		return true
	}
	h := uint32(i) * 2654435761
	return float64((h>>8)%1000) < 1000*share
}

type configs []string

func (c *configs) String() string     { return strings.Join(*c, " ") }
func (c *configs) Set(s string) error { *c = append(*c, s); return nil }

func main() {
	dir := flag.String("umsab", "../shared/data/sentiment", "UMSAB data folder")
	feedback := flag.String("feedback", "enrich/sentiment/feedback/train", "feedback training examples added to UMSAB train (\"\" for none)")
	extra := flag.String("extra", "", "more labelled examples (a file or folder) added with the weight xw= gives each")
	dev := flag.String("dev", "enrich/sentiment/feedback/dev", "feedback development set, reported per language")
	sets := flag.String("sets", "", "more labelled folders (comma-separated), each reported overall")
	setLang := flag.String("lang", "", "also report each -sets folder on its texts of this language (e.g. pt; comma-separated for several)")
	flag.BoolVar(&showErrors, "errors", false, "list the development examples each configuration gets wrong")
	var cs configs
	flag.Var(&cs, "c", "configuration (repeatable); \"shipped\" scores the embedded model")
	flag.Parse()
	if len(cs) == 0 {
		cs = configs{"base"}
	}
	if *setLang != "" {
		setLangs = strings.Split(*setLang, ",")
	}
	var setDirs []string
	if *sets != "" {
		setDirs = strings.Split(*sets, ",")
	}
	if err := run(*dir, *feedback, *extra, *dev, setDirs, cs); err != nil {
		fmt.Fprintln(os.Stderr, "grid:", err)
		os.Exit(1)
	}
}

func run(dir, feedback, extraPath, devDir string, setDirs []string, cs configs) error {
	train, err := sentiment.ReadUMSAB(dir, "train")
	if err != nil {
		return err
	}
	val, err := sentiment.ReadUMSAB(dir, "val")
	if err != nil {
		return err
	}
	var fb, dev []sentiment.Example
	if feedback != "" {
		if fb, err = sentiment.ReadExamples(feedback); err != nil {
			return err
		}
	}
	var extra []sentiment.Example
	if extraPath != "" {
		if extra, err = sentiment.ReadExamples(extraPath); err != nil {
			return err
		}
	}
	if devDir != "" {
		if dev, err = sentiment.ReadExamples(devDir); err != nil {
			return err
		}
	}
	scoreSets := make([][]sentiment.Example, len(setDirs))
	for i, d := range setDirs {
		if scoreSets[i], err = sentiment.ReadExamples(d); err != nil {
			return err
		}
	}
	det, err := lang.New(lang.DefaultOptions())
	if err != nil {
		return err
	}
	// The same languages `earshot train sentiment --umsab` gives.
	for _, set := range append([][]sentiment.Example{train, val, fb, extra, dev}, scoreSets...) {
		for i := range set {
			set[i].Group = set[i].Lang
			set[i].Lang = sentiment.LexiconLanguage(det.Detect(set[i].Text, set[i].Lang).Code, set[i].Lang, true)
		}
	}
	var langs []string
	for _, l := range sentiment.UMSABLanguages {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	fmt.Printf("%-40s", "config")
	for _, l := range langs {
		fmt.Printf(" %5s", l)
	}
	fmt.Printf(" %7s %7s", "overall", "no-hi")
	devLangs := map[string]bool{}
	for _, ex := range dev {
		devLangs[ex.Group] = true
	}
	var dl []string
	for l := range devLangs {
		dl = append(dl, l)
	}
	sort.Strings(dl)
	for _, l := range dl {
		fmt.Printf(" %5s", "fb-"+l)
	}
	if len(dl) > 0 {
		fmt.Printf(" %7s", "fb-all")
	}
	for _, d := range setDirs {
		fmt.Printf(" %8s", filepath.Base(d))
	}
	if len(setDirs) > 0 {
		fmt.Printf(" %5s", "sets")
	}
	for _, setLang := range setLangs {
		for _, d := range setDirs {
			fmt.Printf(" %8s", setLang+"-"+filepath.Base(d))
		}
		fmt.Printf(" %7s", setLang+"-sets")
	}
	fmt.Printf(" %8s\n", "train-s")
	for _, c := range cs {
		cpu0 := cpuTime()
		// One model per fold (without cv: one, scored on val); the
		// columns are means over the folds.
		var models []*sentiment.Model
		var scoredSets [][]sentiment.Example
		if c == "shipped" {
			m, err := sentiment.Embedded()
			if err != nil {
				return err
			}
			models, scoredSets = append(models, m), append(scoredSets, val)
		} else {
			opts, fw, err := parse(c)
			if err != nil {
				return fmt.Errorf("config %q: %w", c, err)
			}
			for f := 0; f < max(folds, 1); f++ {
				var all, scored []sentiment.Example
				for i, ex := range train {
					switch {
					case folds > 1 && fold(i, folds) == f:
						scored = append(scored, ex)
					case trainShare >= 1 || float64(i%100) < 100*trainShare:
						if tw, ok := tweetWeight[ex.Group]; ok {
							ex.Weight = tw
						}
						all = append(all, ex)
					}
				}
				if folds <= 1 {
					scored = val
					if valHalf > 0 {
						scored = nil
						for i, ex := range val {
							if i%2 == 1 {
								scored = append(scored, ex)
							}
						}
					}
				}
				var fbs []sentiment.Example
				nth := map[string]int{}
				for _, ex := range fb {
					if inShare(nth[ex.Group], feedbackShare) {
						fbs = append(fbs, ex)
					}
					nth[ex.Group]++
				}
				w := sentiment.BalanceWeights(fbs, 1)
				for i, ex := range fbs {
					ex.Weight = fw
					if lw, ok := langWeight[ex.Group]; ok {
						ex.Weight = lw
					}
					if balance {
						ex.Weight *= w[i]
					}
					all = append(all, ex)
				}
				if valHalf == 2 {
					for i, ex := range val {
						if i%2 == 0 {
							all = append(all, ex)
						}
					}
				}
				if extraWeight > 0 {
					for _, ex := range extra {
						ex.Weight = extraWeight
						all = append(all, ex)
					}
				}
				m, err := sentiment.Train(all, opts)
				if err != nil {
					return err
				}
				models, scoredSets = append(models, m), append(scoredSets, scored)
			}
		}
		took := cpuTime() - cpu0
		n := float64(len(models))
		byLang := map[string]float64{}
		var overall float64
		devByLang := map[string]float64{}
		var devAll float64
		setScore := make([]float64, len(scoreSets))
		setLangScore := make([][]float64, len(setLangs))
		for k := range setLangScore {
			setLangScore[k] = make([]float64, len(scoreSets))
		}
		var clf *sentiment.Classifier
		for i, m := range models {
			var err error
			if clf, err = sentiment.NewClassifier(m); err != nil {
				return err
			}
			rep, err := sentiment.Evaluate(clf, scoredSets[i])
			if err != nil {
				return err
			}
			for _, l := range langs {
				byLang[l] += rep.ByLanguage[l].MacroF1 / n
			}
			overall += rep.Overall.MacroF1 / n
			if len(dl) > 0 {
				drep, err := sentiment.Evaluate(clf, dev)
				if err != nil {
					return err
				}
				for _, l := range dl {
					devByLang[l] += drep.ByLanguage[l].MacroF1 / n
				}
				devAll += drep.Overall.MacroF1 / n
			}
			for j, set := range scoreSets {
				srep, err := sentiment.Evaluate(clf, set)
				if err != nil {
					return err
				}
				setScore[j] += srep.Overall.MacroF1 / n
				for k, setLang := range setLangs {
					setLangScore[k][j] += srep.ByLanguage[setLang].MacroF1 / n
				}
			}
		}
		fmt.Printf("%-40s", c)
		sum := 0.0
		for _, l := range langs {
			f := byLang[l]
			if l != "hi" {
				sum += f
			}
			fmt.Printf(" %5.1f", 100*f)
		}
		fmt.Printf(" %7.2f %7.1f", 100*overall, 100*sum/float64(len(langs)-1))
		if len(dl) > 0 {
			for _, l := range dl {
				fmt.Printf(" %5.1f", 100*devByLang[l])
			}
			fmt.Printf(" %7.1f", 100*devAll)
			if showErrors {
				defer func(clf *sentiment.Classifier) {
					for _, ex := range dev {
						if r := clf.Classify(ex.Text, ex.Lang); r.Label[:3] != ex.Label[:3] {
							fmt.Printf("  %s %s→%s %.2f %s\n", ex.Group, ex.Label, r.Label[:3], r.Score, ex.Text)
						}
					}
				}(clf)
			}
		}
		var setSum float64
		for _, f := range setScore {
			fmt.Printf(" %8.1f", 100*f)
			setSum += f
		}
		if len(setScore) > 0 {
			fmt.Printf(" %5.2f", 100*setSum/float64(len(setScore)))
		}
		for _, scores := range setLangScore {
			var langSum float64
			for _, f := range scores {
				fmt.Printf(" %8.1f", 100*f)
				langSum += f
			}
			fmt.Printf(" %7.2f", 100*langSum/float64(len(scores)))
		}
		fmt.Printf(" %8.1f\n", took.Seconds())
	}
	return nil
}

// parse reads a configuration; fw is the weight of the feedback examples.
func parse(c string) (o sentiment.TrainOptions, fw float32, err error) {
	o = sentiment.DefaultTrainOptions()
	fw = 1
	balance = false
	extraWeight = 0
	trainShare = 1
	valHalf = 0
	langWeight = map[string]float32{}
	tweetWeight = map[string]float32{}
	folds = 0
	feedbackShare = 1
	if c == "base" {
		return o, fw, nil
	}
	for _, kv := range strings.Split(c, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return o, fw, fmt.Errorf("%q is not key=value", kv)
		}
		switch k {
		case "bits":
			o.Bits, err = strconv.Atoi(v)
		case "epochs":
			o.Epochs, err = strconv.Atoi(v)
		case "rate":
			o.Rate, err = strconv.ParseFloat(v, 64)
		case "l2":
			o.L2, err = strconv.ParseFloat(v, 64)
		case "seed":
			o.Seed, err = strconv.ParseInt(v, 10, 64)
		case "bags":
			o.Bags, err = strconv.Atoi(v)
		case "nb":
			o.NB, err = strconv.ParseFloat(v, 64)
		case "nbp":
			o.NBPlain = v == "1"
		case "cw":
			var f float64
			f, err = strconv.ParseFloat(v, 32)
			o.Features.CharWeight = float32(f)
		case "char":
			lo, hi, ok := strings.Cut(v, "-")
			if !ok {
				return o, fw, errors.New("char wants min-max")
			}
			if o.Features.CharMin, err = strconv.Atoi(lo); err == nil {
				o.Features.CharMax, err = strconv.Atoi(hi)
			}
		case "compose":
			o.Features.Compose = v == "1"
		case "routine":
			o.Features.Routine = v == "1"
		case "lm":
			o.Features.LangMeta = v == "1"
		case "gone":
			o.Features.Gone = v == "1"
		case "ar":
			o.Features.ArNorm = v == "1"
		case "hs":
			o.Features.HashSplit = v == "1"
		case "cl":
			o.Features.Clitics = v == "1"
		case "reg":
			o.Features.Register = v == "1"
		case "bal":
			balance = v == "1"
		case "va":
			valHalf, err = strconv.Atoi(v)
		case "tf":
			trainShare, err = strconv.ParseFloat(v, 64)
		case "xw":
			var f float64
			f, err = strconv.ParseFloat(v, 32)
			extraWeight = float32(f)
		case "cv":
			folds, err = strconv.Atoi(v)
		case "ff":
			feedbackShare, err = strconv.ParseFloat(v, 64)
		case "fw":
			var f float64
			f, err = strconv.ParseFloat(v, 32)
			fw = float32(f)
		default:
			if l, ok := strings.CutPrefix(k, "fw."); ok {
				var f float64
				f, err = strconv.ParseFloat(v, 32)
				langWeight[l] = float32(f)
				break
			}
			if l, ok := strings.CutPrefix(k, "tw."); ok {
				var f float64
				f, err = strconv.ParseFloat(v, 32)
				tweetWeight[l] = float32(f)
				break
			}
			return o, fw, fmt.Errorf("unknown key %q", k)
		}
		if err != nil {
			return o, fw, fmt.Errorf("%s: %w", k, err)
		}
	}
	return o, fw, nil
}

// cpuTime is the process's user+system CPU time: the machine is shared,
// so wall-clock time says little.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fold is the cross-validation fold of train example i: a hash of its
// position, since the UMSAB label files cycle through the classes and i%k
// would give folds of one class.
func fold(i, k int) int {
	h := uint32(i) * 2654435761
	return int(h>>8) % k
}
