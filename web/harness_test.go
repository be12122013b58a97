package web

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/index/contract"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/web/auth"
	"github.com/earshothq/earshot/web/store"
	"github.com/earshothq/earshot/web/table"
)

// The API tests record every (route, status) they see; TestMain then
// checks that each answer is documented in the OpenAPI document and, on a
// full run, that every /api/ route was seen succeeding.
var observed = struct {
	sync.Mutex
	m map[string]map[int]bool // "METHOD /pattern" → statuses
}{m: map[string]map[int]bool{}}

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := checkObserved(); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: OpenAPI check:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func checkObserved() error {
	ta := buildTestApp(nil)
	full := flag.Lookup("test.run").Value.String() == "" && flag.Lookup("test.skip").Value.String() == ""
	var problems []string
	observed.Lock()
	defer observed.Unlock()
	for _, rt := range ta.srv.Routes() {
		if !isAPI(rt.Pattern) {
			continue
		}
		documented := map[int]bool{}
		for _, s := range rt.responses() {
			documented[s] = true
		}
		seen := observed.m[rt.Pattern]
		success := false
		for s := range seen {
			if !documented[s] {
				problems = append(problems, fmt.Sprintf("%s answered %d, which its OpenAPI description does not list", rt.Pattern, s))
			}
			if s < 300 {
				success = true
			}
		}
		if full && !success {
			problems = append(problems, fmt.Sprintf("%s: no test saw it succeed", rt.Pattern))
		}
	}
	sort.Strings(problems)
	if len(problems) > 0 {
		return fmt.Errorf("\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// testPassword is every test user's password.
const testPassword = "correct horse battery"

// testUsers are one user per role.
var testUsers = map[auth.Role]string{
	auth.RoleAdmin: "ada", auth.RoleMarketing: "mia", auth.RoleSales: "sam", auth.RoleViewer: "vic",
}

type testApp struct {
	srv      *Server
	app      *App
	ts       *httptest.Server
	accounts *auth.Accounts
	store    *store.Store
	loop     *table.Loopback
	pub      *recordingPublisher
	tokens   map[auth.Role]string
	patterns *http.ServeMux
}

type testOption func(*Config, *App)

// newTestApp serves the whole web app over loopback tables, an in-memory
// index holding the contract mentions, and a recording customers topic,
// with one user (and API token) per role.
func newTestApp(t *testing.T, opts ...testOption) *testApp {
	t.Helper()
	ta := buildTestApp(t, opts...)
	ta.ts = httptest.NewServer(ta.recorder(ta.srv.Handler()))
	t.Cleanup(ta.ts.Close)
	return ta
}

func buildTestApp(t testing.TB, opts ...testOption) *testApp {
	fatal := func(err error) {
		if t != nil {
			t.Helper()
			t.Fatal(err)
		}
		panic(err)
	}
	cfg := DefaultConfig()
	cfg.Auth.Argon2 = auth.HashParams{Time: 1, MemoryKiB: 64, Threads: 1}
	ta := &testApp{loop: table.NewLoopback(), pub: &recordingPublisher{}, tokens: map[auth.Role]string{}}
	topics := pipeline.Topics{Prefix: "t."}
	ta.accounts = auth.NewAccounts(cfg.Auth, ta.loop, topics, nil)
	ta.loop.Add(ta.accounts.Tables()...)
	b, err := bleve.Open(bleve.Config{InMemory: true}, nil, nil)
	if err != nil {
		fatal(err)
	}
	if t != nil {
		t.Cleanup(func() { b.Close() })
		for _, err := range b.UpsertMentions(context.Background(), contract.Mentions()) {
			if err != nil {
				fatal(err)
			}
		}
		profiles := []*index.Profile{
			{ID: index.ProfileID(index.ProfileCustomer, "C1"), Kind: index.ProfileCustomer, PersonID: "C1", Name: "Maria Silva", Status: "active", UpdatedAt: time.Now()},
			{ID: index.ProfileID(index.ProfileProspect, "P2"), Kind: index.ProfileProspect, PersonID: "P2", Name: "Anna Kowalska", Status: "new", LeadScore: 0.8, UpdatedAt: time.Now()},
		}
		for _, err := range b.UpsertProfiles(context.Background(), profiles) {
			if err != nil {
				fatal(err)
			}
		}
		if err := b.Refresh(context.Background()); err != nil {
			fatal(err)
		}
	}
	ta.store = store.New(ta.loop, topics, b, nil)
	ta.store.UserExists = func(name string) bool { _, err := ta.accounts.User(name); return err == nil }
	ta.loop.Add(ta.store.Tables()...)
	ta.app = &App{
		Accounts:  ta.accounts,
		Throttle:  auth.NewThrottle(cfg.Auth.Throttle),
		Search:    b,
		Store:     ta.store,
		Customers: CustomersDeps{Publisher: ta.pub, Topics: topics, Validate: emailValidator},
		Importer:  &fakeImporter{},
		Eraser:    fakeEraser{},
		Reviewer:  &fakeReviewer{},
		Exporter:  fakeExporter{},
	}
	for _, o := range opts {
		o(&cfg, ta.app)
	}
	ta.srv = NewServer(cfg, prometheus.NewRegistry(), nil)
	if err := ta.srv.Mount(ta.app); err != nil {
		fatal(err)
	}
	ta.patterns = http.NewServeMux()
	for _, rt := range ta.srv.Routes() {
		ta.patterns.Handle(rt.Pattern, http.NotFoundHandler())
	}
	if t == nil {
		return ta
	}
	ctx := context.Background()
	for role, name := range testUsers {
		if _, err := ta.accounts.AddUser(ctx, name, role, testPassword); err != nil {
			fatal(err)
		}
		tok, _, err := ta.accounts.CreateToken(ctx, name, "tests", 0)
		if err != nil {
			fatal(err)
		}
		ta.tokens[role] = tok
	}
	return ta
}

// recorder notes which route answered which status.
func (ta *testApp) recorder(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := ta.patterns.Handler(r)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		if pattern == "" {
			return
		}
		observed.Lock()
		if observed.m[pattern] == nil {
			observed.m[pattern] = map[int]bool{}
		}
		observed.m[pattern][sw.status] = true
		observed.Unlock()
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// req is one test request.
type req struct {
	method, path string
	role         auth.Role // bearer token of this role's user
	token        string    // explicit bearer token
	sess         *browser  // a signed-in browser instead
	ctype, body  string
	json         any
	csrf         string // X-CSRF-Token (browser requests send the session's unless noCSRF)
	noCSRF       bool
	header       map[string]string
}

type resp struct {
	code   int
	header http.Header
	body   []byte
}

func (r resp) problem(t *testing.T) Problem {
	t.Helper()
	var p Problem
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("answer %d has Content-Type %q, not a problem: %s", r.code, ct, r.body)
	}
	if err := json.Unmarshal(r.body, &p); err != nil || p.Status != r.code || p.Type == "" || p.Title == "" {
		t.Fatalf("not a problem document for %d: %s (%v)", r.code, r.body, err)
	}
	return p
}

func (r resp) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

func (ta *testApp) do(t *testing.T, q req) resp {
	t.Helper()
	var body io.Reader
	ctype := q.ctype
	switch {
	case q.json != nil:
		b, err := json.Marshal(q.json)
		if err != nil {
			t.Fatal(err)
		}
		body = strings.NewReader(string(b))
		if ctype == "" {
			ctype = "application/json"
		}
	case q.body != "":
		body = strings.NewReader(q.body)
	}
	hr, err := http.NewRequest(q.method, ta.ts.URL+q.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	client := http.DefaultClient
	switch {
	case q.token != "":
		hr.Header.Set("Authorization", "Bearer "+q.token)
	case q.role != "":
		hr.Header.Set("Authorization", "Bearer "+ta.tokens[q.role])
	case q.sess != nil:
		client = q.sess.client
		csrf := q.csrf
		if csrf == "" && !q.noCSRF {
			csrf = q.sess.csrf
		}
		if csrf != "" {
			hr.Header.Set(auth.CSRFHeader, csrf)
		}
	}
	for k, v := range q.header {
		hr.Header.Set(k, v)
	}
	res, err := client.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{code: res.StatusCode, header: res.Header, body: b}
}

// browser is a cookie-keeping client signed in through POST /api/session.
type browser struct {
	client *http.Client
	csrf   string
	user   string
}

func (ta *testApp) newBrowser(t *testing.T) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &browser{client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (ta *testApp) signIn(t *testing.T, role auth.Role) *browser {
	t.Helper()
	b := ta.newBrowser(t)
	r := ta.do(t, req{method: "POST", path: "/api/session", sess: b, json: credentials{User: testUsers[role], Password: testPassword}})
	if r.code != http.StatusCreated {
		t.Fatalf("signing in as %s: %d %s", role, r.code, r.body)
	}
	var s sessionResponse
	r.decode(t, &s)
	b.csrf, b.user = s.CSRFToken, s.User
	return b
}

// eventually retries cond for a while (tables fed by Kafka).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fakeImporter takes one customer per line; a line containing "bad" is a
// bad row. It reports progress after every line.
type fakeImporter struct{ rows atomic.Int64 }

func (f *fakeImporter) Import(_ context.Context, src io.Reader, name string, progress func(ImportStatus)) (ImportStatus, error) {
	var st ImportStatus
	b, err := io.ReadAll(src)
	if err != nil {
		return st, err
	}
	if strings.Contains(string(b), "broker down") {
		return st, errors.New("writing customers: broker down")
	}
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		st.Rows++
		st.BytesRead += int64(len(line) + 1)
		if strings.Contains(line, "bad") {
			st.Bad++
			st.BadRows = append(st.BadRows, BadRow{Line: i + 1, Reasons: []string{"email " + line + " has no domain"}})
		} else {
			st.Imported++
			f.rows.Add(1)
		}
		progress(st)
	}
	return st, nil
}

// fakeEraser knows one customer, c-1, with a prospect sharing her address.
type fakeEraser struct{}

func (fakeEraser) Erase(_ context.Context, who string, dryRun bool) (ErasureReport, error) {
	if who != "c-1" && who != "zofia@example.pl" {
		return ErasureReport{}, ErrNobodyFound
	}
	rep := ErasureReport{Customers: []string{"c-1"}, Prospects: []string{"p-9"}, Emails: []string{"zofia@example.pl"}, Requests: []string{}, DryRun: dryRun}
	if !dryRun {
		rep.Requests = []string{"erasure-1"}
	}
	return rep, nil
}
