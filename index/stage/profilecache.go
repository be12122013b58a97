package stage

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// profileCache keeps, for people with many mentions, the part of each of
// their indexed mentions that a profile rebuild reads (index.Aggregate) and
// their stats as an index.Tally kept current mention by mention, so a batch
// that mentions them again rebuilds the profile from memory, counting only
// what changed, instead of reading thousands of mentions back from the
// index (or aggregating all of them again: 4.7 % of `earshot run`'s CPU at
// 100,000 mentions). Without it a
// prolific author (a brand's own account, a bot, a power user: a stream's
// authors follow a power law) is read back in full by nearly every batch,
// and the read-back grows with the index: at 100,000 mentions it took 26 %
// of `earshot run`'s CPU, more than writing the mentions.
//
// The cache holds what the index holds, mention by mention, keyed by
// mention id, so it stays idempotent under replay: writing a mention again
// replaces its entry; a mention that moves to other people leaves the
// people it left; a deleted mention leaves every person. What changes the
// index outside the batches it sees (an erasure, the retention sweep, a
// re-linking pass) empties it. The one writer outside the stage, the web
// app applying a person's correction to a mention, is followed through
// the corrections topic (Stage.NoteCorrection): the cached mention is
// corrected the same way, taken out when it was marked irrelevant, and put
// back when that is undone. An entry older than ttl is read back again all
// the same, which bounds what the cache can miss (a mention put back
// before its person was cached again). Only one index stage writes an
// index through a cache: the embedded index is opened by one process, and
// Elasticsearch stages, which may run several at once, do not use it.
// The cache's size and freshness for the embedded index: 100,000 mentions
// (about 40 MB: only the analysis is kept, not the text), each person read
// back again after ten minutes.
const (
	ProfileCacheMentions = 100000
	ProfileCacheTTL      = 10 * time.Minute
)

// maxHidden bounds the mentions the cache remembers as taken out of search
// by a correction (a person's clicks, not a stream).
const maxHidden = 10000

type profileCache struct {
	maxMentions int           // mentions held in all; 0: off
	minMentions int           // people with fewer are read back each time
	perPerson   int           // the newest this many count (MaxProfileMentions)
	ttl         time.Duration // an entry older than this is read back again
	now         func() time.Time

	people map[personKey]*cachedPerson
	owners map[string][]personKey // mention id → cached people holding it
	held   int
	tick   uint64
	// hidden are cached mentions a correction took out of search, with the
	// people who held them, to put back if the correction is undone.
	hidden map[string]hiddenMention
}

type hiddenMention struct {
	part   *record.EnrichedMention
	people []personKey
}

type cachedPerson struct {
	mentions map[string]*record.EnrichedMention
	tally    index.Tally // the mentions' stats, kept as they come and go
	loaded   time.Time
	used     uint64
}

func newProfileCache(maxMentions, perPerson int, ttl time.Duration, now func() time.Time) *profileCache {
	return &profileCache{maxMentions: maxMentions, minMentions: 5, perPerson: perPerson, ttl: ttl, now: now,
		people: map[personKey]*cachedPerson{}, owners: map[string][]personKey{}, hidden: map[string]hiddenMention{}}
}

func (c *profileCache) on() bool { return c != nil && c.maxMentions > 0 }

// stats returns what p's mentions (the newest perPerson of them) say, when
// p is cached and fresh.
func (c *profileCache) stats(p personKey) (index.Stats, bool) {
	if !c.on() {
		return index.Stats{}, false
	}
	cp := c.people[p]
	if cp == nil {
		return index.Stats{}, false
	}
	if c.now().Sub(cp.loaded) > c.ttl {
		c.drop(p)
		return index.Stats{}, false
	}
	c.tick++
	cp.used = c.tick
	return cp.tally.Stats(), true
}

// load caches what a read-back found for p: all of p's mentions, or the
// newest perPerson of them.
func (c *profileCache) load(p personKey, ms []*record.EnrichedMention) {
	if !c.on() || len(ms) < c.minMentions {
		return
	}
	c.drop(p)
	c.tick++
	cp := &cachedPerson{mentions: make(map[string]*record.EnrichedMention, len(ms)), loaded: c.now(), used: c.tick}
	c.people[p] = cp
	for _, m := range ms {
		c.put(p, cp, m)
	}
	c.evict()
}

// written records that the index now holds m: it replaces m's entry in
// the people it names and leaves the people it no longer names.
func (c *profileCache) written(m *record.EnrichedMention) {
	if !c.on() {
		return
	}
	now := personsOf(m)
	for _, p := range c.owners[m.ID] {
		if !slices.Contains(now, p) {
			c.drop(p) // the mention moved away: read p back next time
		}
	}
	for _, p := range now {
		if cp := c.people[p]; cp != nil {
			c.put(p, cp, m)
		}
	}
	c.evict()
}

// removed records that the index no longer holds the mention id. A person
// whose cached mentions were a full perPerson is read back next time: the
// index may hold older mentions of theirs that now count.
func (c *profileCache) removed(id string) {
	if !c.on() {
		return
	}
	for _, p := range slices.Clone(c.owners[id]) {
		if cp := c.people[p]; cp != nil && len(cp.mentions) >= c.perPerson {
			c.drop(p)
		} else if cp != nil {
			if m, ok := cp.mentions[id]; ok {
				cp.tally.Remove(m)
				delete(cp.mentions, id)
				c.held--
			}
		}
	}
	delete(c.owners, id)
}

// clear forgets everything (the index changed in ways not followed here).
func (c *profileCache) clear() {
	if !c.on() {
		return
	}
	clear(c.people)
	clear(c.owners)
	clear(c.hidden)
	c.held = 0
}

// recorrect brings mention id in line with its corrections after the web
// app changed them in the index: fix returns a mention with all of its
// corrections applied and whether they take it out of search (as
// Stage.corrected does for what the stage writes). A cached mention is
// replaced by its corrected self, or taken out and remembered; a
// remembered one whose correction was undone goes back to the people
// still cached.
func (c *profileCache) recorrect(id string, fix func(*record.EnrichedMention) (*record.EnrichedMention, bool)) {
	if !c.on() {
		return
	}
	if owners := slices.Clone(c.owners[id]); len(owners) > 0 {
		fixed, hide := fix(c.people[owners[0]].mentions[id])
		if hide {
			if len(c.hidden) >= maxHidden {
				clear(c.hidden)
			}
			c.hidden[id] = hiddenMention{part: c.people[owners[0]].mentions[id], people: owners}
			c.removed(id)
			return
		}
		for _, p := range owners {
			c.put(p, c.people[p], fixed)
		}
		return
	}
	h, ok := c.hidden[id]
	if !ok {
		return
	}
	fixed, hide := fix(h.part)
	if hide {
		return
	}
	delete(c.hidden, id)
	for _, p := range h.people {
		if cp := c.people[p]; cp != nil {
			c.put(p, cp, fixed)
		}
	}
	c.evict()
}

func (c *profileCache) put(p personKey, cp *cachedPerson, m *record.EnrichedMention) {
	if old, ok := cp.mentions[m.ID]; ok {
		cp.tally.Remove(old)
	} else {
		c.held++
		c.owners[m.ID] = append(c.owners[m.ID], p)
	}
	part := profilePart(m)
	cp.mentions[m.ID] = part
	cp.tally.Add(part)
	if len(cp.mentions) > c.perPerson {
		// Only the newest perPerson count, as in a read-back.
		oldest := ""
		var at time.Time
		for id, x := range cp.mentions {
			if oldest == "" || x.CreatedAt.Before(at) || (x.CreatedAt.Equal(at) && strings.Compare(id, oldest) < 0) {
				oldest, at = id, x.CreatedAt
			}
		}
		c.unown(oldest, p)
		cp.tally.Remove(cp.mentions[oldest])
		delete(cp.mentions, oldest)
		c.held--
	}
}

func (c *profileCache) drop(p personKey) {
	cp := c.people[p]
	if cp == nil {
		return
	}
	for id := range cp.mentions {
		c.unown(id, p)
	}
	c.held -= len(cp.mentions)
	delete(c.people, p)
}

func (c *profileCache) unown(id string, p personKey) {
	ps := slices.DeleteFunc(c.owners[id], func(q personKey) bool { return q == p })
	if len(ps) == 0 {
		delete(c.owners, id)
	} else {
		c.owners[id] = ps
	}
}

// evict drops the least recently used people until the cache holds at
// most nine tenths of its size (one pass for many later writes).
func (c *profileCache) evict() {
	if c.held <= c.maxMentions {
		return
	}
	lru := make([]personKey, 0, len(c.people))
	for p := range c.people {
		lru = append(lru, p)
	}
	slices.SortFunc(lru, func(a, b personKey) int { return cmp.Compare(c.people[a].used, c.people[b].used) })
	for _, p := range lru {
		if c.held <= c.maxMentions*9/10 {
			break
		}
		c.drop(p)
	}
}

// profilePart is the part of m that index.Aggregate reads (the text and
// the rest are not kept): a person's Tally takes it out again as it put it
// in.
func profilePart(m *record.EnrichedMention) *record.EnrichedMention {
	out := &record.EnrichedMention{}
	out.ID, out.CreatedAt, out.Source, out.Lang = m.ID, m.CreatedAt, m.Source, m.Lang
	out.Analysis = record.Analysis{Language: m.Analysis.Language, Sentiment: m.Analysis.Sentiment,
		Intents: m.Analysis.Intents, Aspects: m.Analysis.Aspects, Preferences: m.Analysis.Preferences}
	if m.Identity != nil {
		id := *m.Identity
		out.Identity = &id
	}
	return out
}

// forget drops people whose mentions in the index are not known for sure.
func (c *profileCache) forget(ps []personKey) {
	if !c.on() {
		return
	}
	for _, p := range ps {
		c.drop(p)
	}
}
