// Package es is the Elasticsearch backend: mentions in monthly indices
// behind one alias (old months are dropped whole), profiles in one index,
// both created from index templates with explicit, strict mappings, and
// writes through one long-lived bulk indexer that checks every item.
//
// The mappings follow what the cluster can analyse (see analysis.go): its
// own language analysers where it has them, Earshot's Go analysers where
// it does not. Erasure needs no _delete_by_query. README.md has the
// figures measured against a real node.
package es

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/internal/confx"
	"github.com/earshothq/earshot/record"
)

// Config configures the Elasticsearch backend.
type Config struct {
	Addresses []string `yaml:"addresses"`
	Username  string   `yaml:"username"`
	Password  string   `yaml:"password"`
	APIKey    string   `yaml:"api_key"`
	// CAFile is a PEM bundle of the CAs to trust for https addresses (ES 8
	// writes its own to config/certs/http_ca.crt); empty: the system's roots.
	CAFile string `yaml:"ca_file"`
	// CAFingerprint pins the cluster's CA by the SHA-256 fingerprint ES 8
	// prints on first start (hex, colons allowed) instead of a CA file.
	CAFingerprint string `yaml:"ca_fingerprint"`
	// IndexPrefix names everything Earshot creates: PREFIX-mentions (alias),
	// PREFIX-mentions-YYYY.MM (monthly indices), PREFIX-profiles.
	IndexPrefix string `yaml:"index_prefix"`
	// CompatibilityMode asks the cluster for the 8.x REST API
	// (Accept/Content-Type: application/vnd.elasticsearch+json;
	// compatible-with=8). This v8 client needs it to talk to 9.x clusters,
	// which honour 8.x requests and responses in that mode; an 8.x cluster
	// ignores it, so it is on by default.
	CompatibilityMode bool `yaml:"compatibility_mode"`
	Shards            int  `yaml:"shards"`
	Replicas          int  `yaml:"replicas"`
	// RefreshInterval is how soon a write becomes searchable by itself
	// (0: the cluster's default, 1 s). Writers that must read their own
	// writes call Refresh. Each refresh writes a segment that must later
	// be merged: at 1 s the node spent 24-114 % more CPU per indexed
	// mention than at 30 s (README.md).
	RefreshInterval time.Duration `yaml:"refresh_interval"`
	// FlushBytes splits a large write into bulk requests of about this size,
	// sent by Workers goroutines at once.
	FlushBytes int `yaml:"flush_bytes"`
	Workers    int `yaml:"workers"`
	// MaxRetries is how often a bulk request or item refused with 429 or a
	// 5xx is retried (with exponential backoff from RetryBackoff) before the
	// write reports a retryable error to the stage.
	MaxRetries   int           `yaml:"max_retries"`
	RetryBackoff time.Duration `yaml:"retry_backoff"`
	Timeout      time.Duration `yaml:"timeout"`
	// RollupInterval is how often a process that writes mentions recounts
	// the rollup days its writes (or others') marked dirty. Until then
	// searches count those days from the mentions (rollup.go).
	RollupInterval time.Duration `yaml:"rollup_interval"`
}

// DefaultConfig returns the default configuration.
func DefaultConfig() Config {
	return Config{
		Addresses: []string{"http://127.0.0.1:9200"}, IndexPrefix: "earshot", CompatibilityMode: true,
		Shards: 1, Replicas: 1, RefreshInterval: 5 * time.Second,
		FlushBytes: 5 << 20, Workers: 2, MaxRetries: 5, RetryBackoff: 200 * time.Millisecond, Timeout: 30 * time.Second,
		RollupInterval: 15 * time.Second,
	}
}

// Validate reports settings that cannot work.
func (c Config) Validate() error {
	var errs []error
	if len(c.Addresses) == 0 {
		errs = append(errs, confx.Keyf("elasticsearch.addresses", "is empty"))
	}
	if c.IndexPrefix == "" || strings.ToLower(c.IndexPrefix) != c.IndexPrefix || strings.ContainsAny(c.IndexPrefix, ` ,"*\/<>|?#`) {
		errs = append(errs, confx.Keyf("elasticsearch.index_prefix", "%q must be non-empty lower case without spaces or , \" * \\ / < > | ? #", c.IndexPrefix))
	}
	if c.Shards < 1 || c.Replicas < 0 {
		errs = append(errs, confx.Keyf("elasticsearch.shards", "must be >= 1 and replicas >= 0"))
	}
	if c.FlushBytes < 1024 || c.Workers < 1 {
		errs = append(errs, confx.Keyf("elasticsearch.flush_bytes", "must be >= 1024 and workers >= 1"))
	}
	if c.RefreshInterval < 0 || (c.RefreshInterval > 0 && c.RefreshInterval < time.Millisecond) {
		errs = append(errs, confx.Keyf("elasticsearch.refresh_interval", "must be 0 (cluster default) or at least 1ms"))
	}
	if c.MaxRetries < 0 || c.RetryBackoff <= 0 || c.Timeout <= 0 {
		errs = append(errs, confx.Keyf("elasticsearch.max_retries", "must be >= 0, retry_backoff and timeout positive"))
	}
	if c.RollupInterval < time.Second {
		errs = append(errs, confx.Keyf("elasticsearch.rollup_interval", "must be at least 1s"))
	}
	errs = append(errs, c.validateSecurity()...)
	return errors.Join(errs...)
}

// Backend is the Elasticsearch backend. It is safe for concurrent use.
type Backend struct {
	cfg     Config
	client  *elasticsearch.Client
	bulk    *bulkIndexer
	logger  *slog.Logger
	metrics *index.Metrics

	planMu sync.Mutex
	plan   atomic.Pointer[textPlan] // set by EnsureSchema, or on first use

	// erasePage is how many mentions one erasure search returns.
	erasePage int

	rollupKeeper
	rollupsReady atomic.Bool
	// regexpRefused: the cluster refused a regular expression (relink.go).
	regexpRefused atomic.Bool
	// exactOnly answers every search by aggregating mentions (tests
	// compare it with the rollups).
	exactOnly bool
}

var _ index.Backend = (*Backend)(nil)

// Open builds a client for cfg. It does not contact the cluster; call
// EnsureSchema for that.
func Open(cfg Config, logger *slog.Logger, reg prometheus.Registerer) (*Backend, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	transport, err := cfg.transport()
	if err != nil {
		return nil, err
	}
	client, err := elasticsearch.NewClient(elasticsearch.Config{
		Addresses: cfg.Addresses, Username: cfg.Username, Password: cfg.Password, APIKey: cfg.APIKey,
		EnableCompatibilityMode: cfg.CompatibilityMode,
		// The backend retries itself (per item too); the transport only
		// retries connection errors once so a dead node fails over quickly.
		RetryOnStatus: []int{502, 503, 504},
		MaxRetries:    1,
		Transport:     transport,
	})
	if err != nil {
		return nil, fmt.Errorf("creating elasticsearch client: %w", err)
	}
	b := &Backend{cfg: cfg, client: client, logger: logger.With("component", "index", "backend", "elasticsearch"),
		metrics: index.NewMetrics(reg, "elasticsearch"), erasePage: 1000}
	b.bulk = newBulkIndexer(client, cfg, b.logger)
	return b, nil
}

func (b *Backend) mentionAlias() string   { return b.cfg.IndexPrefix + "-mentions" }
func (b *Backend) profileIndex() string   { return b.cfg.IndexPrefix + "-profiles" }
func (b *Backend) mentionPattern() string { return b.cfg.IndexPrefix + "-mentions-*" }

// MentionIndex is the monthly index a mention created at t lives in. A
// record's created_at never changes, so its id always lands in one index.
func (b *Backend) MentionIndex(t time.Time) string {
	return b.cfg.IndexPrefix + "-mentions-" + t.UTC().Format("2006.01")
}

// esError is an error response of Elasticsearch.
type esError struct {
	Status int
	Type   string
	Reason string
}

func (e *esError) Error() string {
	if hint := authHint(e.Status, e.Reason); hint != "" {
		return fmt.Sprintf("elasticsearch answered %d %s: %s: %s", e.Status, e.Type, hint, e.Reason)
	}
	return fmt.Sprintf("elasticsearch answered %d %s: %s", e.Status, e.Type, e.Reason)
}

func retryable(status int) bool { return status == 429 || status >= 500 }

// do performs req and decodes a 2xx body into out (if not nil).
func (b *Backend) do(ctx context.Context, req esapi.Request, out any) error {
	res, err := req.Do(ctx, b.client)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.IsError() {
		return readError(res)
	}
	if out == nil {
		_, err := io.Copy(io.Discard, res.Body)
		return err
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return fmt.Errorf("decoding elasticsearch response: %w", err)
	}
	return nil
}

func readError(res *esapi.Response) error {
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	data, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	e := &esError{Status: res.StatusCode, Reason: strings.TrimSpace(string(data))}
	if json.Unmarshal(data, &body) == nil && len(body.Error) > 0 {
		var cause struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		}
		if json.Unmarshal(body.Error, &cause) == nil && cause.Type != "" {
			e.Type, e.Reason = cause.Type, cause.Reason
		}
	}
	return e
}

func body(v any) io.Reader {
	data, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encoding an elasticsearch request: %v", err)) // only our own maps are encoded
	}
	return bytes.NewReader(data)
}

// EnsureSchema finds out which text analysis the cluster has, installs
// the index templates built for it, creates the profile index and the
// current month's mention index (so the alias always resolves), and adds
// any new fields to the mention indices that already exist.
func (b *Backend) EnsureSchema(ctx context.Context) error {
	p, err := b.detectPlan(ctx)
	if err != nil {
		return err
	}
	b.warnIfPlanChanged(ctx, p)
	if err := b.do(ctx, esapi.IndicesPutIndexTemplateRequest{Name: b.mentionAlias(),
		Body: body(mentionTemplate(b.mentionPattern(), b.mentionAlias(), indexSettings(b.cfg, p), p))}, nil); err != nil {
		return fmt.Errorf("putting the mention index template: %w", err)
	}
	if err := b.do(ctx, esapi.IndicesPutIndexTemplateRequest{Name: b.profileIndex(),
		Body: body(profileTemplate(b.profileIndex(), indexSettings(b.cfg, p), p))}, nil); err != nil {
		return fmt.Errorf("putting the profile index template: %w", err)
	}
	for _, name := range []string{b.profileIndex(), b.MentionIndex(time.Now())} {
		err := b.do(ctx, esapi.IndicesCreateRequest{Index: name}, nil)
		var ee *esError
		if err != nil && !(errors.As(err, &ee) && ee.Type == "resource_already_exists_exception") {
			return fmt.Errorf("creating index %s: %w", name, err)
		}
	}
	// Indices made from an older template get the text fields this plan
	// writes (only those: the other fields never change with the plan).
	// The subject field (erasure finds a person's mentions by it) came
	// later than the rest too.
	mprops := textProperties(mentionProperties(p))
	mprops["subject"] = keyword
	if err := b.do(ctx, esapi.IndicesPutMappingRequest{Index: []string{b.mentionPattern()},
		Body: body(obj{"properties": mprops})}, nil); err != nil {
		return fmt.Errorf("adding the text fields to the mention indices: %w", err)
	}
	if err := b.do(ctx, esapi.IndicesPutMappingRequest{Index: []string{b.profileIndex()},
		Body: body(obj{"properties": textProperties(profileProperties(p))})}, nil); err != nil {
		return fmt.Errorf("adding the text fields to the profile index: %w", err)
	}
	if err := b.ensureRollups(ctx); err != nil {
		return err
	}
	b.plan.Store(p)
	b.logPlan(p)
	return nil
}

// textPlan returns the plan of EnsureSchema, or detects it on first use by
// a process that did not call EnsureSchema.
func (b *Backend) textPlan(ctx context.Context) (*textPlan, error) {
	if p := b.plan.Load(); p != nil {
		return p, nil
	}
	b.planMu.Lock()
	defer b.planMu.Unlock()
	if p := b.plan.Load(); p != nil {
		return p, nil
	}
	p, err := b.detectPlan(ctx)
	if err != nil {
		return nil, err
	}
	b.plan.Store(p)
	b.logPlan(p)
	return p, nil
}

// warnIfPlanChanged compares p with the plan the installed template was
// built for. Months indexed under another plan keep their analysis; their
// mentions stay findable through the neutral field, and replaying the
// enriched topic re-analyses them.
func (b *Backend) warnIfPlanChanged(ctx context.Context, p *textPlan) {
	var res struct {
		IndexTemplates []struct {
			IndexTemplate struct {
				Meta map[string]any `json:"_meta"`
			} `json:"index_template"`
		} `json:"index_templates"`
	}
	if err := b.do(ctx, esapi.IndicesGetIndexTemplateRequest{Name: b.mentionAlias()}, &res); err != nil || len(res.IndexTemplates) == 0 {
		return // first start (404), or nothing to compare with
	}
	old, _ := res.IndexTemplates[0].IndexTemplate.Meta[metaKey].(string)
	if old != p.summary() {
		b.logger.Warn("the cluster's text analysis changed since the mention template was installed; "+
			"existing months keep the old analysis until the enriched topic is replayed",
			"was", old, "now", p.summary())
	}
}

// DropMentionsBefore deletes the monthly mention indices of months that
// ended before t, and returns their names.
func (b *Backend) DropMentionsBefore(ctx context.Context, t time.Time) ([]string, error) {
	var indices []struct {
		Index string `json:"index"`
	}
	if err := b.do(ctx, esapi.CatIndicesRequest{Index: []string{b.mentionPattern()}, Format: "json"}, &indices); err != nil {
		return nil, fmt.Errorf("listing mention indices: %w", err)
	}
	cutoff := b.MentionIndex(t)
	var dropped []string
	for _, ix := range indices {
		if ix.Index < cutoff && strings.HasPrefix(ix.Index, b.cfg.IndexPrefix+"-mentions-") {
			dropped = append(dropped, ix.Index)
		}
	}
	sort.Strings(dropped)
	if len(dropped) == 0 {
		return nil, nil
	}
	if err := b.do(ctx, esapi.IndicesDeleteRequest{Index: dropped}, nil); err != nil {
		return nil, fmt.Errorf("deleting mention indices %v: %w", dropped, err)
	}
	first := t.UTC()
	if err := b.dropRollupsBefore(ctx, time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)); err != nil {
		return dropped, err
	}
	return dropped, nil
}

// Refresh makes acknowledged writes visible to searches.
func (b *Backend) Refresh(ctx context.Context) error {
	t := true
	if err := b.do(ctx, esapi.IndicesRefreshRequest{Index: []string{b.mentionAlias(), b.profileIndex()},
		IgnoreUnavailable: &t, AllowNoIndices: &t}, nil); err != nil {
		return fmt.Errorf("refreshing indices: %w", err)
	}
	return nil
}

// Close stops the rollup recount and releases idle connections.
func (b *Backend) Close() error {
	b.stopRollupKeeper()
	if t, ok := b.client.Transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
	return nil
}

// UpsertMentions writes mentions by id into their monthly index.
func (b *Backend) UpsertMentions(ctx context.Context, ms []*record.EnrichedMention) []error {
	items := make([]bulkItem, len(ms))
	errs := make([]error, len(ms))
	p, err := b.textPlan(ctx)
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
		b.metrics.CountWrites("mention", errs)
		return errs
	}
	b.bulk.writeEncoded(ctx, items, errs, func(i int) {
		m := ms[i]
		if m.ID == "" || m.CreatedAt.IsZero() {
			errs[i] = index.Permanent(fmt.Errorf("mention %q has no id or no created_at", m.ID))
			return
		}
		record, err := json.Marshal(m)
		if err != nil {
			errs[i] = index.Permanent(fmt.Errorf("encoding mention %s: %w", m.ID, err))
			return
		}
		doc, err := mentionDoc(index.NewMentionDoc(m, p.has), record, p)
		if err != nil {
			errs[i] = index.Permanent(fmt.Errorf("encoding mention %s: %w", m.ID, err))
			return
		}
		items[i] = bulkItem{action: "index", index: b.MentionIndex(m.CreatedAt), id: m.ID, doc: doc}
	})
	b.markWritten(ctx, ms, errs)
	b.metrics.CountWrites("mention", errs)
	return errs
}

// inParallel calls f for 0..n-1 on up to workers goroutines (documents are
// encoded and, for languages the cluster lacks, analysed here).
func inParallel(n, workers int, f func(i int)) {
	if n < 64 || workers < 2 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	step := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += step {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				f(i)
			}
		}(lo, min(lo+step, n))
	}
	wg.Wait()
}

// UpsertProfiles writes profiles by id.
func (b *Backend) UpsertProfiles(ctx context.Context, ps []*index.Profile) []error {
	items := make([]bulkItem, len(ps))
	errs := make([]error, len(ps))
	plan, err := b.textPlan(ctx)
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
		b.metrics.CountWrites("profile", errs)
		return errs
	}
	for i, p := range ps {
		if err := p.Validate(); err != nil {
			errs[i] = index.Permanent(err)
			continue
		}
		doc, err := profileDoc(p, plan)
		if err != nil {
			errs[i] = index.Permanent(fmt.Errorf("encoding profile %s: %w", p.ID, err))
			continue
		}
		items[i] = bulkItem{action: "index", index: b.profileIndex(), id: p.ID, doc: doc}
	}
	b.bulk.write(ctx, items, errs)
	b.metrics.CountWrites("profile", errs)
	return errs
}

// DeleteProfiles deletes profiles by id; unknown ids are not an error.
func (b *Backend) DeleteProfiles(ctx context.Context, ids []string) []error {
	items := make([]bulkItem, len(ids))
	for i, id := range ids {
		items[i] = bulkItem{action: "delete", index: b.profileIndex(), id: id}
	}
	errs := make([]error, len(ids))
	b.bulk.write(ctx, items, errs)
	b.metrics.Deleted.WithLabelValues("profile").Add(float64(countDeleted(items, errs)))
	return errs
}

// GetMention finds a mention by id in whichever month holds it.
func (b *Backend) GetMention(ctx context.Context, id string) (*record.EnrichedMention, error) {
	var res searchResponse
	t := true
	err := b.do(ctx, esapi.SearchRequest{Index: []string{b.mentionAlias()}, IgnoreUnavailable: &t, AllowNoIndices: &t,
		Body: body(obj{"query": obj{"ids": obj{"values": []string{id}}}, "_source": []string{"record"}, "size": 1})}, &res)
	if err != nil {
		return nil, fmt.Errorf("getting mention %s: %w", id, err)
	}
	if len(res.Hits.Hits) == 0 {
		return nil, fmt.Errorf("getting mention %s: %w", id, index.ErrNotFound)
	}
	var m record.EnrichedMention
	if err := json.Unmarshal(res.Hits.Hits[0].Source.Record, &m); err != nil {
		return nil, fmt.Errorf("decoding mention %s: %w", id, err)
	}
	return &m, nil
}

// GetProfile returns a stored profile.
func (b *Backend) GetProfile(ctx context.Context, id string) (*index.Profile, error) {
	ps, err := b.GetProfiles(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if ps[0] == nil {
		return nil, fmt.Errorf("getting profile %s: %w", id, index.ErrNotFound)
	}
	return ps[0], nil
}

// mgetChunk bounds the ids one _mget names.
const mgetChunk = 500

// GetProfiles returns stored profiles by id, nil for an unknown one, with
// one _mget per 500 ids: the index stage reads the profiles of a batch's
// people at once, and a GET per person was a round trip each (about 11 %
// of the stage's time on a local node).
func (b *Backend) GetProfiles(ctx context.Context, ids []string) ([]*index.Profile, error) {
	out := make([]*index.Profile, len(ids))
	for lo := 0; lo < len(ids); lo += mgetChunk {
		chunk := ids[lo:min(lo+mgetChunk, len(ids))]
		var res struct {
			Docs []struct {
				ID     string         `json:"_id"`
				Found  bool           `json:"found"`
				Source *index.Profile `json:"_source"`
				Error  *struct {
					Type   string `json:"type"`
					Reason string `json:"reason"`
				} `json:"error"`
			} `json:"docs"`
		}
		req := esapi.MgetRequest{Index: b.profileIndex(), Body: body(map[string]any{"ids": chunk})}
		if err := b.do(ctx, req, &res); err != nil {
			return nil, fmt.Errorf("getting %d profiles: %w", len(chunk), err)
		}
		if len(res.Docs) != len(chunk) {
			return nil, fmt.Errorf("getting %d profiles: elasticsearch answered %d", len(chunk), len(res.Docs))
		}
		for k, d := range res.Docs {
			switch {
			case d.Error != nil && d.Error.Type == "index_not_found_exception":
				// As a GET answers 404: no profile was ever written.
			case d.Error != nil:
				return nil, fmt.Errorf("getting profile %s: %s: %s", d.ID, d.Error.Type, d.Error.Reason)
			case d.Found:
				out[lo+k] = d.Source
			}
		}
	}
	return out, nil
}
