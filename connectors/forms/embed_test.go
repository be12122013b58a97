package forms

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func TestEmbedSnippet(t *testing.T) {
	h := newHarness(t, testConfig, func(c *Config) { c.PublicURL = "https://forms.example.com/" })
	w := h.do(req{method: http.MethodGet, path: "/f/contact/embed"})
	if w.Code != 200 || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("embed: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	snippet := w.Body.String()
	doc, err := html.Parse(strings.NewReader(snippet))
	if err != nil {
		t.Fatalf("snippet is not HTML: %v", err)
	}
	inputs := map[string]map[string]string{}
	var form map[string]string
	var scripts []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			attrs := map[string]string{}
			for _, a := range n.Attr {
				attrs[a.Key] = a.Val
			}
			switch n.Data {
			case "form":
				form = attrs
			case "input", "textarea", "select":
				inputs[attrs["name"]] = attrs
			case "script":
				if _, external := attrs["src"]; external {
					t.Errorf("snippet loads an external script %q", attrs["src"])
				}
				if n.FirstChild != nil {
					scripts = append(scripts, n.FirstChild.Data)
				}
			case "link", "img", "iframe":
				t.Errorf("snippet loads an external %s", n.Data)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if form["action"] != "https://forms.example.com/f/contact" || form["method"] != "post" || form["accept-charset"] != "utf-8" {
		t.Errorf("form attributes %v", form)
	}
	for _, name := range []string{"email", "name", "phone", "company", "topic", "interests", "message", "consent", "_t", "_page", "_referrer", "utm_source", "utm_content"} {
		if _, ok := inputs[name]; !ok {
			t.Errorf("snippet has no field %q", name)
		}
	}
	if inputs["email"]["type"] != "email" || inputs["phone"]["type"] != "tel" || inputs["email"]["autocomplete"] != "email" {
		t.Errorf("field types %v %v", inputs["email"], inputs["phone"])
	}
	if _, ok := inputs["email"]["required"]; !ok {
		t.Error("required field not marked required")
	}
	hp := inputs["website"]
	if hp == nil || hp["tabindex"] != "-1" || hp["autocomplete"] != "off" {
		t.Errorf("honeypot %v", hp)
	}
	if !strings.Contains(snippet, `aria-hidden="true"`) {
		t.Error("honeypot is not hidden from assistive technology")
	}
	// The inline token is a valid token for this form, rendered now.
	if v, at := h.c.trap.check("contact", inputs["_t"]["value"], h.clock.Now().Add(4*time.Second)); v != tokenOK || !at.Equal(h.clock.Now()) {
		t.Errorf("inline token verdict %v at %s", v, at)
	}
	if len(scripts) != 1 {
		t.Fatalf("%d inline scripts, want 1", len(scripts))
	}
	js := scripts[0]
	for _, want := range []string{`"https://forms.example.com/f/contact/token"`, `"Idempotency-Key"`, `"_page"`, `"utm_campaign"`, `"https://www.example.com/thanks"`} {
		if !strings.Contains(js, want) {
			t.Errorf("script lacks %s", want)
		}
	}
	if len(snippet) > 8<<10 {
		t.Errorf("snippet is %d bytes; keep it small", len(snippet))
	}
	// A form without the time trap renders no token.
	w = h.do(req{method: http.MethodGet, path: "/f/api/embed"})
	if strings.Contains(w.Body.String(), `name="_t"`) {
		t.Error("token rendered for a form without time trap")
	}
	wantProblem(t, h.do(req{method: http.MethodGet, path: "/f/nope/embed"}), 404, "unknown-form")
}

func TestEmbeddedFormRoundTrip(t *testing.T) {
	h := newHarness(t, testConfig)
	page := h.do(req{method: http.MethodGet, path: "/f/contact?email=prefill%40example.pl"}).Body.String()
	if !strings.HasPrefix(page, "<!doctype html>") || !strings.Contains(page, `value="prefill@example.pl"`) {
		t.Fatal("hosted page missing or not prefilled")
	}
	tok := regexp.MustCompile(`name="_t" value="([^"]+)"`).FindStringSubmatch(page)
	if tok == nil {
		t.Fatal("no token in the page")
	}
	v := h.validContact()
	v.Set("_t", tok[1])
	// A person takes longer than the time trap.
	h.clock.Advance(10 * time.Second)
	w := h.do(req{path: "/f/contact", contentType: mediaURLEncoded, accept: "text/html", body: v.Encode()})
	if w.Code != http.StatusSeeOther || len(h.records()) != 1 {
		t.Fatalf("posting the rendered form: %d, %d records", w.Code, len(h.records()))
	}
}

func TestTokenEndpoint(t *testing.T) {
	h := newHarness(t, testConfig)
	w := h.do(req{method: http.MethodGet, path: "/f/contact/token", header: map[string]string{"Origin": "https://www.example.com"}})
	if w.Code != 200 || w.Header().Get("Access-Control-Allow-Origin") != "https://www.example.com" {
		t.Fatalf("token: %d %v", w.Code, w.Header())
	}
	tok := regexp.MustCompile(`"token":"([^"]+)"`).FindStringSubmatch(w.Body.String())
	if tok == nil {
		t.Fatalf("body %s", w.Body)
	}
	if v, _ := h.c.trap.check("contact", tok[1], h.clock.Now().Add(time.Minute)); v != tokenOK {
		t.Errorf("fresh token verdict %v", v)
	}
	wantProblem(t, h.do(req{method: http.MethodGet, path: "/f/contact/token", header: map[string]string{"Origin": "https://evil.example"}}), 403, "origin-not-allowed")
}
