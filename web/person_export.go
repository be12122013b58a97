package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/earshothq/earshot/record"
)

// PersonExport is everything Earshot holds about one person (right of
// access and portability): the customer and prospect records, every
// indexed mention linked to them or written from their identifiers (form
// submissions also listed apart), the consent records, and sales' stage
// history and notes.
type PersonExport struct {
	ExportedAt   time.Time                 `json:"exported_at"`
	Customers    []record.Customer         `json:"customers"`
	Prospects    []record.Prospect         `json:"prospects"`
	Mentions     []*record.EnrichedMention `json:"mentions"`
	Forms        []*record.EnrichedMention `json:"forms"`
	Consent      []ConsentRecord           `json:"consent"`
	StageHistory []record.ProspectWork     `json:"stage_history"`
}

// ConsentRecord is one consent or lawful basis Earshot holds for the
// person: a customer's consent flag (from the CRM) or what a form or post
// carried (text, version, when, from where, double opt-in).
type ConsentRecord struct {
	// Source is "customer:ID", "mention:ID" or "prospect:ID".
	Source  string          `json:"source"`
	Purpose string          `json:"purpose,omitempty"`
	Given   bool            `json:"given"`
	Details *record.Consent `json:"details,omitempty"`
}

// PersonExporter gathers a person's data; who is a customer id, a prospect
// id or an e-mail address; nobody found is ErrNobodyFound.
type PersonExporter interface {
	ExportPerson(ctx context.Context, who string) (*PersonExport, error)
}

var docExportPerson = &Op{Tag: "admin", Summary: "Everything Earshot holds about a person, as JSON (right of access and portability)",
	Description: "who is a customer id, a prospect id or an e-mail address (as earshot customers export): customer and prospect records, mentions and form submissions, consent records, sales stage history and notes.",
	Response:    PersonExport{}, Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusServiceUnavailable}}

func (a *App) exportPerson(w http.ResponseWriter, r *http.Request) {
	if a.Exporter == nil {
		problem(w, r, http.StatusServiceUnavailable, "unavailable", "this instance cannot export people's data")
		return
	}
	who := strings.TrimSpace(r.PathValue("who"))
	if who == "" {
		problem(w, r, http.StatusUnprocessableEntity, "validation", "who: name the person by customer id, prospect id or e-mail")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()
	out, err := a.Exporter.ExportPerson(ctx, who)
	if errors.Is(err, ErrNobodyFound) {
		problem(w, r, http.StatusNotFound, "not-found", "nobody with this id or e-mail address")
		return
	}
	if err != nil {
		a.Logger.Warn("person export failed", "error", err)
		w.Header().Set("Retry-After", "5")
		problem(w, r, http.StatusServiceUnavailable, "unavailable", "the export could not be gathered: "+err.Error())
		return
	}
	// Who exported whose data is worth a log line; the data itself is not.
	a.Logger.Info("person exported", "by", principal(r).User, "customers", len(out.Customers), "prospects", len(out.Prospects), "mentions", len(out.Mentions))
	w.Header().Set("Content-Disposition", `attachment; filename="person-export.json"`)
	writeJSON(w, http.StatusOK, out)
}
