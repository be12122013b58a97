// Package pagestest holds in-memory stores and a seeded embedded index
// for the pages' tests, browser tests and page benchmarks.
package pagestest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/pages"
)

// Stores are in-memory implementations of every store the pages use.
type Stores struct {
	Backend index.Backend

	mu           sync.Mutex
	searches     map[string]*record.SavedSearch
	corrections  []*record.Correction
	mutes        []pages.Mute
	work         map[string]*pages.ProspectWork
	users        []pages.User
	passwordsSet []string
	ownPassword  string
	tokens       []pages.Token
	erased       []string
	hidden       map[string]*record.EnrichedMention // marked irrelevant
	matches      []pages.MatchCandidate
	decisions    []string
	reviewErr    error
	now          func() time.Time
}

// NewStores returns empty stores over b.
func NewStores(b index.Backend) *Stores {
	return &Stores{Backend: b, searches: map[string]*record.SavedSearch{}, work: map[string]*pages.ProspectWork{}, now: time.Now,
		matches: Matches(time.Now().UTC()), ownPassword: OwnPassword}
}

// OwnPassword is the signed-in person's password until they change it.
const OwnPassword = "the first password"

// Deps wires every store into pages.Deps.
func (s *Stores) Deps() pages.Deps {
	return pages.Deps{Backend: s.Backend, Searches: searchStore{s}, Corrections: s, Mutes: muteStore{s}, Prospects: workStore{s},
		Accounts: s, Importer: s, Eraser: s, Matches: matchStore{s}, ChangePassword: s.changeOwnPassword}
}

// changeOwnPassword is Deps.ChangePassword for the one signed-in person.
func (s *Stores) changeOwnPassword(_ http.ResponseWriter, _ *http.Request, current, next string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if current != s.ownPassword {
		return pages.ErrWrongPassword
	}
	if len(next) < 12 {
		return fmt.Errorf("a password needs at least 12 characters")
	}
	s.ownPassword = next
	return nil
}

// Password is the signed-in person's password now.
func (s *Stores) Password() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ownPassword
}

type searchStore struct{ *Stores }
type muteStore struct{ *Stores }
type workStore struct{ *Stores }
type matchStore struct{ *Stores }

// List, Get, Save and Delete are the saved searches.
func (s searchStore) List(context.Context) ([]*record.SavedSearch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*record.SavedSearch
	for _, v := range s.searches {
		c := *v
		out = append(out, &c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (s searchStore) Get(_ context.Context, id string) (*record.SavedSearch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.searches[id]
	if !ok {
		return nil, index.ErrNotFound
	}
	c := *v
	return &c, nil
}

func (s searchStore) Save(_ context.Context, v *record.SavedSearch) (*record.SavedSearch, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *v
	if c.ID == "" {
		c.ID = fmt.Sprintf("s%d", len(s.searches)+1)
	}
	s.searches[c.ID] = &c
	return &c, nil
}

func (s searchStore) Delete(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.searches[id]; !ok {
		return index.ErrNotFound
	}
	delete(s.searches, id)
	return nil
}

// Correct keeps the correction and applies it to the index at once, as
// web/store does: a mention marked irrelevant leaves the index and comes
// back when marked relevant again.
func (s *Stores) Correct(ctx context.Context, c *record.Correction) error {
	s.mu.Lock()
	s.corrections = append(s.corrections, c)
	if s.hidden == nil {
		s.hidden = map[string]*record.EnrichedMention{}
	}
	m := s.hidden[c.MentionID]
	s.mu.Unlock()
	if c.Field == record.CorrectRelevance && c.Value == "relevant" {
		if m == nil {
			return nil
		}
		if cr, ok := s.Backend.(index.Corrector); ok {
			if err := cr.RestoreMention(ctx, m); err != nil {
				return err
			}
		}
		s.mu.Lock()
		delete(s.hidden, c.MentionID)
		s.mu.Unlock()
		return s.Backend.Refresh(ctx)
	}
	if c.Field == record.CorrectRelevance {
		if m, err := s.Backend.GetMention(ctx, c.MentionID); err == nil {
			s.mu.Lock()
			s.hidden[c.MentionID] = m
			s.mu.Unlock()
		}
	}
	if err := ApplyCorrection(ctx, s.Backend, c); err != nil {
		return err
	}
	return s.Backend.Refresh(ctx)
}

// Corrections returns what was corrected.
func (s *Stores) Corrections() []*record.Correction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.corrections)
}

// ApplyCorrection applies a correction to the index: through the
// backend's own Corrector when it has one (as web/store does), else by
// rewriting the mention's sentiment.
func ApplyCorrection(ctx context.Context, b index.Backend, c *record.Correction) error {
	if cr, ok := b.(index.Corrector); ok {
		_, err := cr.ApplyCorrection(ctx, c)
		return err
	}
	if c.Field != record.CorrectSentiment {
		return nil
	}
	m, err := b.GetMention(ctx, c.MentionID)
	if err != nil {
		return err
	}
	score := map[string]float64{record.SentimentPositive: 0.8, record.SentimentNeutral: 0, record.SentimentNegative: -0.8}[c.Value]
	m.Analysis.Sentiment = &record.Sentiment{Label: c.Value, Score: score, Confidence: 1}
	if errs := b.UpsertMentions(ctx, []*record.EnrichedMention{m}); errs[0] != nil {
		return errs[0]
	}
	return b.Refresh(ctx)
}

// List, Mute, Unmute: the mutes.
func (s muteStore) List(context.Context) ([]pages.Mute, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.mutes), nil
}

func (s muteStore) Mute(_ context.Context, m pages.Mute) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.ContainsFunc(s.mutes, func(x pages.Mute) bool { return x.ID == m.ID }) {
		s.mutes = append(s.mutes, m)
	}
	return nil
}

func (s muteStore) Unmute(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mutes = slices.DeleteFunc(s.mutes, func(x pages.Mute) bool { return x.ID == id })
	return nil
}

// Prospect work.
func (s workStore) Get(_ context.Context, id string) (pages.ProspectWork, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.work[id]
	if !ok {
		return pages.ProspectWork{}, false, nil
	}
	return *w, true, nil
}

func (s *Stores) entry(id string) *pages.ProspectWork {
	w := s.work[id]
	if w == nil {
		w = &pages.ProspectWork{ProspectID: id}
		s.work[id] = w
	}
	return w
}

func (s workStore) SetStage(_ context.Context, id, stage, by string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.entry(id)
	from := w.Stage
	if from == "" {
		from = "new"
	}
	w.Stage = stage
	w.History = append(w.History, pages.StageChange{From: from, To: stage, By: by, At: s.now().UTC()})
	return nil
}

func (s workStore) SetOwner(_ context.Context, id, owner, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entry(id).Owner = owner
	return nil
}

func (s workStore) AddNote(_ context.Context, id, text, by string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.entry(id)
	w.Notes = append(w.Notes, pages.Note{Text: text, By: by, At: s.now().UTC()})
	return nil
}

func (s workStore) All(context.Context) ([]pages.ProspectWork, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []pages.ProspectWork
	for _, w := range s.work {
		out = append(out, *w)
	}
	return out, nil
}

// Users and tokens.
func (s *Stores) Users(context.Context) ([]pages.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.users), nil
}

func (s *Stores) AddUser(_ context.Context, name, role, password string) error {
	if name == "" || len(password) < 12 {
		return fmt.Errorf("a user needs a name and a password of at least 12 characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.ContainsFunc(s.users, func(u pages.User) bool { return u.Name == name }) {
		return fmt.Errorf("user %q exists", name)
	}
	s.users = append(s.users, pages.User{Name: name, Role: role, CreatedAt: s.now().UTC()})
	return nil
}

func (s *Stores) RemoveUser(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users = slices.DeleteFunc(s.users, func(u pages.User) bool { return u.Name == name })
	return nil
}

func (s *Stores) SetRole(_ context.Context, name, role string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.users, func(u pages.User) bool { return u.Name == name })
	if i < 0 {
		return fmt.Errorf("no user %q", name)
	}
	admins := 0
	for _, u := range s.users {
		if u.Role == "admin" {
			admins++
		}
	}
	if s.users[i].Role == "admin" && role != "admin" && admins == 1 {
		return fmt.Errorf("%s is the last admin", name)
	}
	s.users[i].Role = role
	return nil
}

func (s *Stores) SetPassword(_ context.Context, name, password string) error {
	if len(password) < 12 {
		return fmt.Errorf("a password needs at least 12 characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.ContainsFunc(s.users, func(u pages.User) bool { return u.Name == name }) {
		return fmt.Errorf("no user %q", name)
	}
	s.passwordsSet = append(s.passwordsSet, name)
	return nil
}

// PasswordsSet are the users whose password an admin set, in order.
func (s *Stores) PasswordsSet() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.passwordsSet)
}

func (s *Stores) Tokens(context.Context) ([]pages.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.tokens), nil
}

func (s *Stores) CreateToken(_ context.Context, user, name string, ttl time.Duration) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := fmt.Sprintf("t%d", len(s.tokens)+1)
	t := pages.Token{ID: id, User: user, Name: name, Created: s.now().UTC()}
	if ttl > 0 {
		t.Expires = t.Created.Add(ttl)
	}
	s.tokens = append(s.tokens, t)
	return "es_" + id + "_secretvalue", nil
}

func (s *Stores) RevokeToken(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = slices.DeleteFunc(s.tokens, func(t pages.Token) bool { return t.ID == id })
	return nil
}

func (s *Stores) Roles() []string { return []string{"admin", "marketing", "sales", "viewer"} }

// Import reads "id,email" lines; a line without an @ in its e-mail is bad.
func (s *Stores) Import(_ context.Context, r io.Reader, _ string, size int64, progress func(pages.ImportProgress)) (pages.ImportProgress, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return pages.ImportProgress{}, err
	}
	var p pages.ImportProgress
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if i == 0 {
			continue // header
		}
		p.Rows++
		_, email, _ := strings.Cut(line, ",")
		if !strings.Contains(email, "@") {
			p.Bad++
			p.BadRows = append(p.BadRows, pages.BadRow{Line: i + 1, Reasons: []string{fmt.Sprintf("email %q is not an e-mail address", email)}})
		} else {
			p.Imported++
		}
	}
	p.BytesRead = size
	progress(p)
	return p, nil
}

// Plan and Erase: the eraser.
func (s *Stores) Plan(_ context.Context, who string) (pages.ErasurePlan, error) {
	if !strings.Contains(who, "@") {
		return pages.ErasurePlan{Customers: []string{who}}, nil
	}
	return pages.ErasurePlan{Emails: []string{who}}, nil
}

func (s *Stores) Erase(ctx context.Context, who string) (pages.ErasurePlan, error) {
	s.mu.Lock()
	s.erased = append(s.erased, who)
	s.mu.Unlock()
	return s.Plan(ctx, who)
}

// Erased lists the erasure requests.
func (s *Stores) Erased() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.erased)
}

// Matches are the possible identity matches the stores start with: the
// seeded prospect who may be the seeded customer, and a prospect with a
// hostile name who may be another customer.
func Matches(now time.Time) []pages.MatchCandidate {
	return []pages.MatchCandidate{
		{ProspectID: ProspectID, ProspectName: ProspectName, Identifiers: []string{"jan@firma.pl", "mastodon:jan@pol.social"},
			CustomerID: "c-jan", CustomerName: "Jan Kowalski", Score: 14.2, LastSeen: now.Add(-3 * time.Hour),
			Evidence: []record.FieldEvidence{{Field: "first_name", Agrees: true, Level: "exact", Weight: 3.1},
				{Field: "last_name", Agrees: true, Level: "exact", Weight: 7.9}, {Field: "email", Agrees: false, Level: "local", Weight: 1.2},
				{Field: "city", Agrees: false, Level: "different", Weight: -2.4}, {Field: "handle", Agrees: true, Level: "exact", Weight: 4.3}}},
		{ProspectID: "p-mallory", ProspectName: Hostile, Identifiers: []string{"mallory@evil.example"},
			CustomerID: CustomerID, CustomerName: "Anna Nowak", Score: 9.6, LastSeen: now.Add(-26 * time.Hour),
			Evidence: []record.FieldEvidence{{Field: "email", Agrees: true, Level: "exact", Weight: 9.8}, {Field: "first_name", Agrees: false, Level: "different", Weight: -0.2}}},
	}
}

// Review lists the candidates nobody decided yet, strongest first.
func (s matchStore) Review(context.Context) ([]pages.MatchCandidate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reviewErr != nil {
		return nil, s.reviewErr
	}
	var out []pages.MatchCandidate
	for _, c := range s.matches {
		if !slices.ContainsFunc(s.decisions, func(d string) bool { return strings.HasPrefix(d, c.ProspectID+" "+c.CustomerID+" ") }) {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out, nil
}

// Decide records "prospect customer verdict by"; a pair it does not hold
// is pages.ErrNoSuchMatch, a confirmation of a prospect confirmed as
// another customer pages.ErrMatchSettled.
func (s matchStore) Decide(_ context.Context, prospectID, customerID, verdict, by string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.ContainsFunc(s.matches, func(c pages.MatchCandidate) bool { return c.ProspectID == prospectID && c.CustomerID == customerID }) {
		return fmt.Errorf("%w: %s and %s", pages.ErrNoSuchMatch, prospectID, customerID)
	}
	if verdict == record.VerdictConfirm && slices.ContainsFunc(s.decisions, func(d string) bool {
		f := strings.Fields(d)
		return f[0] == prospectID && f[1] != customerID && f[2] == record.VerdictConfirm
	}) {
		return fmt.Errorf("%w: %s is confirmed as another customer", pages.ErrMatchSettled, prospectID)
	}
	s.decisions = append(s.decisions, strings.Join([]string{prospectID, customerID, verdict, by}, " "))
	return nil
}

// SetMatches replaces the candidates; FailReview makes the review fail
// with err (nil mends it).
func (s *Stores) SetMatches(cs []pages.MatchCandidate) {
	s.mu.Lock()
	s.matches = cs
	s.mu.Unlock()
}

func (s *Stores) FailReview(err error) {
	s.mu.Lock()
	s.reviewErr = err
	s.mu.Unlock()
}

// MatchDecisions lists the recorded verdicts as "prospect customer verdict by".
func (s *Stores) MatchDecisions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.decisions)
}
