package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	gomasto "github.com/mattn/go-mastodon"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/connectors/internal/progress"
	"github.com/earshothq/earshot/record"
)

// tracked is a collected post whose later deletion or edit is followed:
// the stream's delete event names only the status id, and the deletion
// record must carry the post's source id and author (its Kafka key).
// In the checkpoint, source id (a URL naming the author) and handle are
// sealed with the author's data key when the host seals personal data
// (connectors.Sealer): once the author is forgotten, the checkpoint no
// longer names them and the post is no longer followed.
type tracked struct {
	ID       string    `json:"id"` // the status id on this server
	SourceID string    `json:"source_id,omitempty"`
	Handle   string    `json:"handle,omitempty"`
	Sealed   []byte    `json:"sealed,omitempty"` // trackedAuthor, sealed
	Edited   string    `json:"edited,omitempty"`
	At       time.Time `json:"at"` // when it was collected
	Checked  time.Time `json:"checked,omitzero"`
}

// trackedAuthor is what a checkpoint seals of a tracked post.
type trackedAuthor struct {
	SourceID string `json:"source_id"`
	Handle   string `json:"handle"`
}

// author is the post's author as its deletion record names them; its
// identity key is the key the post's records were sealed with.
func (t *tracked) author() record.Author {
	return record.Author{Platform: "mastodon", Handle: t.Handle}
}

// sealed returns t as the checkpoint keeps it: with the author sealed, or
// as is without a sealer. connectors.Erased(err): the author was forgotten.
func (t tracked) sealed(sl connectors.Sealer) (tracked, error) {
	if sl == nil {
		return t, nil
	}
	b, err := json.Marshal(trackedAuthor{SourceID: t.SourceID, Handle: t.Handle})
	if err != nil {
		return t, err
	}
	v, err := sl.Seal(record.AuthorKey(Type, t.author()), b)
	if err != nil {
		return t, err
	}
	t.Sealed, t.SourceID, t.Handle = v, "", ""
	return t, nil
}

// opened reverses sealed; connectors.Erased(err): the author was forgotten.
func (t tracked) opened(sl connectors.Sealer) (tracked, error) {
	if t.Sealed == nil {
		return t, nil
	}
	if sl == nil {
		sl = connectors.Deps{}.PersonalSealer() // fails on sealed bytes, saying why
	}
	b, err := sl.Open(t.Sealed)
	if err != nil {
		return t, err
	}
	var a trackedAuthor
	if err := json.Unmarshal(b, &a); err != nil {
		return t, fmt.Errorf("decoding a tracked post's author: %w", err)
	}
	t.SourceID, t.Handle, t.Sealed = a.SourceID, a.Handle, nil
	return t, nil
}

// track remembers an acknowledged post (c.mu held), forgetting the oldest
// beyond consent.track.
func (s *server) track(rec *record.Mention) {
	id := rec.Fields["status_id"]
	if id == "" || !s.c.cfg.Consent.Deletions && !s.c.cfg.Consent.Edits {
		return
	}
	if t, ok := s.tracked[id]; ok {
		t.Edited = rec.Fields["edited_at"]
		return
	}
	s.tracked[id] = &tracked{ID: id, SourceID: rec.SourceID, Handle: rec.Author.Handle, Edited: rec.Fields["edited_at"], At: rec.FetchedAt}
	s.trackOrder = append(s.trackOrder, id)
	for len(s.trackOrder) > s.c.cfg.Consent.Track {
		delete(s.tracked, s.trackOrder[0])
		s.trackOrder = s.trackOrder[1:]
	}
}

// untrack forgets a post (c.mu held) and returns what was known of it.
func (s *server) untrack(id string) (*tracked, bool) {
	t, ok := s.tracked[id]
	if !ok {
		return nil, false
	}
	delete(s.tracked, id)
	for i, v := range s.trackOrder {
		if v == id {
			s.trackOrder = append(s.trackOrder[:i], s.trackOrder[i+1:]...)
			break
		}
	}
	s.dirty = true
	return t, true
}

// deleted emits the deletion record of status id, if it was collected.
// Every open stream of the server announces the same deletion; only the
// first finds it tracked.
func (s *server) deleted(ctx context.Context, out *progress.Outbox, id, reason, via string) error {
	c := s.c
	if !c.cfg.Consent.Deletions {
		return nil
	}
	c.mu.Lock()
	t, ok := s.untrack(id)
	c.mu.Unlock()
	if !ok {
		return nil
	}
	m, err := record.NewDeletion(Type, t.SourceID, s.cfg.Name, record.Author{Platform: "mastodon", Handle: t.Handle}, reason, c.now())
	if err != nil {
		return err
	}
	m.Fields = map[string]string{"status_id": id}
	return out.Put(ctx, &progress.Item{Record: m, Done: func(err error) {
		if err != nil {
			c.log.Error("giving up delivering a deletion", "server", s.cfg.Name, "status", t.SourceID, "err", err)
			c.mu.Lock()
			s.tracked[id] = t // the next check tries again
			s.trackOrder = append(s.trackOrder, id)
			c.mu.Unlock()
			return
		}
		c.metrics.followed.WithLabelValues(c.deps.Name, s.cfg.Name, "deletion", via).Inc()
	}})
}

// edited emits the new version of a collected post found by a check.
func (s *server) edited(ctx context.Context, out *progress.Outbox, st *gomasto.Status) error {
	c := s.c
	w := &watch{srv: s, label: "check"}
	rec := toRecord(s.cfg.Name, s.host, w, st, "", statusText(st, s.host), c.now().UTC())
	s.c.applyConsent(rec)
	key := progress.Hash(rec.SourceID)
	content := progress.Hash(rec.Title + "\x00" + rec.Text + "\x00" + rec.Fields["edited_at"])
	return out.Put(ctx, &progress.Item{Record: rec, Done: func(err error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if err != nil {
			c.log.Error("giving up delivering an edited status", "server", s.cfg.Name, "status", rec.SourceID, "err", err)
			return
		}
		s.seen.Put(key, content)
		s.track(rec)
		s.dirty = true
		c.metrics.followed.WithLabelValues(c.deps.Name, s.cfg.Name, "edit", "check").Inc()
	}})
}

// checkLoop fetches collected posts again every check_interval to find
// deletions and edits that no stream announced (it was closed, or the
// post lives on another server that federated the change late).
func (s *server) checkLoop(ctx context.Context, out *progress.Outbox) {
	cc := s.c.cfg.Consent
	if cc.CheckInterval <= 0 || !cc.Deletions && !cc.Edits {
		return
	}
	for connectors.Sleep(ctx, cc.CheckInterval) == nil {
		s.check(ctx, out)
	}
}

// check fetches every tracked post younger than check_window not checked
// for a check_interval.
func (s *server) check(ctx context.Context, out *progress.Outbox) {
	c := s.c
	cc := c.cfg.Consent
	now := c.now()
	c.mu.Lock()
	var due []tracked
	for _, id := range s.trackOrder {
		t := s.tracked[id]
		if now.Sub(t.At) <= cc.CheckWindow && now.Sub(t.Checked) >= cc.CheckInterval {
			due = append(due, *t)
		}
	}
	c.mu.Unlock()
	for _, t := range due {
		var st *gomasto.Status
		err := s.call(ctx, func(ctx context.Context) error {
			var err error
			st, err = s.rest.GetStatus(ctx, gomasto.ID(t.ID))
			return err
		})
		var api *gomasto.APIError
		switch {
		case ctx.Err() != nil:
			return
		case errors.As(err, &api) && (api.StatusCode == http.StatusNotFound || api.StatusCode == http.StatusGone):
			err = s.deleted(ctx, out, t.ID, record.DeletedGone, "check")
		case err != nil:
			c.log.Warn("checking a collected status", "server", s.cfg.Name, "status", t.ID, "err", err)
			continue
		case cc.Edits && st.EditedAt.UTC().Format(time.RFC3339) != t.Edited && !st.EditedAt.IsZero():
			err = s.edited(ctx, out, st)
		}
		if err != nil {
			return // the outbox closed
		}
		c.mu.Lock()
		if cur, ok := s.tracked[t.ID]; ok {
			cur.Checked = now
			s.dirty = true
		}
		c.mu.Unlock()
	}
}
