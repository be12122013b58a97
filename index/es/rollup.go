package es

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
	"github.com/earshothq/earshot/record"
)

// Rollups: one document per UTC day in PREFIX-rollups holding that day's
// mention counts by sentiment, by hour and sentiment, and by sentiment for
// every value of every facet field. Long-range dashboards read a few
// hundred of them instead of aggregating every mention (rollup_search.go).
//
// They are kept exact without scripts (the test node has no Painless) and
// with any number of writers:
//
//   - a write that adds, replaces or deletes mentions marks the days it
//     touched dirty after the cluster acknowledged it (it indexes a
//     document saying only dirty, so every mark bumps the day's sequence
//     number);
//   - a recount reads the dirty days with their sequence numbers, then
//     refreshes the mention indices, counts each day with one aggregation
//     and writes the counts back only if the day's sequence number is still
//     the one it read (if_seq_no). A mark that came in between makes the
//     write fail, and the day stays dirty for the next round; a mark that
//     came before was made after its write, which the refresh made visible.
//
// So a replay, a correction or an erasure only ever makes a day dirty, and
// a dirty day is counted from the mentions by the searches that need it
// until a recount has caught up. A day with no document has no mentions,
// once the first start has marked every day that had some (rollupState).

// rollupStateID is the document that says every day with mentions has been
// marked or counted (written once, by the first EnsureSchema that creates
// the rollups beside existing mentions).
const rollupStateID = "state"

// rollupCell is one count of a day: Hour < 0 for the whole day; Field ""
// for all mentions, else the mentions with Value in Field.
type rollupCell struct {
	Hour  int    `json:"h"`
	Field string `json:"f,omitempty"`
	Value string `json:"v,omitempty"`
	Sent  string `json:"s"`
	N     int64  `json:"n"`
}

type rollupDoc struct {
	Day      int64        `json:"day"`
	Dirty    bool         `json:"dirty"`
	Complete bool         `json:"complete,omitempty"`
	Cells    []rollupCell `json:"cells,omitempty"`
}

// rollupDims are the facet fields counted per value (authors are not: a
// day can have as many as it has mentions).
var rollupDims = []string{
	query.FieldSource, query.FieldChannel, query.FieldKind, query.FieldLanguage, query.FieldIntent,
	query.FieldAspect, query.FieldBrand, query.FieldProduct, query.FieldCompetitor,
}

var isRollupDim = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range rollupDims {
		m[f] = true
	}
	return m
}()

const daySeconds = 86400

func (b *Backend) rollupIndex() string { return b.cfg.IndexPrefix + "-rollups" }

func dayID(day int64) string { return "d" + time.Unix(day, 0).UTC().Format("2006-01-02") }

func floorDay(t int64) int64 { return t - ((t%daySeconds)+daySeconds)%daySeconds }

// ensureRollups creates the rollup index and, the first time, marks every
// day that already has mentions dirty so a recount fills it in.
func (b *Backend) ensureRollups(ctx context.Context) error {
	// No periodic refresh: the days are read in real time (multi-get), and
	// the two searches of the index (the recount's list of dirty days, the
	// retention's list of old days) refresh it first. Refreshing it every
	// second while marks came in after every write cost the writer a fifth
	// of its rate (README.md).
	settings := obj{"number_of_shards": 1, "number_of_replicas": b.cfg.Replicas, "refresh_interval": "-1"}
	mapping := obj{"dynamic": "strict", "properties": obj{
		"day": obj{"type": "long"}, "dirty": obj{"type": "boolean"}, "complete": obj{"type": "boolean"},
		"cells": obj{"type": "object", "enabled": false},
	}}
	err := b.do(ctx, esapi.IndicesCreateRequest{Index: b.rollupIndex(), Body: body(obj{"settings": settings, "mappings": mapping})}, nil)
	var ee *esError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Type == "resource_already_exists_exception":
		// Made by an earlier version with the default refresh.
		if err := b.do(ctx, esapi.IndicesPutSettingsRequest{Index: []string{b.rollupIndex()},
			Body: body(obj{"index": obj{"refresh_interval": "-1"}})}, nil); err != nil {
			return fmt.Errorf("setting the refresh of %s: %w", b.rollupIndex(), err)
		}
	default:
		return fmt.Errorf("creating index %s: %w", b.rollupIndex(), err)
	}
	if ok, err := b.rollupsComplete(ctx); err != nil || ok {
		return err
	}
	days, err := b.daysWithMentions(ctx)
	if err != nil {
		return fmt.Errorf("listing the days to count: %w", err)
	}
	if err := b.markDirty(ctx, days); err != nil {
		return err
	}
	if len(days) > 0 {
		b.logger.Info("counting existing mentions into rollups", "days", len(days))
	}
	refresh := "true"
	if err := b.do(ctx, esapi.IndexRequest{Index: b.rollupIndex(), DocumentID: rollupStateID, Refresh: refresh,
		Body: body(rollupDoc{Complete: true})}, nil); err != nil {
		return fmt.Errorf("writing the rollup state: %w", err)
	}
	b.rollupsReady.Store(true)
	return nil
}

// rollupsComplete says whether every day with mentions has a rollup
// document (possibly dirty). Once true it stays true.
func (b *Backend) rollupsComplete(ctx context.Context) (bool, error) {
	if b.rollupsReady.Load() {
		return true, nil
	}
	var res struct {
		Found  bool      `json:"found"`
		Source rollupDoc `json:"_source"`
	}
	err := b.do(ctx, esapi.GetRequest{Index: b.rollupIndex(), DocumentID: rollupStateID}, &res)
	var ee *esError
	if errors.As(err, &ee) && ee.Status == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading the rollup state: %w", err)
	}
	ok := res.Found && res.Source.Complete
	if ok {
		b.rollupsReady.Store(true)
	}
	return ok, nil
}

func (b *Backend) daysWithMentions(ctx context.Context) ([]int64, error) {
	var res struct {
		Aggregations struct {
			Days histogramAgg `json:"days"`
		} `json:"aggregations"`
	}
	t := true
	err := b.do(ctx, esapi.SearchRequest{Index: []string{b.mentionAlias()}, IgnoreUnavailable: &t, AllowNoIndices: &t,
		Body: body(obj{"size": 0, "aggs": obj{"days": obj{"date_histogram": obj{"field": "created_at",
			"calendar_interval": "day", "time_zone": "UTC", "min_doc_count": 1}}}})}, &res)
	if err != nil {
		return nil, err
	}
	days := make([]int64, 0, len(res.Aggregations.Days.Buckets))
	for _, bk := range res.Aggregations.Days.Buckets {
		days = append(days, bk.Key/1000)
	}
	return days, nil
}

// markDirty marks days as needing a recount. It is called after the
// mention writes it stands for were acknowledged.
func (b *Backend) markDirty(ctx context.Context, days []int64) error {
	if len(days) == 0 {
		return nil
	}
	// A mark replaces the day's document with one that only says dirty:
	// a dirty day's counts are never read (searches aggregate it from the
	// mentions, the recount rewrites them), and a plain index needs no
	// read of the old document, so it neither conflicts with another
	// writer's mark nor makes the node fetch (in real time) a document
	// usually written moments before, as an update did for every mark.
	items := make([]bulkItem, len(days))
	for i, d := range days {
		doc, _ := json.Marshal(rollupDoc{Day: d, Dirty: true})
		items[i] = bulkItem{action: "index", index: b.rollupIndex(), id: dayID(d), doc: doc}
	}
	errs := make([]error, len(items))
	b.bulk.write(ctx, items, errs)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("marking %d days for a rollup recount: %w", len(days), err)
	}
	return nil
}

// daysOf is the set of UTC days of the given unix-millisecond times.
func daysOf(millis []int64) []int64 {
	seen := map[int64]bool{}
	var days []int64
	for _, ms := range millis {
		d := floorDay(ms / 1000)
		if ms < 0 && ms%1000 != 0 {
			d = floorDay(ms/1000 - 1)
		}
		if !seen[d] {
			seen[d] = true
			days = append(days, d)
		}
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	return days
}

// startRollupKeeper starts the background recount once this process
// writes mentions; Close stops it.
func (b *Backend) startRollupKeeper() {
	b.keeperOnce.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		b.keeperStop = cancel
		b.keeperDone = make(chan struct{})
		go func() {
			defer close(b.keeperDone)
			settled := &settledDays{seen: map[int64]dirtySeen{}}
			tick := time.NewTicker(b.cfg.RollupInterval)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				if _, err := b.recountRollups(ctx, settled.pick); err != nil && ctx.Err() == nil {
					b.logger.Warn("recounting rollups; dirty days are counted from the mentions meanwhile", "error", err)
				}
			}
		}()
	})
}

func (b *Backend) stopRollupKeeper() {
	b.keeperOnce.Do(func() {}) // a keeper started after Close never runs
	if b.keeperStop != nil {
		b.keeperStop()
		<-b.keeperDone
	}
}

// RecountRollups counts every dirty day again and returns how many days
// it brought up to date. A day marked again while it was counted stays
// dirty for the next round.
func (b *Backend) RecountRollups(ctx context.Context) (int, error) {
	return b.recountRollups(ctx, func([]dirtyDay) []dirtyDay { return nil })
}

// dirtyDay is a day marked dirty, with the sequence number of its mark.
type dirtyDay struct {
	day         int64
	seq, primed int64
}

// keeperPatience is how many rounds the keeper leaves a day that is
// marked again every round before it counts it anyway.
const keeperPatience = 8

// dirtySeen is what the keeper saw of a dirty day in earlier rounds.
type dirtySeen struct {
	seq    int64
	rounds int
}

// settledDays picks, for the background keeper, the dirty days worth
// counting now: those not marked since the previous round. A day still
// being written (today under live ingestion, every day of a backfill) is
// marked again by the next write, which would throw the count away; it
// costs the node an aggregation over the day for nothing, on every
// round. Such a day stays dirty (searches count it from the mentions,
// exactly) until it settles, or for at most keeperPatience rounds.
type settledDays struct {
	seen map[int64]dirtySeen
}

// pick returns the days of dirty to skip this round and remembers them.
func (s *settledDays) pick(dirty []dirtyDay) (skip []dirtyDay) {
	next := make(map[int64]dirtySeen, len(dirty))
	for _, d := range dirty {
		prev, ok := s.seen[d.day]
		switch {
		case ok && prev.seq == d.seq, ok && prev.rounds+1 >= keeperPatience:
			// settled, or waited long enough: counted now
		case ok:
			next[d.day] = dirtySeen{seq: d.seq, rounds: prev.rounds + 1}
			skip = append(skip, d)
		default:
			next[d.day] = dirtySeen{seq: d.seq}
			skip = append(skip, d)
		}
	}
	s.seen = next
	return skip
}

// recountRollups counts the dirty days except those skip returns.
func (b *Backend) recountRollups(ctx context.Context, skip func([]dirtyDay) []dirtyDay) (int, error) {
	b.recountMu.Lock()
	defer b.recountMu.Unlock()
	// Marks become searchable with a refresh of the (small) rollup index.
	if err := b.do(ctx, esapi.IndicesRefreshRequest{Index: []string{b.rollupIndex()}}, nil); err != nil {
		return 0, fmt.Errorf("refreshing rollups: %w", err)
	}
	var dirty []dirtyDay
	var after []json.RawMessage
	for {
		req := obj{"size": 1000, "query": obj{"term": obj{"dirty": true}}, "_source": []string{"day"},
			"seq_no_primary_term": true, "sort": []obj{{"day": obj{"order": "asc"}}}}
		if after != nil {
			req["search_after"] = after
		}
		var res struct {
			Hits struct {
				Hits []struct {
					SeqNo       int64             `json:"_seq_no"`
					PrimaryTerm int64             `json:"_primary_term"`
					Source      rollupDoc         `json:"_source"`
					Sort        []json.RawMessage `json:"sort"`
				} `json:"hits"`
			} `json:"hits"`
		}
		t := true
		if err := b.do(ctx, esapi.SearchRequest{Index: []string{b.rollupIndex()}, IgnoreUnavailable: &t, AllowNoIndices: &t, Body: body(req)}, &res); err != nil {
			return 0, fmt.Errorf("listing dirty rollup days: %w", err)
		}
		for _, h := range res.Hits.Hits {
			dirty = append(dirty, dirtyDay{h.Source.Day, h.SeqNo, h.PrimaryTerm})
		}
		if len(res.Hits.Hits) < 1000 {
			break
		}
		after = res.Hits.Hits[len(res.Hits.Hits)-1].Sort
	}
	if skipped := skip(dirty); len(skipped) > 0 {
		later := map[int64]bool{}
		for _, d := range skipped {
			later[d.day] = true
		}
		dirty = slices.DeleteFunc(dirty, func(d dirtyDay) bool { return later[d.day] })
		b.logger.Debug("rollup days still being written left for a later round", "days", len(skipped))
	}
	if len(dirty) == 0 {
		return 0, nil
	}
	// Everything acknowledged before the marks were read becomes countable.
	if err := b.Refresh(ctx); err != nil {
		return 0, fmt.Errorf("recounting rollups: %w", err)
	}
	done := 0
	for _, d := range dirty {
		cells, err := b.countDay(ctx, d.day)
		if err != nil {
			return done, fmt.Errorf("recounting rollups of %s: %w", dayID(d.day)[1:], err)
		}
		seq, term := int(d.seq), int(d.primed)
		err = b.do(ctx, esapi.IndexRequest{Index: b.rollupIndex(), DocumentID: dayID(d.day), IfSeqNo: &seq, IfPrimaryTerm: &term,
			Body: body(rollupDoc{Day: d.day, Cells: cells})}, nil)
		var ee *esError
		switch {
		case errors.As(err, &ee) && ee.Status == http.StatusConflict:
			continue // marked again meanwhile: the next round counts it
		case err != nil:
			return done, fmt.Errorf("writing the rollups of %s: %w", dayID(d.day)[1:], err)
		}
		done++
	}
	b.logger.Debug("recounted rollup days", "days", done, "dirty", len(dirty))
	return done, nil
}

// countDay counts one day's mentions with one aggregation.
func (b *Backend) countDay(ctx context.Context, day int64) ([]rollupCell, error) {
	sent := obj{"terms": obj{"field": query.FieldSentiment, "missing": index.NoSentiment, "size": 10}}
	aggs := obj{
		"all":   sent,
		"hours": obj{"date_histogram": obj{"field": "created_at", "fixed_interval": "1h", "min_doc_count": 1}, "aggs": obj{"s": sent}},
	}
	for _, f := range rollupDims {
		aggs["f_"+f] = obj{"terms": obj{"field": f, "size": 10000}, "aggs": obj{"s": sent}}
	}
	req := obj{"size": 0, "track_total_hits": false, "aggs": aggs, "query": obj{"range": obj{"created_at": obj{
		"gte": time.Unix(day, 0).UTC().Format(time.RFC3339), "lt": time.Unix(day+daySeconds, 0).UTC().Format(time.RFC3339),
		"format": "strict_date_optional_time"}}}}
	var res struct {
		Aggregations map[string]json.RawMessage `json:"aggregations"`
	}
	t := true
	if err := b.do(ctx, esapi.SearchRequest{Index: []string{b.mentionAlias()}, IgnoreUnavailable: &t, AllowNoIndices: &t, Body: body(req)}, &res); err != nil {
		return nil, err
	}
	var cells []rollupCell
	var all termsAgg
	if err := json.Unmarshal(res.Aggregations["all"], &all); err != nil {
		return nil, fmt.Errorf("decoding day counts: %w", err)
	}
	for _, s := range all.Buckets {
		cells = append(cells, rollupCell{Hour: -1, Sent: s.Key, N: s.DocCount})
	}
	var hours histogramAggS
	if err := json.Unmarshal(res.Aggregations["hours"], &hours); err != nil {
		return nil, fmt.Errorf("decoding hour counts: %w", err)
	}
	for _, h := range hours.Buckets {
		for _, s := range h.S.Buckets {
			cells = append(cells, rollupCell{Hour: int((h.Key/1000 - day) / 3600), Sent: s.Key, N: s.DocCount})
		}
	}
	for _, f := range rollupDims {
		var ta struct {
			Buckets []struct {
				Key json.RawMessage `json:"key"`
				S   termsAgg        `json:"s"`
			} `json:"buckets"`
		}
		if err := json.Unmarshal(res.Aggregations["f_"+f], &ta); err != nil {
			return nil, fmt.Errorf("decoding %s counts: %w", f, err)
		}
		for _, v := range ta.Buckets {
			for _, s := range v.S.Buckets {
				cells = append(cells, rollupCell{Hour: -1, Field: f, Value: keyString(v.Key), Sent: s.Key, N: s.DocCount})
			}
		}
	}
	return cells, nil
}

// keyString reads a terms bucket key (a string for keywords).
func keyString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.Trim(string(raw), `"`)
}

type histogramAggS struct {
	Buckets []struct {
		Key int64    `json:"key"`
		S   termsAgg `json:"s"`
	} `json:"buckets"`
}

// dropRollupsBefore deletes the rollup days before t (their mentions were
// dropped with their months).
func (b *Backend) dropRollupsBefore(ctx context.Context, t time.Time) error {
	for {
		// The index refreshes only when asked: days marked or counted
		// since must be found too.
		if err := b.do(ctx, esapi.IndicesRefreshRequest{Index: []string{b.rollupIndex()}}, nil); err != nil {
			return fmt.Errorf("refreshing rollups: %w", err)
		}
		var res struct {
			Hits struct {
				Hits []struct {
					ID string `json:"_id"`
				} `json:"hits"`
			} `json:"hits"`
		}
		tr := true
		if err := b.do(ctx, esapi.SearchRequest{Index: []string{b.rollupIndex()}, IgnoreUnavailable: &tr, AllowNoIndices: &tr,
			Body: body(obj{"size": 1000, "_source": false, "query": obj{"range": obj{"day": obj{"lt": t.Unix()}}}})}, &res); err != nil {
			return fmt.Errorf("listing rollup days before %s: %w", t.Format(time.DateOnly), err)
		}
		if len(res.Hits.Hits) == 0 {
			return nil
		}
		items := make([]bulkItem, len(res.Hits.Hits))
		for i, h := range res.Hits.Hits {
			items[i] = bulkItem{action: "delete", index: b.rollupIndex(), id: h.ID}
		}
		errs := make([]error, len(items))
		b.bulk.write(ctx, items, errs)
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("deleting rollup days before %s: %w", t.Format(time.DateOnly), err)
		}
	}
}

// rollupKeeper is the state the recount needs on the backend.
type rollupKeeper struct {
	keeperOnce sync.Once
	keeperStop context.CancelFunc
	keeperDone chan struct{}
	recountMu  sync.Mutex
}

// markWritten marks the days of the mentions just written dirty. If that
// fails the written mentions report a retryable error: the stage writes
// them again (a replay is harmless) rather than leave a day counted wrong.
func (b *Backend) markWritten(ctx context.Context, ms []*record.EnrichedMention, errs []error) {
	var millis []int64
	for i, m := range ms {
		if errs[i] == nil {
			millis = append(millis, m.CreatedAt.UnixMilli())
		}
	}
	if len(millis) == 0 {
		return
	}
	b.startRollupKeeper()
	if err := b.markDirty(ctx, daysOf(millis)); err != nil {
		// Retryable whatever the cluster said about the mark: the
		// mentions themselves were accepted.
		retry := errors.New(err.Error())
		for i := range errs {
			if errs[i] == nil {
				errs[i] = retry
			}
		}
	}
}
