package identity

import (
	"container/list"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/earshothq/earshot/record"
)

// ProspectID is the id of the prospect whose strongest identity key is key
// ("email:jan@example.com"): the same person always gets the same id, on
// every enrich instance and after every restart.
func ProspectID(key string) string { return record.RecordID("prospect", key) }

// prospectTable is the in-memory table of prospects, found by any of their
// exact identity keys and bounded by least-recent use.
type prospectTable struct {
	mu    sync.Mutex
	max   int
	byID  map[string]*prospectState
	byKey map[string]string // exact key → prospect id
	lru   *list.List        // of ids, most recently used in front
}

type prospectState struct {
	p    *record.Prospect
	keys []string
	elem *list.Element
}

func newProspectTable(max int) *prospectTable {
	return &prospectTable{max: max, byID: map[string]*prospectState{}, byKey: map[string]string{}, lru: list.New()}
}

func (t *prospectTable) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.byID)
}

// load puts a prospect read from the topic into the table, unless the table
// already holds a newer state of it (the stage's own write echoing back).
func (t *prospectTable) load(p *record.Prospect, keys []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if cur, ok := t.byID[p.ID]; ok && cur.p.LastSeen.After(p.LastSeen) {
		return
	}
	t.put(cloneProspect(p), keys)
}

// put stores p under its id and keys; the caller holds mu.
func (t *prospectTable) put(p *record.Prospect, keys []string) {
	st, ok := t.byID[p.ID]
	if !ok {
		st = &prospectState{elem: t.lru.PushFront(p.ID)}
		t.byID[p.ID] = st
	} else {
		t.lru.MoveToFront(st.elem)
		for _, k := range st.keys {
			if t.byKey[k] == p.ID {
				delete(t.byKey, k)
			}
		}
	}
	st.p = p
	st.keys = keys
	for _, k := range keys {
		if _, taken := t.byKey[k]; !taken {
			t.byKey[k] = p.ID
		}
	}
	for len(t.byID) > t.max {
		oldest := t.lru.Back()
		t.drop(oldest.Value.(string))
	}
}

func (t *prospectTable) remove(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.drop(id)
}

func (t *prospectTable) drop(id string) {
	st, ok := t.byID[id]
	if !ok {
		return
	}
	for _, k := range st.keys {
		if t.byKey[k] == id {
			delete(t.byKey, k)
		}
	}
	t.lru.Remove(st.elem)
	delete(t.byID, id)
}

// get returns a copy of a prospect by id.
func (t *prospectTable) get(id string) (*record.Prospect, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.byID[id]
	if !ok {
		return nil, false
	}
	return cloneProspect(st.p), true
}

// record adds an unmatched record to its person's prospect, creating the
// prospect when the record qualifies. It returns the new state (a copy the
// caller owns) and whether it was created, or nil when no prospect is
// concerned.
func (t *prospectTable) record(r *Resolver, em *record.EnrichedMention, person *Person, d Decision) (*record.Prospect, bool) {
	keys := person.ExactKeys()
	if len(keys) == 0 {
		return nil, false // nothing to recognise the person by next time
	}
	buying := buyingScore(em)
	form := em.Kind == record.KindFormSubmission
	t.mu.Lock()
	defer t.mu.Unlock()
	var p *record.Prospect
	created := false
	for _, k := range keys {
		if id, ok := t.byKey[k]; ok {
			p = cloneProspect(t.byID[id].p)
			break
		}
	}
	if p == nil {
		if !form && buying < r.cfg.Prospects.IntentThreshold {
			return nil, false
		}
		at := recordTime(em, r.now)
		p = &record.Prospect{
			Schema:    record.SchemaVersion,
			ID:        ProspectID(keys[0]),
			Key:       keys[0],
			Status:    record.ProspectNew,
			FirstSeen: at,
			LastSeen:  at,
			Evidence:  []record.ProspectEvidence{},
		}
		created = true
	}
	mergeRecord(p, em, person, d, r.cfg.Prospects.MaxEvidence, r.now)
	scoreProspect(p, r.cfg.Prospects)
	allKeys := keys
	if st, ok := t.byID[p.ID]; ok {
		for _, k := range st.keys {
			allKeys = appendUnique(allKeys, k)
		}
	}
	t.put(p, allKeys)
	return cloneProspect(p), created
}

// buyingScore is the strongest "buying" intent the analysis found.
func buyingScore(em *record.EnrichedMention) float64 {
	best := 0.0
	for _, in := range em.Analysis.Intents {
		if in.Name == "buying" && in.Score > best {
			best = in.Score
		}
	}
	return best
}

func recordTime(em *record.EnrichedMention, now func() time.Time) time.Time {
	switch {
	case !em.CreatedAt.IsZero():
		return em.CreatedAt.UTC()
	case !em.FetchedAt.IsZero():
		return em.FetchedAt.UTC()
	}
	return now().UTC()
}

// maxEvidenceText bounds the text kept as provenance.
const maxEvidenceText = 500

// mergeRecord adds what one record tells about the person to p.
func mergeRecord(p *record.Prospect, em *record.EnrichedMention, person *Person, d Decision, maxEvidence int, now func() time.Time) {
	a := em.Author
	at := recordTime(em, now)
	if p.Name == "" {
		p.Name = strings.TrimSpace(firstNonEmpty(a.Name, strings.TrimSpace(formField(em.Fields, "first_name")+" "+formField(em.Fields, "last_name"))))
	}
	if e := strings.TrimSpace(firstNonEmpty(a.Email, formField(em.Fields, "email"))); e != "" && !containsFold(p.Emails, e) {
		p.Emails = append(p.Emails, e)
	}
	if ph := strings.TrimSpace(firstNonEmpty(a.Phone, formField(em.Fields, "phone"))); ph != "" && !slices.Contains(p.Phones, ph) {
		p.Phones = append(p.Phones, ph)
	}
	for _, h := range person.Handles {
		platform, handle, _ := strings.Cut(h, ":")
		ph := record.Handle{Platform: platform, Handle: handle}
		if !slices.Contains(p.Handles, ph) {
			p.Handles = append(p.Handles, ph)
		}
	}
	if u := strings.TrimSpace(a.ProfileURL); u != "" && !slices.Contains(p.ProfileURLs, u) {
		p.ProfileURLs = append(p.ProfileURLs, u)
	}
	if p.Company == "" {
		p.Company = strings.TrimSpace(firstNonEmpty(a.Company, formField(em.Fields, "company")))
	}
	if p.Country == "" {
		p.Country = person.Country
	}
	if l := em.Analysis.Language; l != nil && l.Code != "" && l.Code != "unknown" && !slices.Contains(p.Languages, l.Code) {
		p.Languages = append(p.Languages, l.Code)
	}
	p.Followers = max(p.Followers, a.Followers)
	if pref := em.Analysis.Preferences; pref != nil {
		if p.Preferences == nil {
			p.Preferences = &record.Preferences{}
		}
		mergePreferences(p.Preferences, pref)
	}
	if len(d.Candidates) > 0 {
		p.Candidates = d.Candidates
	}
	if at.After(p.LastSeen) {
		p.LastSeen = at
	}
	if at.Before(p.FirstSeen) {
		p.FirstSeen = at
	}
	// A replayed record (at-least-once delivery) is already in the provenance.
	if slices.ContainsFunc(p.Evidence, func(e record.ProspectEvidence) bool { return e.RecordID == em.ID }) {
		return
	}
	ev := record.ProspectEvidence{
		RecordID: em.ID,
		Source:   em.Source,
		Kind:     em.Kind,
		URL:      em.URL,
		Text:     truncate(em.Text, maxEvidenceText),
		Intents:  em.Analysis.Intents,
		Consent:  em.Consent,
		At:       at,
	}
	if ev.Consent == nil && em.Kind != record.KindFormSubmission {
		// A public post: processed on legitimate interest, not consent.
		ev.Consent = &record.Consent{Basis: "legitimate_interest"}
	}
	p.Evidence = append(p.Evidence, ev)
	slices.SortStableFunc(p.Evidence, func(a, b record.ProspectEvidence) int { return a.At.Compare(b.At) })
	if len(p.Evidence) > maxEvidence {
		p.Evidence = p.Evidence[len(p.Evidence)-maxEvidence:]
	}
}

func mergePreferences(dst, src *record.Preferences) {
	merge := func(d *[]string, s []string) {
		for _, v := range s {
			if !slices.Contains(*d, v) {
				*d = append(*d, v)
			}
		}
	}
	merge(&dst.Brands, src.Brands)
	merge(&dst.Products, src.Products)
	merge(&dst.Features, src.Features)
	merge(&dst.Competitors, src.Competitors)
	merge(&dst.Channels, src.Channels)
	merge(&dst.Needs, src.Needs)
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// cloneProspect deep-copies a prospect (callers and the table never share
// slices).
func cloneProspect(p *record.Prospect) *record.Prospect {
	b, err := json.Marshal(p)
	if err != nil {
		c := *p
		return &c
	}
	var c record.Prospect
	if err := json.Unmarshal(b, &c); err != nil {
		c = *p
	}
	return &c
}
