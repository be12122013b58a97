package crm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

// Snapshot is the current content of the customers and prospects tables.
type Snapshot struct {
	Customers map[string]record.Customer
	Prospects map[string]record.Prospect
}

// Follower reads a topic from its first record; *pipeline.Kafka implements it.
type Follower interface {
	FollowTable(ctx context.Context, topic string, apply func(pipeline.Message)) (*pipeline.Table, error)
}

// LoadSnapshot reads the customers and prospects topics to their current
// end (tombstones applied) and stops following.
func LoadSnapshot(ctx context.Context, f Follower, topics pipeline.Topics) (*Snapshot, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	snap := &Snapshot{Customers: map[string]record.Customer{}, Prospects: map[string]record.Prospect{}}
	var decodeErrs []error
	ct, err := f.FollowTable(ctx, topics.Customers(), func(m pipeline.Message) {
		mu.Lock()
		defer mu.Unlock()
		if m.Value == nil {
			delete(snap.Customers, string(m.Key))
			return
		}
		var c record.Customer
		if err := record.Decode(m.Value, &c); err != nil {
			decodeErrs = append(decodeErrs, fmt.Errorf("customer %q at offset %d: %w", m.Key, m.Offset, err))
			return
		}
		snap.Customers[string(m.Key)] = c
	})
	if err != nil {
		return nil, err
	}
	pt, err := f.FollowTable(ctx, topics.Prospects(), func(m pipeline.Message) {
		mu.Lock()
		defer mu.Unlock()
		if m.Value == nil {
			delete(snap.Prospects, string(m.Key))
			return
		}
		var p record.Prospect
		if err := record.Decode(m.Value, &p); err != nil {
			decodeErrs = append(decodeErrs, fmt.Errorf("prospect %q at offset %d: %w", m.Key, m.Offset, err))
			return
		}
		snap.Prospects[string(m.Key)] = p
	})
	if err != nil {
		return nil, err
	}
	if err := ct.WaitCaughtUp(ctx); err != nil {
		return nil, err
	}
	if err := pt.WaitCaughtUp(ctx); err != nil {
		return nil, err
	}
	cancel()
	mu.Lock()
	defer mu.Unlock()
	// Copy so followers still stopping cannot change what the caller reads.
	out := &Snapshot{Customers: make(map[string]record.Customer, len(snap.Customers)), Prospects: make(map[string]record.Prospect, len(snap.Prospects))}
	for k, v := range snap.Customers {
		out.Customers[k] = v
	}
	for k, v := range snap.Prospects {
		out.Prospects[k] = v
	}
	if len(decodeErrs) > 0 {
		return out, fmt.Errorf("reading tables: %w", errors.Join(decodeErrs...))
	}
	return out, nil
}

// ErrNobodyFound says forget found no customer or prospect to erase.
var ErrNobodyFound = errors.New("nobody found: nothing written")

// Plan is what forgetting one person erases.
type Plan struct {
	// Erasures are the deletion requests for the index stage, one per
	// customer found (or one naming only prospects and emails).
	Erasures  []record.Erasure
	Customers []string // customer ids to tombstone
	Prospects []string // prospect ids to tombstone
	// IdentityKeys are the person's identifiers in the shape of
	// record.AuthorKey ("email:…", "handle:mastodon:…"): what their records
	// were keyed and sealed by. Never written anywhere as such.
	IdentityKeys []string
	// Keys are the keys-topic keys of the person's data keys to tombstone
	// (set by Seal).
	Keys []string
	// By names who asked, for the audit log.
	By string
	// Markers are written after every tombstone was acknowledged, so a
	// compaction can drop what the tombstones delete (see
	// pipeline.Kafka.CompactionMarkers).
	Markers []pipeline.Output
}

// Shredder is the keyring as forget needs it: subjects of identity keys
// and the stored keys of a subject (*privacy.Keyring implements it).
type Shredder interface {
	Subject(identityKey string) string
	Serials(subject string) []string
}

// Seal replaces the identifiers in the plan's erasure requests with keyed
// hashes (subjects) and lists the data keys to delete. Without it (no
// privacy secret) the requests carry the e-mail addresses, as before
// personal data was sealed.
func (p *Plan) Seal(s Shredder) {
	subjects := make([]string, 0, len(p.IdentityKeys))
	p.Keys = nil
	for _, k := range p.IdentityKeys {
		sub := s.Subject(k)
		subjects = append(subjects, sub)
		p.Keys = append(p.Keys, s.Serials(sub)...)
	}
	sort.Strings(subjects)
	for i := range p.Erasures {
		p.Erasures[i].Emails = nil
		p.Erasures[i].Subjects = subjects
	}
}

// identityKeys lists a person's identifiers as record.AuthorKey writes them.
func identityKeys(emails, phones, urls []string, handles []record.Handle) []string {
	var out []string
	for _, e := range emails {
		out = append(out, record.AuthorKey("", record.Author{Email: e}))
	}
	for _, p := range phones {
		out = append(out, record.AuthorKey("", record.Author{Phone: p}))
	}
	for _, h := range handles {
		out = append(out, record.AuthorKey(h.Platform, record.Author{Platform: h.Platform, Handle: h.Handle}))
	}
	for _, u := range urls {
		out = append(out, record.AuthorKey("", record.Author{ProfileURL: u}))
	}
	return out
}

// PlanErasure finds everything that belongs to who: a customer id, a
// prospect id, or an email address (every customer and prospect with it).
// Prospects sharing an email, phone, handle or profile URL with a found
// customer go too. When nobody has the address or id, the error is
// ErrNobodyFound and the plan is empty: nothing is written for a stranger.
func PlanErasure(snap *Snapshot, who string, norm *identity.Normalizer, now time.Time) (Plan, error) {
	who = strings.TrimSpace(who)
	if who == "" {
		return Plan{}, errors.New("forget: give a customer id, prospect id or email address")
	}
	var customers []record.Customer
	prospectIDs := map[string]bool{}
	emails := map[string]bool{}
	keys := map[string]bool{} // exact identity keys of everything found
	addKeys := func(p identity.Person) {
		for _, k := range p.ExactKeys() {
			keys[k] = true
		}
	}
	switch c, ok := snap.Customers[who]; {
	case ok:
		customers = append(customers, c)
	case snap.Prospects[who].ID != "":
		prospectIDs[who] = true
	case isEmail(who):
		e, err := norm.Email(who)
		if err != nil {
			return Plan{}, fmt.Errorf("forget: %w", err)
		}
		keys["email:"+e] = true
		emails[strings.ToLower(who)] = true
		for _, id := range sortedKeys(snap.Customers) {
			c := snap.Customers[id]
			for _, ce := range c.Emails {
				if n, err := norm.Email(ce); err == nil && n == e {
					customers = append(customers, c)
					break
				}
			}
		}
	default:
		return Plan{}, fmt.Errorf("forget: no customer or prospect has the id %q (give an id or an email address): %w", who, ErrNobodyFound)
	}
	idKeys := map[string]bool{}
	if isEmail(who) {
		for _, k := range identityKeys([]string{who}, nil, nil, nil) {
			idKeys[k] = true
		}
	}
	for i := range customers {
		c := &customers[i]
		for _, k := range identityKeys(c.Emails, c.Phones, c.ProfileURLs, c.Handles) {
			idKeys[k] = true
		}
		p, _ := norm.Customer(c)
		addKeys(p)
		for _, e := range customers[i].Emails {
			emails[strings.ToLower(strings.TrimSpace(e))] = true
		}
	}
	// Prospects that share any identity key with what was found.
	for _, id := range sortedKeys(snap.Prospects) {
		pr := snap.Prospects[id]
		p := norm.Prospect(&pr)
		for _, k := range p.ExactKeys() {
			if keys[k] {
				prospectIDs[id] = true
				break
			}
		}
	}
	for id := range prospectIDs {
		if pr, ok := snap.Prospects[id]; ok {
			for _, k := range identityKeys(pr.Emails, pr.Phones, pr.ProfileURLs, pr.Handles) {
				idKeys[k] = true
			}
			for _, e := range pr.Emails {
				emails[strings.ToLower(strings.TrimSpace(e))] = true
			}
		}
	}
	if len(customers) == 0 && len(prospectIDs) == 0 {
		return Plan{}, fmt.Errorf("forget: no customer or prospect has the address %q: %w", who, ErrNobodyFound)
	}
	plan := Plan{Prospects: sortedKeys(prospectIDs), IdentityKeys: sortedKeys(idKeys)}
	allEmails := sortedKeys(emails)
	at := now.UTC()
	if len(customers) == 0 {
		plan.Erasures = append(plan.Erasures, record.Erasure{
			ID: record.RecordID("erasure", who+"|"+at.Format(time.RFC3339Nano)), ProspectIDs: plan.Prospects, Emails: allEmails, RequestedAt: at,
		})
	}
	for i, c := range customers {
		plan.Customers = append(plan.Customers, c.ID)
		e := record.Erasure{ID: record.RecordID("erasure", c.ID+"|"+at.Format(time.RFC3339Nano)), CustomerID: c.ID, Emails: allEmails, RequestedAt: at}
		if i == 0 {
			e.ProspectIDs = plan.Prospects
		}
		plan.Erasures = append(plan.Erasures, e)
	}
	return plan, nil
}

// Emails are the person's e-mail addresses the plan erases by (as written,
// lower-cased).
func (p *Plan) Emails() []string {
	if len(p.Erasures) == 0 {
		return nil
	}
	return p.Erasures[0].Emails
}

// AddSpellings adds addresses the person wrote under another spelling of
// one of their e-mails (a provider's dots, a +tag, a domain alias; found
// in the index, where no customer or prospect record has them): their
// mentions and, once sealed, their data keys go with the rest. Call it
// before Seal.
func (p *Plan) AddSpellings(emails []string) {
	keys := map[string]bool{}
	for _, k := range p.IdentityKeys {
		keys[k] = true
	}
	for _, e := range emails {
		k := record.AuthorKey("", record.Author{Email: e})
		if keys[k] {
			continue
		}
		keys[k] = true
		p.IdentityKeys = append(p.IdentityKeys, k)
		for i := range p.Erasures {
			// Clipped: the requests share one list of e-mails.
			p.Erasures[i].Emails = append(slices.Clip(p.Erasures[i].Emails), strings.ToLower(strings.TrimSpace(e)))
		}
	}
	sort.Strings(p.IdentityKeys)
}

// Forget carries out a plan: the deletion requests first (so a failure
// half-way leaves the person findable and the command can be run again),
// then the tombstones. It returns once Kafka acknowledged everything.
func Forget(ctx context.Context, pub Publisher, topics pipeline.Topics, plan Plan) error {
	var reqs []pipeline.Output
	for i := range plan.Erasures {
		plan.Erasures[i].By = plan.By
		v, err := record.Encode(&plan.Erasures[i])
		if err != nil {
			return fmt.Errorf("encoding erasure: %w", err)
		}
		reqs = append(reqs, pipeline.Output{Topic: topics.Erasures(), Key: []byte(plan.Erasures[i].ID), Value: v})
	}
	if err := pub.ProduceSync(ctx, reqs...); err != nil {
		return fmt.Errorf("writing erasure requests to %s: %w", topics.Erasures(), err)
	}
	var tombs []pipeline.Output
	for _, id := range plan.Customers {
		tombs = append(tombs, pipeline.Output{Topic: topics.Customers(), Key: []byte(id)})
	}
	for _, id := range plan.Prospects {
		tombs = append(tombs, pipeline.Output{Topic: topics.Prospects(), Key: []byte(id)},
			// Sales' stage history and notes on the person go with them.
			pipeline.Output{Topic: topics.Name(pipeline.RoleProspectWork), Key: []byte(id)})
	}
	if len(tombs) > 0 {
		if err := pub.ProduceSync(ctx, tombs...); err != nil {
			return fmt.Errorf("writing tombstones (the erasure requests were written; run forget again): %w", err)
		}
	}
	// The data keys go last: their tombstones are what has the embedded
	// broker compact, which then also drops the records tombstoned above.
	var keys []pipeline.Output
	for _, k := range plan.Keys {
		keys = append(keys, pipeline.Output{Topic: topics.Keys(), Key: []byte(k)})
	}
	if len(keys) > 0 {
		if err := pub.ProduceSync(ctx, keys...); err != nil {
			return fmt.Errorf("deleting the person's data keys (the erasure requests were written; run forget again): %w", err)
		}
	}
	if len(plan.Markers) > 0 {
		if err := pub.ProduceSync(ctx, plan.Markers...); err != nil {
			return fmt.Errorf("writing compaction markers (the person's keys and records were deleted; compaction may wait for the next records): %w", err)
		}
	}
	audit := record.ErasureAudit{
		Step: "forget", By: plan.By, At: time.Now().UTC(), CustomerIDs: plan.Customers, ProspectIDs: plan.Prospects,
		Removed: map[string]int{"keys": len(plan.Keys), "customers": len(plan.Customers), "prospects": len(plan.Prospects)},
	}
	for _, e := range plan.Erasures {
		audit.RequestIDs = append(audit.RequestIDs, e.ID)
	}
	audit.ID = record.RecordID("erasure-audit", "forget|"+strings.Join(audit.RequestIDs, ","))
	if err := WriteAudit(ctx, pub, topics, &audit); err != nil {
		return fmt.Errorf("the person was erased, but %w", err)
	}
	return nil
}

// WriteAudit appends an entry to the erasure audit log.
func WriteAudit(ctx context.Context, pub Publisher, topics pipeline.Topics, a *record.ErasureAudit) error {
	v, err := record.Encode(a)
	if err != nil {
		return fmt.Errorf("encoding erasure audit: %w", err)
	}
	if err := pub.ProduceSync(ctx, pipeline.Output{Topic: topics.ErasureAudit(), Key: []byte(a.ID), Value: v}); err != nil {
		return fmt.Errorf("writing the erasure audit to %s: %w", topics.ErasureAudit(), err)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return slices.Clip(out)
}
