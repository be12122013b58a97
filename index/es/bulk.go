package es

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/earshothq/earshot/index"
)

// bulkItem is one action of a bulk request; an empty action is skipped (its
// error is already set).
type bulkItem struct {
	action string // "index", "delete" or "update"
	index  string
	id     string
	doc    []byte
	status int // the item's HTTP status in the last bulk response
}

// bulkIndexer is the backend's one long-lived bulk writer. Unlike an
// asynchronous indexer that flushes on a timer, it writes exactly the items
// it is given and returns one outcome per item, which is what a consumer
// that commits offsets only for settled messages needs. Items refused with
// 429 or 5xx (and requests that fail as a whole) are retried with
// exponential backoff; any other per-item refusal is permanent.
type bulkIndexer struct {
	client  *elasticsearch.Client
	cfg     Config
	logger  *slog.Logger
	bufPool sync.Pool
	sem     chan struct{}
}

func newBulkIndexer(client *elasticsearch.Client, cfg Config, logger *slog.Logger) *bulkIndexer {
	return &bulkIndexer{
		client: client, cfg: cfg, logger: logger,
		bufPool: sync.Pool{New: func() any { return new(bytes.Buffer) }},
		sem:     make(chan struct{}, cfg.Workers),
	}
}

// write sends items whose errs entry is nil and fills errs.
func (w *bulkIndexer) write(ctx context.Context, items []bulkItem, errs []error) {
	var pending []int
	for i := range items {
		if errs[i] == nil && items[i].action != "" {
			pending = append(pending, i)
		}
	}
	if len(pending) == 0 {
		return
	}
	w.retry(ctx, items, w.send(ctx, items, pending, errs), errs)
}

// retry resends the items a first attempt left retryable, with backoff,
// up to MaxRetries times.
func (w *bulkIndexer) retry(ctx context.Context, items []bulkItem, retry []int, errs []error) {
	backoff := w.cfg.RetryBackoff
	for attempt := 0; len(retry) > 0; attempt++ {
		if attempt >= w.cfg.MaxRetries || ctx.Err() != nil {
			return // the retryable errors stay in errs for the stage to retry later
		}
		w.logger.Warn("retrying bulk items", "items", len(retry), "attempt", attempt+1, "backoff", backoff, "error", errs[retry[0]])
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
		retry = w.send(ctx, items, retry, errs)
	}
}

// pipelineChunks is how many bulk requests one write is cut into per
// worker when it is encoded and sent at once (writeEncoded). One: the
// first chunk is sent as soon as it is encoded, while the rest is encoded.
// Measured with the encoding in the loop (BulkVsPlain's exploratory
// variants, 16,000 documents each, alternating): one request per worker
// 14,761 docs/s, two 13,028, four 10,681; each request costs the node a
// bulk of its own per shard and a translog sync.
const pipelineChunks = 1

// writeEncoded encodes and sends items as a pipeline: encode(i) fills
// items[i] (or errs[i]); the items are cut into chunks of about
// len/(Workers*pipelineChunks), and each chunk is sent as soon as it is
// encoded while the next one is encoded, with at most Workers requests in
// flight. Encoding a whole batch before sending any of it left the
// cluster idle while the client encoded, and the client idle while the
// cluster indexed. Items refused with 429/5xx are then retried as write
// retries them; other refusals are permanent per item.
func (w *bulkIndexer) writeEncoded(ctx context.Context, items []bulkItem, errs []error, encode func(i int)) {
	n := len(items)
	step := max(32, (n+w.cfg.Workers*pipelineChunks-1)/(w.cfg.Workers*pipelineChunks))
	sendq := make(chan []int)
	var (
		mu    sync.Mutex
		retry []int
		wg    sync.WaitGroup
	)
	for range w.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for chunk := range sendq {
				w.sem <- struct{}{}
				r := w.sendChunk(ctx, items, chunk, errs)
				<-w.sem
				mu.Lock()
				retry = append(retry, r...)
				mu.Unlock()
			}
		}()
	}
	for lo := 0; lo < n; lo += step {
		hi := min(lo+step, n)
		inParallel(hi-lo, w.cfg.Workers, func(i int) { encode(lo + i) })
		var chunk []int
		size := 0
		for i := lo; i < hi; i++ {
			if errs[i] != nil || items[i].action == "" {
				continue
			}
			if n := len(items[i].doc) + 200; size+n > w.cfg.FlushBytes && len(chunk) > 0 {
				sendq <- chunk
				chunk, size = nil, 0
			}
			chunk = append(chunk, i)
			size += len(items[i].doc) + 200
		}
		if len(chunk) > 0 {
			sendq <- chunk // waits while Workers requests are in flight
		}
	}
	close(sendq)
	wg.Wait()
	w.retry(ctx, items, retry, errs)
}

// splitAbove is the size of a write worth splitting across workers.
const splitAbove = 256 << 10

// send writes the pending items in chunks of at most FlushBytes, Workers
// at a time, and returns the items worth retrying.
func (w *bulkIndexer) send(ctx context.Context, items []bulkItem, pending []int, errs []error) []int {
	// A large write is split at least Workers ways, so the cluster indexes
	// it on as many threads.
	limit, total := w.cfg.FlushBytes, 0
	for _, i := range pending {
		total += len(items[i].doc) + 200
	}
	if total > splitAbove {
		limit = min(limit, total/w.cfg.Workers+1)
	}
	var chunks [][]int
	var cur []int
	size := 0
	for _, i := range pending {
		n := len(items[i].doc) + 200
		if size+n > limit && len(cur) > 0 {
			chunks = append(chunks, cur)
			cur, size = nil, 0
		}
		cur = append(cur, i)
		size += n
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	var mu sync.Mutex
	var retry []int
	var wg sync.WaitGroup
	for _, chunk := range chunks {
		w.sem <- struct{}{}
		wg.Add(1)
		go func(chunk []int) {
			defer func() { <-w.sem; wg.Done() }()
			r := w.sendChunk(ctx, items, chunk, errs)
			mu.Lock()
			retry = append(retry, r...)
			mu.Unlock()
		}(chunk)
	}
	wg.Wait()
	return retry
}

// writeMeta writes the action line of an item.
func writeMeta(buf *bytes.Buffer, it bulkItem) {
	buf.WriteString(`{"`)
	buf.WriteString(it.action)
	buf.WriteString(`":{"_index":`)
	writeJSONString(buf, it.index)
	buf.WriteString(`,"_id":`)
	writeJSONString(buf, it.id)
	buf.WriteString("}}\n")
}

func writeJSONString(buf *bytes.Buffer, s string) {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= 0x20 && c < utf8.RuneSelf && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	if plain {
		buf.WriteByte('"')
		buf.WriteString(s)
		buf.WriteByte('"')
		return
	}
	data, _ := json.Marshal(s)
	buf.Write(data)
}

type bulkResponse struct {
	Errors bool               `json:"errors"`
	Items  []bulkResponseItem `json:"items"`
}

// bulkResponseItem holds the result under the item's action name.
type bulkResponseItem struct {
	Index  *bulkItemResult `json:"index"`
	Create *bulkItemResult `json:"create"`
	Update *bulkItemResult `json:"update"`
	Delete *bulkItemResult `json:"delete"`
}

func (it bulkResponseItem) result() bulkItemResult {
	for _, r := range []*bulkItemResult{it.Index, it.Create, it.Update, it.Delete} {
		if r != nil {
			return *r
		}
	}
	return bulkItemResult{}
}

// bulkFilterPath trims the bulk response to what is checked per item.
var bulkFilterPath = []string{"errors", "items.*.status", "items.*.error.type", "items.*.error.reason"}

type bulkItemResult struct {
	Status int `json:"status"`
	Error  *struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"error"`
}

func (w *bulkIndexer) sendChunk(ctx context.Context, items []bulkItem, chunk []int, errs []error) (retry []int) {
	buf := w.bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer w.bufPool.Put(buf)
	for _, i := range chunk {
		it := items[i]
		writeMeta(buf, it)
		if it.action != "delete" {
			buf.Write(it.doc)
			buf.WriteByte('\n')
		}
	}
	failAll := func(err error) []int {
		for _, i := range chunk {
			errs[i] = err
		}
		return chunk
	}
	res, err := esapi.BulkRequest{Body: bytes.NewReader(buf.Bytes()), FilterPath: bulkFilterPath}.Do(ctx, w.client)
	if err != nil {
		return failAll(fmt.Errorf("sending bulk request: %w", err))
	}
	defer res.Body.Close()
	if res.IsError() {
		err := readError(res)
		if retryable(res.StatusCode) {
			return failAll(fmt.Errorf("sending bulk request: %w", err))
		}
		for _, i := range chunk {
			errs[i] = index.Permanent(fmt.Errorf("sending bulk request: %w", err))
		}
		return nil
	}
	var br bulkResponse
	if err := json.NewDecoder(res.Body).Decode(&br); err != nil {
		return failAll(fmt.Errorf("decoding bulk response: %w", err))
	}
	if len(br.Items) != len(chunk) {
		return failAll(fmt.Errorf("bulk response has %d items for %d actions", len(br.Items), len(chunk)))
	}
	for k, i := range chunk {
		r := br.Items[k].result()
		items[i].status = r.Status
		switch {
		case r.Status >= 200 && r.Status < 300:
			errs[i] = nil
		case items[i].action == "delete" && r.Status == http.StatusNotFound:
			errs[i] = nil // already gone
		default:
			reason := fmt.Sprintf("status %d", r.Status)
			if r.Error != nil {
				reason = fmt.Sprintf("%s: %s (status %d)", r.Error.Type, r.Error.Reason, r.Status)
			}
			err := fmt.Errorf("elasticsearch refused %s %s: %s", items[i].action, items[i].id, reason)
			if retryable(r.Status) {
				errs[i] = err
				retry = append(retry, i)
			} else {
				errs[i] = index.Permanent(err)
			}
		}
	}
	return retry
}
