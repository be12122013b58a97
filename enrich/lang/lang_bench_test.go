package lang

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"

	"github.com/pemistahl/lingua-go"

	"github.com/earshothq/earshot/enrich/textnorm"
)

// benchTexts are tweet-length texts: the UMSAB val tweets when the shared
// data folder is beside the repository, plus the written examples.
func benchTexts(b *testing.B) []string {
	var texts []string
	dirs, _ := filepath.Glob("../../../shared/data/sentiment/*/val_text.txt")
	for _, p := range dirs {
		f, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			texts = append(texts, textnorm.Clean(sc.Text()))
		}
		f.Close()
	}
	for _, e := range readEval(b) {
		texts = append(texts, e[1])
	}
	return texts
}

func BenchmarkDetect(b *testing.B) {
	d, err := New(DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	texts := benchTexts(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Detect(texts[i%len(texts)], "")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
}

func BenchmarkDetectStated(b *testing.B) {
	d, err := New(DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	texts := benchTexts(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Detect(texts[i%len(texts)], "en")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
}

func linguaDetector(high bool) lingua.LanguageDetector {
	isos := make([]lingua.IsoCode639_1, len(DefaultLanguages))
	for i, c := range DefaultLanguages {
		isos[i] = lingua.GetIsoCode639_1FromValue(c)
	}
	bld := lingua.NewLanguageDetectorBuilder().FromIsoCodes639_1(isos...).WithPreloadedLanguageModels()
	if !high {
		bld = bld.WithLowAccuracyMode()
	}
	return bld.Build()
}

func BenchmarkLinguaLowAccuracy(b *testing.B) {
	d := linguaDetector(false)
	texts := benchTexts(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.DetectLanguageOf(texts[i%len(texts)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
}

// BenchmarkLinguaHighAccuracy loads ~200 MB of models; it runs only with
// EARSHOT_BENCH_LINGUA_HIGH=1.
func BenchmarkLinguaHighAccuracy(b *testing.B) {
	if os.Getenv("EARSHOT_BENCH_LINGUA_HIGH") == "" {
		b.Skip("set EARSHOT_BENCH_LINGUA_HIGH=1 to load lingua-go's high-accuracy models")
	}
	d := linguaDetector(true)
	texts := benchTexts(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.DetectLanguageOf(texts[i%len(texts)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
}
