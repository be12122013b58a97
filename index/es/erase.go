package es

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/earshothq/earshot/index"
)

// eraseRounds bounds how often DeletePerson looks again for mentions that
// were written while it deleted.
const eraseRounds = 3

// DeletePerson deletes every mention of the person, across every month,
// then the person's profiles. It needs no _delete_by_query (which some
// clusters lack): it pages through the person's mentions sorted by id with
// search_after and deletes each page with one bulk request, then refreshes
// and looks again until nothing is left.
func (b *Backend) DeletePerson(ctx context.Context, p index.Person) (int, error) {
	if p.Empty() {
		return 0, errors.New("deleting person: no customer id, prospect id or e-mail given")
	}
	q := personQuery(p)
	deleted := 0
	for round := 0; ; round++ {
		// Mentions written before the erasure must be visible to its search.
		if err := b.Refresh(ctx); err != nil {
			return deleted, fmt.Errorf("deleting the person's mentions: %w", err)
		}
		n, found, err := b.deleteMatching(ctx, q)
		deleted += n
		if err != nil {
			return deleted, fmt.Errorf("deleting the person's mentions: %w", err)
		}
		if found == 0 {
			break
		}
		if round == eraseRounds {
			return deleted, fmt.Errorf("deleting the person's mentions: still finding %d after %d rounds (are they being written right now?)", found, eraseRounds)
		}
	}
	b.metrics.Deleted.WithLabelValues("mention").Add(float64(deleted))
	if err := errors.Join(b.DeleteProfiles(ctx, p.ProfileIDs())...); err != nil {
		return deleted, fmt.Errorf("deleting the person's profiles: %w", err)
	}
	// Lucene keeps a deleted document in its segment until a merge: expunge
	// them now so the person's text leaves the shards' files too.
	if err := b.do(ctx, esapi.IndicesForcemergeRequest{Index: []string{b.mentionPattern(), b.profileIndex()},
		OnlyExpungeDeletes: esapi.BoolPtr(true), AllowNoIndices: esapi.BoolPtr(true)}, nil); err != nil {
		return deleted, fmt.Errorf("expunging the person's deleted documents: %w", err)
	}
	return deleted, nil
}

// personQuery matches every mention linked to p.
func personQuery(p index.Person) obj {
	var should []any
	if p.CustomerID != "" {
		should = append(should, obj{"term": obj{"customer_id": p.CustomerID}})
	}
	if len(p.ProspectIDs) > 0 {
		should = append(should, obj{"terms": obj{"prospect_id": p.ProspectIDs}})
	}
	if len(p.Emails) > 0 {
		emails := make([]string, len(p.Emails))
		for i, e := range p.Emails {
			emails[i] = index.Keyword(e)
		}
		should = append(should, obj{"terms": obj{"author_email": emails}})
	}
	if len(p.Subjects) > 0 {
		should = append(should, obj{"terms": obj{"subject": p.Subjects}})
	}
	return obj{"bool": obj{"should": should, "minimum_should_match": 1}}
}

// deleteMatching deletes what q matches in one pass over the searchable
// documents. It returns how many documents it deleted and how many it found.
func (b *Backend) deleteMatching(ctx context.Context, q obj) (deleted, found int, err error) {
	var after []json.RawMessage
	for {
		req := obj{"query": q, "size": b.erasePage, "sort": []obj{{"id": obj{"order": "asc"}}},
			"_source": false, "track_total_hits": false,
			"docvalue_fields": []obj{{"field": "created_at", "format": "epoch_millis"}}}
		if after != nil {
			req["search_after"] = after
		}
		var res struct {
			Hits struct {
				Hits []struct {
					Index  string            `json:"_index"`
					ID     string            `json:"_id"`
					Sort   []json.RawMessage `json:"sort"`
					Fields struct {
						CreatedAt []json.Number `json:"created_at"`
					} `json:"fields"`
				} `json:"hits"`
			} `json:"hits"`
		}
		t := true
		if err := b.do(ctx, esapi.SearchRequest{Index: []string{b.mentionAlias()}, IgnoreUnavailable: &t, AllowNoIndices: &t,
			Body: body(req)}, &res); err != nil {
			return deleted, found, fmt.Errorf("searching: %w", err)
		}
		hits := res.Hits.Hits
		if len(hits) == 0 {
			return deleted, found, nil
		}
		found += len(hits)
		items := make([]bulkItem, len(hits))
		var millis []int64
		for i, h := range hits {
			items[i] = bulkItem{action: "delete", index: h.Index, id: h.ID}
			for _, v := range h.Fields.CreatedAt {
				if ms, err := strconv.ParseFloat(v.String(), 64); err == nil {
					millis = append(millis, int64(ms))
				}
			}
		}
		errs := make([]error, len(items))
		b.bulk.write(ctx, items, errs)
		deleted += countDeleted(items, errs)
		// The days lost mentions even when some deletes failed.
		markErr := b.markDirty(ctx, daysOf(millis))
		if err := errors.Join(append(errs, markErr)...); err != nil {
			return deleted, found, err
		}
		if len(hits) < b.erasePage {
			return deleted, found, nil
		}
		after = hits[len(hits)-1].Sort
	}
}

// countDeleted counts the delete items that removed a document (a 404 means
// it was already gone).
func countDeleted(items []bulkItem, errs []error) int {
	n := 0
	for i, it := range items {
		if errs[i] == nil && it.action == "delete" && it.status == http.StatusOK {
			n++
		}
	}
	return n
}
