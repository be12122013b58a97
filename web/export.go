package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
)

// CSV exports of the mentions and prospects views, for spreadsheets and
// scheduled pulls with an API token (curl -H "Authorization: Bearer ...").

// maxExportRows bounds one export; limit= asks for fewer.
const maxExportRows = 100000

// csvCell keeps a spreadsheet from executing a cell: text starting with
// = + - @ (or a tab or carriage return) is prefixed with an apostrophe
// (OWASP's CSV injection advice). Mentions are attacker-written text.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func csvRow(w *csv.Writer, cells ...string) error {
	for i, c := range cells {
		cells[i] = csvCell(c)
	}
	return w.Write(cells)
}

func exportLimit(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return maxExportRows, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxExportRows {
		return 0, badRequest{fmt.Errorf("limit: %q is not a number from 1 to %d", v, maxExportRows)}
	}
	return n, nil
}

func startCSV(w http.ResponseWriter, name string) *csv.Writer {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.csv"`, name, time.Now().UTC().Format("20060102-150405")))
	w.Header().Set("Cache-Control", "no-store")
	return csv.NewWriter(w)
}

// exportMentions is GET /api/export/mentions.csv: the mentions view (same
// parameters as /api/search, muted content left out), newest first unless
// sort says otherwise, paged through with cursors.
func (a *App) exportMentions(w http.ResponseWriter, r *http.Request) {
	req, err := SearchRequestFromQuery(r.URL.Query())
	if err == nil {
		var limit int
		if limit, err = exportLimit(r); err == nil {
			a.writeMentionsCSV(w, r, req, limit)
			return
		}
	}
	a.searchAPI.fail(w, r, err)
}

func (a *App) writeMentionsCSV(w http.ResponseWriter, r *http.Request, req *index.SearchRequest, limit int) {
	a.Store.Hide(req)
	req.Facets, req.Histogram, req.Highlight = nil, "", false
	if req.Sort == "" {
		req.Sort = index.SortNewest
	}
	req.Size = min(index.MaxSize, limit)
	// The first page is fetched before the header is written, so a backend
	// failure is still a proper problem answer.
	res, err := a.Search.Search(r.Context(), req)
	if err != nil {
		a.searchAPI.fail(w, r, err)
		return
	}
	cw := startCSV(w, "mentions")
	_ = csvRow(cw, "id", "created_at", "source", "channel", "kind", "language", "sentiment", "intents", "aspects",
		"author", "author_email", "url", "customer_id", "prospect_id", "title", "text")
	n := 0
	for {
		for _, h := range res.Hits {
			if n == limit {
				break
			}
			m := h.Mention
			var lang, sent, customer, prospect string
			if m.Analysis.Language != nil {
				lang = m.Analysis.Language.Code
			}
			if m.Analysis.Sentiment != nil {
				sent = m.Analysis.Sentiment.Label
			}
			if m.Identity != nil {
				customer, prospect = m.Identity.CustomerID, m.Identity.ProspectID
			}
			intents := make([]string, len(m.Analysis.Intents))
			for i, in := range m.Analysis.Intents {
				intents[i] = in.Name
			}
			aspects := make([]string, len(m.Analysis.Aspects))
			for i, as := range m.Analysis.Aspects {
				aspects[i] = as.Name + ":" + as.Sentiment
			}
			author := m.Author.Handle
			if author == "" {
				author = m.Author.Name
			}
			if err := csvRow(cw, m.ID, m.CreatedAt.UTC().Format(time.RFC3339), m.Source, m.Channel, string(m.Kind), lang, sent,
				strings.Join(intents, ";"), strings.Join(aspects, ";"), author, m.Author.Email, m.URL, customer, prospect, m.Title, m.Text); err != nil {
				return // the client went away
			}
			n++
		}
		if n == limit || res.Next == "" || len(res.Hits) == 0 {
			break
		}
		req.Cursor = res.Next
		if res, err = a.Search.Search(r.Context(), req); err != nil {
			// Mid-stream: the status is sent; end the file with the reason.
			a.Logger.Warn("mentions export cut short", "rows", n, "error", err)
			_ = cw.Write([]string{"# export stopped after " + strconv.Itoa(n) + " rows: search backend error"})
			break
		}
	}
	cw.Flush()
}

// exportProspects is GET /api/export/prospects.csv: the prospects inbox
// view (same filters as /api/prospects) with stage and owner.
func (a *App) exportProspects(w http.ResponseWriter, r *http.Request) {
	req, stage, owner, err := prospectsQuery(r)
	if err != nil {
		a.searchAPI.fail(w, r, err)
		return
	}
	limit, err := exportLimit(r)
	if err != nil {
		a.searchAPI.fail(w, r, err)
		return
	}
	req.From, req.Size = 0, min(index.MaxSize, limit)
	page, err := a.prospects(r, req, stage, owner)
	if err != nil {
		a.searchAPI.fail(w, r, err)
		return
	}
	cw := startCSV(w, "prospects")
	_ = csvRow(cw, "id", "name", "company", "emails", "handles", "country", "lead_score", "stage", "owner", "status",
		"mention_count", "last_seen", "notes")
	n := 0
	for {
		for _, v := range page.Profiles {
			if n == limit {
				break
			}
			last := ""
			if v.LastSeen != nil {
				last = v.LastSeen.UTC().Format(time.RFC3339)
			}
			w := v.Work
			if w == nil {
				w = &record.ProspectWork{Stage: record.StageNew}
			}
			if err := csvRow(cw, v.PersonID, v.Name, v.Company, strings.Join(v.Emails, ";"), strings.Join(v.Handles, ";"), v.Country,
				strconv.FormatFloat(v.LeadScore, 'f', 3, 64), w.Stage, w.Owner, v.Status, strconv.Itoa(v.MentionCount), last,
				strconv.Itoa(len(w.Notes))); err != nil {
				return
			}
			n++
		}
		if n == limit || len(page.Profiles) < req.Size || req.From+req.Size > 10000-req.Size {
			break
		}
		req.From += req.Size
		if page, err = a.prospects(r, req, stage, owner); err != nil {
			a.Logger.Warn("prospects export cut short", "rows", n, "error", err)
			break
		}
	}
	cw.Flush()
}
