package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/auth"
)

func TestCustomersImportUpload(t *testing.T) {
	ta := newTestApp(t)
	file := "id,email\nc1,ana@example.pt\nc2,bad-address\nc3,jan@example.pl\n"
	r := ta.do(t, req{method: "POST", path: "/api/customers/import?name=crm.csv", role: auth.RoleAdmin, ctype: "text/csv", body: file})
	var st ImportStatus
	r.decode(t, &st)
	if r.code != http.StatusAccepted || st.ID == "" || st.TotalBytes != int64(len(file)) || r.header.Get("Location") != "/api/customers/import/"+st.ID {
		t.Fatalf("upload: %d %s", r.code, r.body)
	}
	eventually(t, "the import to finish", func() bool {
		ta.do(t, req{method: "GET", path: "/api/customers/import/" + st.ID, role: auth.RoleAdmin}).decode(t, &st)
		return st.State != ImportRunning
	})
	if st.State != ImportDone || st.Rows != 4 || st.Imported != 3 || st.Bad != 1 || st.BadRows[0].Line != 3 ||
		!strings.Contains(st.BadRows[0].Reasons[0], "bad-address") || st.BytesRead == 0 || st.By != "ada" || st.Name != "crm.csv" {
		t.Fatalf("import status: %+v", st)
	}
	// A browser's multipart upload.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "customers.jsonl")
	fw.Write([]byte(`{"id":"c9"}` + "\n"))
	mw.Close()
	b := ta.signIn(t, auth.RoleAdmin)
	r = ta.do(t, req{method: "POST", path: "/api/customers/import", sess: b, ctype: mw.FormDataContentType(), body: body.String()})
	if r.decode(t, &st); r.code != http.StatusAccepted || st.Name != "customers.jsonl" {
		t.Fatalf("multipart upload: %d %s", r.code, r.body)
	}
	// A failing import says why.
	r = ta.do(t, req{method: "POST", path: "/api/customers/import", role: auth.RoleAdmin, ctype: "text/csv", body: "id\nbroker down\n"})
	r.decode(t, &st)
	eventually(t, "the failing import", func() bool {
		ta.do(t, req{method: "GET", path: "/api/customers/import/" + st.ID, role: auth.RoleAdmin}).decode(t, &st)
		return st.State != ImportRunning
	})
	if st.State != ImportFailed || !strings.Contains(st.Error, "broker down") {
		t.Fatalf("failed import: %+v", st)
	}
	for name, q := range map[string]req{
		"empty":        {ctype: "text/csv", body: ""},
		"wrong type":   {ctype: "application/pdf", body: "%PDF"},
		"no file part": {ctype: "multipart/form-data; boundary=x", body: "--x\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nv\r\n--x--\r\n"},
	} {
		q.method, q.path, q.role = "POST", "/api/customers/import", auth.RoleAdmin
		r := ta.do(t, q)
		if r.code < 400 || r.code >= 500 {
			t.Errorf("%s: %d %s", name, r.code, r.body)
		}
	}
	if r := ta.do(t, req{method: "GET", path: "/api/customers/import/nope", role: auth.RoleAdmin}); r.code != http.StatusNotFound {
		t.Fatalf("unknown import: %d", r.code)
	}
}

func TestErasureAPI(t *testing.T) {
	ta := newTestApp(t)
	var rep ErasureReport
	r := ta.do(t, req{method: "POST", path: "/api/erasures", role: auth.RoleAdmin, json: erasureInput{Who: "zofia@example.pl", DryRun: true}})
	if r.decode(t, &rep); r.code != http.StatusOK || !rep.DryRun || len(rep.Requests) != 0 || rep.Prospects[0] != "p-9" {
		t.Fatalf("dry run: %d %s", r.code, r.body)
	}
	r = ta.do(t, req{method: "POST", path: "/api/erasures", role: auth.RoleAdmin, json: erasureInput{Who: "c-1"}})
	if r.decode(t, &rep); r.code != http.StatusAccepted || len(rep.Requests) != 1 {
		t.Fatalf("erasure: %d %s", r.code, r.body)
	}
	if r := ta.do(t, req{method: "POST", path: "/api/erasures", role: auth.RoleAdmin, json: erasureInput{Who: "stranger@example.com"}}); r.code != http.StatusNotFound {
		t.Fatalf("stranger: %d", r.code)
	}
	if r := ta.do(t, req{method: "POST", path: "/api/erasures", role: auth.RoleAdmin, json: erasureInput{Who: " "}}); r.code != http.StatusUnprocessableEntity {
		t.Fatalf("nobody named: %d", r.code)
	}
}

func readCSV(t *testing.T, r resp) [][]string {
	t.Helper()
	if r.code != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %v %s", r.code, r.header, r.body)
	}
	rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, r.body)
	}
	return rows
}

func TestMentionsExport(t *testing.T) {
	ta := newTestApp(t)
	evil := &record.EnrichedMention{Mention: record.Mention{Schema: record.SchemaVersion, ID: "evil", Source: "web", SourceID: "evil",
		Kind: record.KindMention, Text: `=HYPERLINK("http://evil.example","click")`, Author: record.Author{Handle: "@mallory"},
		CreatedAt: time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC)}}
	if err := ta.app.Search.UpsertMentions(context.Background(), []*record.EnrichedMention{evil})[0]; err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, ta.do(t, req{method: "GET", path: "/api/export/mentions.csv", role: auth.RoleViewer}))
	var all index.SearchResult
	ta.do(t, req{method: "GET", path: "/api/search?size=1", role: auth.RoleViewer}).decode(t, &all)
	if rows[0][0] != "id" || int64(len(rows)-1) != all.Total || all.Total < 10 {
		t.Fatalf("export has %d rows for %d mentions; header %v", len(rows)-1, all.Total, rows[0])
	}
	for _, row := range rows[1:] {
		if row[0] == "evil" {
			if !strings.HasPrefix(row[len(row)-1], "'=") || row[9] != "'@mallory" {
				t.Fatalf("a formula cell was exported as is: %q", row)
			}
		}
	}
	rows = readCSV(t, ta.do(t, req{method: "GET", path: "/api/export/mentions.csv?q=entregas&limit=1", role: auth.RoleViewer}))
	if len(rows) != 2 {
		t.Fatalf("limit=1 gave %d rows", len(rows)-1)
	}
	// Muted authors are not exported.
	ta.do(t, req{method: "POST", path: "/api/mutes", role: auth.RoleMarketing, json: muteInput{Kind: "author", Value: "user_pt1"}})
	for _, row := range readCSV(t, ta.do(t, req{method: "GET", path: "/api/export/mentions.csv", role: auth.RoleViewer}))[1:] {
		if row[0] == "pt1" {
			t.Fatal("a muted author's mention was exported")
		}
	}
	for _, bad := range []string{"?limit=0", "?limit=x", "?q=" + "(oops", "?from=yesterday"} {
		if r := ta.do(t, req{method: "GET", path: "/api/export/mentions.csv" + bad, role: auth.RoleViewer}); r.code != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, r.code)
		}
	}
}

func TestProspectsExport(t *testing.T) {
	ta := newTestApp(t)
	ta.do(t, req{method: "PUT", path: "/api/prospects/P2/stage", role: auth.RoleSales, json: stageInput{Stage: "won"}})
	rows := readCSV(t, ta.do(t, req{method: "GET", path: "/api/export/prospects.csv", role: auth.RoleViewer}))
	if len(rows) != 2 || rows[1][0] != "P2" || rows[1][1] != "Anna Kowalska" || rows[1][7] != "won" {
		t.Fatalf("prospects export: %v", rows)
	}
	rows = readCSV(t, ta.do(t, req{method: "GET", path: "/api/export/prospects.csv?stage=new", role: auth.RoleViewer}))
	if len(rows) != 1 {
		t.Fatalf("stage=new export: %v", rows)
	}
	if r := ta.do(t, req{method: "GET", path: "/api/export/prospects.csv?stage=sold", role: auth.RoleViewer}); r.code != http.StatusBadRequest {
		t.Fatalf("bad stage: %d", r.code)
	}
}
