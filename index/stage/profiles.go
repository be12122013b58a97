package stage

import (
	"context"
	"fmt"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// peoplePerQuery bounds how many people one read-back names. A heavy
// person is read alone either way; the rest are counted and read together,
// so fewer, larger read-backs cost less: on Elasticsearch, 160,000 mentions
// in batches of 5,000 spent 9.3 s reading back 500 people at a time against
// 12.0–12.9 s 50 at a time; the embedded index measured the same.
const peoplePerQuery = 500

// refreshProfiles rebuilds the profiles of people from their indexed
// mentions. bases gives the identity part for people whose record just
// arrived; the others keep what their stored profile has. It returns the
// error of each person whose profile could not be written. The mentions
// are read back peoplePerQuery people at a time; the stored profiles are
// read, and the new ones written, all at once: on Elasticsearch a read
// per person was a round trip each, and each write a bulk request and a
// segment of its own on either backend.
func (s *Stage) refreshProfiles(ctx context.Context, people []personKey, bases map[personKey]*index.Profile) map[personKey]error {
	failed := map[personKey]error{}
	failAll := func(ps []personKey, err error) {
		for _, p := range ps {
			failed[p] = err
		}
	}
	if err := s.backend.Refresh(ctx); err != nil {
		failAll(people, fmt.Errorf("refreshing the index: %w", err))
		return failed
	}
	s.applyNotedCorrections()
	stats := make(map[personKey]index.Stats, len(people))
	for start := 0; start < len(people); start += peoplePerQuery {
		chunk := people[start:min(start+peoplePerQuery, len(people))]
		var read []personKey
		for _, p := range chunk {
			if st, ok := s.cache.stats(p); ok {
				stats[p] = st
			} else {
				read = append(read, p)
			}
		}
		if len(read) == 0 {
			continue
		}
		back, err := s.mentionsOf(ctx, read)
		if err != nil {
			failAll(read, err)
			continue
		}
		for _, p := range read {
			// As corrected now, whether or not the web app's own
			// write of a correction reached the index yet.
			ms := s.correctedAll(back[p])
			stats[p] = index.Aggregate(ms)
			s.cache.load(p, ms)
		}
	}
	base := make(map[personKey]*index.Profile, len(people))
	var unread []personKey
	var ids []string
	for _, p := range people {
		if _, ok := stats[p]; !ok {
			continue // its mentions could not be read back
		}
		if bases[p] != nil {
			base[p] = bases[p]
		} else {
			unread = append(unread, p)
			ids = append(ids, index.ProfileID(p.kind, p.id))
		}
	}
	if len(ids) > 0 {
		stored, err := s.backend.GetProfiles(ctx, ids)
		if err != nil {
			failAll(unread, fmt.Errorf("reading profiles: %w", err))
		}
		for i, p := range unread {
			switch {
			case err != nil:
			case stored[i] != nil:
				base[p] = stored[i]
			default:
				base[p] = index.PlaceholderProfile(p.kind, p.id)
			}
		}
	}
	profiles := make([]*index.Profile, 0, len(people))
	var kept []personKey
	for _, p := range people {
		if b, ok := base[p]; ok {
			profiles = append(profiles, b.WithStats(stats[p], s.now()))
			kept = append(kept, p)
		}
	}
	if len(profiles) == 0 {
		return failed
	}
	for i, err := range s.backend.UpsertProfiles(ctx, profiles) {
		if err != nil {
			failed[kept[i]] = err
		}
	}
	return failed
}

// mentionsOf reads back the newest mentions of people, grouped by person.
func (s *Stage) mentionsOf(ctx context.Context, people []personKey) (map[personKey][]*record.EnrichedMention, error) {
	refs := make([]index.PersonRef, len(people))
	want := make(map[personKey]bool, len(people))
	for i, p := range people {
		refs[i] = index.PersonRef{Kind: p.kind, ID: p.id}
		want[p] = true
	}
	ms, err := s.backend.MentionsOfPeople(ctx, refs, s.cfg.MaxProfileMentions)
	if err != nil {
		return nil, fmt.Errorf("reading mentions back for profiles: %w", err)
	}
	out := map[personKey][]*record.EnrichedMention{}
	for _, m := range ms {
		for _, p := range personsOf(m) {
			if want[p] && len(out[p]) < s.cfg.MaxProfileMentions {
				out[p] = append(out[p], m)
			}
		}
	}
	return out, nil
}
