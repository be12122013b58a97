package pages

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// maxImportBytes bounds an uploaded customers file.
const maxImportBytes = 256 << 20

// maxShownBadRows bounds the bad rows an import lists on the page.
const maxShownBadRows = 200

type adminData struct {
	Users    []User
	Tokens   []Token
	Roles    []string
	Secret   string // a new token's secret, shown once
	Problem  string
	Accounts bool
	Import   bool
	Erase    bool
	Plan     *ErasurePlan
	Who      string
	Erased   bool
}

func (p *Pages) adminData(ctx context.Context) (*adminData, error) {
	d := &adminData{Accounts: p.d.Accounts != nil, Import: p.d.Importer != nil, Erase: p.d.Eraser != nil}
	if a := p.d.Accounts; a != nil {
		var err error
		if d.Users, err = a.Users(ctx); err != nil {
			return nil, fmt.Errorf("listing users: %w", err)
		}
		if d.Tokens, err = a.Tokens(ctx); err != nil {
			return nil, fmt.Errorf("listing tokens: %w", err)
		}
		d.Roles = a.Roles()
	}
	return d, nil
}

func (p *Pages) renderAdmin(w http.ResponseWriter, r *http.Request, code int, edit func(*adminData)) {
	d, err := p.adminData(r.Context())
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if edit != nil {
		edit(d)
	}
	v := p.newView(r, "", "admin", d)
	v.Title = v.L.T("nav.admin")
	p.render(w, r, code, "admin", "", v)
}

func (p *Pages) admin(w http.ResponseWriter, r *http.Request) {
	p.renderAdmin(w, r, http.StatusOK, nil)
}

func (p *Pages) adminProblem(w http.ResponseWriter, r *http.Request, msg string) {
	p.renderAdmin(w, r, http.StatusBadRequest, func(d *adminData) { d.Problem = msg })
}

// adminRefused shows the admin page saying why err refused a change.
func (p *Pages) adminRefused(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := p.refusal(w, r, err)
	p.renderAdmin(w, r, status, func(d *adminData) { d.Problem = msg })
}

func (p *Pages) addUser(w http.ResponseWriter, r *http.Request) {
	if p.d.Accounts == nil {
		p.badRequest(w, r, "accounts are not managed by this server")
		return
	}
	name, role, pw := strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("role"), r.PostFormValue("password")
	if !slices.Contains(p.d.Accounts.Roles(), role) {
		p.adminProblem(w, r, p.locale(r).T("admin.unknown_role", role))
		return
	}
	if msg := p.passwordProblem(r, name, pw); msg != "" {
		p.adminProblem(w, r, msg)
		return
	}
	if err := p.d.Accounts.AddUser(r.Context(), name, role, pw); err != nil {
		p.adminRefused(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin?done=user_added", http.StatusSeeOther)
}

func (p *Pages) removeUser(w http.ResponseWriter, r *http.Request) {
	p.changeOtherUser(w, r, "admin.self_remove", "user_removed", func(name string) error {
		return p.d.Accounts.RemoveUser(r.Context(), name)
	})
}

// setRole changes another user's role (one's own would take away the
// page one is on).
func (p *Pages) setRole(w http.ResponseWriter, r *http.Request) {
	p.changeOtherUser(w, r, "admin.self_role", "role_changed", func(name string) error {
		role := r.PostFormValue("role")
		if !slices.Contains(p.d.Accounts.Roles(), role) {
			return errors.New(p.locale(r).T("admin.unknown_role", role))
		}
		return p.d.Accounts.SetRole(r.Context(), name, role)
	})
}

// setPassword gives another user a new password (someone who forgot
// theirs, or whose password leaked); their sessions end.
func (p *Pages) setPassword(w http.ResponseWriter, r *http.Request) {
	p.changeOtherUser(w, r, "admin.self_password", "password_set", func(name string) error {
		pw := r.PostFormValue("password")
		if msg := p.passwordProblem(r, name, pw); msg != "" {
			return errors.New(msg)
		}
		return p.d.Accounts.SetPassword(r.Context(), name, pw)
	})
}

// changeOtherUser applies change to the user the path names, who must not
// be the admin making it (self is the message key saying why), and
// redirects saying done.
func (p *Pages) changeOtherUser(w http.ResponseWriter, r *http.Request, self, done string, change func(name string) error) {
	if p.d.Accounts == nil {
		p.badRequest(w, r, "accounts are not managed by this server")
		return
	}
	name := r.PathValue("name")
	if name == p.viewerName(r) {
		p.adminProblem(w, r, p.locale(r).T(self))
		return
	}
	if err := change(name); err != nil {
		p.adminRefused(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin?done="+done, http.StatusSeeOther)
}

func (p *Pages) createToken(w http.ResponseWriter, r *http.Request) {
	if p.d.Accounts == nil {
		p.badRequest(w, r, "accounts are not managed by this server")
		return
	}
	user, name := strings.TrimSpace(r.PostFormValue("user")), strings.TrimSpace(r.PostFormValue("name"))
	if user == "" {
		user = p.viewerName(r)
	}
	ttl, err := tokenLifetime(r.PostFormValue("expires"))
	var secret string
	if err == nil {
		secret, err = p.d.Accounts.CreateToken(r.Context(), user, name, ttl)
	}
	if err != nil {
		p.adminRefused(w, r, err)
		return
	}
	// The secret is rendered once, in this response (never in a URL).
	p.renderAdmin(w, r, http.StatusOK, func(d *adminData) { d.Secret = secret })
}

func (p *Pages) revokeToken(w http.ResponseWriter, r *http.Request) {
	if p.d.Accounts == nil {
		p.badRequest(w, r, "accounts are not managed by this server")
		return
	}
	if err := p.d.Accounts.RevokeToken(r.Context(), r.PathValue("id")); err != nil {
		p.adminRefused(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin?done=token_revoked", http.StatusSeeOther)
}

func (p *Pages) erase(w http.ResponseWriter, r *http.Request) {
	if p.d.Eraser == nil {
		p.badRequest(w, r, "erasure is not available on this server")
		return
	}
	who := strings.TrimSpace(r.PostFormValue("who"))
	if who == "" {
		p.adminProblem(w, r, p.locale(r).T("admin.erase_who_missing"))
		return
	}
	confirm := r.PostFormValue("confirm") == "yes"
	var plan ErasurePlan
	var err error
	if confirm {
		plan, err = p.d.Eraser.Erase(r.Context(), who)
	} else {
		plan, err = p.d.Eraser.Plan(r.Context(), who)
	}
	if err != nil {
		p.adminRefused(w, r, err)
		return
	}
	p.renderAdmin(w, r, http.StatusOK, func(d *adminData) { d.Plan, d.Who, d.Erased = &plan, who, confirm })
}

// importJob is a customers import running in the background; the page
// polls its state.
type importJob struct {
	mu sync.Mutex
	importState
}

// importState is what the page shows of an import.
type importState struct {
	ID       string
	Name     string
	Progress ImportProgress
	Done     bool
	Err      string
	started  time.Time
}

func (j *importJob) snapshot() importState {
	j.mu.Lock()
	defer j.mu.Unlock()
	s := j.importState
	s.Progress.BadRows = slices.Clone(s.Progress.BadRows)
	return s
}

// Percent is how far the import read its file.
func (j importState) Percent() int {
	if j.Done {
		return 100
	}
	if j.Progress.Size <= 0 {
		return 0
	}
	return int(j.Progress.BytesRead * 100 / j.Progress.Size)
}

type importJobs struct {
	mu       sync.Mutex
	jobs     map[string]*importJob
	stop     chan struct{}
	stopOnce sync.Once
}

func newImportJobs() *importJobs {
	return &importJobs{jobs: map[string]*importJob{}, stop: make(chan struct{})}
}

func (js *importJobs) shutdown() { js.stopOnce.Do(func() { close(js.stop) }) }

func (js *importJobs) add(j *importJob) {
	js.mu.Lock()
	defer js.mu.Unlock()
	// Forget finished jobs after a day.
	for id, old := range js.jobs {
		if s := old.snapshot(); s.Done && time.Since(s.started) > 24*time.Hour {
			delete(js.jobs, id)
		}
	}
	js.jobs[j.ID] = j
}

func (js *importJobs) get(id string) *importJob {
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.jobs[id]
}

func (p *Pages) startImport(w http.ResponseWriter, r *http.Request) {
	if p.d.Importer == nil {
		p.badRequest(w, r, "customers import is not available on this server")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBytes)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			p.adminProblem(w, r, p.locale(r).T("admin.import_too_large", maxImportBytes>>20))
			return
		}
		p.adminProblem(w, r, p.locale(r).T("admin.import_no_file"))
		return
	}
	defer f.Close()
	// Keep the upload on disk so the import runs after this request ends.
	tmp, err := os.CreateTemp("", "earshot-import-*")
	if err != nil {
		p.fail(w, r, fmt.Errorf("storing upload: %w", err))
		return
	}
	size, err := io.Copy(tmp, f)
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		p.fail(w, r, fmt.Errorf("storing upload: %w", err))
		return
	}
	var idb [8]byte
	_, _ = rand.Read(idb[:])
	job := &importJob{importState: importState{ID: hex.EncodeToString(idb[:]), Name: hdr.Filename, started: time.Now()}}
	job.Progress.Size = size
	p.jobs.add(job)
	go p.runImport(job, tmp, size)
	if isHTMX(r) {
		p.renderImport(w, r, job)
		return
	}
	http.Redirect(w, r, "/admin/import/"+job.ID, http.StatusSeeOther)
}

func (p *Pages) runImport(job *importJob, tmp *os.File, size int64) {
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-p.jobs.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		job.mu.Lock()
		job.Err, job.Done = err.Error(), true
		job.mu.Unlock()
		return
	}
	report := func(pr ImportProgress) {
		job.mu.Lock()
		defer job.mu.Unlock()
		if len(pr.BadRows) > maxShownBadRows {
			pr.BadRows = pr.BadRows[:maxShownBadRows]
		}
		pr.Size = size
		job.Progress = pr
	}
	final, err := p.d.Importer.Import(ctx, tmp, job.Name, size, report)
	report(final)
	job.mu.Lock()
	defer job.mu.Unlock()
	job.Done = true
	if err != nil {
		job.Err = err.Error()
		p.log.Warn("customers import", "file", job.Name, "error", err)
	}
}

func (p *Pages) importStatus(w http.ResponseWriter, r *http.Request) {
	job := p.jobs.get(r.PathValue("job"))
	if job == nil {
		p.notFound(w, r)
		return
	}
	p.renderImport(w, r, job)
}

func (p *Pages) renderImport(w http.ResponseWriter, r *http.Request, job *importJob) {
	s := job.snapshot()
	v := p.newView(r, "", "admin", &s)
	v.Title = v.L.T("import.title")
	block := ""
	if isHTMX(r) {
		block = "import-status"
	}
	p.render(w, r, http.StatusOK, "import", block, v)
}
