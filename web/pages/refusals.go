package pages

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// Refusals of an account change that the pages say in the reader's
// language. Deps' account functions return errors that match these
// (errors.Is), wrapping the original: the log gets its own words where
// the refusal is a failure (ErrNotSaved).
var (
	// ErrWrongPassword: the current password given is not the person's.
	ErrWrongPassword = errors.New("the current password is wrong")
	ErrLastAdmin     = errors.New("the last admin cannot be removed or demoted")
	ErrUserExists    = errors.New("the user exists")
	ErrUnknownUser   = errors.New("no such user")
	ErrUnknownToken  = errors.New("no such token")
	ErrBadUserName   = errors.New("bad user name")
	ErrBadTokenName  = errors.New("bad token name")
	// ErrNotSaved: the change was not acknowledged by the store (Kafka).
	ErrNotSaved = errors.New("the change was not saved")
)

// TooManyTries is the sign-in throttle's refusal of a password check;
// Wait is how long until the next try.
type TooManyTries struct{ Wait time.Duration }

// retryAfter sets Retry-After to wait and returns it in whole seconds,
// rounded up, for the page to say.
func retryAfter(w http.ResponseWriter, wait time.Duration) int {
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return secs
}

func (e TooManyTries) Error() string {
	return fmt.Sprintf("too many failed sign-ins; try again in %s", e.Wait.Round(time.Second))
}

// refusal is the status and the reader's words for a refused change: in
// their language where the reason is one the pages know, the error's own
// text otherwise (an invalid value it names, say). A wait is also said in
// Retry-After.
func (p *Pages) refusal(w http.ResponseWriter, r *http.Request, err error) (int, string) {
	l := p.locale(r)
	var tries TooManyTries
	switch {
	case errors.As(err, &tries):
		return http.StatusTooManyRequests, l.T("login.throttled", retryAfter(w, tries.Wait))
	case errors.Is(err, ErrWrongPassword):
		return http.StatusForbidden, l.T("account.wrong")
	case errors.Is(err, ErrLastAdmin):
		return http.StatusConflict, l.T("refusal.last_admin")
	case errors.Is(err, ErrUserExists):
		return http.StatusConflict, l.T("refusal.user_exists")
	case errors.Is(err, ErrUnknownUser):
		return http.StatusNotFound, l.T("refusal.unknown_user")
	case errors.Is(err, ErrUnknownToken):
		return http.StatusNotFound, l.T("refusal.unknown_token")
	case errors.Is(err, ErrBadUserName):
		return http.StatusBadRequest, l.T("refusal.bad_user_name")
	case errors.Is(err, ErrBadTokenName):
		return http.StatusBadRequest, l.T("refusal.bad_token_name")
	case errors.Is(err, ErrNotSaved):
		p.log.Warn("a change was not saved", "path", r.URL.Path, "error", err)
		return http.StatusServiceUnavailable, l.T("refusal.not_saved")
	}
	return http.StatusBadRequest, err.Error()
}
