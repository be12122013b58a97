package es

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/earshothq/earshot/index"
)

var _ index.Expirer = (*Backend)(nil)

// ExpireMentions deletes every mention created before t (the index's
// retention) and names the people they were linked to.
//
// The people are listed first (a composite aggregation, so any number),
// then the mentions are deleted page by page like an erasure's, which
// marks their days dirty: the day t falls in is recounted from what is
// left. Monthly indices that ended before t are then empty and dropped,
// and the rollup days wholly before t with them, so long-range counts and
// histograms read nothing expired.
func (b *Backend) ExpireMentions(ctx context.Context, t time.Time) (index.Expired, error) {
	var out index.Expired
	if t.IsZero() {
		return out, errors.New("expiring mentions: no time given")
	}
	t = t.UTC()
	q := obj{"range": obj{"created_at": obj{"lt": t.UnixMilli(), "format": "epoch_millis"}}}
	if err := b.Refresh(ctx); err != nil {
		return out, fmt.Errorf("expiring mentions: %w", err)
	}
	var people index.ExpiredPeople
	for _, field := range []string{"customer_id", "prospect_id"} {
		err := b.distinctValues(ctx, q, field, func(v string) {
			if field == "customer_id" {
				people.Add(v, "")
			} else {
				people.Add("", v)
			}
		})
		if err != nil {
			return out, fmt.Errorf("expiring mentions: listing their people: %w", err)
		}
	}
	people.Fill(&out)
	n, _, err := b.deleteMatching(ctx, q)
	out.Deleted = n
	if n > 0 {
		b.metrics.Deleted.WithLabelValues("mention").Add(float64(n))
	}
	if err != nil {
		return out, fmt.Errorf("expiring mentions created before %s: %w", t.Format(time.RFC3339), err)
	}
	if _, err := b.DropMentionsBefore(ctx, t); err != nil {
		return out, fmt.Errorf("expiring mentions: %w", err)
	}
	if err := b.dropRollupsBefore(ctx, time.Unix(floorDay(t.Unix()), 0).UTC()); err != nil {
		return out, fmt.Errorf("expiring mentions: %w", err)
	}
	return out, nil
}

// distinctValues calls fn with every value of a keyword field among the
// mentions q matches, a composite aggregation page at a time.
func (b *Backend) distinctValues(ctx context.Context, q obj, field string, fn func(string)) error {
	var after json.RawMessage
	for {
		comp := obj{"size": 1000, "sources": []obj{{"v": obj{"terms": obj{"field": field}}}}}
		if after != nil {
			comp["after"] = after
		}
		var res struct {
			Aggregations struct {
				P struct {
					AfterKey json.RawMessage `json:"after_key"`
					Buckets  []struct {
						Key struct {
							V string `json:"v"`
						} `json:"key"`
					} `json:"buckets"`
				} `json:"p"`
			} `json:"aggregations"`
		}
		tr := true
		if err := b.do(ctx, esapi.SearchRequest{Index: []string{b.mentionAlias()}, IgnoreUnavailable: &tr, AllowNoIndices: &tr,
			Body: body(obj{"size": 0, "track_total_hits": false, "query": q, "aggs": obj{"p": obj{"composite": comp}}})}, &res); err != nil {
			return fmt.Errorf("aggregating %s: %w", field, err)
		}
		for _, bk := range res.Aggregations.P.Buckets {
			if bk.Key.V != "" {
				fn(bk.Key.V)
			}
		}
		if len(res.Aggregations.P.Buckets) < 1000 || len(res.Aggregations.P.AfterKey) == 0 {
			return nil
		}
		after = res.Aggregations.P.AfterKey
	}
}
