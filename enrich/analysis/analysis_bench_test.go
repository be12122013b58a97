package analysis

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/earshothq/earshot/enrich/intent"
	"github.com/earshothq/earshot/enrich/textnorm"
	"github.com/earshothq/earshot/record"
)

// benchMentions are tweet-length texts: the UMSAB val tweets when the
// shared data folder is beside the repository (../shared/data/sentiment),
// plus every intent evaluation text written for Earshot.
func benchMentions(b *testing.B) []record.Mention {
	var ms []record.Mention
	files, _ := filepath.Glob("../../../shared/data/sentiment/*/val_text.txt")
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			ms = append(ms, record.Mention{Text: textnorm.Clean(sc.Text())})
		}
		f.Close()
	}
	for _, pattern := range []string{"../intent/testdata/eval_*.jsonl", "../intent/testdata/holdout*/*.jsonl"} {
		set, err := intent.ReadEvalSet(pattern)
		if err != nil {
			b.Fatal(err)
		}
		for _, lt := range set {
			ms = append(ms, record.Mention{Text: lt.Text})
		}
	}
	return ms
}

// BenchmarkAnalyze is the whole analysis of one record (language,
// sentiment, intents, aspects, preferences) without a stated language.
// records/s with -cpu 1 is the per-core figure.
func BenchmarkAnalyze(b *testing.B) {
	benchAnalyze(b, "")
}

// BenchmarkAnalyzeStated is the same with the source stating a language
// (the prior still lets clear evidence win).
func BenchmarkAnalyzeStated(b *testing.B) {
	benchAnalyze(b, "en")
}

func benchAnalyze(b *testing.B, stated string) {
	ms := benchMentions(b)
	for i := range ms {
		ms[i].Lang = stated
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	a, err := New(DefaultConfig(), nil)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		a.Analyze(&ms[i%len(ms)])
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	// CPU time is what one core spends, whatever else shares the machine.
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu, "records/cpu-s")
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1e6, "model-MB")
	runtime.KeepAlive(a)
}

// BenchmarkAnalyzeParallel runs the analysis on every core (GOMAXPROCS).
func BenchmarkAnalyzeParallel(b *testing.B) {
	ms := benchMentions(b)
	a, err := New(DefaultConfig(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			a.Analyze(&ms[i%len(ms)])
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkNew is the start-up cost: loading the embedded models and lists.
func BenchmarkNew(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := New(DefaultConfig(), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuSeconds is the user and system CPU time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
