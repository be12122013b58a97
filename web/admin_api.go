package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/web/auth"
)

// Importer imports a customer file (CSV or JSON Lines, told apart by name
// as the CLI does): it validates every row, reports bad rows by line and
// writes good rows to the customers topic in acknowledged batches. cmd
// wires it to the same code as `earshot customers import`.
type Importer interface {
	Import(ctx context.Context, src io.Reader, name string, progress func(ImportStatus)) (ImportStatus, error)
}

// ImportStatus is an import's progress and outcome.
type ImportStatus struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	State      string    `json:"state"` // running, done, failed
	BytesRead  int64     `json:"bytes_read"`
	TotalBytes int64     `json:"total_bytes"`
	Rows       int       `json:"rows"`
	Imported   int       `json:"imported"`
	Bad        int       `json:"bad"`
	BadRows    []BadRow  `json:"bad_rows,omitempty"` // the first maxBadRows
	Error      string    `json:"error,omitempty"`
	By         string    `json:"by"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// BadRow is a rejected row of an import.
type BadRow struct {
	Line    int      `json:"line"`
	Reasons []string `json:"reasons"`
}

// MaxBadRows bounds the bad rows an import status lists (Bad counts all).
const MaxBadRows = 200

// Import states.
const (
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

// Eraser erases a person everywhere (right to erasure), as `earshot
// customers forget` does: deletion requests for the index, tombstones for
// the customers and prospects. who is a customer id, a prospect id or an
// e-mail address; nobody found is ErrNobodyFound.
type Eraser interface {
	Erase(ctx context.Context, who string, dryRun bool) (ErasureReport, error)
}

// ErasureReport says what an erasure covered.
type ErasureReport struct {
	Customers []string `json:"customers"`
	Prospects []string `json:"prospects"`
	Emails    []string `json:"emails"`
	// Requests are the ids of the deletion requests written (none in a dry run).
	Requests []string `json:"requests"`
	DryRun   bool     `json:"dry_run"`
}

// ErrNobodyFound is an erasure of somebody Earshot does not know.
var ErrNobodyFound = errors.New("nobody found")

// maxImportBytes bounds an uploaded customer file.
const maxImportBytes = 512 << 20

// importJobs keeps the imports this instance runs, for their status page.
// An import runs where it was uploaded; its status is asked of the same
// instance (finished jobs are kept for a day).
type importJobs struct {
	mu   sync.Mutex
	jobs map[string]*ImportStatus
}

func (j *importJobs) put(s ImportStatus) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.jobs == nil {
		j.jobs = map[string]*ImportStatus{}
	}
	for id, old := range j.jobs {
		if old.State != ImportRunning && time.Since(old.FinishedAt) > 24*time.Hour {
			delete(j.jobs, id)
		}
	}
	c := s
	c.BadRows = append([]BadRow(nil), s.BadRows...)
	j.jobs[s.ID] = &c
}

func (j *importJobs) get(id string) (ImportStatus, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	s, ok := j.jobs[id]
	if !ok {
		return ImportStatus{}, false
	}
	return *s, true
}

// startImport is POST /api/customers/import: the body is the file (CSV or
// JSON Lines, named by ?name= or by its type), or a multipart form with
// the file in "file". The upload is spooled to disk, the import runs in
// the background, and the answer (202) points at its status.
func (a *App) startImport(w http.ResponseWriter, r *http.Request) {
	if a.Importer == nil {
		problem(w, r, http.StatusServiceUnavailable, "unavailable", "this instance cannot import customers")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBytes)
	src, name, err := importSource(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	spool, err := os.CreateTemp("", "earshot-import-*")
	if err != nil {
		a.fail(w, r, fmt.Errorf("spooling the upload: %w", err))
		return
	}
	size, err := io.Copy(spool, src)
	if err != nil {
		spool.Close()
		os.Remove(spool.Name())
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			problem(w, r, http.StatusRequestEntityTooLarge, "too-large", fmt.Sprintf("the file is larger than %d MiB", maxImportBytes>>20))
			return
		}
		a.fail(w, r, badRequest{fmt.Errorf("reading the upload: %w", err)})
		return
	}
	if size == 0 {
		spool.Close()
		os.Remove(spool.Name())
		problem(w, r, http.StatusBadRequest, "bad-request", "the file is empty")
		return
	}
	st := ImportStatus{ID: strings.ToLower(strings.NewReplacer("-", "x", "_", "y").Replace(auth.RandomSecret(9))), Name: name,
		State: ImportRunning, TotalBytes: size, By: principal(r).User, StartedAt: time.Now().UTC()}
	a.imports.put(st)
	go a.runImport(spool, st)
	w.Header().Set("Location", "/api/customers/import/"+st.ID)
	writeJSON(w, http.StatusAccepted, st)
}

// importSource finds the file in a request and its name.
func importSource(r *http.Request) (io.Reader, string, error) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	name := r.URL.Query().Get("name")
	switch mt {
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil || params["boundary"] == "" {
			return nil, "", badRequest{errors.New("reading the multipart form: no boundary")}
		}
		for {
			part, err := mr.NextPart()
			if err != nil {
				return nil, "", badRequest{errors.New(`the form has no "file" part`)}
			}
			if part.FormName() == "file" {
				if name == "" {
					name = part.FileName()
				}
				return part, importName(name, part.Header.Get("Content-Type")), nil
			}
		}
	default:
		return r.Body, importName(name, mt), nil
	}
}

// importName gives the file a name whose extension picks the format.
func importName(name, mt string) string {
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".csv") || strings.HasSuffix(lower, ".jsonl") || strings.HasSuffix(lower, ".ndjson") ||
		strings.HasSuffix(lower, ".tsv") || strings.HasSuffix(lower, ".txt") {
		return name
	}
	if name == "" {
		name = "upload"
	}
	if mt == "application/x-ndjson" || mt == "application/jsonl" {
		return name + ".jsonl"
	}
	return name + ".csv"
}

func (a *App) runImport(spool *os.File, st ImportStatus) {
	defer os.Remove(spool.Name())
	defer spool.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Hour)
	defer cancel()
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		st.State, st.Error, st.FinishedAt = ImportFailed, "rereading the upload: "+err.Error(), time.Now().UTC()
		a.imports.put(st)
		return
	}
	final, err := a.Importer.Import(ctx, spool, st.Name, func(p ImportStatus) {
		st.BytesRead, st.Rows, st.Imported, st.Bad, st.BadRows = p.BytesRead, p.Rows, p.Imported, p.Bad, p.BadRows
		a.imports.put(st)
	})
	st.BytesRead, st.Rows, st.Imported, st.Bad, st.BadRows = final.BytesRead, final.Rows, final.Imported, final.Bad, final.BadRows
	st.State, st.FinishedAt = ImportDone, time.Now().UTC()
	if err != nil {
		st.State, st.Error = ImportFailed, err.Error()
		a.Logger.Warn("customer import failed", "import", st.ID, "rows", st.Rows, "error", err)
	} else {
		a.Logger.Info("customer import done", "import", st.ID, "by", st.By, "rows", st.Rows, "imported", st.Imported, "bad", st.Bad)
	}
	a.imports.put(st)
}

func (a *App) importStatus(w http.ResponseWriter, r *http.Request) {
	st, ok := a.imports.get(r.PathValue("id"))
	if !ok {
		problem(w, r, http.StatusNotFound, "not-found", "no import "+r.PathValue("id")+" on this instance")
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// erasureInput is POST /api/erasures.
type erasureInput struct {
	// Who is a customer id, a prospect id or an e-mail address.
	Who    string `json:"who"`
	DryRun bool   `json:"dry_run,omitempty"`
}

func (a *App) erase(w http.ResponseWriter, r *http.Request) {
	if a.Eraser == nil {
		problem(w, r, http.StatusServiceUnavailable, "unavailable", "this instance cannot erase people")
		return
	}
	var in erasureInput
	if err := decodeJSON(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if strings.TrimSpace(in.Who) == "" {
		problem(w, r, http.StatusUnprocessableEntity, "validation", "who: name the person by customer id, prospect id or e-mail")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()
	rep, err := a.Eraser.Erase(ctx, in.Who, in.DryRun)
	if errors.Is(err, ErrNobodyFound) {
		problem(w, r, http.StatusNotFound, "not-found", "nobody with this id or e-mail address; nothing was written")
		return
	}
	if err != nil {
		a.Logger.Warn("erasure failed", "error", err)
		w.Header().Set("Retry-After", "5")
		problem(w, r, http.StatusServiceUnavailable, "unavailable", "the erasure was not completed; it is safe to repeat: "+err.Error())
		return
	}
	a.Logger.Info("person erased", "by", principal(r).User, "customers", len(rep.Customers), "prospects", len(rep.Prospects), "dry_run", in.DryRun)
	code := http.StatusOK
	if !in.DryRun {
		code = http.StatusAccepted // the index stage carries the deletion out
	}
	writeJSON(w, code, rep)
}
