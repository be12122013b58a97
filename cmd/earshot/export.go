package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/enrich/identity/crm"
	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/backend"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web"
)

// exportPerson gathers everything Earshot holds about who (a customer id,
// a prospect id or an e-mail): the people forget would erase, their
// indexed mentions, consent records and sales work.
func exportPerson(ctx context.Context, k *pipeline.Kafka, b index.Backend, norm *identity.Normalizer, who string) (*web.PersonExport, error) {
	snap, err := crm.LoadSnapshot(ctx, k, k.Topics())
	if err != nil {
		return nil, err
	}
	plan, err := crm.PlanErasure(snap, who, norm, time.Now())
	if errors.Is(err, crm.ErrNobodyFound) {
		return nil, web.ErrNobodyFound
	}
	if err != nil {
		return nil, err
	}
	out := &web.PersonExport{ExportedAt: time.Now().UTC(), Customers: []record.Customer{}, Prospects: []record.Prospect{},
		Mentions: []*record.EnrichedMention{}, Forms: []*record.EnrichedMention{}, Consent: []web.ConsentRecord{}, StageHistory: []record.ProspectWork{}}
	var ids index.Identifiers
	addIdentifiers := func(emails []string, handles []record.Handle) {
		for _, e := range emails {
			ids.Emails = append(ids.Emails, index.Keyword(e))
		}
		// Mentions written from another spelling of an address (a
		// provider's dots, +tags, domain alias) are theirs too.
		patterns, _ := spellingPatterns(norm, emails)
		ids.EmailPatterns = append(ids.EmailPatterns, patterns...)
		for _, h := range handles {
			hd := index.Keyword(h.Handle)
			ids.Authors = append(ids.Authors, hd, "@"+strings.TrimPrefix(hd, "@"), strings.TrimPrefix(hd, "@"))
		}
	}
	for _, id := range plan.Customers {
		c := snap.Customers[id]
		out.Customers = append(out.Customers, c)
		addIdentifiers(c.Emails, c.Handles)
		for _, purpose := range sortedConsent(c.Consent) {
			out.Consent = append(out.Consent, web.ConsentRecord{Source: "customer:" + c.ID, Purpose: purpose, Given: c.Consent[purpose]})
		}
	}
	for _, id := range plan.Prospects {
		p := snap.Prospects[id]
		out.Prospects = append(out.Prospects, p)
		addIdentifiers(p.Emails, p.Handles)
		ids.ProspectIDs = append(ids.ProspectIDs, p.ID)
	}
	seen := map[string]bool{}
	add := func(m *record.EnrichedMention) {
		if m == nil || seen[m.ID] {
			return
		}
		seen[m.ID] = true
		out.Mentions = append(out.Mentions, m)
	}
	if rl, ok := b.(index.Relinker); ok && !ids.Empty() {
		if err := rl.MentionsOf(ctx, ids, 500, func(ms []*record.EnrichedMention) error {
			for _, m := range ms {
				add(m)
			}
			return nil
		}); err != nil {
			return nil, fmt.Errorf("reading the person's mentions: %w", err)
		}
	}
	for _, id := range plan.Customers {
		req := &index.SearchRequest{Query: "customer:" + id, Size: 500, Sort: "oldest"}
		for {
			res, err := b.Search(ctx, req)
			if err != nil {
				return nil, fmt.Errorf("reading the customer's mentions: %w", err)
			}
			for _, h := range res.Hits {
				add(h.Mention)
			}
			if res.Next == "" || len(res.Hits) == 0 {
				break
			}
			req.Cursor = res.Next
		}
	}
	sort.Slice(out.Mentions, func(i, j int) bool { return out.Mentions[i].CreatedAt.Before(out.Mentions[j].CreatedAt) })
	for _, m := range out.Mentions {
		if m.Kind == record.KindFormSubmission {
			out.Forms = append(out.Forms, m)
		}
		if m.Consent != nil {
			out.Consent = append(out.Consent, web.ConsentRecord{Source: "mention:" + m.ID, Given: m.Consent.Given, Details: m.Consent})
		}
	}
	work, err := loadProspectWork(ctx, k, plan.Prospects)
	if err != nil {
		return nil, err
	}
	out.StageHistory = append(out.StageHistory, work...)
	return out, nil
}

func sortedConsent(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// loadProspectWork reads sales' work on the prospects from its topic.
func loadProspectWork(ctx context.Context, k *pipeline.Kafka, prospects []string) ([]record.ProspectWork, error) {
	if len(prospects) == 0 {
		return nil, nil
	}
	want := map[string]bool{}
	for _, id := range prospects {
		want[id] = true
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	got := map[string]record.ProspectWork{}
	var decodeErr error
	t, err := k.FollowTable(ctx, k.Topics().Name(pipeline.RoleProspectWork), func(m pipeline.Message) {
		mu.Lock()
		defer mu.Unlock()
		if !want[string(m.Key)] {
			return
		}
		if m.Value == nil {
			delete(got, string(m.Key))
			return
		}
		var w record.ProspectWork
		if err := record.Decode(m.Value, &w); err != nil {
			decodeErr = fmt.Errorf("prospect work %q: %w", m.Key, err)
			return
		}
		got[string(m.Key)] = w
	})
	if err != nil {
		return nil, err
	}
	if err := t.WaitCaughtUp(ctx); err != nil {
		return nil, err
	}
	cancel()
	mu.Lock()
	defer mu.Unlock()
	if decodeErr != nil {
		return nil, fmt.Errorf("reading prospect work: %w", decodeErr)
	}
	out := make([]record.ProspectWork, 0, len(got))
	for _, id := range prospects {
		if w, ok := got[id]; ok {
			out = append(out, w)
		}
	}
	return out, nil
}

// ExportPerson serves GET /api/people/{who}/export.
func (w *webAdmin) ExportPerson(ctx context.Context, who string) (*web.PersonExport, error) {
	if w.search == nil {
		return nil, errors.New("no search backend in this process")
	}
	return exportPerson(ctx, w.kafka, w.search, w.norm, who)
}

// newCustomersExportCmd is `earshot customers export ID|EMAIL`.
func newCustomersExportCmd(app *App) *cobra.Command {
	var (
		token  string
		direct bool
	)
	cmd := &cobra.Command{
		Use:   "export ID|EMAIL",
		Short: "Print everything Earshot holds about a person as JSON (right of access and portability)",
		Long: `Finds the person as forget does (a customer id, a prospect id, or every
customer and prospect with the e-mail address) and prints their customer and
prospect records, indexed mentions and form submissions, consent records and
sales' stage history and notes as one JSON document. While a hub runs the
embedded index, the export comes from its API (GET /api/people/{who}/export,
admin token in --token or $EARSHOT_TOKEN).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := app.Config()
			if err != nil {
				return err
			}
			if token == "" {
				token = os.Getenv(EnvToken)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
			defer cancel()
			if cfg.Search.Backend == backend.KindEmbedded && !direct {
				body, err := exportViaAPI(ctx, cfg.HTTP.Listen, token, args[0])
				var refused *exitError
				if errors.As(err, &refused) {
					return err
				}
				if err == nil {
					_, err = app.Stdout.Write(body)
					return err
				}
				app.Logger().Debug("hub API not reachable; exporting directly", "error", err)
			}
			icfg, err := identityConfig(app, cmd)
			if err != nil {
				return err
			}
			k, err := app.openAdmin(ctx)
			if err != nil {
				return err
			}
			defer k.Close()
			b, err := backend.Open(ctx, cfg.Search, app.Logger(), nil)
			if errors.Is(err, bleve.ErrInUse) {
				return fmt.Errorf("the embedded index is in use by a running hub: export through its API (the hub at http.listen %s, with an admin token): %w", cfg.HTTP.Listen, err)
			}
			if err != nil {
				return err
			}
			defer b.Close()
			out, err := exportPerson(ctx, k, b, identity.NewNormalizer(icfg), args[0])
			if errors.Is(err, web.ErrNobodyFound) {
				return &exitError{code: 1, err: fmt.Errorf("export: nobody has the id or address %q", args[0])}
			}
			if err != nil {
				return err
			}
			enc := json.NewEncoder(app.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		},
	}
	cmd.Flags().StringVar(&token, "token", "", "admin API token for a running hub (default $"+EnvToken+")")
	cmd.Flags().BoolVar(&direct, "direct", false, "open the embedded index directly instead of asking a running hub's API")
	return cmd
}

// exportViaAPI asks a running hub for the export. It returns the error with
// a nil body when no hub answers, an *exitError when the hub refused.
func exportViaAPI(ctx context.Context, listen, token, who string) ([]byte, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+listen+"/api/people/"+url.PathEscape(who)+"/export", nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		hreq.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(hreq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var buf strings.Builder
	var p struct {
		Detail string `json:"detail"`
	}
	switch resp.StatusCode {
	case http.StatusOK:
		var v json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			return nil, fmt.Errorf("decoding the export: %w", err)
		}
		buf.Write(v)
		buf.WriteString("\n")
		return []byte(buf.String()), nil
	case http.StatusUnauthorized, http.StatusForbidden:
		return nil, &exitError{code: 1, err: fmt.Errorf("the hub's API needs an admin token: create one with `earshot tokens create USER` and pass it with --token or $%s", EnvToken)}
	default:
		_ = json.NewDecoder(resp.Body).Decode(&p)
		return nil, &exitError{code: 1, err: fmt.Errorf("export API (%d): %s", resp.StatusCode, p.Detail)}
	}
}
