package identity_test

import (
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/enrich/identity/evaldata"
	"github.com/earshothq/earshot/record"
)

// The benchmarks use 1,000,000 generated customers (override with
// IDENTITY_BENCH_CUSTOMERS), built once per process and only when a
// benchmark runs:
//
//	go test -run XXX -bench . -benchtime 200000x ./enrich/identity/
//
// bench/identity reports the same figures with CPU-time rates, which are
// fairer on a shared machine.

func benchSize() int {
	if s := os.Getenv("IDENTITY_BENCH_CUSTOMERS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	return 1_000_000
}

// encodedCustomers is the customers topic's content: one record each.
func encodedCustomers(n int) (records [][]byte, sample []record.Customer) {
	every := max(n/50000, 1)
	i := 0
	evaldata.Customers(1, n, func(c record.Customer) {
		b, err := record.Encode(&c)
		if err != nil {
			panic(err)
		}
		records = append(records, b)
		if i%every == 0 {
			sample = append(sample, c)
		}
		i++
	})
	return records, sample
}

var shared struct {
	once   sync.Once
	r      *identity.Resolver
	sample []record.Customer
}

func sharedIndex(b *testing.B) (*identity.Resolver, []record.Customer) {
	shared.once.Do(func() {
		records, sample := encodedCustomers(benchSize())
		r, err := identity.New(identity.DefaultConfig(), slog.New(slog.DiscardHandler))
		if err != nil {
			panic(err)
		}
		for _, rec := range records {
			var c record.Customer
			if err := record.Decode(rec, &c); err != nil {
				panic(err)
			}
			r.ApplyCustomer(c.ID, &c)
		}
		r.SetModel(r.Model()) // no re-estimation while measuring
		shared.r, shared.sample = r, sample
	})
	return shared.r, shared.sample
}

// BenchmarkIndexBuild decodes the customers topic's records and indexes
// them; it reports customers/s and the index's live heap.
func BenchmarkIndexBuild(b *testing.B) {
	records, _ := encodedCustomers(benchSize())
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		before := liveHeap()
		b.StartTimer()
		start := time.Now()
		r, err := identity.New(identity.DefaultConfig(), slog.New(slog.DiscardHandler))
		if err != nil {
			b.Fatal(err)
		}
		for _, rec := range records {
			var c record.Customer
			if err := record.Decode(rec, &c); err != nil {
				b.Fatal(err)
			}
			r.ApplyCustomer(c.ID, &c)
		}
		el := time.Since(start)
		b.StopTimer()
		b.ReportMetric(float64(len(records))/el.Seconds(), "customers/s")
		b.ReportMetric(float64(liveHeap()-before)/1e6, "index-MB")
		runtime.KeepAlive(r)
		b.StartTimer()
	}
}

func liveHeap() uint64 {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkExactLookup resolves form submissions carrying a customer's
// email (or phone), normalisation included.
func BenchmarkExactLookup(b *testing.B) {
	r, sample := sharedIndex(b)
	var qs []record.Mention
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
		qs = append(qs, m)
	}
	norm := r.Normalizer()
	b.ReportAllocs()
	b.ResetTimer()
	matched := 0
	for i := range b.N {
		p := norm.Author(&qs[i%len(qs)])
		if r.MatchPerson(&p).Outcome == record.MatchExact {
			matched++
		}
	}
	b.ReportMetric(float64(matched)/float64(b.N), "matched/op")
}

// BenchmarkFuzzyMatch resolves lead rows with no identifier: the name with
// a typo, the city, and the birth date or the postcode.
func BenchmarkFuzzyMatch(b *testing.B) {
	r, sample := sharedIndex(b)
	rng := rand.New(rand.NewPCG(3, 4))
	leads := make([]record.Customer, 0, len(sample))
	for _, c := range sample {
		l := record.Customer{ID: c.ID, FirstName: c.FirstName, LastName: swapInside(rng, c.LastName),
			Address: record.Address{City: c.Address.City, Country: c.Address.Country}}
		if rng.IntN(2) == 0 {
			l.DateOfBirth = c.DateOfBirth
		} else {
			l.Address.PostalCode = c.Address.PostalCode
		}
		leads = append(leads, l)
	}
	norm := r.Normalizer()
	b.ReportAllocs()
	b.ResetTimer()
	right := 0
	for i := range b.N {
		l := &leads[i%len(leads)]
		p, _ := norm.Customer(l)
		if r.MatchPerson(&p).CustomerID == l.ID {
			right++
		}
	}
	b.ReportMetric(float64(right)/float64(b.N), "right/op")
}

func swapInside(rng *rand.Rand, s string) string {
	r := []rune(s)
	if len(r) < 4 {
		return s
	}
	i := 1 + rng.IntN(len(r)-2)
	r[i], r[i+1] = r[i+1], r[i]
	return string(r)
}
