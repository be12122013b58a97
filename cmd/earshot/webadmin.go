package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/enrich/identity/crm"
	"github.com/earshothq/earshot/enrich/identity/customerfile"
	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web"
	"github.com/earshothq/earshot/web/auth"
)

// webAdmin gives the web app's admin routes the code behind `earshot
// customers import`, `earshot customers forget` and `earshot identity`.
type webAdmin struct {
	kafka *pipeline.Kafka
	pub   crm.Publisher
	norm  *identity.Normalizer
	// search serves the export of a person's mentions.
	search index.Backend
	// reviews serves the review of possible matches.
	reviews *crm.Reviews
}

var (
	_ web.Importer      = (*webAdmin)(nil)
	_ web.Eraser        = (*webAdmin)(nil)
	_ web.MatchReviewer = (*webAdmin)(nil)
)

// Import reads a customer file as `earshot customers import` does.
func (w *webAdmin) Import(ctx context.Context, src io.Reader, name string, progress func(web.ImportStatus)) (web.ImportStatus, error) {
	var st web.ImportStatus
	reader, err := customerfile.NewReader(src, name, customerfile.DefaultConfig(), w.norm)
	if err != nil {
		return st, err
	}
	last := time.Now()
	opts := crm.ImportOptions{
		BadRow: func(line int, reasons []string) {
			st.Bad++
			if len(st.BadRows) < web.MaxBadRows {
				st.BadRows = append(st.BadRows, web.BadRow{Line: line, Reasons: reasons})
			}
		},
		Progress: func(n int64) {
			st.BytesRead = n
			if time.Since(last) > 200*time.Millisecond {
				last = time.Now()
				progress(st)
			}
		},
	}
	rep, err := crm.Import(ctx, reader, w.pub, w.kafka.Topics(), opts)
	st.Rows, st.Imported, st.Bad = rep.Rows, rep.Imported, rep.Bad
	if err != nil {
		return st, fmt.Errorf("importing (rows up to line %d are in the topic): %w", rep.LastLine, err)
	}
	return st, nil
}

// Erase forgets a person as `earshot customers forget` does.
func (w *webAdmin) Erase(ctx context.Context, who string, dryRun bool) (web.ErasureReport, error) {
	rep := web.ErasureReport{DryRun: dryRun, Customers: []string{}, Prospects: []string{}, Emails: []string{}, Requests: []string{}}
	snap, err := crm.LoadSnapshot(ctx, w.kafka, w.kafka.Topics())
	if err != nil {
		return rep, err
	}
	plan, err := crm.PlanErasure(snap, who, w.norm, time.Now())
	if errors.Is(err, crm.ErrNobodyFound) {
		return rep, web.ErrNobodyFound
	}
	if err != nil {
		return rep, err
	}
	spelled, err := spelledEmails(ctx, w.search, w.norm, plan.Emails())
	if err != nil {
		return rep, err
	}
	plan.AddSpellings(spelled)
	rep.Customers = append(rep.Customers, plan.Customers...)
	rep.Prospects = append(rep.Prospects, plan.Prospects...)
	rep.Emails = append(rep.Emails, plan.Emails()...)
	if err := sealPlan(ctx, w.kafka, &plan); err != nil {
		return rep, err
	}
	if p, ok := auth.FromContext(ctx); ok {
		plan.By = "api:" + p.User
	}
	if dryRun {
		return rep, nil
	}
	if err := crm.Forget(ctx, w.pub, w.kafka.Topics(), plan); err != nil {
		return rep, err
	}
	for _, e := range plan.Erasures {
		rep.Requests = append(rep.Requests, e.ID)
	}
	return rep, nil
}

// spelledEmails are the addresses the index holds mentions from that are
// another spelling of one of emails (Gmail's dots, a +tag, googlemail.com):
// the same person by identity's rules, yet in no customer or prospect
// record. Without an index that can look them up, none.
func spelledEmails(ctx context.Context, b index.Backend, norm *identity.Normalizer, emails []string) ([]string, error) {
	rl, ok := b.(index.Relinker)
	if !ok || len(emails) == 0 {
		return nil, nil
	}
	patterns, canonical := spellingPatterns(norm, emails)
	if len(patterns) == 0 {
		return nil, nil
	}
	written := map[string]bool{}
	for _, e := range emails {
		written[index.Keyword(e)] = true
	}
	ids := index.Identifiers{EmailPatterns: patterns}
	found := map[string]bool{}
	err := rl.MentionsOf(ctx, ids, 500, func(ms []*record.EnrichedMention) error {
		for _, m := range ms {
			e := index.Keyword(m.Author.Email)
			if c, err := norm.Email(e); err == nil && canonical[c] && !written[e] {
				found[e] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("finding the person's mentions under other spellings of their e-mail: %w", err)
	}
	out := make([]string, 0, len(found))
	for e := range found {
		out = append(out, e)
	}
	sort.Strings(out)
	return out, nil
}

// spellingPatterns are the regular expressions of every spelling of
// emails' addresses that have more than one (norm.EmailSpellings), and the
// addresses normalised.
func spellingPatterns(norm *identity.Normalizer, emails []string) (patterns []string, canonical map[string]bool) {
	canonical = map[string]bool{}
	for _, e := range emails {
		c, err := norm.Email(e)
		if err != nil || canonical[c] {
			continue
		}
		canonical[c] = true
		if pat := norm.EmailSpellings(c); pat != "" {
			patterns = append(patterns, pat)
		}
	}
	return patterns, canonical
}

// Review lists the undecided possible matches as `earshot identity review`
// does, from the tables it follows (crm.Reviews) rather than a read of
// every customer and prospect per look.
func (w *webAdmin) Review(ctx context.Context) ([]web.MatchCandidate, error) {
	items, err := w.reviews.Review(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.MatchCandidate, 0, len(items))
	for _, it := range items {
		out = append(out, web.MatchCandidate(it))
	}
	return out, nil
}

// Decide records a verdict as `earshot identity confirm|reject` does.
func (w *webAdmin) Decide(ctx context.Context, prospectID, customerID, verdict, by string) (record.MatchDecision, error) {
	d, err := w.reviews.Decide(ctx, w.pub, record.MatchDecision{ProspectID: prospectID, CustomerID: customerID, Verdict: verdict, By: by})
	switch {
	case errors.Is(err, crm.ErrNoSuchPerson):
		return d, fmt.Errorf("%w: %w", web.ErrNoSuchMatch, err)
	case errors.Is(err, crm.ErrSettled):
		return d, fmt.Errorf("%w: %w", web.ErrMatchSettled, err)
	}
	return d, err
}
