package appstore

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeStores serves Apple's customer-reviews feed (JSON form, 50 a page, 10
// pages at most, first/last/next links, a single entry as an object), the
// Google Play Developer API reviews.list (bearer token, tokenPagination) and
// a Google OAuth token endpoint that checks the RS256 signature of the
// service account's JWT with the test key. Faults: 429 with Retry-After,
// 5xx, malformed JSON, refused tokens, 401 and 403.
type fakeStores struct {
	srv *httptest.Server
	pub *rsa.PublicKey

	mu        sync.Mutex
	now       time.Time
	apple     map[string][]*fakeReview // app/country → oldest first
	google    map[string][]*fakeReview // package → oldest first
	seq       int
	faults    []int // statuses of the next store answers
	malform   int
	tokens    map[string]bool
	tokenTTL  int // seconds
	tokenReqs int
	badJWT    int // token requests refused because of the signature or claims
	refuse    bool
	forbid    bool // reviews.list answers 403
	expire    int  // next reviews.list answers 401
}

type fakeReview struct {
	id, author, title, text, version, lang string
	rating, votes                          int
	updated                                time.Time
	deleted                                bool
}

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

func rsaKey(t testing.TB) *rsa.PrivateKey {
	testKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		testKey = k
	})
	return testKey
}

func newFakeStores(t testing.TB) *fakeStores {
	f := &fakeStores{pub: &rsaKey(t).PublicKey, now: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC),
		apple: map[string][]*fakeReview{}, google: map[string][]*fakeReview{}, tokens: map[string]bool{}, tokenTTL: 3600}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /apple/{cc}/rss/customerreviews/{page}/{id}/sortby=mostrecent/json", f.appleFeed)
	mux.HandleFunc("GET /androidpublisher/v3/applications/{pkg}/reviews", f.googleReviews)
	mux.HandleFunc("POST /token", f.token)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// serviceAccountFile writes a key file for the test key, its token_uri at
// the fake token endpoint.
func (f *fakeStores) serviceAccountFile(t testing.TB) string {
	der, err := x509.MarshalPKCS8PrivateKey(rsaKey(t))
	if err != nil {
		t.Fatal(err)
	}
	key := map[string]string{"type": "service_account", "project_id": "earshot-test", "private_key_id": "kid1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": "reviews@earshot-test.iam.gserviceaccount.com", "token_uri": f.srv.URL + "/token"}
	raw, _ := json.Marshal(key)
	path := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func (f *fakeStores) tick() time.Time {
	f.now = f.now.Add(time.Minute)
	return f.now
}

// addApple posts n reviews of app in country and returns their source ids.
func (f *fakeStores) addApple(app, cc string, n int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for i := 0; i < n; i++ {
		f.seq++
		r := &fakeReview{id: strconv.Itoa(10_000_000 + f.seq), author: fmt.Sprintf("reviewer%d", f.seq%40), title: fmt.Sprintf("Review %d", f.seq),
			text: fmt.Sprintf("Earshot review %d", f.seq), version: "3.2." + strconv.Itoa(f.seq%9), rating: 1 + f.seq%5, votes: f.seq % 3, updated: f.tick()}
		f.apple[app+"/"+cc] = append(f.apple[app+"/"+cc], r)
		ids = append(ids, "apple:"+r.id)
	}
	return ids
}

// addGoogle posts n reviews of a package and returns their source ids.
func (f *fakeStores) addGoogle(pkg string, n int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for i := 0; i < n; i++ {
		f.seq++
		r := &fakeReview{id: fmt.Sprintf("gp:AOqpTO%06d", f.seq), author: fmt.Sprintf("Play User %d", f.seq%40), title: "Great",
			text: fmt.Sprintf("Earshot on Android %d", f.seq), version: "5.1.0", lang: []string{"en", "pl", "pt_BR", "lv"}[f.seq%4],
			rating: 1 + f.seq%5, votes: f.seq % 4, updated: f.tick()}
		f.google[pkg] = append(f.google[pkg], r)
		ids = append(ids, "google:"+r.id)
	}
	return ids
}

// edit changes a review's text and time (a reviewer's update moves it to
// the top, as the stores list by last change).
func (f *fakeStores) edit(sourceID, text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range []map[string][]*fakeReview{f.apple, f.google} {
		for k, list := range m {
			for i, r := range list {
				if "apple:"+r.id == sourceID || "google:"+r.id == sourceID {
					r.text, r.updated = text, f.tick()
					m[k] = append(append(list[:i:i], list[i+1:]...), r)
					return
				}
			}
		}
	}
}

func (f *fakeStores) remove(sourceID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range []map[string][]*fakeReview{f.apple, f.google} {
		for _, list := range m {
			for _, r := range list {
				if "apple:"+r.id == sourceID || "google:"+r.id == sourceID {
					r.deleted = true
				}
			}
		}
	}
}

func (f *fakeStores) fail(statuses ...int) {
	f.mu.Lock()
	f.faults = append(f.faults, statuses...)
	f.mu.Unlock()
}

func (f *fakeStores) set(fn func()) {
	f.mu.Lock()
	fn()
	f.mu.Unlock()
}

// fault answers an injected fault; it returns false when it answered.
func (f *fakeStores) fault(w http.ResponseWriter) bool {
	if len(f.faults) > 0 {
		status := f.faults[0]
		f.faults = f.faults[1:]
		if status == 429 || status == 503 {
			w.Header().Set("Retry-After", "0")
		}
		http.Error(w, http.StatusText(status), status)
		return false
	}
	if f.malform > 0 {
		f.malform--
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"feed":{"entry":[{"id":{"label":`))
		return false
	}
	return true
}

func live(list []*fakeReview) []*fakeReview {
	var out []*fakeReview
	for i := len(list) - 1; i >= 0; i-- {
		if !list[i].deleted {
			out = append(out, list[i])
		}
	}
	return out
}

func lbl(s string) map[string]string { return map[string]string{"label": s} }

func (f *fakeStores) appleFeed(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.fault(w) {
		return
	}
	cc := r.PathValue("cc")
	page, err1 := strconv.Atoi(strings.TrimPrefix(r.PathValue("page"), "page="))
	app := strings.TrimPrefix(r.PathValue("id"), "id=")
	if err1 != nil || page < 1 {
		http.Error(w, "bad page", 400)
		return
	}
	list, ok := f.apple[app+"/"+cc]
	if !ok {
		w.Header().Set("Content-Type", "text/html")
		http.Error(w, "<html>not found</html>", 404)
		return
	}
	reviews := live(list)
	if len(reviews) > 500 {
		reviews = reviews[:500] // the feed serves ten pages of fifty
	}
	last := max(1, (len(reviews)+49)/50)
	var entries []any
	if page <= last {
		for _, rv := range reviews[min((page-1)*50, len(reviews)):min(page*50, len(reviews))] {
			entries = append(entries, map[string]any{
				"author":         map[string]any{"uri": lbl("https://itunes.apple.com/" + cc + "/reviews/id" + strconv.Itoa(900000+len(rv.author))), "name": lbl(rv.author), "label": ""},
				"updated":        lbl(rv.updated.In(time.FixedZone("PDT", -7*3600)).Format(time.RFC3339)),
				"im:rating":      lbl(strconv.Itoa(rv.rating)),
				"im:version":     lbl(rv.version),
				"id":             lbl(rv.id),
				"title":          lbl(rv.title),
				"content":        map[string]any{"label": rv.text, "attributes": map[string]string{"type": "text"}},
				"link":           map[string]any{"attributes": map[string]string{"rel": "related", "href": "https://itunes.apple.com/" + cc + "/review?id=" + app + "&type=Purple%20Software"}},
				"im:voteSum":     lbl(strconv.Itoa(rv.votes)),
				"im:contentType": map[string]any{"attributes": map[string]string{"term": "Application", "label": "Application"}},
				"im:voteCount":   lbl(strconv.Itoa(rv.votes * 2)),
			})
		}
	}
	base := fmt.Sprintf("https://itunes.apple.com/%s/rss/customerreviews/page=%%d/id=%s/sortby=mostrecent/json", cc, app)
	links := []any{
		map[string]any{"attributes": map[string]string{"rel": "alternate", "type": "text/html", "href": "https://itunes.apple.com/WebObjects/MZStore.woa/wa/viewGrouping?cc=" + cc}},
		map[string]any{"attributes": map[string]string{"rel": "self", "href": fmt.Sprintf(base, page)}},
		map[string]any{"attributes": map[string]string{"rel": "first", "href": fmt.Sprintf(base, 1)}},
		map[string]any{"attributes": map[string]string{"rel": "last", "href": fmt.Sprintf(base, last)}},
		map[string]any{"attributes": map[string]string{"rel": "previous", "href": fmt.Sprintf(base, max(1, page-1))}},
		map[string]any{"attributes": map[string]string{"rel": "next", "href": fmt.Sprintf(base, min(last, page+1))}},
	}
	feed := map[string]any{"author": map[string]any{"name": lbl("iTunes Store"), "uri": lbl("http://www.apple.com/uk/itunes/")},
		"updated": lbl(f.now.Format(time.RFC3339)), "rights": lbl("Copyright 2008 Apple Inc."), "title": lbl("iTunes Store: Customer Reviews"),
		"icon": lbl("http://itunes.apple.com/favicon.ico"), "link": links, "id": lbl(fmt.Sprintf(base, page))}
	switch len(entries) {
	case 0:
	case 1:
		feed["entry"] = entries[0] // a lone entry is an object, not an array
	default:
		feed["entry"] = entries
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"feed": feed})
}

func (f *fakeStores) googleReviews(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !f.tokens[auth] || f.expire > 0 {
		if f.expire > 0 {
			f.expire--
		}
		googleError(w, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
		return
	}
	if f.forbid {
		googleError(w, 403, "PERMISSION_DENIED", "The caller does not have permission")
		return
	}
	if !f.fault(w) {
		return
	}
	list, ok := f.google[r.PathValue("pkg")]
	if !ok {
		googleError(w, 404, "NOT_FOUND", "Package not found: "+r.PathValue("pkg"))
		return
	}
	reviews := live(list)
	off, _ := strconv.Atoi(r.URL.Query().Get("token"))
	n, _ := strconv.Atoi(r.URL.Query().Get("maxResults"))
	if n < 1 {
		n = 10
	}
	off = min(off, len(reviews))
	end := min(off+n, len(reviews))
	var out []any
	for _, rv := range reviews[off:end] {
		out = append(out, map[string]any{"reviewId": rv.id, "authorName": rv.author, "comments": []any{
			map[string]any{"userComment": map[string]any{
				"text": "\t" + rv.title + "\t" + rv.text, "lastModified": map[string]any{"seconds": strconv.FormatInt(rv.updated.Unix(), 10), "nanos": 0},
				"starRating": rv.rating, "reviewerLanguage": rv.lang, "device": "a53x", "androidOsVersion": 34,
				"appVersionCode": 5100, "appVersionName": rv.version, "thumbsUpCount": rv.votes, "thumbsDownCount": 0,
				"deviceMetadata": map[string]any{"productName": "a53x (Galaxy A53 5G)", "manufacturer": "Samsung", "ramMb": 5632}}},
			map[string]any{"developerComment": map[string]any{"text": "Thanks for the feedback!", "lastModified": map[string]any{"seconds": strconv.FormatInt(rv.updated.Unix()+60, 10), "nanos": 0}}},
		}})
	}
	body := map[string]any{"reviews": out, "pageInfo": map[string]int{"totalResults": len(reviews), "resultPerPage": n, "startIndex": off}}
	if end < len(reviews) {
		body["tokenPagination"] = map[string]string{"nextPageToken": strconv.Itoa(end)}
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(body)
}

func googleError(w http.ResponseWriter, code int, status, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
}

// token checks the JWT bearer grant: RS256 signature by the test key, the
// service account as issuer, this endpoint as audience, the Play scope, a
// live expiry.
func (f *fakeStores) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokenReqs++
	refuse := func(desc string) {
		f.badJWT++
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant", "error_description": desc})
	}
	if f.refuse {
		refuse("Invalid JWT Signature.")
		return
	}
	if r.FormValue("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		refuse("wrong grant_type")
		return
	}
	parts := strings.Split(r.FormValue("assertion"), ".")
	if len(parts) != 3 {
		refuse("not a JWT")
		return
	}
	var header struct{ Alg, Typ, Kid string }
	var claims struct {
		Iss, Scope, Aud string
		Iat, Exp        int64
	}
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	cb, _ := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if json.Unmarshal(hb, &header) != nil || json.Unmarshal(cb, &claims) != nil || err != nil {
		refuse("undecodable JWT")
		return
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if header.Alg != "RS256" || header.Kid != "kid1" || rsa.VerifyPKCS1v15(f.pub, crypto.SHA256, sum[:], sig) != nil {
		refuse("Invalid JWT Signature.")
		return
	}
	if claims.Iss != "reviews@earshot-test.iam.gserviceaccount.com" || claims.Aud != "http://"+r.Host+"/token" ||
		claims.Scope != androidPublisherScope || claims.Exp <= claims.Iat || claims.Exp-claims.Iat > 3600 {
		refuse(fmt.Sprintf("bad claims %+v", claims))
		return
	}
	tok := fmt.Sprintf("ya29.test-%d", f.tokenReqs)
	f.tokens[tok] = true
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "expires_in": f.tokenTTL, "token_type": "Bearer"})
}

// appleSource and googleSource are the conformance views of the fake.
type appleSource struct{ *fakeStores }

func (s appleSource) Publish(_ testing.TB, n int) []string { return s.addApple("1000", "us", n) }
func (s appleSource) Drop(testing.TB) {
	s.fail(503, 502, 500)
	s.srv.CloseClientConnections()
}

type googleSource struct {
	*fakeStores
	keyFile string
}

func (s googleSource) Publish(_ testing.TB, n int) []string { return s.addGoogle("com.example.app", n) }
func (s googleSource) Drop(testing.TB) {
	s.set(func() { s.expire = 1 })
	s.fail(503, 500)
	s.srv.CloseClientConnections()
}
