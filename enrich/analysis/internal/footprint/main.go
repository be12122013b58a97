// Command footprint measures what the analysis costs in a fresh process:
// heap held by the loaded models and lists, start-up time, and records
// per second on one core over tweet-length texts (the UMSAB val tweets
// when -umsab is given, plus the intent evaluation texts):
//
//	go run ./enrich/analysis/internal/footprint -umsab ../shared/data/sentiment
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/earshothq/earshot/enrich/analysis"
	"github.com/earshothq/earshot/enrich/intent"
	"github.com/earshothq/earshot/enrich/textnorm"
	"github.com/earshothq/earshot/record"
)

func main() {
	umsab := flag.String("umsab", "", "UMSAB data folder (val tweets)")
	rounds := flag.Int("rounds", 20, "passes over the texts")
	flag.Parse()
	runtime.GOMAXPROCS(1)
	var ms []record.Mention
	if *umsab != "" {
		files, _ := filepath.Glob(filepath.Join(*umsab, "*", "val_text.txt"))
		for _, p := range files {
			f, err := os.Open(p)
			if err != nil {
				fatal(err)
			}
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				ms = append(ms, record.Mention{Text: textnorm.Clean(sc.Text())})
			}
			f.Close()
		}
	}
	for _, pattern := range []string{"enrich/intent/testdata/eval_*.jsonl", "enrich/intent/testdata/holdout*/*.jsonl"} {
		set, err := intent.ReadEvalSet(pattern)
		if err != nil {
			fatal(err)
		}
		for _, lt := range set {
			ms = append(ms, record.Mention{Text: lt.Text})
		}
	}
	bytes := 0
	for _, m := range ms {
		bytes += len(m.Text)
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	a, err := analysis.New(analysis.DefaultConfig(), nil)
	if err != nil {
		fatal(err)
	}
	startup := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)

	for i := range ms { // warm up
		a.Analyze(&ms[i])
	}
	cpu0 := cpuSeconds()
	t0 := time.Now()
	n := 0
	for r := 0; r < *rounds; r++ {
		for i := range ms {
			a.Analyze(&ms[i])
			n++
		}
	}
	wall := time.Since(t0)
	cpu := cpuSeconds() - cpu0
	var end runtime.MemStats
	runtime.ReadMemStats(&end)
	fmt.Printf("texts: %d (mean %d bytes), analysed %d records on 1 core\n", len(ms), bytes/len(ms), n)
	fmt.Printf("start-up (load models and lists): %s\n", startup.Round(time.Millisecond))
	fmt.Printf("heap held by the analyzer: %.1f MB (process heap in use %.1f MB, from the OS %.1f MB)\n",
		float64(after.HeapAlloc-before.HeapAlloc)/1e6, float64(end.HeapInuse)/1e6, float64(end.Sys)/1e6)
	fmt.Printf("throughput: %.0f records/s wall, %.0f records per CPU-second (%.1f µs/record)\n",
		float64(n)/wall.Seconds(), float64(n)/cpu, cpu/float64(n)*1e6)
	runtime.KeepAlive(a)
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "footprint:", err)
	os.Exit(1)
}
