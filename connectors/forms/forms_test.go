package forms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/record"
)

func TestAcceptedSubmissionBecomesOneRecord(t *testing.T) {
	h := newHarness(t, testConfig)
	v := h.validContact()
	v.Set("company", "  Nowak  Sp. z o.o. ")
	v.Set("topic", "support")
	v["interests"] = []string{"CRM", "Kafka"}
	v.Set("utm_source", "newsletter")
	v.Set("_page", "https://www.example.com/kontakt?utm_campaign=wiosna&utm_source=ignored")
	v.Set("_referrer", "https://www.google.com/")
	w := h.do(req{path: "/f/contact?utm_medium=email", contentType: mediaURLEncoded, body: v.Encode(),
		header: map[string]string{"User-Agent": "Mozilla/5.0 test", "Origin": "https://www.example.com"}, remote: "203.0.113.9:5555"})
	a := acceptedOf(t, w)
	if w.Header().Get("Access-Control-Allow-Origin") != "https://www.example.com" {
		t.Errorf("CORS header %q", w.Header().Get("Access-Control-Allow-Origin"))
	}
	recs := h.records()
	if len(recs) != 1 {
		t.Fatalf("published %d records, want 1", len(recs))
	}
	m := recs[0]
	if a.ID != m.ID || m.ID != record.RecordID("forms", m.SourceID) {
		t.Errorf("answer id %s, record id %s (source id %s)", a.ID, m.ID, m.SourceID)
	}
	checks := []struct{ name, got, want string }{
		{"source", m.Source, "forms"},
		{"kind", string(m.Kind), "form_submission"},
		{"channel", m.Channel, "contact"},
		{"email (domain lower-cased, local part kept)", m.Author.Email, "Zofia.Nowak@example.pl"},
		{"phone (E.164 in region PL)", m.Author.Phone, "+48601234567"},
		{"name", m.Author.Name, "Zofia Nowak"},
		{"company (trimmed, spaces collapsed)", m.Author.Company, "Nowak Sp. z o.o."},
		{"platform", m.Author.Platform, "forms"},
		{"text", m.Text, "Proszę o ofertę."},
		{"title", m.Title, "Kontakt"},
		{"lang", m.Lang, "pl"},
		{"topic (allowed value, configured spelling)", m.Fields["topic"], "Support"},
		{"interests (multiple)", m.Fields["interests"], "CRM, Kafka"},
		{"utm_source (posted wins)", m.Campaign.Source, "newsletter"},
		{"utm_medium (post URL)", m.Campaign.Medium, "email"},
		{"utm_campaign (landing page)", m.Campaign.Name, "wiosna"},
		{"referrer", m.Campaign.Referrer, "https://www.google.com/"},
		{"landing page", m.Campaign.LandingPage, "https://www.example.com/kontakt?utm_campaign=wiosna&utm_source=ignored"},
		{"url", m.URL, m.Campaign.LandingPage},
		{"form id", m.Submission.FormID, "contact"},
		{"form version", m.Submission.FormVersion, "7"},
		{"via", m.Submission.Via, "form"},
		{"client ip", m.Submission.ClientIP, "203.0.113.9"},
		{"user agent", m.Submission.UserAgent, "Mozilla/5.0 test"},
		{"consent text", m.Consent.Text, "I agree to be contacted."},
		{"consent version", m.Consent.Version, "c2"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !m.Consent.Given || !m.Consent.At.Equal(h.clock.Now()) || !m.Submission.At.Equal(h.clock.Now()) || !m.CreatedAt.Equal(h.clock.Now()) {
		t.Errorf("consent/times: %+v, submission at %s, created %s, now %s", m.Consent, m.Submission.At, m.CreatedAt, h.clock.Now())
	}
	if _, leaked := m.Fields["_t"]; leaked || len(m.Fields) != 2 {
		t.Errorf("fields = %v, want only the custom fields", m.Fields)
	}
	if got := h.counter(h.c.metrics.acked, "contact"); got != 1 {
		t.Errorf("acked counter %v, want 1", got)
	}
	if b, err := record.Encode(m); err != nil || !bytes.Contains(b, []byte(`"submission":{"form_id":"contact"`)) {
		t.Errorf("encoding: %v %s", err, b)
	}
}

func TestBadInputGetsDocumentedStatus(t *testing.T) {
	h := newHarness(t, testConfig)
	type tc struct {
		name   string
		edit   func(url.Values)
		status int
		slug   string
		field  string // the field error expected, if any
		code   string
		msg    string // in the field error, else in the detail
	}
	cases := []tc{
		{"missing required field", func(v url.Values) { v.Del("email") }, 400, "validation", "email", "required", "E-mail is required"},
		{"blank required field", func(v url.Values) { v.Set("name", " \t ") }, 400, "validation", "name", "required", "Name is required"},
		{"bad email", func(v url.Values) { v.Set("email", "zofia.example.pl") }, 400, "validation", "email", "invalid_email", "E-mail is not an email address (want name@example.com)"},
		{"email without domain dot", func(v url.Values) { v.Set("email", "zofia@localhost") }, 400, "validation", "email", "invalid_email", `E-mail has an incomplete domain "localhost"`},
		{"email with an empty domain label", func(v url.Values) { v.Set("email", "zofia@.example.pl") }, 400, "validation", "email", "invalid_email", `E-mail has an incomplete domain ".example.pl"`},
		{"email with double dots", func(v url.Values) { v.Set("email", "zo..fia@example.pl") }, 400, "validation", "email", "invalid_email", "E-mail has misplaced dots before the @"},
		{"bad phone", func(v url.Values) { v.Set("phone", "12") }, 400, "validation", "phone", "invalid_phone", "Phone is not a valid phone number (PL numbers may omit the country code; others start with +)"},
		{"phone letters", func(v url.Values) { v.Set("phone", "call me maybe") }, 400, "validation", "phone", "invalid_phone", "Phone is not a phone number"},
		{"link in name", func(v url.Values) { v.Set("name", "Cheap pills http://spam.example") }, 400, "validation", "name", "link_in_name", "Name may not contain links or web addresses"},
		{"bare domain in name", func(v url.Values) { v.Set("name", "Visit casino-bonus.xyz") }, 400, "validation", "name", "link_in_name", "may not contain links"},
		{"value not allowed", func(v url.Values) { v.Set("topic", "Bitcoin") }, 400, "validation", "topic", "not_allowed", "topic must be one of: Offer, Support"},
		{"too long", func(v url.Values) { v.Set("message", strings.Repeat("ż", 51)) }, 400, "validation", "message", "too_long", "message must be at most 50 characters (got 51)"},
		{"two values for a single field", func(v url.Values) { v["name"] = []string{"A", "B"} }, 400, "validation", "name", "single_value", "Name takes one value, got 2"},
		{"consent missing", func(v url.Values) { v.Del("consent") }, 400, "validation", "consent", "consent_required", "Consent is required to send this form"},
		{"invalid UTF-8", func(v url.Values) { v.Set("name", "Zofia \xff") }, 400, "validation", "name", "encoding", "is not valid UTF-8 text"},
		{"token missing", func(v url.Values) { v.Del("_t") }, 400, "token-missing", "", "", "the form token is missing"},
		{"token forged", func(v url.Values) { v.Set("_t", "AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA") }, 400, "token-invalid", "", "", "the form token is not valid"},
		{"token of another form", func(v url.Values) { v.Set("_t", h.token("api")) }, 400, "token-invalid", "", "", "the form token is not valid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := h.validContact()
			c.edit(v)
			before := len(h.records())
			p := wantProblem(t, h.postForm("/f/contact", v, nil), c.status, c.slug)
			if c.field != "" {
				if len(p.Errors) != 1 || p.Errors[0].Field != c.field || p.Errors[0].Code != c.code || !strings.Contains(p.Errors[0].Message, c.msg) {
					t.Fatalf("errors = %+v, want one %s/%s saying %q", p.Errors, c.field, c.code, c.msg)
				}
			} else if !strings.Contains(p.Detail, c.msg) {
				t.Fatalf("detail %q, want it to say %q", p.Detail, c.msg)
			}
			if len(h.records()) != before {
				t.Fatal("a refused submission was published")
			}
		})
	}
}

func TestEveryFieldProblemIsReportedAtOnce(t *testing.T) {
	h := newHarness(t, testConfig)
	v := h.validContact()
	v.Set("email", "nope")
	v.Set("phone", "1")
	v.Set("name", "www.spam.com")
	p := wantProblem(t, h.postForm("/f/contact", v, nil), 400, "validation")
	var got []string
	for _, e := range p.Errors {
		got = append(got, e.Field+":"+e.Code)
	}
	if want := "email:invalid_email name:link_in_name phone:invalid_phone"; strings.Join(got, " ") != want {
		t.Fatalf("errors %v, want %s", got, want)
	}
	if p.Instance != "/f/contact" || p.Title == "" || p.Detail == "" {
		t.Errorf("problem fields: %+v", p)
	}
}

func TestExpiredTokenIsRefused(t *testing.T) {
	h := newHarness(t, testConfig)
	v := h.validContact()
	h.clock.Advance(2 * time.Hour)
	wantProblem(t, h.postForm("/f/contact", v, nil), 400, "token-expired")
}

// A time-trap token carries one submission: the same values again are a
// retry (answered as before), other values under it are refused (tokens
// could once be reused for 24 h). A refused, corrected submission may reuse it.
func TestTimeTrapTokenCarriesOneSubmission(t *testing.T) {
	h := newHarness(t, testConfig)
	v := h.validContact()
	bad := url.Values{}
	for k, vals := range v {
		bad[k] = vals
	}
	bad.Set("email", "not-an-address")
	wantProblem(t, h.postForm("/f/contact", bad, nil), 400, "validation")
	first := acceptedOf(t, h.postForm("/f/contact", v, nil))
	again := acceptedOf(t, h.postForm("/f/contact", v, nil))
	if again.ID != first.ID || len(h.records()) != 1 {
		t.Fatalf("a retry must answer the first record: %q %q, %d records", first.ID, again.ID, len(h.records()))
	}
	other := url.Values{}
	for k, vals := range v {
		other[k] = vals
	}
	other.Set("message", "Inna wiadomość, ten sam token.")
	p := wantProblem(t, h.postForm("/f/contact", other, nil), 400, "token-used")
	if !strings.Contains(p.Detail, "load the form") || len(h.records()) != 1 {
		t.Fatalf("detail %q, %d records", p.Detail, len(h.records()))
	}
}

func TestSpamIsDroppedQuietly(t *testing.T) {
	h := newHarness(t, testConfig)
	cases := []struct {
		name, reason string
		values       func() url.Values
	}{
		{"honeypot filled", "honeypot", func() url.Values {
			v := h.validContact()
			v.Set("website", "http://bot.example")
			return v
		}},
		{"too fast", "too-fast", func() url.Values {
			v := h.validContact()
			v.Set("_t", h.c.trap.issue("contact", h.clock.Now().Add(-time.Second)))
			return v
		}},
		{"token from the future", "too-fast", func() url.Values {
			v := h.validContact()
			v.Set("_t", h.c.trap.issue("contact", h.clock.Now().Add(time.Minute)))
			return v
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := acceptedOf(t, h.postForm("/f/contact", c.values(), nil))
			if a.Status != "accepted" || len(a.ID) != 32 {
				t.Errorf("quiet answer %+v does not look like an acceptance", a)
			}
			if n := len(h.records()); n != 0 {
				t.Fatalf("spam was published (%d records)", n)
			}
			if got := h.counter(h.c.metrics.rejected, "contact", c.reason); got < 1 {
				t.Errorf("rejected{reason=%s} = %v", c.reason, got)
			}
		})
	}
	// A browser bot gets the same 303 a person gets.
	v := h.validContact()
	v.Set("website", "x")
	w := h.do(req{path: "/f/contact", contentType: mediaURLEncoded, accept: "text/html", body: v.Encode()})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "https://www.example.com/thanks" {
		t.Fatalf("browser honeypot: %d %q", w.Code, w.Header().Get("Location"))
	}
}

func TestContentTypes(t *testing.T) {
	h := newHarness(t, testConfig)
	t.Run("json", func(t *testing.T) {
		body := `{"email":"jānis.bērziņš@Piemērs.LV","first":"Jānis","last":"Bērziņš","note":"Labdien! Vai varat piedāvāt?","extra":{"ignored":false}}`
		w := h.do(req{path: "/f/api", contentType: "application/json; charset=utf-8", body: body})
		p := wantProblem(t, w, 400, "malformed-body")
		if !strings.Contains(p.Detail, `"extra"`) {
			t.Errorf("detail %q does not name the nested field", p.Detail)
		}
		body = `{"email":"jānis.bērziņš@Piemērs.LV","first":"Jānis","last":"Bērziņš","note":"Labdien! Vai varat piedāvāt?","n":3,"ok":true,"skip":null}`
		acceptedOf(t, h.do(req{path: "/f/api", contentType: "application/json", body: body}))
		m := h.records()[len(h.records())-1]
		if m.Author.Email != "jānis.bērziņš@piemērs.lv" || m.Author.Name != "Jānis Bērziņš" || m.Text != "Labdien! Vai varat piedāvāt?" {
			t.Errorf("json record author %+v text %q", m.Author, m.Text)
		}
	})
	t.Run("json invalid UTF-8", func(t *testing.T) {
		// encoding/json would turn the bytes into U+FFFD and accept them.
		before := len(h.records())
		body := "{\"email\":\"ana@example.pt\",\"first\":\"Ana\",\"note\":\"Ol\xe1 \xff\xfe\"}"
		p := wantProblem(t, h.do(req{path: "/f/api", contentType: "application/json", body: body}), 400, "validation")
		if len(p.Errors) != 1 || p.Errors[0].Field != "note" || p.Errors[0].Code != "encoding" {
			t.Errorf("errors %+v", p.Errors)
		}
		wantProblem(t, h.do(req{path: "/f/api", contentType: "application/json", body: "{\"em\xffail\":\"ana@example.pt\"}"}), 400, "malformed-body")
		if n := len(h.records()); n != before {
			t.Fatalf("%d records published from invalid UTF-8", n-before)
		}
	})
	t.Run("multipart", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("email", "li.wei@example.cn")
		_ = mw.WriteField("first", "伟")
		_ = mw.WriteField("last", "李")
		_ = mw.WriteField("note", "你好，我想了解价格。")
		_ = mw.Close()
		acceptedOf(t, h.do(req{path: "/f/api", contentType: mw.FormDataContentType(), body: buf.String()}))
		m := h.records()[len(h.records())-1]
		if m.Author.Name != "伟 李" || m.Text != "你好，我想了解价格。" {
			t.Errorf("multipart record %+v %q", m.Author, m.Text)
		}
	})
	t.Run("multipart upload refused", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("email", "li.wei@example.cn")
		fw, _ := mw.CreateFormFile("cv", "cv.pdf")
		_, _ = fw.Write([]byte("%PDF-1.4"))
		_ = mw.Close()
		p := wantProblem(t, h.do(req{path: "/f/api", contentType: mw.FormDataContentType(), body: buf.String()}), 400, "validation")
		if p.Errors[0].Field != "cv" || p.Errors[0].Code != "upload_refused" {
			t.Errorf("errors %+v", p.Errors)
		}
	})
	t.Run("wrong content type", func(t *testing.T) {
		wantProblem(t, h.do(req{path: "/f/api", contentType: "text/plain", body: "email=a@b.cd"}), 415, "unsupported-media-type")
		wantProblem(t, h.do(req{path: "/f/api", body: "email=a@b.cd"}), 415, "unsupported-media-type")
		wantProblem(t, h.do(req{path: "/f/api", contentType: "application/json; charset=latin1", body: "{}"}), 415, "unsupported-media-type")
	})
	t.Run("legacy charset", func(t *testing.T) {
		// "Łódź" in ISO-8859-2 is A3 F3 64 BC.
		body := "email=ola%40example.pl&first=%A3%F3d%BC&last=Kowalska"
		acceptedOf(t, h.do(req{path: "/f/api", contentType: mediaURLEncoded + "; charset=ISO-8859-2", body: body}))
		if m := h.records()[len(h.records())-1]; m.Author.Name != "Łódź Kowalska" {
			t.Errorf("name %q", m.Author.Name)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		wantProblem(t, h.do(req{path: "/f/api", contentType: mediaJSON, body: `{"email":`}), 400, "malformed-body")
		wantProblem(t, h.do(req{path: "/f/api", contentType: mediaJSON, body: `["email"]`}), 400, "malformed-body")
		wantProblem(t, h.do(req{path: "/f/api", contentType: mediaJSON, body: `{"email":"a@b.cd"} {}`}), 400, "malformed-body")
		wantProblem(t, h.do(req{path: "/f/api", contentType: mediaJSON, body: `{"email":"a@b.cd","email":"c@d.ef"}`}), 400, "malformed-body")
		wantProblem(t, h.do(req{path: "/f/api", contentType: mediaURLEncoded, body: "email=%zz"}), 400, "malformed-body")
		wantProblem(t, h.do(req{path: "/f/api", contentType: "multipart/form-data", body: "x"}), 400, "malformed-body")
	})
}

func TestUploadMetadataMode(t *testing.T) {
	h := newHarness(t, testConfig, func(c *Config) {
		c.Limits.Uploads = "metadata"
		c.Limits.MaxUploadBytes = 16
		c.Forms[1].Fields = append(c.Forms[1].Fields, FieldConfig{Name: "cv", MapsTo: TargetCustom})
	})
	post := func(content string) *httptestRecorder {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("email", "ana@example.pt")
		fw, _ := mw.CreateFormFile("cv", "currículo.pdf")
		_, _ = fw.Write([]byte(content))
		_ = mw.Close()
		return h.do(req{path: "/f/api", contentType: mw.FormDataContentType(), body: buf.String()})
	}
	acceptedOf(t, post("%PDF-1.4 short"))
	got := h.records()[0].Fields["cv"]
	if !strings.HasPrefix(got, "currículo.pdf (14 bytes, application/octet-stream, sha256:") {
		t.Errorf("upload metadata %q", got)
	}
	wantProblem(t, post(strings.Repeat("x", 17)), 413, "upload-too-large")
}

func TestBodyLimit(t *testing.T) {
	h := newHarness(t, testConfig, func(c *Config) { c.Limits.MaxBodyBytes = 1024 })
	big := url.Values{"email": {"a@example.com"}, "note": {strings.Repeat("a", 2000)}}.Encode()
	// Declared length over the limit: refused before reading.
	wantProblem(t, h.do(req{path: "/f/api", contentType: mediaURLEncoded, body: big}), 413, "body-too-large")
	// Undeclared length (chunked): refused while reading.
	hr := newChunkedRequest("/f/api", mediaURLEncoded, big)
	w := newRecorder()
	h.c.Handler().ServeHTTP(w, hr)
	wantProblem(t, w, 413, "body-too-large")
	// Multipart, chunked.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("note", strings.Repeat("b", 2000))
	_ = mw.Close()
	w = newRecorder()
	h.c.Handler().ServeHTTP(w, newChunkedRequest("/f/api", mw.FormDataContentType(), buf.String()))
	wantProblem(t, w, 413, "body-too-large")
	if n := len(h.records()); n != 0 {
		t.Fatalf("published %d", n)
	}
}

func TestTooManyFields(t *testing.T) {
	h := newHarness(t, testConfig, func(c *Config) { c.Limits.MaxFields = 4 })
	v := url.Values{"email": {"a@example.com"}}
	for i := range 5 {
		v.Set(fmt.Sprintf("f%d", i), "x")
	}
	wantProblem(t, h.postForm("/f/api", v, nil), 400, "malformed-body")
}

func TestRateLimits(t *testing.T) {
	t.Run("per ip", func(t *testing.T) {
		h := newHarness(t, testConfig, func(c *Config) { c.RateLimit.PerIP = Bucket{PerSecond: 0.1, Burst: 2} })
		post := func(remote string) *httptestRecorder {
			return h.do(req{path: "/f/api", contentType: mediaURLEncoded, body: "email=a%40example.com", remote: remote})
		}
		acceptedOf(t, post("198.51.100.7:1000"))
		acceptedOf(t, post("198.51.100.7:1001"))
		w := post("198.51.100.7:1002")
		p := wantProblem(t, w, 429, "rate-limited")
		if w.Header().Get("Retry-After") != "10" || !strings.Contains(p.Detail, "per-address") {
			t.Errorf("Retry-After %q, detail %q", w.Header().Get("Retry-After"), p.Detail)
		}
		acceptedOf(t, post("198.51.100.8:1000")) // another client is not affected
		// IPv6 clients share a bucket per /64.
		acceptedOf(t, post("[2001:db8:1:2::1]:1"))
		acceptedOf(t, post("[2001:db8:1:2::ffff]:1"))
		wantProblem(t, post("[2001:db8:1:2:aaaa::1]:1"), 429, "rate-limited")
		h.clock.Advance(10 * time.Second) // one token back
		acceptedOf(t, post("198.51.100.7:1003"))
		wantProblem(t, post("198.51.100.7:1004"), 429, "rate-limited")
	})
	t.Run("per form", func(t *testing.T) {
		h := newHarness(t, testConfig, func(c *Config) { c.Forms[1].PerForm = &Bucket{PerSecond: 1, Burst: 1} })
		acceptedOf(t, h.postForm("/f/api", url.Values{"email": {"a@example.com"}}, nil))
		w := h.postForm("/f/api", url.Values{"email": {"b@example.com"}}, nil)
		p := wantProblem(t, w, 429, "rate-limited")
		if w.Header().Get("Retry-After") != "1" || !strings.Contains(p.Detail, "per-form") {
			t.Errorf("Retry-After %q detail %q", w.Header().Get("Retry-After"), p.Detail)
		}
		// Other forms keep their own bucket.
		acceptedOf(t, h.postForm("/f/contact", h.validContact(), nil))
	})
}

func TestBucketSetForgetsLeastRecentClient(t *testing.T) {
	s := newBucketSet(Bucket{PerSecond: 1, Burst: 1}, 2)
	now := time.Now()
	for _, k := range []string{"a", "b", "a", "c"} { // c evicts b, the least recent
		s.allow(k, now)
	}
	if _, ok := s.buckets["b"]; ok || len(s.buckets) != 2 {
		t.Fatalf("buckets %v", s.buckets)
	}
	if ok, _ := s.allow("a", now); ok {
		t.Fatal("a's bucket was reset")
	}
}

func TestOrigins(t *testing.T) {
	h := newHarness(t, testConfig)
	v := h.validContact()
	w := h.postForm("/f/contact", v, map[string]string{"Origin": "https://evil.example"})
	p := wantProblem(t, w, 403, "origin-not-allowed")
	if !strings.Contains(p.Detail, "evil.example") {
		t.Errorf("detail %q", p.Detail)
	}
	// Case and default port do not matter; the connector's own origin is allowed.
	acceptedOf(t, h.postForm("/f/contact", h.validContact(), map[string]string{"Origin": "HTTPS://www.example.com:443"}))
	acceptedOf(t, h.postForm("/f/contact", h.validContact(), map[string]string{"Origin": "http://example.com"})) // httptest host
	// Preflight.
	w = h.do(req{method: http.MethodOptions, path: "/f/contact", header: map[string]string{"Origin": "https://www.example.com", "Access-Control-Request-Method": "POST"}})
	if w.Code != http.StatusNoContent || !strings.Contains(w.Header().Get("Access-Control-Allow-Headers"), "Idempotency-Key") {
		t.Errorf("preflight %d %v", w.Code, w.Header())
	}
	wantProblem(t, h.do(req{method: http.MethodOptions, path: "/f/contact", header: map[string]string{"Origin": "https://evil.example"}}), 403, "origin-not-allowed")
	wantProblem(t, h.do(req{method: http.MethodOptions, path: "/f/contact", header: map[string]string{"Origin": "null"}}), 403, "origin-not-allowed")
}

func TestUnknownForm(t *testing.T) {
	h := newHarness(t, testConfig)
	p := wantProblem(t, h.postForm("/f/nope", url.Values{"a": {"b"}}, nil), 404, "unknown-form")
	if !strings.Contains(p.Detail, `"nope"`) {
		t.Errorf("detail %q", p.Detail)
	}
	if got := h.counter(h.c.metrics.rejected, "_unknown", "unknown-form"); got != 1 {
		t.Errorf("unknown form counted under %v", got)
	}
}

func TestPipelineDownThenRetryLandsOnce(t *testing.T) {
	h := newHarness(t, testConfig)
	v := h.validContact()
	key := map[string]string{"Idempotency-Key": `"5f0c1b1e-8d2f-4a51-9d7e-1f6f0f6c2a01"`}
	for _, mode := range []ackMode{ackFail, ackNever, ackPause} {
		h.setMode(mode)
		w := h.postForm("/f/contact", v, key)
		p := wantProblem(t, w, 503, "unavailable")
		if w.Header().Get("Retry-After") != "7" || p.Detail == "" {
			t.Errorf("mode %d: Retry-After %q detail %q", mode, w.Header().Get("Retry-After"), p.Detail)
		}
	}
	h.setMode(ackOK)
	a := acceptedOf(t, h.postForm("/f/contact", v, key))
	w := h.postForm("/f/contact", v, key) // the client retries once more: answered from memory
	if b := acceptedOf(t, w); b.ID != a.ID || w.Header().Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay %+v %v, first %+v", b, w.Header(), a)
	}
	recs := h.records()
	if len(recs) != 1 || recs[0].ID != a.ID || recs[0].Submission.IdempotencyKey != "5f0c1b1e-8d2f-4a51-9d7e-1f6f0f6c2a01" {
		t.Fatalf("records %d %+v", len(recs), recs)
	}
	if got := h.counter(h.c.metrics.failed, "contact", "ack-error"); got != 1 {
		t.Errorf("failed{ack-error} %v", got)
	}
	if got := h.counter(h.c.metrics.failed, "contact", "ack-timeout"); got != 1 {
		t.Errorf("failed{ack-timeout} %v", got)
	}
	if got := h.counter(h.c.metrics.failed, "contact", "not-taken"); got != 1 {
		t.Errorf("failed{not-taken} %v", got)
	}
}

func TestSubmissionNotTakenIsNeverPublished(t *testing.T) {
	h := newHarness(t, testConfig)
	h.setMode(ackPause)
	wantProblem(t, h.postForm("/f/api", url.Values{"email": {"late@example.com"}}, nil), 503, "unavailable")
	h.setMode(ackOK)
	acceptedOf(t, h.postForm("/f/api", url.Values{"email": {"next@example.com"}}, nil))
	recs := h.records()
	if len(recs) != 1 || recs[0].Author.Email != "next@example.com" {
		t.Fatalf("records %+v: the abandoned submission must be skipped", recs)
	}
}

func TestQueueFull(t *testing.T) {
	h := newHarness(t, testConfig, func(c *Config) { c.QueueSize = 1; c.Timeouts.Handoff = 2 * time.Second })
	h.setMode(ackPause)
	first := make(chan int)
	go func() { first <- h.postForm("/f/api", url.Values{"email": {"one@example.com"}}, nil).Code }()
	for len(h.c.queue) == 0 {
		time.Sleep(time.Millisecond)
	}
	w := h.postForm("/f/api", url.Values{"email": {"two@example.com"}}, nil)
	p := wantProblem(t, w, 503, "unavailable")
	if !strings.Contains(p.Detail, "nothing was stored") {
		t.Errorf("detail %q", p.Detail)
	}
	h.setMode(ackOK)
	if code := <-first; code != 200 {
		t.Fatalf("queued submission answered %d after the runner resumed", code)
	}
}

func TestIdempotencyKey(t *testing.T) {
	h := newHarness(t, testConfig)
	key := map[string]string{"Idempotency-Key": "order-42"}
	v := url.Values{"email": {"a@example.com"}}
	a := acceptedOf(t, h.postForm("/f/api", v, key))
	b := acceptedOf(t, h.postForm("/f/api", v, key))
	if a.ID != b.ID || len(h.records()) != 1 {
		t.Fatalf("ids %s %s, records %d", a.ID, b.ID, len(h.records()))
	}
	wantProblem(t, h.postForm("/f/api", url.Values{"email": {"other@example.com"}}, key), 422, "idempotency-key-reused")
	wantProblem(t, h.postForm("/f/api", v, map[string]string{"Idempotency-Key": "bad key with spaces"}), 400, "idempotency-key-invalid")
	wantProblem(t, h.postForm("/f/api", v, map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}), 400, "idempotency-key-invalid")
	// The same key on another form is another submission.
	c := acceptedOf(t, h.postForm("/f/contact", h.validContact(), key))
	if c.ID == a.ID {
		t.Fatal("keys are not scoped by form")
	}
	// Same key, same record id even when the memory is gone (another
	// instance, a restart): the source id is derived from the key.
	h2 := newHarness(t, testConfig)
	if d := acceptedOf(t, h2.postForm("/f/api", v, key)); d.ID != a.ID {
		t.Fatalf("record id %s on a fresh instance, want %s", d.ID, a.ID)
	}
}

func TestConcurrentRetriesPublishOnce(t *testing.T) {
	h := newHarness(t, testConfig)
	v := h.validContact()
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := h.postForm("/f/contact", v, nil) // a browser double-submit: same token, same values
			if w.Code == 200 {
				ids[i] = acceptedOf(t, w).ID
			}
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id == "" || id != ids[0] {
			t.Fatalf("ids %v", ids)
		}
	}
	if n := len(h.records()); n != 1 {
		t.Fatalf("published %d records, want 1", n)
	}
	// Editing a field after submitting is a new submission: it needs a new
	// rendering of the form (a new token).
	v.Set("message", "Jeszcze jedno pytanie.")
	wantProblem(t, h.postForm("/f/contact", v, nil), 400, "token-used")
	v.Set("_t", h.token("contact"))
	if id := acceptedOf(t, h.postForm("/f/contact", v, nil)).ID; id == ids[0] {
		t.Fatal("an edited resubmission got the first record's id")
	}
}

func TestScriptPostsWithoutKeyAreDistinct(t *testing.T) {
	h := newHarness(t, testConfig)
	body := `{"email":"a@example.com"}`
	a := acceptedOf(t, h.do(req{path: "/f/api", contentType: mediaJSON, body: body}))
	b := acceptedOf(t, h.do(req{path: "/f/api", contentType: mediaJSON, body: body}))
	if a.ID == b.ID || len(h.records()) != 2 {
		t.Fatalf("two script posts without a key: ids %s %s", a.ID, b.ID)
	}
}

func TestBrowserPosts(t *testing.T) {
	h := newHarness(t, testConfig)
	v := h.validContact()
	w := h.do(req{path: "/f/contact", contentType: mediaURLEncoded, accept: "text/html,application/xhtml+xml", body: v.Encode()})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "https://www.example.com/thanks" {
		t.Fatalf("browser success: %d %v", w.Code, w.Header())
	}
	// A refused browser post gets the form back with the values and the messages.
	bad := h.validContact()
	bad.Set("email", "zofia(at)example.pl")
	bad.Set("message", `<script>alert(1)</script>`)
	w = h.do(req{path: "/f/contact", contentType: mediaURLEncoded, accept: "text/html", body: bad.Encode()})
	body := w.Body.String()
	if w.Code != 400 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("browser refusal: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	for _, want := range []string{`value="zofia(at)example.pl"`, "E-mail is not an email address", `&lt;script&gt;alert(1)&lt;/script&gt;`,
		`name="_t" value="` + bad.Get("_t") + `"`, `value="Zofia Nowak"`} {
		if !strings.Contains(body, want) {
			t.Errorf("re-rendered form lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>alert(1)") {
		t.Error("posted value rendered unescaped")
	}
	// A form with no redirect_url sends browsers to its thank-you page.
	w = h.do(req{path: "/f/api", contentType: mediaURLEncoded, accept: "text/html", body: "email=a%40example.com"})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/f/api/thanks" {
		t.Fatalf("no redirect_url: %d %v", w.Code, w.Header())
	}
	w = h.do(req{method: http.MethodGet, path: "/f/api/thanks"})
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Thank you") {
		t.Errorf("thanks page %d", w.Code)
	}
	// 503 for a browser: the form again, values kept, with Retry-After.
	h.setMode(ackFail)
	w = h.do(req{path: "/f/contact", contentType: mediaURLEncoded, accept: "text/html", body: h.validContact().Encode()})
	if w.Code != 503 || w.Header().Get("Retry-After") != "7" || !strings.Contains(w.Body.String(), `value="Zofia Nowak"`) {
		t.Errorf("browser 503: %d %v", w.Code, w.Header())
	}
}

func TestTrustedProxies(t *testing.T) {
	h := newHarness(t, testConfig, func(c *Config) { c.TrustedProxies = []string{"10.0.0.0/8", "192.0.2.1"} })
	cases := []struct{ remote, xff, want string }{
		{"203.0.113.5:1", "198.51.100.1", "203.0.113.5"},                   // untrusted peer: its header is ignored
		{"10.1.2.3:1", "198.51.100.1", "198.51.100.1"},                     // one trusted proxy
		{"10.1.2.3:1", "6.6.6.6, 198.51.100.1, 192.0.2.1", "198.51.100.1"}, // client-written hops left of the first untrusted are ignored
		{"10.1.2.3:1", "", "10.1.2.3"},
		{"10.1.2.3:1", "garbage", "10.1.2.3"},
		{"[::ffff:10.1.2.3]:1", "2001:db8::7", "2001:db8::7"},
	}
	for _, c := range cases {
		r := httptestRequest("POST", "/f/api")
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := h.c.proxies.clientIP(r).String(); got != c.want {
			t.Errorf("peer %s XFF %q: client %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
	// And it reaches the record.
	acceptedOf(t, h.do(req{path: "/f/api", contentType: mediaURLEncoded, body: "email=a%40example.com",
		remote: "10.9.9.9:1", header: map[string]string{"X-Forwarded-For": "198.51.100.77"}}))
	if got := h.records()[0].Submission.ClientIP; got != "198.51.100.77" {
		t.Errorf("client ip %s", got)
	}
}

func TestCloseStopsIntake(t *testing.T) {
	h := newHarness(t, testConfig)
	if err := h.c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, h.postForm("/f/api", url.Values{"email": {"a@example.com"}}, nil), 503, "unavailable")
	if _, _, err := h.c.Read(context.Background()); !errors.Is(err, connectors.ErrNotConnected) && !errors.Is(err, connectors.ErrEndOfInput) {
		t.Fatalf("Read after Close: %v", err)
	}
}

func TestAckTwiceIsAnError(t *testing.T) {
	p := newPending(&record.Mention{ID: "x"})
	if err := p.ack(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if err := p.ack(context.Background(), nil); err == nil {
		t.Fatal("second ack accepted")
	}
}

func TestTokenlessBrowserDoubleSubmit(t *testing.T) {
	h := newHarness(t, testConfig)
	body := url.Values{"email": {"a@example.com"}, "note": {"Olá"}}.Encode()
	post := func(remote string) *httptestRecorder {
		return h.do(req{path: "/f/api", contentType: mediaURLEncoded + "; charset=UTF-8", accept: "text/html", body: body, remote: remote,
			header: map[string]string{"User-Agent": "Mozilla/5.0"}})
	}
	if w := post("198.51.100.1:1"); w.Code != http.StatusSeeOther {
		t.Fatalf("first post %d", w.Code)
	}
	w := post("198.51.100.1:2")
	if w.Code != http.StatusSeeOther || w.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("double submit %d %v", w.Code, w.Header())
	}
	if n := len(h.records()); n != 1 {
		t.Fatalf("%d records after a double submit", n)
	}
	// Someone else sending the same text is another submission.
	post("198.51.100.2:1")
	if n := len(h.records()); n != 2 {
		t.Fatalf("%d records, want 2", n)
	}
}
