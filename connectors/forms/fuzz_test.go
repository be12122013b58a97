package forms

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The fuzz targets' seed corpora live in testdata/fuzz/<Target>/; a short CI
// run of each is
//
//	go test ./connectors/forms -run '^$' -fuzz '^FuzzParseJSON$' -fuzztime 10s
//
// (one target per invocation; see README.md for the loop over all four).

// parseStatusOK lists the statuses a parser may refuse with.
func parseStatusOK(p *problem) bool {
	switch p.Status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusRequestTimeout:
		return p.Detail != "" && strings.HasPrefix(p.Type, problemTypeBase)
	}
	return false
}

func checkFieldLimit(t *testing.T, v url.Values, max int) {
	t.Helper()
	n := 0
	for _, vs := range v {
		n += len(vs)
	}
	if len(v) > max || n > 8*max {
		t.Fatalf("%d fields, %d values accepted with a limit of %d", len(v), n, max)
	}
}

func FuzzParseURLEncoded(f *testing.F) {
	f.Add([]byte("email=a%40example.com&name=Zofia+%C5%81ukasik"), "")
	f.Add([]byte("imie=%A3%F3d%BC"), "ISO-8859-2")
	f.Fuzz(func(t *testing.T, body []byte, charset string) {
		v, p := parseURLEncoded(body, charset, 16)
		if p != nil {
			if !parseStatusOK(p) {
				t.Fatalf("refusal %+v", p)
			}
			return
		}
		checkFieldLimit(t, v, 16)
		if dec, _ := charsetDecoder(charset); dec != nil {
			return // converted text does not round-trip byte for byte
		}
		// What was parsed, encoded again, parses to the same values.
		again, p := parseURLEncoded([]byte(v.Encode()), "", 16)
		if p != nil {
			t.Fatalf("re-encoded body refused: %v", p)
		}
		if !reflect.DeepEqual(normValues(v), normValues(again)) {
			t.Fatalf("round trip changed values: %q -> %q", v, again)
		}
	})
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"email":"jānis@piemērs.lv","n":3,"ok":true,"tags":["a","b"],"x":null}`))
	f.Add([]byte(`{"a":{"nested":1}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		v, p := parseJSON(body, 16)
		if p != nil {
			if !parseStatusOK(p) {
				t.Fatalf("refusal %+v", p)
			}
			return
		}
		checkFieldLimit(t, v, 16)
		if !json.Valid(body) {
			t.Fatalf("invalid JSON accepted: %q", body)
		}
		// The values, written as a JSON object of string arrays, parse back
		// the same (values kept invalid on purpose are replaced by Marshal).
		for _, vals := range v {
			for _, s := range vals {
				if !utf8.ValidString(s) {
					return
				}
			}
		}
		enc, err := json.Marshal(v)
		if err != nil {
			return // invalid UTF-8 inside strings is replaced by Marshal
		}
		again, p := parseJSON(enc, 16)
		if p != nil {
			t.Fatalf("re-encoded body refused: %v", p)
		}
		if !reflect.DeepEqual(normValues(v), normValues(again)) {
			t.Fatalf("round trip changed values: %q -> %q", v, again)
		}
	})
}

func FuzzParseMultipart(f *testing.F) {
	f.Add([]byte("--b\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\na@b.cd\r\n--b--\r\n"), "b", false)
	f.Add([]byte("--b\r\nContent-Disposition: form-data; name=\"cv\"; filename=\"x.pdf\"\r\n\r\n%PDF\r\n--b--\r\n"), "b", true)
	f.Fuzz(func(t *testing.T, body []byte, boundary string, metadata bool) {
		lim := Limits{MaxBodyBytes: 1 << 16, MaxFields: 16, Uploads: "refuse", MaxUploadBytes: 64}
		if metadata {
			lim.Uploads = "metadata"
		}
		v, ups, p := parseMultipart(bytes.NewReader(body), boundary, lim)
		if p != nil {
			if !parseStatusOK(p) {
				t.Fatalf("refusal %+v", p)
			}
			return
		}
		checkFieldLimit(t, v, 16)
		if !metadata && len(ups) > 0 {
			t.Fatal("upload accepted in refuse mode")
		}
		for _, u := range ups {
			if u.Size > lim.MaxUploadBytes || len(u.SHA256) != 64 {
				t.Fatalf("upload %+v over the cap or without hash", u)
			}
		}
	})
}

// FuzzMapFields throws arbitrary values at every kind of field and checks
// what comes out is clean, capped and stable: mapping the output again
// gives the same record.
func FuzzMapFields(f *testing.F) {
	f.Add("Zofia.Nowak@Example.PL", "Zofia Łukasik", "601 234 567", "Dzień dobry,\r\nproszę o ofertę.", "support", "yes")
	f.Add("li@例子.中国", "王芳", "+86 138 0013 8000", "你好", "Offer", "on")
	f.Add("x@y", "www.spam.com", "12", "\x00\u202e", "nope", "")
	cfg := DefaultConfig()
	cfg.DefaultRegion = "PL"
	form := FormConfig{ID: "f", Fields: []FieldConfig{
		{Name: "email", MapsTo: TargetEmail, Required: true},
		{Name: "name", MapsTo: TargetName},
		{Name: "phone", MapsTo: TargetPhone},
		{Name: "message", MapsTo: TargetMessage, MaxLength: 200},
		{Name: "topic", MapsTo: TargetCustom, Allowed: []string{"Offer", "Support"}},
	}, Consent: &ConsentField{Field: "consent", Text: "ok"}}
	form.applyDefaults(&cfg)
	f.Fuzz(func(t *testing.T, email, name, phone, message, topic, consent string) {
		v := url.Values{"email": {email}, "name": {name}, "phone": {phone}, "message": {message}, "topic": {topic}, "consent": {consent}}
		m, errs := mapFields(&form, v)
		if errs != nil {
			for _, e := range errs {
				if e.Field == "" || e.Code == "" || e.Message == "" {
					t.Fatalf("incomplete field error %+v", e)
				}
			}
			return
		}
		for _, s := range []string{m.author.Email, m.author.Name, m.author.Phone, m.text, m.fields["topic"]} {
			if !utf8.ValidString(s) || !norm.NFC.IsNormalString(s) || s != strings.TrimSpace(s) {
				t.Fatalf("value %q is not clean UTF-8 NFC trimmed text", s)
			}
			if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0 {
				t.Fatalf("value %q keeps control characters", s)
			}
		}
		if strings.ContainsAny(m.author.Name, "\n\t") || utf8.RuneCountInString(m.text) > 200 || utf8.RuneCountInString(m.author.Name) > 200 {
			t.Fatalf("name %q / text of %d runes escaped the caps", m.author.Name, utf8.RuneCountInString(m.text))
		}
		if at := strings.LastIndexByte(m.author.Email, '@'); at <= 0 || strings.ToLower(m.author.Email[at:]) != m.author.Email[at:] {
			t.Fatalf("email %q", m.author.Email)
		}
		if m.author.Phone != "" && (m.author.Phone[0] != '+' || strings.Trim(m.author.Phone[1:], "0123456789") != "") {
			t.Fatalf("phone %q is not E.164", m.author.Phone)
		}
		if topic := m.fields["topic"]; topic != "" && topic != "Offer" && topic != "Support" {
			t.Fatalf("topic %q is not an allowed value", topic)
		}
		again := url.Values{"email": {m.author.Email}, "name": {m.author.Name}, "phone": {m.author.Phone}, "message": {m.text}, "topic": {m.fields["topic"]}, "consent": {consent}}
		m2, errs := mapFields(&form, again)
		if errs != nil {
			t.Fatalf("normalised output refused: %+v (from %q)", errs, v)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("normalisation is not stable:\n%+v\n%+v", m, m2)
		}
	})
}

// normValues treats a missing field and a field with no values alike.
func normValues(v url.Values) map[string][]string {
	out := map[string][]string{}
	for k, vs := range v {
		if len(vs) > 0 {
			out[k] = vs
		}
	}
	return out
}
