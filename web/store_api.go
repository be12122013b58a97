package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/store"
)

// storeError maps the store's errors to answers, then falls back to fail.
func (a *App) storeFail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrInvalid):
		problem(w, r, http.StatusUnprocessableEntity, "validation", strings.TrimPrefix(err.Error(), "invalid: "))
	case errors.Is(err, store.ErrNotFound):
		problem(w, r, http.StatusNotFound, "not-found", err.Error())
	default:
		a.fail(w, r, err)
	}
}

// storeWrite is the shape of the API's writes: decode the JSON body into
// an In, make the store's change within the request's time limit, and
// answer status with what the store returned (or the store's error).
func storeWrite[In, Out any](a *App, w http.ResponseWriter, r *http.Request, status int, change func(context.Context, In) (Out, error)) {
	var in In
	if err := decodeJSON(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	ctx, cancel := requestContext(r)
	defer cancel()
	out, err := change(ctx, in)
	if err != nil {
		a.storeFail(w, r, err)
		return
	}
	writeJSON(w, status, out)
}

// storeDelete is the shape of the API's deletions: 204 once the store has
// made the change.
func storeDelete(a *App, w http.ResponseWriter, r *http.Request, remove func(context.Context) error) {
	ctx, cancel := requestContext(r)
	defer cancel()
	if err := remove(ctx); err != nil {
		a.storeFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *App) listSavedSearches(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, nonNil(a.Store.SavedSearches()))
}

func (a *App) getSavedSearch(w http.ResponseWriter, r *http.Request) {
	v, err := a.Store.SavedSearch(r.PathValue("id"))
	if err != nil {
		a.storeFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (a *App) createSavedSearch(w http.ResponseWriter, r *http.Request) {
	var in store.SavedSearchInput
	if err := decodeJSON(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	ctx, cancel := requestContext(r)
	defer cancel()
	v, err := a.Store.CreateSavedSearch(ctx, principal(r).User, in)
	if err != nil {
		a.storeFail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/saved-searches/"+v.ID)
	writeJSON(w, http.StatusCreated, v)
}

func (a *App) updateSavedSearch(w http.ResponseWriter, r *http.Request) {
	storeWrite(a, w, r, http.StatusOK, func(ctx context.Context, in store.SavedSearchInput) (record.SavedSearch, error) {
		return a.Store.UpdateSavedSearch(ctx, r.PathValue("id"), in)
	})
}

// deleteSavedSearch refuses while an alert rule watches the search (the
// rule would watch nothing), naming the rules, as the dashboard does.
func (a *App) deleteSavedSearch(w http.ResponseWriter, r *http.Request) {
	if a.Alerts != nil {
		var rules []string
		for _, rule := range a.Alerts.Rules() {
			if rule.SavedSearchID == r.PathValue("id") {
				rules = append(rules, rule.ID)
			}
		}
		if len(rules) > 0 {
			problem(w, r, http.StatusConflict, "conflict", "alert rules watch this saved search: "+strings.Join(rules, ", ")+"; change or delete them first")
			return
		}
	}
	storeDelete(a, w, r, func(ctx context.Context) error {
		return a.Store.DeleteSavedSearch(ctx, r.PathValue("id"))
	})
}

// correctionInput is POST /api/corrections.
type correctionInput struct {
	MentionID string `json:"mention_id"`
	// Field is sentiment (value negative, neutral, positive), relevance
	// (irrelevant, relevant) or intent (a name, or -name to remove it).
	Field string `json:"field"`
	Value string `json:"value"`
}

func (a *App) listCorrections(w http.ResponseWriter, r *http.Request) {
	cs := a.Store.Corrections(r.URL.Query().Get("mention"))
	for i := range cs {
		cs[i].Original = nil // the mention itself is GET /api/mentions/{id}
	}
	writeJSON(w, http.StatusOK, nonNil(cs))
}

func (a *App) createCorrection(w http.ResponseWriter, r *http.Request) {
	var in correctionInput
	if err := decodeJSON(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if strings.TrimSpace(in.MentionID) == "" {
		problem(w, r, http.StatusUnprocessableEntity, "validation", "mention_id: name the mention")
		return
	}
	ctx, cancel := requestContext(r)
	defer cancel()
	c, err := a.Store.Correct(ctx, principal(r).User, in.MentionID, in.Field, in.Value)
	if err != nil {
		a.storeFail(w, r, err)
		return
	}
	c.Original = nil
	writeJSON(w, http.StatusCreated, c)
}

// muteInput is POST /api/mutes.
type muteInput struct {
	Kind   string `json:"kind"` // author or site
	Value  string `json:"value"`
	Reason string `json:"reason,omitempty"`
}

func (a *App) listMutes(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, nonNil(a.Store.Mutes()))
}

func (a *App) createMute(w http.ResponseWriter, r *http.Request) {
	storeWrite(a, w, r, http.StatusCreated, func(ctx context.Context, in muteInput) (record.Mute, error) {
		return a.Store.Mute(ctx, principal(r).User, in.Kind, in.Value, in.Reason)
	})
}

func (a *App) deleteMute(w http.ResponseWriter, r *http.Request) {
	storeDelete(a, w, r, func(ctx context.Context) error {
		return a.Store.Unmute(ctx, r.PathValue("id"))
	})
}

// ProfileView is a profile with the sales work on it (prospects only).
type ProfileView struct {
	*index.Profile
	Work *record.ProspectWork `json:"work,omitempty"`
}

// ProfilesView is a page of profiles with their work.
type ProfilesView struct {
	Total    int64         `json:"total"`
	Profiles []ProfileView `json:"profiles"`
}

// view merges the store's work into a profile.
func (a *App) view(p *index.Profile) ProfileView {
	v := ProfileView{Profile: p}
	if p.Kind == index.ProfileProspect {
		w := a.Store.Work(p.PersonID)
		v.Work = &w
	}
	return v
}

func (a *App) getProspect(w http.ResponseWriter, r *http.Request) {
	p, err := a.Search.GetProfile(r.Context(), index.ProfileID(index.ProfileProspect, store.ProspectID(r.PathValue("id"))))
	if err != nil {
		a.searchAPI.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.view(p))
}

// prospectsQuery reads GET /api/prospects (and its CSV export).
func prospectsQuery(r *http.Request) (req *index.ProfileRequest, stage, owner string, err error) {
	q := r.URL.Query()
	req = &index.ProfileRequest{Kind: index.ProfileProspect, Text: q.Get("text"), Aspect: q.Get("aspect"), Brand: q.Get("brand"),
		Product: q.Get("product"), Competitor: q.Get("competitor"), Language: q.Get("language"), Sort: q.Get("sort")}
	if req.From, err = parseInt("from", q.Get("from")); err != nil {
		return nil, "", "", err
	}
	if req.Size, err = parseInt("size", q.Get("size")); err != nil {
		return nil, "", "", err
	}
	if v := q.Get("min_lead_score"); v != "" {
		if req.MinLeadScore, err = strconv.ParseFloat(v, 64); err != nil {
			return nil, "", "", badRequest{fmt.Errorf("min_lead_score: %q is not a number", v)}
		}
	}
	if err := req.Validate(); err != nil {
		return nil, "", "", badRequest{err}
	}
	stage, owner = q.Get("stage"), strings.ToLower(q.Get("owner"))
	if stage != "" {
		if err := store.ValidStage(stage); err != nil {
			return nil, "", "", badRequest{errors.New(strings.TrimPrefix(err.Error(), "invalid: "))}
		}
	}
	return req, stage, owner, nil
}

// prospectScanLimit bounds how many prospects a stage or owner filter
// looks through (the index knows nothing of sales work).
const prospectScanLimit = 10000

// prospects answers a page of prospects by lead score with their work,
// filtered by stage and owner.
func (a *App) prospects(r *http.Request, req *index.ProfileRequest, stage, owner string) (*ProfilesView, error) {
	out := &ProfilesView{Profiles: []ProfileView{}}
	if stage == "" && owner == "" {
		res, err := a.Search.SearchProfiles(r.Context(), req)
		if err != nil {
			return nil, err
		}
		out.Total = res.Total
		for _, p := range res.Profiles {
			out.Profiles = append(out.Profiles, a.view(p))
		}
		return out, nil
	}
	page := *req
	page.From, page.Size = 0, index.MaxSize
	skip := req.From
	for page.From < prospectScanLimit {
		res, err := a.Search.SearchProfiles(r.Context(), &page)
		if err != nil {
			return nil, err
		}
		for _, p := range res.Profiles {
			v := a.view(p)
			if (stage != "" && v.Work.Stage != stage) || (owner != "" && v.Work.Owner != owner) {
				continue
			}
			out.Total++
			if skip > 0 {
				skip--
				continue
			}
			if len(out.Profiles) < req.Size {
				out.Profiles = append(out.Profiles, v)
			}
		}
		if len(res.Profiles) < page.Size {
			break
		}
		page.From += page.Size
	}
	return out, nil
}

func (a *App) listProspects(w http.ResponseWriter, r *http.Request) {
	req, stage, owner, err := prospectsQuery(r)
	if err != nil {
		a.searchAPI.fail(w, r, err)
		return
	}
	res, err := a.prospects(r, req, stage, owner)
	if err != nil {
		a.searchAPI.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// stageInput, ownerInput and noteInput are the prospect work bodies.
type stageInput struct {
	Stage string `json:"stage"`
}

type ownerInput struct {
	Owner string `json:"owner"` // "" unassigns
}

type noteInput struct {
	Text string `json:"text"`
}

func (a *App) setStage(w http.ResponseWriter, r *http.Request) {
	storeWrite(a, w, r, http.StatusOK, func(ctx context.Context, in stageInput) (record.ProspectWork, error) {
		return a.Store.SetStage(ctx, principal(r).User, r.PathValue("id"), in.Stage)
	})
}

func (a *App) setOwner(w http.ResponseWriter, r *http.Request) {
	storeWrite(a, w, r, http.StatusOK, func(ctx context.Context, in ownerInput) (record.ProspectWork, error) {
		return a.Store.Assign(ctx, principal(r).User, r.PathValue("id"), in.Owner)
	})
}

func (a *App) addNote(w http.ResponseWriter, r *http.Request) {
	storeWrite(a, w, r, http.StatusCreated, func(ctx context.Context, in noteInput) (record.ProspectWork, error) {
		return a.Store.AddNote(ctx, principal(r).User, r.PathValue("id"), in.Text)
	})
}

func (a *App) deleteNote(w http.ResponseWriter, r *http.Request) {
	storeDelete(a, w, r, func(ctx context.Context) error {
		_, err := a.Store.DeleteNote(ctx, r.PathValue("id"), r.PathValue("note"))
		return err
	})
}
