package web

import (
	"context"
	"net/http"
	"testing"

	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/auth"
)

// fakeExporter knows one person, c-1 alias ola@example.pl.
type fakeExporter struct{}

func (fakeExporter) ExportPerson(_ context.Context, who string) (*PersonExport, error) {
	if who != "c-1" && who != "ola@example.pl" {
		return nil, ErrNobodyFound
	}
	return &PersonExport{Customers: []record.Customer{{ID: "c-1", Emails: []string{"ola@example.pl"}}},
		Mentions: []*record.EnrichedMention{{Mention: record.Mention{ID: "m-1", Text: "<b>hi</b>"}}}}, nil
}

func TestPersonExportAPI(t *testing.T) {
	ta := newTestApp(t)
	var out PersonExport
	r := ta.do(t, req{method: "GET", path: "/api/people/ola@example.pl/export", role: auth.RoleAdmin})
	if r.decode(t, &out); r.code != http.StatusOK || len(out.Customers) != 1 || out.Customers[0].ID != "c-1" || len(out.Mentions) != 1 || out.Mentions[0].Text != "<b>hi</b>" {
		t.Fatalf("export: %d %s", r.code, r.body)
	}
	if r := ta.do(t, req{method: "GET", path: "/api/people/nobody@example.pl/export", role: auth.RoleAdmin}); r.code != http.StatusNotFound {
		t.Fatalf("unknown person: %d %s", r.code, r.body)
	}
	// Only admins see a person's whole file.
	for _, role := range []auth.Role{auth.RoleMarketing, auth.RoleSales, auth.RoleViewer} {
		if r := ta.do(t, req{method: "GET", path: "/api/people/c-1/export", role: role}); r.code != http.StatusForbidden {
			t.Fatalf("%s: %d", role, r.code)
		}
	}
}
