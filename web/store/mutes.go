package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
	"github.com/earshothq/earshot/record"
)

// Mute hides an author (kind record.MuteAuthor: the handle or name the
// search field author holds) or a site (record.MuteSite: the channel, e.g.
// a crawled site's name) from searches and counts.
func (s *Store) Mute(ctx context.Context, by, kind, value, reason string) (record.Mute, error) {
	if kind != record.MuteAuthor && kind != record.MuteSite {
		return record.Mute{}, invalid("kind %q: want author or site", kind)
	}
	value = index.Keyword(strings.TrimPrefix(strings.TrimSpace(value), "@"))
	if value == "" || len(value) > 300 {
		return record.Mute{}, invalid("value: name the author or site (1-300 characters)")
	}
	if len(reason) > 500 {
		return record.Mute{}, invalid("reason is longer than 500 characters")
	}
	id := record.MuteID(kind, value)
	prev, _ := s.mutes.Get(id)
	now := s.stamp(prev.UpdatedAt)
	m := record.Mute{ID: id, Kind: kind, Value: value, Reason: strings.TrimSpace(reason), By: by, At: now, UpdatedAt: now}
	if err := s.mutes.Put(ctx, id, &m); err != nil {
		return record.Mute{}, err
	}
	return m, nil
}

// Unmute shows a muted author or site again.
func (s *Store) Unmute(ctx context.Context, id string) error {
	if _, ok := s.mutes.Get(id); !ok {
		return fmt.Errorf("mute %s: %w", id, ErrNotFound)
	}
	return s.mutes.Delete(ctx, id)
}

// Mutes lists the mutes by kind and value.
func (s *Store) Mutes() []record.Mute {
	var out []record.Mute
	s.mutes.Each(func(_ string, m record.Mute) bool {
		out = append(out, m)
		return true
	})
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// Exclusions is the query clause that hides every muted author and site
// ("" when nothing is muted), in Earshot's query language.
func (s *Store) Exclusions() string {
	var parts []string
	for _, m := range s.Mutes() {
		field := query.FieldAuthor
		if m.Kind == record.MuteSite {
			field = query.FieldChannel
		}
		parts = append(parts, "NOT "+field+":"+quote(m.Value))
	}
	return strings.Join(parts, " AND ")
}

// Hide narrows a mention search to what is not muted. Every search the
// web app runs for people (the mentions page, dashboards, the API, CSV
// exports) goes through it, so muted content is in none of their counts.
func (s *Store) Hide(r *index.SearchRequest) {
	ex := s.Exclusions()
	if ex == "" {
		return
	}
	if strings.TrimSpace(r.Query) == "" {
		r.Query = ex
		return
	}
	r.Query = "(" + r.Query + ") AND " + ex
}

// quote writes v as a phrase of the query language (\" and \\ escaped).
func quote(v string) string {
	v = strings.Map(func(r rune) rune {
		if r < 0x20 {
			return ' '
		}
		return r
	}, v)
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}
