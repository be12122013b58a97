package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/enrich/identity/evaldata"
	"github.com/earshothq/earshot/record"
)

// runIndex builds the identity index from generated customer records
// encoded as they are in the customers topic, then measures memory and
// single-goroutine lookup throughput.
func runIndex(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("index", flag.ExitOnError)
	n := fs.Int("customers", 1_000_000, "customers")
	queries := fs.Int("queries", 200_000, "queries per kind")
	seed := fs.Uint64("seed", 1, "random seed")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the lookups here")
	fs.Parse(args)
	runtime.GOMAXPROCS(1) // per-core figures

	// The topic's content: one encoded record per customer, with a sample
	// kept aside to make queries from.
	rng := rand.New(rand.NewPCG(*seed, 7))
	var topic bytes.Buffer
	var offsets []int
	var sample []record.Customer
	every := max(*n / *queries, 1)
	t0 := time.Now()
	i := 0
	evaldata.Customers(*seed, *n, func(c record.Customer) {
		b, err := record.Encode(&c)
		if err != nil {
			panic(err)
		}
		offsets = append(offsets, topic.Len())
		topic.Write(b)
		if i%every == 0 {
			sample = append(sample, c)
		}
		i++
	})
	offsets = append(offsets, topic.Len())
	fmt.Fprintf(out, "generated %d customer records (%.0f MB encoded) in %s\n", *n, float64(topic.Len())/1e6, time.Since(t0).Round(time.Millisecond))
	before := heapInUse() // the topic and the query sample are in both readings

	cfg := identity.DefaultConfig()
	r, err := identity.New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	t0, c0 := time.Now(), cpuTime()
	data := topic.Bytes()
	for k := 0; k+1 < len(offsets); k++ {
		var c record.Customer
		if err := record.Decode(data[offsets[k]:offsets[k+1]], &c); err != nil {
			return err
		}
		r.ApplyCustomer(c.ID, &c)
	}
	build, buildCPU := time.Since(t0), cpuTime()-c0
	after := heapInUse()
	runtime.KeepAlive(data)
	topic = bytes.Buffer{}
	data, offsets = nil, nil
	fmt.Fprintf(out, "index build from the topic (decode included): %d customers, %s\n", r.Customers(), rate(r.Customers(), build, buildCPU))
	fmt.Fprintf(out, "index memory (live heap after GC): %.0f MB (%.0f bytes/customer)\n",
		float64(after-before)/1e6, float64(after-before)/float64(r.Customers()))

	stop, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	st := r.Stats()
	fmt.Fprintf(out, "  records %.0f MB, id table %.0f MB, exact keys %.0f MB (%d postings), blocking keys %.0f MB (%d postings), %d distinct names\n",
		float64(st.RecordBytes)/1e6, float64(st.IDBytes)/1e6, float64(st.ExactBytes)/1e6, st.ExactPostings, float64(st.BlockBytes)/1e6, st.BlockPostings, st.DistinctNames)
	norm := r.Normalizer()
	// Exact: a raw email or phone as a record carries it, normalised and
	// looked up.
	var exact []record.Mention
	for _, c := range sample {
		m := record.Mention{Source: "forms", Kind: record.KindFormSubmission}
		switch {
		case len(c.Emails) > 0:
			m.Author.Email = c.Emails[0]
		case len(c.Phones) > 0:
			m.Author.Phone, m.Author.Country = c.Phones[0], c.Address.Country
		default:
			continue
		}
		exact = append(exact, m)
	}
	t0, c0 = time.Now(), cpuTime()
	hits := 0
	for k := range *queries {
		p := norm.Author(&exact[k%len(exact)])
		if d := r.MatchPerson(&p); d.Outcome == record.MatchExact {
			hits++
		}
	}
	fmt.Fprintf(out, "exact lookups (normalisation included): %d queries, %d matched, %s\n", *queries, hits, rate(*queries, time.Since(t0), cpuTime()-c0))

	// Fuzzy: no identifier; the name with a typo, the city and the date of
	// birth (or the postcode) as a lead list or form gives them.
	fuzzy := make([]record.Customer, 0, len(sample))
	for _, c := range sample {
		l := record.Customer{ID: c.ID, FirstName: c.FirstName, LastName: typo(rng, c.LastName), Address: record.Address{City: c.Address.City, Country: c.Address.Country}}
		if rng.IntN(2) == 0 {
			l.DateOfBirth = c.DateOfBirth
		} else {
			l.Address.PostalCode = c.Address.PostalCode
		}
		fuzzy = append(fuzzy, l)
	}
	// Weights: one EM estimate over the candidate pairs of a sample of
	// records, as after start-up; then fixed for the measurement.
	t0 = time.Now()
	var people []identity.Person
	for k := range min(20000, len(fuzzy)) {
		p, _ := norm.Customer(&fuzzy[k])
		people = append(people, p)
	}
	res, err := r.EstimateWeights(people)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "EM estimate: %s (%d random pairs for u, %d candidate pairs of %d records, %d iterations)\n",
		time.Since(t0).Round(time.Millisecond), cfg.Weights.USamplePairs, res.Pairs, len(people), res.Iterations)
	t0, c0 = time.Now(), cpuTime()
	outcomes := map[string]int{}
	right := 0
	for k := range *queries {
		l := &fuzzy[k%len(fuzzy)]
		p, _ := norm.Customer(l)
		d := r.MatchPerson(&p)
		outcomes[d.Outcome]++
		if d.CustomerID == l.ID {
			right++
		}
	}
	fmt.Fprintf(out, "fuzzy matches (normalisation included): %d queries %v, %d to the right customer, %s\n",
		*queries, outcomes, right, rate(*queries, time.Since(t0), cpuTime()-c0))
	runtime.KeepAlive(r)
	return nil
}

// cpuTime is the process's user and system CPU time: on a shared machine
// the honest denominator of a per-core rate (wall time includes waiting
// for the CPU).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rate formats a throughput by wall time and by CPU time.
func rate(n int, wall, cpu time.Duration) string {
	return fmt.Sprintf("%.0f/s per CPU-second (%.0f/s wall clock, %s CPU, %s wall)", float64(n)/cpu.Seconds(), float64(n)/wall.Seconds(), cpu.Round(time.Millisecond), wall.Round(time.Millisecond))
}

func heapInUse() uint64 {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// typo swaps two letters inside a word.
func typo(rng *rand.Rand, s string) string {
	r := []rune(s)
	if len(r) < 4 {
		return s
	}
	i := 1 + rng.IntN(len(r)-2)
	r[i], r[i+1] = r[i+1], r[i]
	return string(r)
}
