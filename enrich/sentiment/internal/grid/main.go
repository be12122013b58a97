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
// bags, nb (naive-Bayes scaling smoothing, 0 = off), char (min-max), cw
// (character block weight), compose (0/1), routine (0/1), lm (0/1: LangMeta), gone (0/1), fw (weight of the -feedback
// examples), bal (1: balance their classes per language) and xw (weight
// of each -extra example; 0, the default, leaves them out) and tf (share
// of the UMSAB train split learnt from) and va (1: score the odd val
// tweets only; 2: learn from the even ones as well). "base" is the
// defaults; "shipped" scores the embedded model. Every configuration also
// trains on -feedback and reports -dev per language ("fb-…"); -errors lists
// the -dev texts it gets wrong.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/earshothq/earshot/enrich/lang"
	"github.com/earshothq/earshot/enrich/sentiment"
)

var showErrors, balance bool

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

type configs []string

func (c *configs) String() string     { return strings.Join(*c, " ") }
func (c *configs) Set(s string) error { *c = append(*c, s); return nil }

func main() {
	dir := flag.String("umsab", "../shared/data/sentiment", "UMSAB data folder")
	feedback := flag.String("feedback", "enrich/sentiment/feedback/train", "feedback training examples added to UMSAB train (\"\" for none)")
	extra := flag.String("extra", "", "more labelled examples (a file or folder) added with the weight xw= gives each")
	dev := flag.String("dev", "enrich/sentiment/feedback/dev", "feedback development set, reported per language")
	flag.BoolVar(&showErrors, "errors", false, "list the development examples each configuration gets wrong")
	var cs configs
	flag.Var(&cs, "c", "configuration (repeatable); \"shipped\" scores the embedded model")
	flag.Parse()
	if len(cs) == 0 {
		cs = configs{"base"}
	}
	if err := run(*dir, *feedback, *extra, *dev, cs); err != nil {
		fmt.Fprintln(os.Stderr, "grid:", err)
		os.Exit(1)
	}
}

func run(dir, feedback, extraPath, devDir string, cs configs) error {
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
	det, err := lang.New(lang.DefaultOptions())
	if err != nil {
		return err
	}
	// The same languages `earshot train sentiment --umsab` gives.
	for _, set := range [][]sentiment.Example{train, val, fb, extra, dev} {
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
	fmt.Printf(" %8s\n", "train-s")
	for _, c := range cs {
		var m *sentiment.Model
		cpu0 := cpuTime()
		if c == "shipped" {
			if m, err = sentiment.Embedded(); err != nil {
				return err
			}
		} else {
			opts, fw, err := parse(c)
			if err != nil {
				return fmt.Errorf("config %q: %w", c, err)
			}
			var all []sentiment.Example
			for i, ex := range train {
				if trainShare >= 1 || float64(i%100) < 100*trainShare {
					all = append(all, ex)
				}
			}
			w := sentiment.BalanceWeights(fb, fw)
			if !balance {
				for i := range w {
					w[i] = fw
				}
			}
			for i, ex := range fb {
				ex.Weight = w[i]
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
			if m, err = sentiment.Train(all, opts); err != nil {
				return err
			}
		}
		took := cpuTime() - cpu0
		clf, err := sentiment.NewClassifier(m)
		if err != nil {
			return err
		}
		scored := val
		if valHalf > 0 {
			scored = nil
			for i, ex := range val {
				if i%2 == 1 {
					scored = append(scored, ex)
				}
			}
		}
		rep, err := sentiment.Evaluate(clf, scored)
		if err != nil {
			return err
		}
		fmt.Printf("%-40s", c)
		sum := 0.0
		for _, l := range langs {
			f := rep.ByLanguage[l].MacroF1
			if l != "hi" {
				sum += f
			}
			fmt.Printf(" %5.1f", 100*f)
		}
		fmt.Printf(" %7.1f %7.1f", 100*rep.Overall.MacroF1, 100*sum/float64(len(langs)-1))
		if len(dl) > 0 {
			drep, err := sentiment.Evaluate(clf, dev)
			if err != nil {
				return err
			}
			for _, l := range dl {
				fmt.Printf(" %5.1f", 100*drep.ByLanguage[l].MacroF1)
			}
			fmt.Printf(" %7.1f", 100*drep.Overall.MacroF1)
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
		case "fw":
			var f float64
			f, err = strconv.ParseFloat(v, 32)
			fw = float32(f)
		default:
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
