// Package bleve is the embedded search backend: two bleve indices (mentions
// and profiles) in one directory, owned by one process, written in batches.
//
// The mention index is laid out for indexing speed and listening queries
// (measured with `go run ./bench/index`, see bench/index):
//
//   - only what is searched, filtered, faceted or sorted is indexed; the
//     record itself is stored once, as JSON, and returned by searches;
//   - text goes into two fields: the language-neutral one and the field of
//     its detected language (not one per language), both with positions
//     for phrases; a one-word query reads no positions (translator.word);
//   - time is a sortable key plus month/day/hour terms (timerange.go), not
//     a bleve date field with sixteen terms per value;
//   - facet, histogram and sort fields have doc values, the common ones
//     stored directly per document (directDocValues);
//   - documents are built from the mapping without reflection (docBuilder);
//   - a batch is durable when UpsertMentions returns (scorchConfig).
package bleve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bq "github.com/blevesearch/bleve/v2/search/query"
	"github.com/prometheus/client_golang/prometheus"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/internal/confx"
	"github.com/earshothq/earshot/record"
)

// Config configures the embedded index.
type Config struct {
	// Path is the directory holding mentions.bleve and profiles.bleve.
	Path string `yaml:"path"`
	// InMemory keeps both indices in memory (tests, throw-away runs).
	InMemory bool `yaml:"in_memory"`
	// RollupHourlyDays is how many recent days keep hourly counts per
	// facet value (see rollup.go); older hours keep totals by sentiment.
	RollupHourlyDays int `yaml:"rollup_hourly_days"`
	// QueryCacheEntries bounds the day cache of counting searches
	// (daycache.go): 0 takes DefaultQueryCacheEntries, a negative value
	// turns it off.
	QueryCacheEntries int `yaml:"query_cache_entries"`
}

// DefaultConfig returns the default configuration.
func DefaultConfig() Config { return Config{Path: "data/index", RollupHourlyDays: DefaultHourlyDays} }

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	var errs []error
	if !c.InMemory && c.Path == "" {
		errs = append(errs, confx.Keyf("embedded.path", "is empty (set path or in_memory: true)"))
	}
	if c.RollupHourlyDays < 0 || c.RollupHourlyDays > 366 {
		errs = append(errs, confx.Keyf("embedded.rollup_hourly_days", "%d is out of range 0..366", c.RollupHourlyDays))
	}
	return errors.Join(errs...)
}

// Backend is the embedded index. It is safe for concurrent use.
type Backend struct {
	mentions  bleve.Index
	docs      *docBuilder
	languages languageSet
	profiles  bleve.Index
	logger    *slog.Logger
	metrics   *index.Metrics
	dir       string // "" in memory
	// wmu serialises mention writes, which keeps the rollups exact.
	wmu  sync.Mutex
	roll *rollups
	days *dayCache
}

var _ index.Backend = (*Backend)(nil)

const internalSchemaKey = "earshot_schema"

// Open opens (or creates) the embedded index described by cfg.
func Open(cfg Config, logger *slog.Logger, reg prometheus.Registerer) (*Backend, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	mm, err := mentionMapping()
	if err != nil {
		return nil, fmt.Errorf("building the mention mapping: %w", err)
	}
	pm, err := profileMapping()
	if err != nil {
		return nil, fmt.Errorf("building the profile mapping: %w", err)
	}
	b := &Backend{logger: logger.With("component", "index", "backend", "embedded"), metrics: index.NewMetrics(reg, "embedded")}
	cacheEntries := cfg.QueryCacheEntries
	if cacheEntries == 0 {
		cacheEntries = DefaultQueryCacheEntries
	}
	b.days = newDayCache(cacheEntries)
	if b.mentions, err = openIndex(cfg, "mentions.bleve", mm); err != nil {
		return nil, err
	}
	if b.profiles, err = openIndex(cfg, "profiles.bleve", pm); err != nil {
		b.mentions.Close()
		return nil, err
	}
	if b.docs, err = newDocBuilder(b.mentions.Mapping()); err != nil {
		b.Close()
		return nil, err
	}
	fields, err := b.mentions.Fields()
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("listing the mention index's fields: %w", err)
	}
	for _, a := range Analysers {
		if slices.Contains(fields, index.LanguageFieldName(a)) {
			b.languages.add(a)
		}
	}
	if !cfg.InMemory {
		b.dir = cfg.Path
	}
	if err := b.openRollups(cfg.RollupHourlyDays); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// scorchConfig is the storage engine's configuration, stated rather than
// inherited from bleve's defaults because durability depends on it.
//
// unsafe_batch stays false: Batch returns only after the new segment file
// is fsynced and the index root (a bolt file) is committed, so a write the
// stage has acknowledged survives a crash. The stage commits Kafka offsets
// only after that, so a crash at any point loses nothing: unacknowledged
// records are consumed again and overwrite their own documents (ids are
// deterministic). The cost is two fsyncs per batch (about 10 ms each here),
// small next to indexing 1,000 documents.
//
// numSnapshotsToKeep 1: no rollback points, so merged-away segment files
// are deleted at once instead of filling the disk.
//
// bolt_timeout: the index root is locked by the process that has it open;
// another process (a second hub, `earshot search --direct`) gives up after
// lockTimeout with ErrInUse instead of waiting for ever.
func scorchConfig() map[string]any {
	return map[string]any{
		"unsafe_batch":       false,
		"numSnapshotsToKeep": 1,
		"bolt_timeout":       lockTimeout.String(),
		// bleve's default merge plan, except that it plans with segments'
		// own sizes down to 10 documents instead of rounding every one under
		// 2,000 up to 2,000. A listening stream writes small partial batches
		// (a form post is one or two documents); with the default, merging
		// them took 64 % of `earshot run`'s CPU at 50 form posts/s, with
		// this 4 % (index/bleve/README.md).
		"scorchMergePlanOptions": map[string]any{"FloorSegmentSize": 10},
	}
}

// lockTimeout is how long opening waits for another process's lock.
var lockTimeout = 10 * time.Second

// ErrInUse is returned by Open when another process holds the index.
var ErrInUse = errors.New("the index is in use by another process (a running hub?)")

func openIndex(cfg Config, name string, m mapping.IndexMapping) (bleve.Index, error) {
	if cfg.InMemory {
		// scorch with no path keeps its segments in memory: the same engine
		// as on disk, so tests exercise what production runs.
		idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
		if err != nil {
			return nil, fmt.Errorf("creating in-memory index %s: %w", name, err)
		}
		return idx, idx.SetInternal([]byte(internalSchemaKey), []byte(schemaVersion))
	}
	path := filepath.Join(cfg.Path, name)
	if _, err := os.Stat(path); err == nil {
		idx, err := bleve.OpenUsing(path, scorchConfig())
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("opening index %s: %w", path, ErrInUse)
		}
		if err != nil {
			return nil, fmt.Errorf("opening index %s: %w", path, err)
		}
		v, err := idx.GetInternal([]byte(internalSchemaKey))
		if err != nil || string(v) != schemaVersion {
			idx.Close()
			return nil, fmt.Errorf("opening index %s: it was written with schema %q, this build uses %q; move it away and replay the topics to rebuild it", path, v, schemaVersion)
		}
		return idx, nil
	}
	if err := os.MkdirAll(cfg.Path, 0o755); err != nil {
		return nil, fmt.Errorf("creating index directory: %w", err)
	}
	idx, err := bleve.NewUsing(path, m, scorch.Name, scorch.Name, scorchConfig())
	if err != nil {
		return nil, fmt.Errorf("creating index %s: %w", path, err)
	}
	return idx, idx.SetInternal([]byte(internalSchemaKey), []byte(schemaVersion))
}

// EnsureSchema is satisfied at Open: the mapping is fixed when an index is
// created and checked when it is opened.
func (b *Backend) EnsureSchema(context.Context) error { return nil }

// Refresh is a no-op: a bleve batch is searchable when Batch returns.
func (b *Backend) Refresh(context.Context) error { return nil }

// Close closes both indices.
func (b *Backend) Close() error {
	return errors.Join(b.closeRollups(), b.mentions.Close(), b.profiles.Close())
}

// commit writes a batch and, if it fails, marks every item still nil.
func (b *Backend) commit(ctx context.Context, idx bleve.Index, batch *bleve.Batch, errs []error, kind string) {
	if batch.Size() > 0 {
		if err := ctx.Err(); err != nil {
			fill(errs, fmt.Errorf("writing %s batch: %w", kind, err))
		} else if err := idx.Batch(batch); err != nil {
			fill(errs, fmt.Errorf("writing %s batch: %w", kind, err))
		}
	}
	b.metrics.CountWrites(kind, errs)
}

func fill(errs []error, err error) {
	for i := range errs {
		if errs[i] == nil {
			errs[i] = err
		}
	}
}

func profileDoc(p *index.Profile) (map[string]any, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding profile %s: %w", p.ID, err)
	}
	names := p.Name + "\n" + p.Company
	for _, e := range p.Emails {
		names += "\n" + e
	}
	for _, h := range p.Handles {
		names += "\n" + h
	}
	aspects := make([]string, 0, len(p.Aspects))
	for _, a := range p.Aspects {
		aspects = append(aspects, a.Name)
	}
	doc := map[string]any{
		fieldRaw:           string(raw),
		pfKind:             p.Kind,
		pfStatus:           index.Keyword(p.Status),
		pfName:             names,
		pfLeadScore:        p.LeadScore,
		pfMentionCount:     float64(p.MentionCount),
		"aspects":          aspects,
		"aspects_negative": p.AspectsNegative,
		"aspects_positive": p.AspectsPositive,
		"brands":           p.Brands,
		"products":         p.Products,
		"competitors":      p.Competitors,
		"languages":        p.Languages,
	}
	if p.LastSeen != nil {
		doc[pfLastSeen] = p.LastSeen.UTC()
	}
	return doc, nil
}

// UpsertProfiles indexes ps in one batch.
func (b *Backend) UpsertProfiles(ctx context.Context, ps []*index.Profile) []error {
	errs := make([]error, len(ps))
	batch := b.profiles.NewBatch()
	for i, p := range ps {
		doc, err := profileDoc(p)
		if err == nil {
			err = batch.Index(p.ID, doc)
		}
		if err != nil {
			errs[i] = index.Permanent(fmt.Errorf("indexing profile: %w", err))
		}
	}
	b.commit(ctx, b.profiles, batch, errs, "profile")
	return errs
}

// DeleteProfiles deletes profiles by id; unknown ids are not an error.
func (b *Backend) DeleteProfiles(ctx context.Context, ids []string) []error {
	errs := make([]error, len(ids))
	batch := b.profiles.NewBatch()
	for _, id := range ids {
		batch.Delete(id)
	}
	b.commit(ctx, b.profiles, batch, errs, "profile")
	b.metrics.Deleted.WithLabelValues("profile").Add(float64(len(ids)))
	return errs
}

// DeletePerson deletes the person's mentions and profiles.
func (b *Backend) DeletePerson(ctx context.Context, p index.Person) (int, error) {
	if p.Empty() {
		return 0, errors.New("deleting person: no customer id, prospect id or e-mail given")
	}
	var qs []bq.Query
	if p.CustomerID != "" {
		qs = append(qs, termQuery("customer_id", p.CustomerID))
	}
	for _, id := range p.ProspectIDs {
		qs = append(qs, termQuery("prospect_id", id))
	}
	for _, e := range p.Emails {
		qs = append(qs, termQuery(fieldEmail, index.Keyword(e)))
	}
	for _, s := range p.Subjects {
		qs = append(qs, termQuery(fieldSubject, s))
	}
	deleted, err := b.deleteMatching(ctx, bq.NewDisjunctionQuery(qs))
	if err != nil {
		return deleted, fmt.Errorf("deleting the person's mentions: %w", err)
	}
	if err := errors.Join(b.DeleteProfiles(ctx, p.ProfileIDs())...); err != nil {
		return deleted, fmt.Errorf("deleting the person's profiles: %w", err)
	}
	if err := b.purge(ctx); err != nil {
		return deleted, err
	}
	return deleted, nil
}

func termQuery(field, value string) *bq.TermQuery {
	q := bq.NewTermQuery(value)
	q.SetField(field)
	return q
}

// GetMention returns the stored record of a mention.
func (b *Backend) GetMention(ctx context.Context, id string) (*record.EnrichedMention, error) {
	raw, err := getRaw(ctx, b.mentions, id)
	if err != nil {
		return nil, err
	}
	var m record.EnrichedMention
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decoding stored mention %s: %w", id, err)
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
		return nil, fmt.Errorf("getting %s: %w", id, index.ErrNotFound)
	}
	return ps[0], nil
}

// GetProfiles returns stored profiles by id, nil for an unknown one, with
// one search for all of them: the index stage reads the profiles of a
// batch's people at once, and a search per person cost it about 5 % of
// its time.
func (b *Backend) GetProfiles(ctx context.Context, ids []string) ([]*index.Profile, error) {
	out := make([]*index.Profile, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	req := bleve.NewSearchRequestOptions(bq.NewDocIDQuery(ids), len(ids), 0, false)
	req.Score = "none"
	req.Fields = []string{fieldRaw}
	res, err := b.profiles.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("getting %d profiles: %w", len(ids), err)
	}
	found := make(map[string]*index.Profile, len(res.Hits))
	for _, h := range res.Hits {
		p, err := hitProfile(h)
		if err != nil {
			return nil, err
		}
		found[h.ID] = p
	}
	for i, id := range ids {
		out[i] = found[id]
	}
	return out, nil
}

func getRaw(ctx context.Context, idx bleve.Index, id string) ([]byte, error) {
	req := bleve.NewSearchRequestOptions(bq.NewDocIDQuery([]string{id}), 1, 0, false)
	req.Fields = []string{fieldRaw}
	res, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("getting %s: %w", id, err)
	}
	if len(res.Hits) == 0 {
		return nil, fmt.Errorf("getting %s: %w", id, index.ErrNotFound)
	}
	return rawField(res.Hits[0].Fields)
}

func rawField(fields map[string]any) ([]byte, error) {
	s, ok := fields[fieldRaw].(string)
	if !ok {
		return nil, errors.New("stored document has no record")
	}
	return unpackRecord([]byte(s))
}

// DocCount reports how many mentions and profiles are indexed.
func (b *Backend) DocCount() (mentions, profiles uint64, err error) {
	if mentions, err = b.mentions.DocCount(); err != nil {
		return 0, 0, fmt.Errorf("counting mentions: %w", err)
	}
	if profiles, err = b.profiles.DocCount(); err != nil {
		return 0, 0, fmt.Errorf("counting profiles: %w", err)
	}
	return mentions, profiles, nil
}

// EngineStats describes the mention index's storage, for benchmarks and
// operators: file segments in the current snapshot (merging lowers it),
// bytes on disk, and whether merges are still pending.
type EngineStats struct {
	FileSegments   uint64
	MemorySegments uint64
	DiskBytes      uint64
}

// MentionStats reads the mention index's EngineStats.
func (b *Backend) MentionStats() EngineStats {
	m, _ := b.mentions.StatsMap()["index"].(map[string]any)
	u := func(k string) uint64 { v, _ := m[k].(uint64); return v }
	return EngineStats{FileSegments: u("num_root_filesegments"), MemorySegments: u("num_root_memorysegments"), DiskBytes: u("num_bytes_used_disk")}
}

// languageSet tracks the language analysers that have indexed text, so
// that a search looks only in text fields that exist.
type languageSet struct {
	mu     sync.Mutex
	seen   map[string]bool
	fields atomic.Pointer[[]string] // neutral field + seen language fields, sorted
}

func (s *languageSet) add(keys ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := s.fields.Load() == nil
	for _, k := range keys {
		if !s.seen[k] {
			if s.seen == nil {
				s.seen = map[string]bool{}
			}
			s.seen[k] = true
			changed = true
		}
	}
	if !changed {
		return
	}
	out := []string{index.NeutralField}
	for k := range s.seen {
		out = append(out, index.LanguageFieldName(k))
	}
	slices.Sort(out[1:])
	s.fields.Store(&out)
}

// textFields are the fields a full-text word is searched in.
func (s *languageSet) textFields() []string {
	if f := s.fields.Load(); f != nil {
		return *f
	}
	return []string{index.NeutralField}
}

func (b *Backend) translator() translator {
	return translator{textFields: b.languages.textFields(), mapping: b.mentions.Mapping()}
}
