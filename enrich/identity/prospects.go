package identity

import (
	"container/list"
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
	// merged maps a merged prospect's id to the id it was merged into.
	merged map[string]string
	// People's decisions on possible matches, by decision id: a confirmed
	// prospect becomes its customer, a rejected customer never comes back
	// among the prospect's candidates.
	decisions map[string]record.MatchDecision
	confirmed map[string]string          // prospect → customer
	rejected  map[string]map[string]bool // prospect → customers
	// evicted keeps the last state of the most recently evicted prospects
	// (at most maxEvicted): the stage may still hold one of their records
	// back (enrich's StageConfig.Latest), and writes it in this state
	// rather than not at all.
	evicted      map[string]*record.Prospect
	evictedOrder []string
}

// maxEvicted bounds the evicted prospects whose last state is kept.
const maxEvicted = 4096

type prospectState struct {
	p    *record.Prospect
	keys []string
	elem *list.Element
}

func newProspectTable(max int) *prospectTable {
	return &prospectTable{max: max, byID: map[string]*prospectState{}, byKey: map[string]string{}, lru: list.New(), merged: map[string]string{},
		decisions: map[string]record.MatchDecision{}, confirmed: map[string]string{}, rejected: map[string]map[string]bool{},
		evicted: map[string]*record.Prospect{}}
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
	if p.Status == record.ProspectMerged && p.MergedInto != "" {
		// A redirect: its keys belong to the survivor.
		t.drop(p.ID)
		t.merged[p.ID] = p.MergedInto
		return
	}
	if cur, ok := t.byID[p.ID]; ok {
		switch {
		case closed(cur.p) && !closed(p) && !p.LastSeen.After(cur.p.LastSeen):
			return // an earlier write echoing back after the conversion
		case cur.p.LastSeen.After(p.LastSeen) && closed(cur.p) == closed(p):
			return
		}
	}
	t.put(cloneProspect(p), keys)
}

// closed reports a prospect that left the pipeline by becoming a customer
// or being merged: later records do not reopen it.
func closed(p *record.Prospect) bool {
	return p.Status == record.ProspectConverted || p.Status == record.ProspectMerged
}

// resolveID follows merge redirects to the surviving prospect.
func (t *prospectTable) resolveID(id string) string {
	for range 8 { // a chain of merges, never a cycle
		next, ok := t.merged[id]
		if !ok {
			break
		}
		id = next
	}
	return id
}

// put stores p under its id and keys; the caller holds mu.
func (t *prospectTable) put(p *record.Prospect, keys []string) {
	delete(t.evicted, p.ID)
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
		if owner, taken := t.byKey[k]; !taken || t.byID[owner] == nil {
			t.byKey[k] = p.ID
		}
	}
	for len(t.byID) > t.max {
		t.evict(t.lru.Back().Value.(string))
	}
}

// evict drops the least recently used prospect for room, keeping its
// last state in evicted.
func (t *prospectTable) evict(id string) {
	st := t.byID[id]
	t.drop(id)
	if st == nil {
		return
	}
	t.evicted[id] = st.p
	t.evictedOrder = append(t.evictedOrder, id)
	if len(t.evictedOrder) > maxEvicted {
		old := t.evictedOrder[0]
		t.evictedOrder = t.evictedOrder[1:]
		if !slices.Contains(t.evictedOrder, old) {
			delete(t.evicted, old)
		}
	}
}

func (t *prospectTable) remove(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.drop(id)
	delete(t.merged, id)
}

func (t *prospectTable) drop(id string) {
	delete(t.evicted, id) // erased, merged or back in the table: not its evicted state
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
	st, ok := t.byID[t.resolveID(id)]
	if !ok {
		return nil, false
	}
	return cloneProspect(st.p), true
}

// current returns a copy of the prospect held under id, not following
// merge redirects, or its last state when it was evicted lately.
func (t *prospectTable) current(id string) (*record.Prospect, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.byID[id]
	if !ok {
		if p, ok := t.evicted[id]; ok {
			return cloneProspect(p), true
		}
		return nil, false
	}
	return cloneProspect(st.p), true
}

// record adds an unmatched record to its person's prospect, creating the
// prospect when the record qualifies. A record carrying identifiers of two
// prospects merges them: the one seen first survives with both histories,
// the other becomes a redirect. It returns the changed prospects (copies
// the caller owns; the survivor first) and whether one was created; none
// when no prospect is concerned. A prospect that became a customer is
// not reopened: its customer id comes back instead.
func (t *prospectTable) record(r *Resolver, em *record.EnrichedMention, person *Person, d Decision) (changed []*record.Prospect, created bool, customerID string) {
	keys := person.ExactKeys()
	if len(keys) == 0 {
		return nil, false, "" // nothing to recognise the person by next time
	}
	buying := buyingScore(em)
	form := em.Kind == record.KindFormSubmission
	t.mu.Lock()
	defer t.mu.Unlock()
	var found []*record.Prospect
	for _, k := range keys {
		if id, ok := t.byKey[k]; ok {
			if st := t.byID[id]; st != nil && !slices.ContainsFunc(found, func(p *record.Prospect) bool { return p.ID == id }) {
				found = append(found, st.p)
			}
		}
	}
	at := recordTime(em, r.now)
	var p *record.Prospect
	var merged []*record.Prospect
	switch {
	case len(found) == 0:
		if !form && buying < r.cfg.Prospects.IntentThreshold {
			return nil, false, ""
		}
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
	default:
		for _, f := range found {
			if f.Status == record.ProspectConverted && f.CustomerID != "" {
				return nil, false, f.CustomerID
			}
		}
		slices.SortStableFunc(found, func(a, b *record.Prospect) int {
			if c := a.FirstSeen.Compare(b.FirstSeen); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		// Changed in place: the table's states never leave it (callers
		// get copies) and it is locked.
		p = found[0]
		for _, other := range found[1:] {
			absorb(p, other, r.cfg.Prospects.MaxEvidence)
			merged = append(merged, redirect(other, p.ID, at))
		}
	}
	mergeRecord(p, em, person, d, r.cfg.Prospects.MaxEvidence, r.now, t.rejected[p.ID])
	scoreProspect(p, r.cfg.Prospects)
	allKeys := keys
	for _, f := range found {
		if st, ok := t.byID[f.ID]; ok {
			for _, k := range st.keys {
				allKeys = appendUnique(allKeys, k)
			}
		}
	}
	for _, m := range merged {
		t.drop(m.ID)
		t.merged[m.ID] = p.ID
	}
	t.put(p, allKeys)
	for _, k := range allKeys {
		t.byKey[k] = p.ID // the merged prospects' keys lead to the survivor
	}
	changed = append(changed, cloneProspect(p))
	return append(changed, merged...), created, ""
}

// absorb merges another prospect of the same person into p.
func absorb(p, o *record.Prospect, maxEvidence int) {
	for _, e := range o.Emails {
		if !containsFold(p.Emails, e) {
			p.Emails = append(p.Emails, e)
		}
	}
	for _, ph := range o.Phones {
		if !slices.Contains(p.Phones, ph) {
			p.Phones = append(p.Phones, ph)
		}
	}
	for _, h := range o.Handles {
		if !slices.Contains(p.Handles, h) {
			p.Handles = append(p.Handles, h)
		}
	}
	for _, u := range o.ProfileURLs {
		if !slices.Contains(p.ProfileURLs, u) {
			p.ProfileURLs = append(p.ProfileURLs, u)
		}
	}
	for _, l := range o.Languages {
		if !slices.Contains(p.Languages, l) {
			p.Languages = append(p.Languages, l)
		}
	}
	p.Name = firstNonEmpty(p.Name, o.Name)
	p.Company = firstNonEmpty(p.Company, o.Company)
	p.Country = firstNonEmpty(p.Country, o.Country)
	p.Followers = max(p.Followers, o.Followers)
	if o.Preferences != nil {
		if p.Preferences == nil {
			p.Preferences = &record.Preferences{}
		}
		mergePreferences(p.Preferences, o.Preferences)
	}
	for _, c := range o.Candidates {
		if !slices.ContainsFunc(p.Candidates, func(x record.Candidate) bool { return x.CustomerID == c.CustomerID }) {
			p.Candidates = append(p.Candidates, c)
		}
	}
	for _, e := range o.Evidence {
		if !slices.ContainsFunc(p.Evidence, func(x record.ProspectEvidence) bool { return x.RecordID == e.RecordID }) {
			p.Evidence = append(p.Evidence, e)
		}
	}
	slices.SortStableFunc(p.Evidence, func(a, b record.ProspectEvidence) int { return a.At.Compare(b.At) })
	if len(p.Evidence) > maxEvidence {
		p.Evidence = p.Evidence[len(p.Evidence)-maxEvidence:]
	}
	if o.FirstSeen.Before(p.FirstSeen) {
		p.FirstSeen = o.FirstSeen
	}
	if o.LastSeen.After(p.LastSeen) {
		p.LastSeen = o.LastSeen
	}
	// Sales' work is not lost: the further stage of the two stays.
	if stageRank[o.Status] > stageRank[p.Status] {
		p.Status = o.Status
	}
}

// stageRank orders the open sales stages.
var stageRank = map[string]int{record.ProspectNew: 0, record.ProspectContacted: 1, record.ProspectQualified: 2}

// redirect is what remains of a prospect merged into survivor: its
// identifiers (so an erasure by any of them still finds it) and where its
// history went.
func redirect(o *record.Prospect, survivor string, at time.Time) *record.Prospect {
	return &record.Prospect{
		Schema: record.SchemaVersion, ID: o.ID, Key: o.Key, Name: o.Name,
		Emails: o.Emails, Phones: o.Phones, Handles: o.Handles, ProfileURLs: o.ProfileURLs,
		Evidence: []record.ProspectEvidence{}, Status: record.ProspectMerged, MergedInto: survivor,
		ClosedReason: record.ClosedMerged, ClosedAt: at, FirstSeen: o.FirstSeen, LastSeen: o.LastSeen,
	}
}

// convert closes the open prospects holding any of keys as having become
// customer c, and returns their new states.
func (t *prospectTable) convert(keys []string, customerID string, at time.Time) []*record.Prospect {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []*record.Prospect
	for _, k := range keys {
		id, ok := t.byKey[k]
		if !ok {
			continue
		}
		st := t.byID[id]
		if st == nil || closed(st.p) || slices.ContainsFunc(out, func(p *record.Prospect) bool { return p.ID == id }) {
			continue
		}
		p := cloneProspect(st.p)
		p.Status, p.CustomerID, p.ClosedReason, p.ClosedAt = record.ProspectConverted, customerID, record.ClosedBecameCustomer, at
		st.p = p
		out = append(out, cloneProspect(p))
	}
	return out
}

// open returns copies of the prospects still in the pipeline.
func (t *prospectTable) open() []*record.Prospect {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []*record.Prospect
	for _, st := range t.byID {
		if !closed(st.p) {
			out = append(out, cloneProspect(st.p))
		}
	}
	slices.SortFunc(out, func(a, b *record.Prospect) int { return strings.Compare(a.ID, b.ID) })
	return out
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
func mergeRecord(p *record.Prospect, em *record.EnrichedMention, person *Person, d Decision, maxEvidence int, now func() time.Time, rejected map[string]bool) {
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
		// A copy: d.Candidates is also the mention's identity, which the
		// stage encodes unlocked while the table edits its own in place
		// (below, and a rejection in decide).
		p.Candidates = cloneCandidates(d.Candidates)
	}
	p.Candidates = slices.DeleteFunc(p.Candidates, func(c record.Candidate) bool { return rejected[c.CustomerID] })
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
// slices). It copies field by field: a JSON round trip did the same at
// about a tenth of the enrich stage's CPU.
func cloneProspect(p *record.Prospect) *record.Prospect {
	c := *p
	c.Emails = slices.Clone(p.Emails)
	c.Phones = slices.Clone(p.Phones)
	c.Handles = slices.Clone(p.Handles)
	c.ProfileURLs = slices.Clone(p.ProfileURLs)
	c.Languages = slices.Clone(p.Languages)
	if p.Preferences != nil {
		pr := *p.Preferences
		pr.Brands = slices.Clone(pr.Brands)
		pr.Products = slices.Clone(pr.Products)
		pr.Features = slices.Clone(pr.Features)
		pr.Competitors = slices.Clone(pr.Competitors)
		pr.Channels = slices.Clone(pr.Channels)
		pr.Needs = slices.Clone(pr.Needs)
		c.Preferences = &pr
	}
	if p.Evidence != nil {
		c.Evidence = make([]record.ProspectEvidence, len(p.Evidence))
		for i, e := range p.Evidence {
			if e.Intents != nil {
				e.Intents = make([]record.Intent, len(p.Evidence[i].Intents))
				for k, in := range p.Evidence[i].Intents {
					in.Evidence = slices.Clone(in.Evidence)
					e.Intents[k] = in
				}
			}
			if e.Consent != nil {
				consent := *e.Consent
				e.Consent = &consent
			}
			c.Evidence[i] = e
		}
	}
	if p.ScoreParts != nil {
		c.ScoreParts = make(map[string]float64, len(p.ScoreParts))
		for k, v := range p.ScoreParts {
			c.ScoreParts[k] = v
		}
	}
	c.Candidates = cloneCandidates(p.Candidates)
	return &c
}

// cloneCandidates deep-copies a candidate list (nil stays nil).
func cloneCandidates(cands []record.Candidate) []record.Candidate {
	if cands == nil {
		return nil
	}
	out := make([]record.Candidate, len(cands))
	for i, c := range cands {
		c.Evidence = slices.Clone(c.Evidence)
		out[i] = c
	}
	return out
}

// decide applies a person's decision (nil: its tombstone, key the
// decision id) and returns the prospect a confirmation converts, if it is
// held and still open.
func (t *prospectTable) decide(key string, d *record.MatchDecision) *record.Prospect {
	t.mu.Lock()
	defer t.mu.Unlock()
	if old, ok := t.decisions[key]; ok {
		delete(t.decisions, key)
		if t.confirmed[old.ProspectID] == old.CustomerID {
			delete(t.confirmed, old.ProspectID)
		}
		delete(t.rejected[old.ProspectID], old.CustomerID)
	}
	if d == nil {
		return nil
	}
	t.decisions[key] = *d
	switch d.Verdict {
	case record.VerdictReject:
		if t.rejected[d.ProspectID] == nil {
			t.rejected[d.ProspectID] = map[string]bool{}
		}
		t.rejected[d.ProspectID][d.CustomerID] = true
		if st := t.byID[t.resolveID(d.ProspectID)]; st != nil {
			st.p.Candidates = slices.DeleteFunc(st.p.Candidates, func(c record.Candidate) bool { return c.CustomerID == d.CustomerID })
		}
	case record.VerdictConfirm:
		t.confirmed[d.ProspectID] = d.CustomerID
		return t.convertLocked(t.resolveID(d.ProspectID), d.CustomerID, d.At)
	}
	return nil
}

// convertLocked converts one open prospect; the caller holds mu.
func (t *prospectTable) convertLocked(id, customerID string, at time.Time) *record.Prospect {
	st := t.byID[id]
	if st == nil || closed(st.p) {
		return nil
	}
	p := cloneProspect(st.p)
	p.Status, p.CustomerID, p.ClosedReason, p.ClosedAt = record.ProspectConverted, customerID, record.ClosedBecameCustomer, at.UTC()
	st.p = p
	return cloneProspect(p)
}

// confirmedOpen converts the held open prospects a person confirmed.
func (t *prospectTable) confirmedOpen() []*record.Prospect {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []*record.Prospect
	for _, d := range t.decisions {
		if d.Verdict != record.VerdictConfirm || t.confirmed[d.ProspectID] != d.CustomerID {
			continue
		}
		if p := t.convertLocked(t.resolveID(d.ProspectID), d.CustomerID, d.At); p != nil {
			out = append(out, p)
		}
	}
	return out
}
