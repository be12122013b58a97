package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/query"
)

// searchAPI serves the read routes over the search backend:
//
//	GET /api/search?q=&filter=&from=&to=&sort=&size=&cursor=&facets=&facet_size=&histogram=&highlight=
//	GET /api/mentions/{id}
//	GET /api/profiles?text=&kind=&status=&aspect=&negative_aspect=&brand=&product=&competitor=&language=&min_lead_score=&sort=&from=&size=
//	GET /api/profiles/{id}
//
// filter may repeat; facets is a comma-separated list ("default" for the
// listening set); from and to are RFC 3339 times or dates (YYYY-MM-DD).
// A query syntax error answers 400 with its position.
type searchAPI struct {
	b      index.Backend
	logger *slog.Logger
	// hide narrows a search to what is not muted; view merges sales work
	// into a profile.
	hide func(*index.SearchRequest)
	view func(*index.Profile) ProfileView
}

// badRequest marks an error caused by the request itself.
type badRequest struct{ error }

func (h *searchAPI) fail(w http.ResponseWriter, r *http.Request, err error) {
	var se *query.SyntaxError
	var br badRequest
	switch {
	case errors.As(err, &se):
		p := NewProblem(http.StatusBadRequest, "query-syntax", err.Error())
		p.Position = se.Pos
		WriteProblem(w, r, p)
	case errors.As(err, &br):
		problem(w, r, http.StatusBadRequest, "bad-request", err.Error())
	case errors.Is(err, index.ErrNotFound):
		problem(w, r, http.StatusNotFound, "not-found", err.Error())
	default:
		h.logger.Error("search request failed", "path", r.URL.Path, "error", err)
		problem(w, r, http.StatusInternalServerError, "internal", "the search backend failed; the error is in the server's log")
	}
}

func parseTime(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, badRequest{fmt.Errorf("%s: %q is not an RFC 3339 time or a YYYY-MM-DD date", name, v)}
}

func parseInt(name, v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, badRequest{fmt.Errorf("%s: %q is not a number", name, v)}
	}
	return n, nil
}

// SearchRequestFromQuery reads a mention search from URL parameters.
func SearchRequestFromQuery(p map[string][]string) (*index.SearchRequest, error) {
	get := func(k string) string {
		if v := p[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	r := &index.SearchRequest{Query: get("q"), Filters: p["filter"], Sort: get("sort"), Cursor: get("cursor"), Histogram: get("histogram")}
	var err error
	if r.From, err = parseTime("from", get("from")); err != nil {
		return nil, err
	}
	if r.To, err = parseTime("to", get("to")); err != nil {
		return nil, err
	}
	if r.Size, err = parseInt("size", get("size")); err != nil {
		return nil, err
	}
	if r.FacetSize, err = parseInt("facet_size", get("facet_size")); err != nil {
		return nil, err
	}
	switch f := get("facets"); f {
	case "":
	case "default":
		r.Facets = index.DefaultFacets
	default:
		r.Facets = strings.Split(f, ",")
	}
	r.Highlight = get("highlight") == "true" || get("highlight") == "1"
	if _, err := r.Compile(); err != nil {
		var se *query.SyntaxError
		if errors.As(err, &se) {
			return nil, err
		}
		return nil, badRequest{err}
	}
	return r, nil
}

func (h *searchAPI) search(w http.ResponseWriter, r *http.Request) {
	req, err := SearchRequestFromQuery(r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.hide(req)
	res, err := h.b.Search(r.Context(), req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (h *searchAPI) mention(w http.ResponseWriter, r *http.Request) {
	m, err := h.b.GetMention(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (h *searchAPI) profiles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req := &index.ProfileRequest{
		Text: q.Get("text"), Kind: q.Get("kind"), Status: q.Get("status"), Aspect: q.Get("aspect"),
		NegativeAspect: q.Get("negative_aspect"), Brand: q.Get("brand"), Product: q.Get("product"),
		Competitor: q.Get("competitor"), Language: q.Get("language"), Sort: q.Get("sort"),
	}
	var err error
	if req.From, err = parseInt("from", q.Get("from")); err == nil {
		req.Size, err = parseInt("size", q.Get("size"))
	}
	if err == nil && q.Get("min_lead_score") != "" {
		if req.MinLeadScore, err = strconv.ParseFloat(q.Get("min_lead_score"), 64); err != nil {
			err = badRequest{fmt.Errorf("min_lead_score: %q is not a number", q.Get("min_lead_score"))}
		}
	}
	if err == nil {
		if verr := req.Validate(); verr != nil {
			err = badRequest{verr}
		}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.b.SearchProfiles(r.Context(), req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := ProfilesView{Total: res.Total, Profiles: make([]ProfileView, len(res.Profiles))}
	for i, p := range res.Profiles {
		out.Profiles[i] = h.view(p)
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *searchAPI) profile(w http.ResponseWriter, r *http.Request) {
	p, err := h.b.GetProfile(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.view(p))
}
