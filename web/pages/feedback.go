package pages

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// feedbackFacets are the facets of feedback search: everything people say,
// sliced by what it is about.
var feedbackFacets = []string{"sentiment", "kind", "language", "source", "channel", "product", "aspect", "competitor", "intent"}

func (p *Pages) feedback(w http.ResponseWriter, r *http.Request) {
	ls := readListing(r, "/feedback")
	d, code, err := p.mentionsData(r.Context(), r, ls, feedbackFacets)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d.Live, d.Export = false, true
	v := p.newView(r, "", "feedback", d)
	v.Title = v.L.T("nav.feedback")
	p.render(w, r, code, "mentions", "", v)
}

// feedbackCSV exports the listing (up to maxExportRows mentions, newest
// first unless the listing sorts otherwise).
func (p *Pages) feedbackCSV(w http.ResponseWriter, r *http.Request) {
	ls := readListing(r, "/feedback")
	ls.Cursor = ""
	mutes := p.activeMutes(r.Context())
	req, err := ls.request(p.d.Now(), mutes)
	if err == nil {
		req.Size = 500
		err = validate(req)
	}
	if err != nil {
		p.badRequest(w, r, err.Error())
		return
	}
	req.Highlight = false
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="feedback.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "created_at", "source", "channel", "kind", "author", "language", "sentiment", "sentiment_score",
		"intents", "aspects", "rating", "customer_id", "prospect_id", "url", "title", "text"})
	rows := 0
	for rows < maxExportRows {
		res, err := p.d.Backend.Search(r.Context(), req)
		if err != nil {
			// Headers are sent: end the file with what was written and log.
			p.log.Error("exporting feedback", "error", err)
			break
		}
		for _, h := range res.Hits {
			m := newMentionView(h)
			var intents, aspects []string
			for _, in := range m.Intents {
				intents = append(intents, in.Name)
			}
			for _, a := range m.Aspects {
				aspects = append(aspects, a.Name+":"+a.Sentiment)
			}
			cust, pros := "", ""
			if id := h.Mention.Identity; id != nil {
				cust, pros = id.CustomerID, id.ProspectID
			}
			rec := []string{m.ID, m.Created.UTC().Format(time.RFC3339), m.Source, m.Channel, m.Kind, m.Author, m.Language, m.Sentiment,
				strconv.FormatFloat(m.Score, 'f', 3, 64), strings.Join(intents, " "), strings.Join(aspects, " "), m.Rating, cust, pros,
				h.Mention.URL, m.Title, m.Text}
			for i := range rec {
				rec[i] = csvCell(rec[i])
			}
			_ = cw.Write(rec)
			rows++
		}
		if res.Next == "" || len(res.Hits) == 0 {
			break
		}
		req.Cursor = res.Next
	}
	cw.Flush()
}
