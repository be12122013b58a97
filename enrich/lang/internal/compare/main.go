// Command compare measures language-detection accuracy and speed of the
// Earshot detector side by side with lingua-go (low- and high-accuracy
// modes) on the same texts, one core:
//
//	go run ./enrich/lang/internal/compare -umsab ../shared/data/sentiment
//
// Texts: the UMSAB val tweets (ar, de, en, es, fr, hi, it, pt) when -umsab
// is given, plus enrich/lang/testdata/eval.tsv and any -extra TSV files
// (lang<TAB>text) for the languages UMSAB lacks.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/pemistahl/lingua-go"

	"github.com/earshothq/earshot/enrich/lang"
	"github.com/earshothq/earshot/enrich/textnorm"
)

type sample struct{ lang, text string }

var umsabLangs = map[string]string{"arabic": "ar", "english": "en", "french": "fr", "german": "de", "hindi": "hi", "italian": "it", "portuguese": "pt", "spanish": "es"}

func main() {
	umsab := flag.String("umsab", "", "UMSAB sentiment data folder (uses the val split)")
	evalTSV := flag.String("eval", "enrich/lang/testdata/eval.tsv", "TSV of lang<TAB>text")
	withHigh := flag.Bool("high", true, "also run lingua-go in high-accuracy mode (slow, 200+ MB)")
	flag.Parse()
	runtime.GOMAXPROCS(1)
	var samples []sample
	if *umsab != "" {
		for dir, code := range umsabLangs {
			f, err := os.Open(filepath.Join(*umsab, dir, "val_text.txt"))
			if err != nil {
				fatal(err)
			}
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				samples = append(samples, sample{code, textnorm.Clean(sc.Text())})
			}
			f.Close()
		}
	}
	extra, err := readTSV(*evalTSV)
	if err != nil {
		fatal(err)
	}
	samples = append(samples, extra...)
	sort.SliceStable(samples, func(i, j int) bool { return samples[i].lang < samples[j].lang })

	type detector struct {
		name string
		fn   func(string) string
		mb   float64 // heap the detector holds
	}
	heap := func() float64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc) / 1e6
	}
	h0 := heap()
	ours, err := lang.New(lang.DefaultOptions())
	if err != nil {
		fatal(err)
	}
	oursMB := heap() - h0
	isos := make([]lingua.IsoCode639_1, len(lang.DefaultLanguages))
	for i, c := range lang.DefaultLanguages {
		isos[i] = lingua.GetIsoCode639_1FromValue(c)
	}
	h0 = heap()
	low := lingua.NewLanguageDetectorBuilder().FromIsoCodes639_1(isos...).WithLowAccuracyMode().WithPreloadedLanguageModels().Build()
	lowMB := heap() - h0
	linguaFn := func(d lingua.LanguageDetector) func(string) string {
		return func(s string) string {
			l, ok := d.DetectLanguageOf(s)
			if !ok {
				return lang.Unknown
			}
			return strings.ToLower(l.IsoCode639_1().String())
		}
	}
	dets := []detector{
		{"earshot", func(s string) string { return ours.Detect(s, "").Code }, oursMB},
		{"earshot+stated", nil, oursMB}, // the dataset language as the source's stated one
		{"lingua-low", linguaFn(low), lowMB},
	}
	if *withHigh {
		h0 = heap()
		high := lingua.NewLanguageDetectorBuilder().FromIsoCodes639_1(isos...).WithPreloadedLanguageModels().Build()
		dets = append(dets, detector{"lingua-high", linguaFn(high), heap() - h0})
	}
	fmt.Printf("%d texts, mean %d bytes\n\n", len(samples), meanLen(samples))
	fmt.Printf("%-15s %9s %9s %9s %12s %8s   per-language accuracy\n", "detector", "accuracy", "acc-no-hi", "unknown", "texts/s/core", "heap-MB")
	for _, d := range dets {
		correct, unknown, noHi, noHiN := 0, 0, 0, 0
		per := map[string][2]int{}
		start := time.Now()
		for _, s := range samples {
			var got string
			if d.fn == nil {
				got = ours.Detect(s.text, s.lang).Code
			} else {
				got = d.fn(s.text)
			}
			c := per[s.lang]
			c[1]++
			if got == s.lang {
				correct++
				c[0]++
			}
			if s.lang != "hi" {
				noHiN++
				if got == s.lang {
					noHi++
				}
			}
			if got == lang.Unknown {
				unknown++
			}
			per[s.lang] = c
		}
		el := time.Since(start)
		var parts []string
		for _, l := range sortedKeys(per) {
			parts = append(parts, fmt.Sprintf("%s %.3f", l, float64(per[l][0])/float64(per[l][1])))
		}
		fmt.Printf("%-15s %9.4f %9.4f %9d %12.0f %8.1f   %s\n", d.name, float64(correct)/float64(len(samples)),
			float64(noHi)/float64(noHiN), unknown, float64(len(samples))/el.Seconds(), d.mb, strings.Join(parts, ", "))
	}
	fmt.Println("\nacc-no-hi leaves out the Hindi tweets, which are mostly romanised (Latin script).")
}

func readTSV(path string) ([]sample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []sample
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		l, t, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, fmt.Errorf("%s: line without a tab: %q", path, line)
		}
		out = append(out, sample{l, t})
	}
	return out, sc.Err()
}

func meanLen(s []sample) int {
	n := 0
	for _, x := range s {
		n += len(x.text)
	}
	return n / len(s)
}

func sortedKeys(m map[string][2]int) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return k
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "compare:", err)
	os.Exit(1)
}
