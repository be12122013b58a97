package pages

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

const (
	prospectsPageSize = 50
	// maxWorkedFetch bounds the worked-on prospects one inbox page reads
	// from the index to honour a stage or owner filter.
	maxWorkedFetch = 1000
	maxExportRows  = 10000
)

// inbox is the prospects inbox state, from its URL.
type inbox struct {
	Stage    string
	Owner    string
	Q        string
	Language string
	MinScore string
	Sort     string
	From     int
}

func readInbox(r *http.Request) (inbox, error) {
	q := r.URL.Query()
	in := inbox{Stage: q.Get("stage"), Owner: strings.TrimSpace(q.Get("owner")), Q: strings.TrimSpace(q.Get("q")),
		Language: q.Get("language"), MinScore: q.Get("min_score"), Sort: q.Get("sort")}
	if in.Stage != "" && !slices.Contains(Stages, in.Stage) {
		return in, &inputError{Msg: fmt.Sprintf("unknown stage %q (want one of %s)", in.Stage, strings.Join(Stages, ", "))}
	}
	if in.MinScore != "" {
		if _, err := strconv.ParseFloat(in.MinScore, 64); err != nil {
			return in, &inputError{Msg: fmt.Sprintf("min_score: %q is not a number", in.MinScore)}
		}
	}
	switch in.Sort {
	case "", index.ProfileSortLeadScore, index.ProfileSortLastSeen:
	default:
		return in, &inputError{Msg: fmt.Sprintf("unknown sort %q (want lead_score or last_seen)", in.Sort)}
	}
	if v := q.Get("from"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10000 {
			return in, &inputError{Msg: fmt.Sprintf("from: %q is not a number in 0..10000", v)}
		}
		in.From = n
	}
	return in, nil
}

func (in inbox) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"stage": in.Stage, "owner": in.Owner, "q": in.Q, "language": in.Language, "min_score": in.MinScore, "sort": in.Sort} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// URL is the inbox page; WithStage the same view filtered to a stage.
func (in inbox) URL() string { return "/prospects?" + in.values().Encode() }

func (in inbox) WithStage(s string) string {
	c := in
	c.Stage, c.From = s, 0
	return c.URL()
}

// WithOwner is the inbox of one owner's prospects, or everyone's when it
// already shows only theirs.
func (in inbox) WithOwner(owner string) string {
	c := in
	c.From = 0
	if strings.EqualFold(c.Owner, owner) {
		owner = ""
	}
	c.Owner = owner
	return c.URL()
}

func (in inbox) Export() string { return "/prospects.csv?" + in.values().Encode() }

func (in inbox) Page(from int) string {
	v := in.values()
	v.Set("from", strconv.Itoa(from))
	return "/prospects?" + v.Encode()
}

// prospectRow is one prospect as the inbox shows it.
type prospectRow struct {
	Profile  *index.Profile
	Stage    string
	Owner    string
	Notes    []Note
	Evidence *record.ProspectEvidence
	// Span is the evidence text with the intent's span marked.
	Span   template.HTML
	Intent string
}

func (p *Pages) row(ctx context.Context, pr *index.Profile, work map[string]ProspectWork) prospectRow {
	row := prospectRow{Profile: pr, Stage: pr.Status}
	if w, ok := work[pr.PersonID]; ok {
		if w.Stage != "" {
			row.Stage = w.Stage
		}
		row.Owner, row.Notes = w.Owner, w.Notes
	}
	if !slices.Contains(Stages, row.Stage) {
		row.Stage = mapStatus(row.Stage)
	}
	if rec := pr.Prospect; rec != nil && len(rec.Evidence) > 0 {
		ev := rec.Evidence[len(rec.Evidence)-1]
		row.Evidence = &ev
		row.Span, row.Intent = markEvidence(ev)
	}
	return row
}

// mapStatus maps the prospect record's own statuses to inbox stages.
func mapStatus(s string) string {
	switch s {
	case record.ProspectConverted:
		return "won"
	case record.ProspectRejected:
		return "disqualified"
	case record.ProspectContacted, record.ProspectQualified:
		return s
	}
	return "new"
}

// markEvidence is the evidence text, escaped, with the strongest intent's
// first evidence span in <mark>.
func markEvidence(ev record.ProspectEvidence) (template.HTML, string) {
	text := ev.Text
	var best *record.Intent
	for i := range ev.Intents {
		if best == nil || ev.Intents[i].Score > best.Score {
			best = &ev.Intents[i]
		}
	}
	if best == nil || len(best.Evidence) == 0 {
		return template.HTML(template.HTMLEscapeString(truncateRunes(text, 400))), nameOf(best)
	}
	sp := best.Evidence[0]
	start, end := sp.Start, sp.End
	if start < 0 || end > len(text) || start >= end || text[start:end] != sp.Text {
		// Offsets from another version of the text: find the span instead.
		i := strings.Index(text, sp.Text)
		if i < 0 || sp.Text == "" {
			return template.HTML(template.HTMLEscapeString(truncateRunes(text, 400))), best.Name
		}
		start, end = i, i+len(sp.Text)
	}
	before, mid, after := text[:start], text[start:end], text[end:]
	if r := []rune(before); len(r) > 160 {
		before = "…" + string(r[len(r)-160:])
	}
	after = truncateRunes(after, 200)
	return template.HTML(template.HTMLEscapeString(before) + "<mark>" + template.HTMLEscapeString(mid) + "</mark>" + template.HTMLEscapeString(after)), best.Name
}

func nameOf(in *record.Intent) string {
	if in == nil {
		return ""
	}
	return in.Name
}

type prospectsData struct {
	Inbox  inbox
	Error  *inputError
	Total  int64
	Rows   []prospectRow
	Next   string
	Prev   string
	Stages []string
	Work   bool
}

// inboxRows lists the inbox view: from the index, with the sales work
// (stage, owner) laid over it. A stage or owner filter also reads the
// prospects whose work matches, since the index may not know their stage.
func (p *Pages) inboxRows(ctx context.Context, in inbox, limit int) ([]prospectRow, int64, error) {
	work := map[string]ProspectWork{}
	if p.d.Prospects != nil {
		all, err := p.d.Prospects.All(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("reading prospect work: %w", err)
		}
		for _, w := range all {
			work[w.ProspectID] = w
		}
	}
	minScore, _ := strconv.ParseFloat(in.MinScore, 64)
	req := &index.ProfileRequest{Kind: index.ProfileProspect, Text: in.Q, Language: in.Language, MinLeadScore: minScore, Sort: in.Sort}
	var rows []prospectRow
	seen := map[string]bool{}
	keep := func(row prospectRow) bool {
		return (in.Stage == "" || row.Stage == in.Stage) && (in.Owner == "" || strings.EqualFold(row.Owner, in.Owner))
	}
	var total int64
	if in.Owner == "" {
		if in.Stage != "" {
			req.Status = in.Stage
			if in.Stage == "won" {
				req.Status = "" // filtered below: converted maps to won
			}
		}
		// Pages of at most index.MaxSize, up to limit profiles.
		req.Size = min(limit, index.MaxSize)
		for req.From = 0; req.From < limit; req.From += req.Size {
			if err := req.Validate(); err != nil {
				return nil, 0, &inputError{Msg: err.Error()}
			}
			res, err := p.d.Backend.SearchProfiles(ctx, req)
			if err != nil {
				return nil, 0, fmt.Errorf("searching prospects: %w", err)
			}
			if req.From == 0 {
				total = res.Total
			}
			for _, pr := range res.Profiles {
				row := p.row(ctx, pr, work)
				seen[pr.PersonID] = true
				if keep(row) {
					rows = append(rows, row)
				} else {
					total--
				}
			}
			if len(res.Profiles) < req.Size {
				break
			}
		}
	}
	if in.Stage != "" || in.Owner != "" {
		var ids []string
		for id, w := range work {
			if seen[id] || len(ids) >= maxWorkedFetch {
				continue
			}
			if (in.Stage != "" && w.Stage != in.Stage) || (in.Owner != "" && !strings.EqualFold(w.Owner, in.Owner)) {
				continue
			}
			ids = append(ids, index.ProfileID(index.ProfileProspect, id))
		}
		// One read for all of them: on Elasticsearch a read each was a
		// round trip each, up to a thousand for one page.
		prs, err := p.d.Backend.GetProfiles(ctx, ids)
		if err != nil {
			return nil, 0, fmt.Errorf("reading the prospects worked on: %w", err)
		}
		for _, pr := range prs {
			if pr == nil {
				continue // worked on, not (or no longer) in the index
			}
			if pr.LeadScore < minScore || (in.Language != "" && !slices.Contains(pr.Languages, in.Language)) || !textMatches(pr, in.Q) {
				continue
			}
			row := p.row(ctx, pr, work)
			if keep(row) {
				rows = append(rows, row)
				total++
			}
		}
	}
	sortRows(rows, in.Sort)
	return rows, max(total, int64(len(rows))), nil
}

func textMatches(pr *index.Profile, q string) bool {
	if q == "" {
		return true
	}
	hay := strings.ToLower(strings.Join(append([]string{pr.Name, pr.Company}, pr.Emails...), " "))
	for _, w := range strings.Fields(strings.ToLower(q)) {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

func sortRows(rows []prospectRow, by string) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i].Profile, rows[j].Profile
		if by == index.ProfileSortLastSeen {
			var ta, tb time.Time
			if a.LastSeen != nil {
				ta = *a.LastSeen
			}
			if b.LastSeen != nil {
				tb = *b.LastSeen
			}
			if !ta.Equal(tb) {
				return ta.After(tb)
			}
		} else if a.LeadScore != b.LeadScore {
			return a.LeadScore > b.LeadScore
		}
		return a.ID < b.ID
	})
}

func (p *Pages) prospects(w http.ResponseWriter, r *http.Request) {
	in, err := readInbox(r)
	d := &prospectsData{Inbox: in, Stages: Stages, Work: p.d.Prospects != nil}
	code := http.StatusOK
	if err != nil {
		d.Error, code = err.(*inputError), http.StatusBadRequest
	} else {
		rows, total, err := p.inboxRows(r.Context(), in, in.From+prospectsPageSize)
		var ie *inputError
		switch {
		case errors.As(err, &ie):
			d.Error, code = ie, http.StatusBadRequest
		case err != nil:
			p.fail(w, r, err)
			return
		default:
			d.Total = total
			if in.From < len(rows) {
				d.Rows = rows[in.From:min(len(rows), in.From+prospectsPageSize)]
			}
			if int64(in.From+prospectsPageSize) < total {
				d.Next = in.Page(in.From + prospectsPageSize)
			}
			if in.From > 0 {
				d.Prev = in.Page(max(0, in.From-prospectsPageSize))
			}
		}
	}
	v := p.newView(r, "", "prospects", d)
	v.Title = v.L.T("nav.prospects")
	p.render(w, r, code, "prospects", "", v)
}

// csvCell defuses spreadsheet formulas: prospect and mention text is
// attacker-controlled, and a cell starting with = + - @ runs as a formula
// when the export is opened in a spreadsheet.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (p *Pages) prospectsCSV(w http.ResponseWriter, r *http.Request) {
	in, err := readInbox(r)
	if err != nil {
		p.badRequest(w, r, err.Error())
		return
	}
	rows, _, err := p.inboxRows(r.Context(), in, maxExportRows)
	var ie *inputError
	if errors.As(err, &ie) {
		p.badRequest(w, r, ie.Msg)
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="prospects.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "name", "company", "emails", "stage", "owner", "lead_score", "languages", "last_seen", "intent", "evidence", "evidence_url"})
	for _, row := range rows {
		pr := row.Profile
		last := ""
		if pr.LastSeen != nil {
			last = pr.LastSeen.UTC().Format(time.RFC3339)
		}
		ev, evURL := "", ""
		if row.Evidence != nil {
			ev, evURL = row.Evidence.Text, row.Evidence.URL
		}
		rec := []string{pr.PersonID, pr.Name, pr.Company, strings.Join(pr.Emails, " "), row.Stage, row.Owner,
			strconv.FormatFloat(pr.LeadScore, 'f', 2, 64), strings.Join(pr.Languages, " "), last, row.Intent, ev, evURL}
		for i := range rec {
			rec[i] = csvCell(rec[i])
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
}

func (p *Pages) setStage(w http.ResponseWriter, r *http.Request) {
	stage := r.PostFormValue("stage")
	if !slices.Contains(Stages, stage) {
		p.badRequest(w, r, fmt.Sprintf("unknown stage %q (want one of %s)", stage, strings.Join(Stages, ", ")))
		return
	}
	p.prospectAction(w, r, func(ctx context.Context, id string) error {
		return p.d.Prospects.SetStage(ctx, id, stage, p.viewerName(r))
	}, "stage")
}

func (p *Pages) setOwner(w http.ResponseWriter, r *http.Request) {
	owner := strings.TrimSpace(r.PostFormValue("owner"))
	if r.PostFormValue("me") != "" {
		owner = p.viewerName(r)
	}
	if len(owner) > 200 {
		p.badRequest(w, r, "owner: at most 200 bytes")
		return
	}
	p.prospectAction(w, r, func(ctx context.Context, id string) error {
		return p.d.Prospects.SetOwner(ctx, id, owner, p.viewerName(r))
	}, "owner")
}

func (p *Pages) addNote(w http.ResponseWriter, r *http.Request) {
	text := strings.TrimSpace(r.PostFormValue("text"))
	if text == "" || len(text) > 10000 {
		p.badRequest(w, r, "a note needs 1 to 10000 bytes of text")
		return
	}
	p.prospectAction(w, r, func(ctx context.Context, id string) error {
		return p.d.Prospects.AddNote(ctx, id, text, p.viewerName(r))
	}, "note")
}

// prospectAction applies one change to a prospect and answers with its
// inbox row again (htmx) or a redirect back.
func (p *Pages) prospectAction(w http.ResponseWriter, r *http.Request, do func(context.Context, string) error, done string) {
	if p.d.Prospects == nil {
		p.badRequest(w, r, "prospect work is not available on this server")
		return
	}
	ctx := r.Context()
	id := r.PathValue("id")
	pr, err := p.d.Backend.GetProfile(ctx, index.ProfileID(index.ProfileProspect, id))
	if errors.Is(err, index.ErrNotFound) {
		p.notFound(w, r)
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if err := do(ctx, id); err != nil {
		p.fail(w, r, fmt.Errorf("saving prospect %s: %w", id, err))
		return
	}
	if !isHTMX(r) {
		back(w, r, "/prospects", done)
		return
	}
	work := map[string]ProspectWork{}
	if wk, ok, err := p.d.Prospects.Get(ctx, id); err == nil && ok {
		work[id] = wk
	}
	v := p.newView(r, "", "prospects", p.row(ctx, pr, work))
	block := "prospect-row"
	if r.PostFormValue("view") == "profile" {
		block = "stage-panel"
		v.Data = p.stagePanel(ctx, pr, work[id])
	}
	p.render(w, r, http.StatusOK, "prospects", block, v)
}
