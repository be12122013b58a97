package bleve

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
)

// Rollups are pre-aggregated mention counts that let dashboards over long
// ranges skip counting documents one by one (see rollup_search.go):
//
//   - per UTC day: the number of mentions by sentiment, and by sentiment
//     for every value of every facet field (source, channel, kind,
//     language, intent, aspect, brand, product, competitor);
//   - per UTC hour: the number of mentions by sentiment (hourly
//     histograms), and for hours in the last HourlyDays days also by facet
//     value (so a live "last 24 hours" view needs no exact counting
//     either).
//
// They are kept by the write path, not recounted: every write learns what
// the documents it replaces contributed (the stored record of an id that
// already exists) and applies the difference, so a replayed record, an
// erasure or a retention delete leaves the counts exactly as a recount
// would. Writes are serialised (Backend.wmu) so two writes of one id cannot
// both count it.
//
// The counts live in memory and in PATH/rollups.json, saved at most every
// rollupSaveEvery and on Close. Each mention batch also stores a sequence
// number inside the mention index, in the same atomic commit as its
// documents; the file records the sequence it reflects. When they differ
// at Open (a crash after some batches), or a commit failed in a way that
// leaves its outcome unknown, the counts are rebuilt from the stored
// records, and until then queries count exactly.
type rollups struct {
	mu    sync.RWMutex
	days  map[int64]*cells // UTC day start (unix seconds)
	hours map[int64]*cells // UTC hour start; dims only for recent hours
	// dayKeys and hourKeys are the keys of days and hours, sorted.
	dayKeys, hourKeys []int64
	seq               uint64 // mention batches reflected
	ready             bool   // false: stale or unknown, queries count exactly
	dirty             bool
	saved             time.Time
	hourly            time.Duration // how far back hours keep per-value counts
	now               func() time.Time
}

// cells are the counts of one time bucket.
type cells struct {
	all  sentCounts                       // mentions by sentiment
	dims map[string]map[string]sentCounts // field → value → mentions by sentiment
}

// sentCounts counts by sentiment label; "" is "no sentiment".
type sentCounts map[string]int64

type dimValue struct{ dim, value string }

// rollupDims are the facet fields counted per value, with how to read them
// from a document. Sentiment is in every cell already.
var rollupDims = []struct {
	field  string
	values func(d *index.MentionDoc) []string
}{
	{query.FieldSource, func(d *index.MentionDoc) []string { return one(d.Source) }},
	{query.FieldChannel, func(d *index.MentionDoc) []string { return one(d.Channel) }},
	{query.FieldKind, func(d *index.MentionDoc) []string { return one(d.Kind) }},
	{query.FieldLanguage, func(d *index.MentionDoc) []string { return one(d.Language) }},
	{query.FieldIntent, func(d *index.MentionDoc) []string { return d.Intents }},
	{query.FieldAspect, func(d *index.MentionDoc) []string { return d.Aspects }},
	{query.FieldBrand, func(d *index.MentionDoc) []string { return d.Brands }},
	{query.FieldProduct, func(d *index.MentionDoc) []string { return d.Products }},
	{query.FieldCompetitor, func(d *index.MentionDoc) []string { return d.Competitors }},
}

var isRollupDim = func() map[string]bool {
	m := map[string]bool{}
	for _, d := range rollupDims {
		m[d.field] = true
	}
	return m
}()

func one(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

// DefaultHourlyDays is how many days back hours keep per-value counts.
const DefaultHourlyDays = 14

// rollupSaveEvery bounds how often the counts are written to disk.
const rollupSaveEvery = 10 * time.Second

func newRollups(hourlyDays int, now func() time.Time) *rollups {
	return &rollups{days: map[int64]*cells{}, hours: map[int64]*cells{}, ready: true,
		hourly: time.Duration(hourlyDays) * 24 * time.Hour, now: now}
}

// hourlySince is the first hour whose per-value counts are kept now.
func (r *rollups) hourlySince() int64 {
	return r.now().Add(-r.hourly).Truncate(time.Hour).Unix()
}

// delta is the change one write makes, applied once the write commits.
type delta struct {
	days, hours map[int64]*cells
	since       int64
	// added are the ids a write adds or replaces; removed the days where it
	// takes a document away (for the day cache: a day that only gains
	// documents can be brought up to date by counting the new ones).
	added   []string
	removed map[int64]bool
}

func (r *rollups) newDelta() *delta {
	return &delta{days: map[int64]*cells{}, hours: map[int64]*cells{}, since: r.hourlySince(), removed: map[int64]bool{}}
}

// add counts d's document sign times (+1 written, -1 replaced or deleted).
func (dl *delta) add(d *index.MentionDoc, sign int64) {
	t := d.CreatedAt.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix()
	hour := t.Truncate(time.Hour).Unix()
	dc, hc := bucket(dl.days, day), bucket(dl.hours, hour)
	if sign < 0 {
		dl.removed[day] = true
	}
	dc.all[d.Sentiment] += sign
	hc.all[d.Sentiment] += sign
	withDims := hour >= dl.since
	for _, dim := range rollupDims {
		for _, v := range dim.values(d) {
			dv := dimValue{dim.field, v}
			dc.dim(dv)[d.Sentiment] += sign
			if withDims {
				hc.dim(dv)[d.Sentiment] += sign
			}
		}
	}
}

func bucket(m map[int64]*cells, t int64) *cells {
	c := m[t]
	if c == nil {
		c = &cells{all: sentCounts{}, dims: map[string]map[string]sentCounts{}}
		m[t] = c
	}
	return c
}

func (c *cells) dim(dv dimValue) sentCounts {
	vals := c.dims[dv.dim]
	if vals == nil {
		vals = map[string]sentCounts{}
		c.dims[dv.dim] = vals
	}
	s := vals[dv.value]
	if s == nil {
		s = sentCounts{}
		vals[dv.value] = s
	}
	return s
}

// counts is the counts of one value (nil when there are none).
func (c *cells) counts(dv dimValue) sentCounts { return c.dims[dv.dim][dv.value] }

// apply adds a committed write's delta; seq is the mention batch it was
// committed with.
func (r *rollups) apply(dl *delta, seq uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if merge(r.days, dl.days, 0) {
		r.dayKeys = sortedKeys(r.days)
	}
	// Hours that left the recent window since the delta was made keep no
	// per-value counts.
	if merge(r.hours, dl.hours, r.hourlySince()) {
		r.hourKeys = sortedKeys(r.hours)
	}
	r.seq = seq
	r.dirty = true
}

func sortedKeys(m map[int64]*cells) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// merge adds src into dst and drops counts that reach zero; per-value
// counts of buckets before dimsSince are left out. It reports whether a
// bucket was added or removed.
func merge(dst, src map[int64]*cells, dimsSince int64) (changed bool) {
	for t, sc := range src {
		_, had := dst[t]
		dc := bucket(dst, t)
		changed = changed || !had
		addCounts(dc.all, sc.all)
		if t >= dimsSince {
			for field, vals := range sc.dims {
				for v, s := range vals {
					addCounts(dc.dim(dimValue{field, v}), s)
					if len(dc.dims[field][v]) == 0 {
						delete(dc.dims[field], v)
					}
				}
				if len(dc.dims[field]) == 0 {
					delete(dc.dims, field)
				}
			}
		}
		if len(dc.all) == 0 && len(dc.dims) == 0 {
			delete(dst, t)
			changed = true
		}
	}
	return changed
}

func addCounts(dst, src sentCounts) {
	for s, n := range src {
		if v := dst[s] + n; v != 0 {
			dst[s] = v
		} else {
			delete(dst, s)
		}
	}
}

// prune drops per-value counts of hours that left the recent window.
func (r *rollups) prune() {
	since := r.hourlySince()
	r.mu.Lock()
	defer r.mu.Unlock()
	for t, c := range r.hours {
		if t < since && len(c.dims) > 0 {
			c.dims = map[string]map[string]sentCounts{}
			r.dirty = true
		}
	}
}

// invalidate marks the counts unknown: queries count exactly until a
// rebuild (at the next Open).
func (r *rollups) invalidate() {
	r.mu.Lock()
	r.ready = false
	r.dirty = true
	r.mu.Unlock()
}

func (r *rollups) isReady() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.ready
}

// rollupFile is the on-disk form: one row per non-zero count.
type rollupFile struct {
	Version int    `json:"version"`
	Seq     uint64 `json:"seq"`
	Ready   bool   `json:"ready"`
	// Rows: unit ("d" or "h"), bucket start (unix seconds), sentiment,
	// field ("" for all mentions), value, count.
	Rows [][6]string `json:"rows"`
}

const rollupFileVersion = 1

func rollupPath(dir string) string { return filepath.Join(dir, "rollups.json") }

// save writes the counts atomically (temporary file, fsync, rename).
func (r *rollups) save(dir string) error {
	r.mu.Lock()
	f := rollupFile{Version: rollupFileVersion, Seq: r.seq, Ready: r.ready}
	for unit, m := range map[string]map[int64]*cells{"d": r.days, "h": r.hours} {
		for t, c := range m {
			ts := strconv.FormatInt(t, 10)
			for s, n := range c.all {
				f.Rows = append(f.Rows, [6]string{unit, ts, s, "", "", strconv.FormatInt(n, 10)})
			}
			for field, vals := range c.dims {
				for v, sc := range vals {
					for s, n := range sc {
						f.Rows = append(f.Rows, [6]string{unit, ts, s, field, v, strconv.FormatInt(n, 10)})
					}
				}
			}
		}
	}
	r.dirty = false
	r.saved = r.now()
	r.mu.Unlock()
	data, err := json.Marshal(&f)
	if err != nil {
		return fmt.Errorf("encoding rollups: %w", err)
	}
	tmp := rollupPath(dir) + ".tmp"
	fh, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("saving rollups: %w", err)
	}
	if _, err := fh.Write(data); err != nil {
		fh.Close()
		return fmt.Errorf("saving rollups: %w", err)
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		return fmt.Errorf("saving rollups: %w", err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("saving rollups: %w", err)
	}
	if err := os.Rename(tmp, rollupPath(dir)); err != nil {
		return fmt.Errorf("saving rollups: %w", err)
	}
	return nil
}

// errNoRollups means there is no usable rollup file.
var errNoRollups = errors.New("no rollup file")

// load reads the counts saved in dir.
func (r *rollups) load(dir string) error {
	data, err := os.ReadFile(rollupPath(dir))
	if errors.Is(err, os.ErrNotExist) {
		return errNoRollups
	}
	if err != nil {
		return fmt.Errorf("reading rollups: %w", err)
	}
	var f rollupFile
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("decoding %s: %w", rollupPath(dir), err)
	}
	if f.Version != rollupFileVersion {
		return fmt.Errorf("%s has version %d, want %d: %w", rollupPath(dir), f.Version, rollupFileVersion, errNoRollups)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.days, r.hours = map[int64]*cells{}, map[int64]*cells{}
	for _, row := range f.Rows {
		t, err1 := strconv.ParseInt(row[1], 10, 64)
		n, err2 := strconv.ParseInt(row[5], 10, 64)
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("decoding %s: %w", rollupPath(dir), err)
		}
		m := r.days
		if row[0] == "h" {
			m = r.hours
		}
		c := bucket(m, t)
		if row[3] == "" {
			c.all[row[2]] += n
		} else {
			c.dim(dimValue{row[3], row[4]})[row[2]] += n
		}
	}
	r.dayKeys, r.hourKeys = sortedKeys(r.days), sortedKeys(r.hours)
	r.seq, r.ready, r.dirty = f.Seq, f.Ready, false
	return nil
}

// reset empties the counts before a rebuild.
func (r *rollups) reset(seq uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.days, r.hours = map[int64]*cells{}, map[int64]*cells{}
	r.dayKeys, r.hourKeys = nil, nil
	r.seq, r.ready, r.dirty = seq, true, true
}
