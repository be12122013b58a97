package es

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// Benchmarks against the real node named by EARSHOT_TEST_ES (skipped
// without it). They share the machine with the node, so they report the
// load average and the client's own CPU time beside the rates.
//
//	EARSHOT_TEST_ES=http://127.0.0.1:19250 go test -run '^$' -bench . -benchtime 100x ./index/es/

// benchBatch is the index stage's default batch size.
const benchBatch = 1000

// benchWords are a few words per language, enough for tweet-length texts
// that the analysers have real work on.
var benchWords = map[string][]string{
	"pt": strings.Fields("as entregas estão sempre atrasadas péssimo serviço adorei o preço entrega rápida quero comprar novo modelo atendimento produto qualidade loja devolução"),
	"pl": strings.Fields("zamówienie nie dotarło dostawa trwa wieki chętnie kupię nowy model jakie są ceny obsługa klienta jakość produktu zwrot sklep"),
	"lv": strings.Fields("piegāde bija ātra paldies kāpēc piegādes cena ir tik augsta pasūtījums kvalitāte veikals klientu atbalsts prece"),
	"en": strings.Fields("deliveries keep arriving late looking to buy the pro is there a discount switching soon cheaper support quality refund store great terrible"),
	"es": strings.Fields("el envío llegó tarde quiero comprar precio calidad atención al cliente tienda devolución excelente terrible producto"),
	"de": strings.Fields("die lieferung kam zu spät ich möchte kaufen preis qualität kundendienst geschäft rückgabe hervorragend schrecklich produkt"),
	"zh": {"快递", "很慢", "客服", "不回复", "产品", "质量", "很好", "我想", "再买", "一个", "价格", "太贵", "退货", "商店"},
}

var benchLangs = []string{"pt", "pl", "lv", "en", "es", "de", "zh"}

// benchMentions makes n enriched mentions with ids from start, like the
// enrich stage emits them: language, sentiment, aspects, intents, brands,
// and an identity for one in four.
func benchMentions(start, n int, r *rand.Rand) []*record.EnrichedMention {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	sentiments := []string{"positive", "negative", "neutral"}
	aspects := []string{"delivery", "price", "quality", "support", "refund"}
	intents := []string{"complaint", "praise", "buying", "question", "churn_risk"}
	out := make([]*record.EnrichedMention, n)
	for i := range out {
		id := start + i
		lang := benchLangs[r.IntN(len(benchLangs))]
		words := benchWords[lang]
		var b strings.Builder
		sep := " "
		if lang == "zh" {
			sep = ""
		}
		for w := 0; w < 14+r.IntN(12); w++ {
			if w > 0 {
				b.WriteString(sep)
			}
			b.WriteString(words[r.IntN(len(words))])
		}
		b.WriteString(sep + "Acme")
		m := &record.EnrichedMention{
			Mention: record.Mention{
				Schema: record.SchemaVersion, ID: fmt.Sprintf("bench-%08d", id), Source: []string{"mastodon", "web", "forms"}[id%3],
				SourceID: fmt.Sprint(id), Channel: "main", Kind: record.KindMention, Text: b.String(),
				URL:       fmt.Sprintf("https://social.example/@user%d/%d", id%5000, id),
				Author:    record.Author{Handle: fmt.Sprintf("user%d", id%5000), Name: fmt.Sprintf("User %d", id%5000)},
				CreatedAt: t0.Add(time.Duration(r.IntN(90*24*3600)) * time.Second), FetchedAt: t0,
			},
			EnrichedAt: t0,
		}
		a := &m.Analysis
		a.Language = &record.Language{Code: lang, Confidence: 0.95, Method: "model"}
		s := sentiments[r.IntN(3)]
		a.Sentiment = &record.Sentiment{Label: s, Score: r.Float64()*2 - 1, Confidence: 0.8}
		a.Aspects = []record.Aspect{{Name: aspects[r.IntN(len(aspects))], Sentiment: s, Score: 0.7}}
		a.Intents = []record.Intent{{Name: intents[r.IntN(len(intents))], Score: 0.8}}
		a.Preferences = &record.Preferences{Brands: []string{"Acme"}}
		if id%4 == 0 {
			m.Identity = &record.Identity{Outcome: record.MatchExact, CustomerID: fmt.Sprintf("C%d", id%2000)}
		}
		out[i] = m
	}
	return out
}

func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(data))[:3], " ")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// nodeCPU is the CPU time the node's process has used so far. The node
// refreshes its process statistics once a second
// (monitor.process.refresh_interval), so it waits that out first.
func nodeCPU(b *testing.B, be *Backend) time.Duration {
	time.Sleep(1100 * time.Millisecond)
	var res struct {
		Nodes map[string]struct {
			Process struct {
				CPU struct {
					TotalInMillis int64 `json:"total_in_millis"`
				} `json:"cpu"`
			} `json:"process"`
		} `json:"nodes"`
	}
	if err := be.do(context.Background(), esapi.NodesStatsRequest{NodeID: []string{"_local"}, Metric: []string{"process"}}, &res); err != nil {
		b.Fatalf("reading the node's CPU time: %v", err)
	}
	for _, n := range res.Nodes {
		return time.Duration(n.Process.CPU.TotalInMillis) * time.Millisecond
	}
	return 0
}

// nodeWork is what the node did, from its counters: the work each index
// group (mention indices, rollups) cost it, and its garbage collection.
type nodeWork struct {
	groups map[string]*indexWork
	gcMs   int64
}

// indexWork is one group's work: operations and the milliseconds the node
// spent on them.
type indexWork struct {
	indexed, indexMs, refreshes, refreshMs, merges, mergeMs, queries, queryMs int64
}

func (w *indexWork) add(o *indexWork, sign int64) {
	w.indexed += sign * o.indexed
	w.indexMs += sign * o.indexMs
	w.refreshes += sign * o.refreshes
	w.refreshMs += sign * o.refreshMs
	w.merges += sign * o.merges
	w.mergeMs += sign * o.mergeMs
	w.queries += sign * o.queries
	w.queryMs += sign * o.queryMs
}

func (w indexWork) String() string {
	return fmt.Sprintf("%d indexed in %d ms, %d refreshes %d ms, %d merges %d ms, %d queries %d ms",
		w.indexed, w.indexMs, w.refreshes, w.refreshMs, w.merges, w.mergeMs, w.queries, w.queryMs)
}

// readNodeWork reads the counters of the backend's indices and the node's
// collectors (call it after nodeCPU, which waits for the node's statistics).
func readNodeWork(b *testing.B, be *Backend) nodeWork {
	var st struct {
		Indices map[string]struct {
			Total struct {
				Indexing struct {
					Total int64 `json:"index_total"`
					Ms    int64 `json:"index_time_in_millis"`
				} `json:"indexing"`
				Refresh struct {
					Total int64 `json:"total"`
					Ms    int64 `json:"total_time_in_millis"`
				} `json:"refresh"`
				Merges struct {
					Total int64 `json:"total"`
					Ms    int64 `json:"total_time_in_millis"`
				} `json:"merges"`
				Search struct {
					Total int64 `json:"query_total"`
					Ms    int64 `json:"query_time_in_millis"`
				} `json:"search"`
			} `json:"total"`
		} `json:"indices"`
	}
	ctx := context.Background()
	if err := be.do(ctx, esapi.IndicesStatsRequest{Index: []string{be.cfg.IndexPrefix + "-*"}, Level: "indices",
		Metric: []string{"indexing", "refresh", "merge", "search"}}, &st); err != nil {
		b.Fatalf("reading index statistics: %v", err)
	}
	w := nodeWork{groups: map[string]*indexWork{}}
	for name, ix := range st.Indices {
		group := "other"
		switch {
		case strings.HasPrefix(name, be.cfg.IndexPrefix+"-mentions-"):
			group = "mentions"
		case name == be.rollupIndex():
			group = "rollups"
		}
		g := w.groups[group]
		if g == nil {
			g = &indexWork{}
			w.groups[group] = g
		}
		t := ix.Total
		g.add(&indexWork{t.Indexing.Total, t.Indexing.Ms, t.Refresh.Total, t.Refresh.Ms, t.Merges.Total, t.Merges.Ms, t.Search.Total, t.Search.Ms}, 1)
	}
	var js struct {
		Nodes map[string]struct {
			JVM struct {
				GC struct {
					Collectors map[string]struct {
						Ms int64 `json:"collection_time_in_millis"`
					} `json:"collectors"`
				} `json:"gc"`
			} `json:"jvm"`
		} `json:"nodes"`
	}
	if err := be.do(ctx, esapi.NodesStatsRequest{NodeID: []string{"_local"}, Metric: []string{"jvm"}}, &js); err != nil {
		b.Fatalf("reading the node's collectors: %v", err)
	}
	for _, n := range js.Nodes {
		for _, c := range n.JVM.GC.Collectors {
			w.gcMs += c.Ms
		}
	}
	return w
}

// addDelta adds after - before to w.
func (w *nodeWork) addDelta(after, before nodeWork) {
	if w.groups == nil {
		w.groups = map[string]*indexWork{}
	}
	for name, a := range after.groups {
		g := w.groups[name]
		if g == nil {
			g = &indexWork{}
			w.groups[name] = g
		}
		g.add(a, 1)
		if bg := before.groups[name]; bg != nil {
			g.add(bg, -1)
		}
	}
	w.gcMs += after.gcMs - before.gcMs
}

func (w nodeWork) String() string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(w.groups)) {
		parts = append(parts, name+": "+w.groups[name].String())
	}
	return fmt.Sprintf("%s; gc %d ms", strings.Join(parts, "; "), w.gcMs)
}

// BenchmarkIntegrationBulkIndex writes batches of benchBatch mentions, as
// the index stage does, and reports documents per second.
func BenchmarkIntegrationBulkIndex(b *testing.B) {
	cfg := realConfig(b)
	if v := os.Getenv("EARSHOT_BENCH_REFRESH"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		cfg.RefreshInterval = d
	}
	be := openReal(b, cfg)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	batches := make([][]*record.EnrichedMention, b.N)
	for i := range batches {
		batches[i] = benchMentions(i*benchBatch, benchBatch, r)
	}
	b.Logf("load average before: %s", loadAvg())
	cpu0, node0 := cpuTime(), nodeCPU(b, be)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for j, err := range be.UpsertMentions(ctx, batches[i]) {
			if err != nil {
				b.Fatalf("mention %s: %v", batches[i][j].ID, err)
			}
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	docs := float64(b.N * benchBatch)
	b.ReportMetric(docs/elapsed.Seconds(), "docs/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/docs/1e3, "client-µs-cpu/doc")
	b.ReportMetric(float64(nodeCPU(b, be)-node0)/docs/1e3, "node-µs-cpu/doc")
	b.Logf("%d docs in %s (%.0f docs/s); load average after: %s", int(docs), elapsed.Round(time.Millisecond), docs/elapsed.Seconds(), loadAvg())
}

// BenchmarkIntegrationListeningQuery indexes benchQueryDocs mentions once,
// then runs a typical listening query per iteration: words in two
// languages, a sentiment filter, a time range, the default facets, the
// sentiment histogram and highlights. It reports p50 and p99 latency.
func BenchmarkIntegrationListeningQuery(b *testing.B) {
	const benchQueryDocs = 100_000
	cfg := realConfig(b)
	be := openReal(b, cfg)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	for start := 0; start < benchQueryDocs; start += benchBatch {
		for _, err := range be.UpsertMentions(ctx, benchMentions(start, benchBatch, r)) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := be.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	req := index.SearchRequest{
		Query:   `(entrega OR delivery OR 快递 OR piegād*) AND NOT intent:praise`,
		Filters: []string{"sentiment:negative"}, From: t0.AddDate(0, 0, 14), To: t0.AddDate(0, 0, 74),
		Facets: index.DefaultFacets, Histogram: index.IntervalAuto, Highlight: true, Size: 20,
	}
	res, err := be.Search(ctx, &req)
	if err != nil {
		b.Fatal(err)
	}
	if res.Total == 0 || len(res.Hits) == 0 || len(res.Histogram) == 0 {
		b.Fatalf("the listening query matched nothing: %+v", res)
	}
	b.Logf("%d mentions indexed; the query matches %d; load average: %s", benchQueryDocs, res.Total, loadAvg())
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := be.Search(ctx, &req); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.Logf("p50 %.1f ms, p99 %.1f ms over %d queries; load average after: %s", pct(0.5), pct(0.99), len(lat), loadAvg())
}

// BenchmarkMentionDocuments measures the client's share of indexing: a
// mention's record and document encoded under each plan (on a full
// cluster only Polish is analysed by Earshot; on a stripped one every
// language with a Go analyser is, and diacritics are folded by Earshot).
// It needs no cluster.
func BenchmarkMentionDocuments(b *testing.B) {
	ms := benchMentions(0, 10_000, rand.New(rand.NewPCG(5, 6)))
	has := map[string]bool{"asciifolding": true}
	for _, name := range nativeAnalysers {
		has[name] = name != "polish"
	}
	full, err := planFor(func(name string) bool { return has[name] }, true)
	if err != nil {
		b.Fatal(err)
	}
	stripped, err := planFor(func(string) bool { return false }, false)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		plan *textPlan
	}{{"full-cluster", full}, {"stripped-cluster", stripped}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			defer func() { b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e3, "cpu-µs/doc") }()
			for i := 0; i < b.N; i++ {
				m := ms[i%len(ms)]
				record, err := json.Marshal(m)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := mentionDoc(index.NewMentionDoc(m, c.plan.has), record, c.plan); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIntegrationBulkVsPlain compares the backend's write path with a
// plain _bulk loader sending the same documents, in the same run.
//
// "The same documents": each round generates one set of mentions per side
// from the same generator (same languages, lengths, days, facets); the
// loader's set is encoded by the backend's own document encoder
// (mentionDoc, with the node's text plan, so the bytes are what the
// backend sends, Earshot-side analysis included) before its clock starts,
// and sent as Workers concurrent requests per batch of benchBatch: the
// most a client can get from the node. The backend's clock includes
// everything UpsertMentions does: encoding, analysis for the languages the
// node lacks, sending, per-item outcomes, and the rollup marks.
//
// Kept fair: both sides write new ids into the same monthly indices,
// created before any clock starts (the first writer would otherwise pay
// for creating them); the sides take turns going first (ABBA), so neither
// always follows the other's writes; and each side's turn ends with a
// refresh of the mention indices, so the segments made of its documents
// are written (and their CPU counted) in its own turn. Without that the
// node's periodic refresh (every 5 s, about the period of a round) fell in
// the same side's turns round after round, and two identical loaders
// differed by 1.5× in node CPU per document. Timed are the writes only;
// the node's CPU is read around each turn, refresh included. It reports
// both rates, their ratio, and the node's and the client's CPU time per
// document on each side (the load-independent figures), and logs where
// the node's work went per group of indices.
//
//	EARSHOT_TEST_ES=http://127.0.0.1:19250 go test -run '^$' -bench BulkVsPlain -benchtime 20x ./index/es/
func BenchmarkIntegrationBulkVsPlain(b *testing.B) {
	cfg := realConfig(b)
	be := openReal(b, cfg)
	ctx := context.Background()
	p, err := be.textPlan(ctx)
	if err != nil {
		b.Fatal(err)
	}
	// benchMentions spreads mentions over 90 days from 1 January 2025.
	for month := time.January; month <= time.March; month++ {
		err := be.do(ctx, esapi.IndicesCreateRequest{Index: be.MentionIndex(time.Date(2025, month, 1, 0, 0, 0, 0, time.UTC))}, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
	r := rand.New(rand.NewPCG(7, 8))
	const rounds = 4
	perRound := max(b.N/rounds, 1)
	type side struct {
		name            string
		elapsed, client time.Duration
		node            time.Duration
		work            nodeWork
	}
	backend, plain := &side{name: "backend"}, &side{name: "loader"}
	var encodeTime time.Duration
	docs, next := 0, 0
	// turn runs write on one side and adds up what it cost.
	turn := func(s *side, write func()) {
		cpu0, node0 := cpuTime(), nodeCPU(b, be)
		work0 := readNodeWork(b, be)
		b.StartTimer()
		start := time.Now()
		write()
		s.elapsed += time.Since(start)
		b.StopTimer()
		if err := be.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
		s.client += cpuTime() - cpu0
		s.node += nodeCPU(b, be) - node0
		s.work.addDelta(readNodeWork(b, be), work0)
	}
	backendTurn := func() {
		batches := make([][]*record.EnrichedMention, perRound)
		for i := range batches {
			batches[i] = benchMentions(next, benchBatch, r)
			next += benchBatch
		}
		turn(backend, func() {
			for _, batch := range batches {
				for j, err := range be.UpsertMentions(ctx, batch) {
					if err != nil {
						b.Fatalf("mention %s: %v", batch[j].ID, err)
					}
				}
			}
		})
	}
	plainTurn := func() {
		// The same kind of documents, encoded first (timed apart: a loader
		// that has the records encodes them too), one request body per
		// worker, in parallel.
		encStart := time.Now()
		bodies := make([][][]byte, perRound)
		for i := range bodies {
			ms := benchMentions(next, benchBatch, r)
			next += benchBatch
			per := (len(ms) + cfg.Workers - 1) / cfg.Workers
			bodies[i] = make([][]byte, (len(ms)+per-1)/per)
			var wg sync.WaitGroup
			for k := range bodies[i] {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var buf bytes.Buffer
					for _, m := range ms[k*per : min((k+1)*per, len(ms))] {
						rec, _ := json.Marshal(m)
						doc, err := mentionDoc(index.NewMentionDoc(m, p.has), rec, p)
						if err != nil {
							panic(err)
						}
						fmt.Fprintf(&buf, `{"index":{"_index":%q,"_id":%q}}`+"\n%s\n", be.MentionIndex(m.CreatedAt), m.ID, doc)
					}
					bodies[i][k] = buf.Bytes()
				}()
			}
			wg.Wait()
		}
		encodeTime += time.Since(encStart)
		turn(plain, func() {
			for _, reqs := range bodies {
				errc := make(chan error, len(reqs))
				for _, body := range reqs {
					go func(body []byte) {
						var res struct {
							Errors bool `json:"errors"`
						}
						err := be.do(ctx, esapi.BulkRequest{Body: bytes.NewReader(body), FilterPath: []string{"errors"}}, &res)
						if err == nil && res.Errors {
							err = fmt.Errorf("the node refused items")
						}
						errc <- err
					}(body)
				}
				for range reqs {
					if err := <-errc; err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
	b.Logf("load average before: %s", loadAvg())
	b.ResetTimer()
	b.StopTimer()
	for round := range rounds {
		if round%2 == 0 {
			backendTurn()
			plainTurn()
		} else {
			plainTurn()
			backendTurn()
		}
		docs += perRound * benchBatch
	}
	bRate, pRate := float64(docs)/backend.elapsed.Seconds(), float64(docs)/plain.elapsed.Seconds()
	perDoc := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(docs) }
	b.ReportMetric(bRate, "backend-docs/s")
	b.ReportMetric(pRate, "plain-docs/s")
	b.ReportMetric(bRate/pRate, "ratio")
	eRate := float64(docs) / (plain.elapsed + encodeTime).Seconds()
	b.ReportMetric(bRate/eRate, "ratio-vs-encoding-loader")
	b.ReportMetric(perDoc(backend.node), "backend-node-µs/doc")
	b.ReportMetric(perDoc(plain.node), "plain-node-µs/doc")
	b.ReportMetric(perDoc(backend.client), "backend-client-µs/doc")
	b.ReportMetric(perDoc(plain.client), "plain-client-µs/doc")
	b.Logf("%d docs each: backend %.0f docs/s (node %.0f µs, client %.0f µs CPU/doc), plain _bulk loader %.0f docs/s (node %.0f µs, client %.0f µs), ratio %.2f; the loader encoding its batches first (in parallel) %.0f docs/s, ratio %.2f; load average after: %s",
		docs, bRate, perDoc(backend.node), perDoc(backend.client), pRate, perDoc(plain.node), perDoc(plain.client), bRate/pRate, eRate, bRate/eRate, loadAvg())
	b.Logf("the node's work for the backend's writes: %s", backend.work)
	b.Logf("the node's work for the loader's writes: %s", plain.work)
}
