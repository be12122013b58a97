package forms

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
)

// The HTML side of the intake: the embeddable snippet (a plain <form> that
// works without JavaScript, plus a small script that fills provenance,
// refreshes the time-trap token and posts with fetch), the hosted form
// page, the re-rendered form of a refused browser post and the thank-you page.

// fieldView is one field as rendered.
type fieldView struct {
	Name         string
	Label        string
	Control      string // input, textarea, select, checkboxes
	InputType    string // text, email, tel
	Autocomplete string
	Required     bool
	MaxLength    int
	Value        string
	Checked      map[string]bool
	Options      []string
	Error        string
}

// formView is everything the templates need.
type formView struct {
	ID        string
	Title     string
	Action    string
	TokenURL  string
	Token     string
	IssuedAt  int64 // Unix ms, so the script knows when to refresh the token
	Honeypot  string
	Redirect  string
	Lang      string
	Fields    []fieldView
	Consent   *ConsentField
	ConsentOK bool
	ConsentEr string
	Message   string // the refusal, when re-rendered
	UTMKeys   []string
}

func (c *Connector) view(r *http.Request, f *form, values url.Values, p *problem, token string) formView {
	now := c.now()
	issued := now
	if token == "" {
		token = c.trap.issue(f.cfg.ID, now)
	} else if verdict, at := c.trap.check(f.cfg.ID, token, now); verdict == tokenOK {
		issued = at
	} else {
		token = c.trap.issue(f.cfg.ID, now)
	}
	base := c.selfOrigin(r) + Prefix + f.cfg.ID
	v := formView{
		ID: f.cfg.ID, Title: f.cfg.Title, Action: base, TokenURL: base + "/token",
		Token: token, IssuedAt: issued.UnixMilli(), Honeypot: f.cfg.Honeypot,
		Redirect: f.cfg.RedirectURL, Lang: f.cfg.Lang, Consent: f.cfg.Consent, UTMKeys: utmKeys[:],
	}
	if !f.timeTrap {
		v.Token, v.TokenURL = "", ""
	}
	errs := map[string]string{}
	if p != nil {
		v.Message = p.Detail
		for _, e := range p.Errors {
			if _, seen := errs[e.Field]; !seen {
				errs[e.Field] = e.Message
			}
		}
	}
	for _, fc := range f.cfg.Fields {
		fv := fieldView{Name: fc.Name, Label: fc.Label, Control: "input", InputType: "text", Required: fc.Required,
			MaxLength: fc.MaxLength, Options: fc.Allowed, Error: errs[fc.Name], Value: first(values, fc.Name)}
		switch fc.MapsTo {
		case TargetEmail:
			fv.InputType, fv.Autocomplete = "email", "email"
		case TargetPhone:
			fv.InputType, fv.Autocomplete = "tel", "tel"
		case TargetName:
			fv.Autocomplete = "name"
		case TargetFirstName:
			fv.Autocomplete = "given-name"
		case TargetLastName:
			fv.Autocomplete = "family-name"
		case TargetCompany:
			fv.Autocomplete = "organization"
		case TargetCity:
			fv.Autocomplete = "address-level2"
		case TargetCountry:
			fv.Autocomplete = "country"
		case TargetPostalCode:
			fv.Autocomplete = "postal-code"
		case TargetMessage:
			fv.Control = "textarea"
		}
		if len(fc.Allowed) > 0 {
			fv.Control = "select"
			if fc.Multiple {
				fv.Control = "checkboxes"
				fv.Checked = map[string]bool{}
				for _, s := range values[fc.Name] {
					fv.Checked[s] = true
				}
			}
		}
		v.Fields = append(v.Fields, fv)
	}
	if f.cfg.Consent != nil {
		vals, _ := cleanValues(values[f.cfg.Consent.Field], false)
		v.ConsentOK = len(vals) == 1 && truthy(vals[0])
		v.ConsentEr = errs[f.cfg.Consent.Field]
	}
	return v
}

var templates = template.Must(template.New("snippet").Parse(snippetHTML))

func init() {
	template.Must(templates.New("page").Parse(pageHTML))
	template.Must(templates.New("thanks").Parse(thanksHTML))
}

func (c *Connector) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, data); err != nil {
		c.log.Error("rendering form template", "template", name, "err", err)
		http.Error(w, "rendering the form failed", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// handleEmbed is GET /f/{form}/embed: the snippet to paste into a page.
// Its token is refreshed by the script when the paste is older than a few
// minutes, so pasting it once is enough.
func (c *Connector) handleEmbed(w http.ResponseWriter, r *http.Request) {
	f, p := c.lookup(r)
	if p != nil {
		writeJSONProblem(w, p)
		return
	}
	c.render(w, http.StatusOK, "snippet", c.view(r, f, nil, nil, ""))
}

// handlePage is GET /f/{form}: the form as a page of its own.
func (c *Connector) handlePage(w http.ResponseWriter, r *http.Request) {
	f, p := c.lookup(r)
	if p != nil {
		writeJSONProblem(w, p)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; form-action 'self' "+formActionSources(f)+"; frame-ancestors 'self'")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	c.render(w, http.StatusOK, "page", c.view(r, f, r.URL.Query(), nil, ""))
}

func formActionSources(f *form) string {
	if f.cfg.RedirectURL == "" {
		return ""
	}
	u, err := url.Parse(f.cfg.RedirectURL)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// handleThanks is GET /f/{form}/thanks, where browser posts land when the
// form has no redirect_url.
func (c *Connector) handleThanks(w http.ResponseWriter, r *http.Request) {
	f, p := c.lookup(r)
	if p != nil {
		writeJSONProblem(w, p)
		return
	}
	c.render(w, http.StatusOK, "thanks", map[string]string{"Title": f.cfg.Title, "Message": f.cfg.ThankYou, "Lang": f.cfg.Lang})
}

// renderRefusal answers a refused browser post with the form again: the
// person's values kept, each field's problem next to it, and the same
// token (so an immediate resubmit is neither too fast nor a new record).
func (c *Connector) renderRefusal(w http.ResponseWriter, r *http.Request, f *form, p *problem, values url.Values, token string) {
	if p.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(p.retryAfter)))
	}
	if p.Detail == "" {
		p.Detail = p.Title
	}
	c.render(w, p.Status, "page", c.view(r, f, values, p, token))
}

const snippetHTML = `<form class="earshot-form" id="earshot-{{.ID}}" method="post" action="{{.Action}}" accept-charset="utf-8"{{if .Lang}} lang="{{.Lang}}"{{end}} data-issued="{{.IssuedAt}}">
{{- if .Message}}
<p class="earshot-message" role="alert">{{.Message}}</p>
{{- end}}
{{- range .Fields}}
<p class="earshot-field"><label for="earshot-{{$.ID}}-{{.Name}}">{{.Label}}{{if .Required}} *{{end}}</label><br>
{{- if eq .Control "textarea"}}
<textarea id="earshot-{{$.ID}}-{{.Name}}" name="{{.Name}}" rows="5" maxlength="{{.MaxLength}}"{{if .Required}} required{{end}}>{{.Value}}</textarea>
{{- else if eq .Control "select"}}
<select id="earshot-{{$.ID}}-{{.Name}}" name="{{.Name}}"{{if .Required}} required{{end}}><option value=""></option>{{$v := .Value}}{{range .Options}}<option{{if eq . $v}} selected{{end}}>{{.}}</option>{{end}}</select>
{{- else if eq .Control "checkboxes"}}
{{- $f := .}}{{range .Options}}
<label><input type="checkbox" name="{{$f.Name}}" value="{{.}}"{{if index $f.Checked .}} checked{{end}}> {{.}}</label>
{{- end}}
{{- else}}
<input id="earshot-{{$.ID}}-{{.Name}}" type="{{.InputType}}" name="{{.Name}}" value="{{.Value}}" maxlength="{{.MaxLength}}"{{if .Autocomplete}} autocomplete="{{.Autocomplete}}"{{end}}{{if .Required}} required{{end}}>
{{- end}}
{{- if .Error}}
<span class="earshot-error" role="alert">{{.Error}}</span>
{{- end}}</p>
{{- end}}
{{- with .Consent}}
<p class="earshot-field"><label><input type="checkbox" name="{{.Field}}" value="yes"{{if $.ConsentOK}} checked{{end}}{{if .Required}} required{{end}}> {{.Text}}</label>
{{- if $.ConsentEr}}
<span class="earshot-error" role="alert">{{$.ConsentEr}}</span>
{{- end}}</p>
{{- end}}
<div style="position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden" aria-hidden="true"><label>Leave this field empty <input type="text" name="{{.Honeypot}}" tabindex="-1" autocomplete="off" value=""></label></div>
{{- if .Token}}
<input type="hidden" name="_t" value="{{.Token}}">
{{- end}}
<input type="hidden" name="_page" value=""><input type="hidden" name="_referrer" value="">
{{- range .UTMKeys}}<input type="hidden" name="{{.}}" value="">{{end}}
<p><button type="submit">Send</button> <span class="earshot-status" role="status"></span></p>
</form>
<script>
(function () {
  var f = document.getElementById({{printf "earshot-%s" .ID}});
  if (!f || f.dataset.earshot) return;
  f.dataset.earshot = "1";
  var tokenURL = {{.TokenURL}}, redirect = {{.Redirect}};
  var q = new URLSearchParams(location.search);
  function set(n, v) { var e = f.elements[n]; if (e && !e.value && v) e.value = v; }
  set("_page", location.href);
  set("_referrer", document.referrer);
  {{range .UTMKeys}}set({{.}}, q.get({{.}}));
  {{end}}
  if (tokenURL && f.elements._t && Date.now() - Number(f.dataset.issued) > 600000) {
    fetch(tokenURL, {credentials: "omit"}).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j && j.token) f.elements._t.value = j.token; }).catch(function () {});
  }
  if (!window.fetch || !window.URLSearchParams || !window.FormData) return;
  var key = null, status = f.querySelector(".earshot-status"), button = f.querySelector("button[type=submit]");
  f.addEventListener("input", function () { key = null; });
  f.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!key) key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : Date.now() + "-" + Math.random().toString(36).slice(2);
    button.disabled = true;
    status.textContent = "…";
    Array.prototype.forEach.call(f.querySelectorAll(".earshot-error"), function (e) { e.remove(); });
    fetch(f.action, {method: "POST", credentials: "omit", body: new URLSearchParams(new FormData(f)),
      headers: {"Accept": "application/json", "Idempotency-Key": key}})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, status: r.status, j: j}; }); })
      .then(function (x) {
        button.disabled = false;
        if (x.ok) { key = null; if (redirect) { location.href = redirect; return; } f.reset(); status.textContent = x.j.message; return; }
        if (x.status !== 503 && x.status !== 429) key = null;
        (x.j.errors || []).forEach(function (e) {
          var el = f.elements[e.field];
          if (el && el.length && !el.tagName) el = el[el.length - 1];
          var s = document.createElement("span");
          s.className = "earshot-error"; s.setAttribute("role", "alert"); s.textContent = e.message;
          if (el && el.parentNode) el.parentNode.appendChild(s);
        });
        status.textContent = x.j.detail || x.j.title || "Error";
      })
      .catch(function () { button.disabled = false; status.textContent = "Network error, please try again."; });
  });
})();
</script>
`

const pageHTML = `<!doctype html>
<html{{if .Lang}} lang="{{.Lang}}"{{end}}>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}input,textarea,select{width:100%;box-sizing:border-box;font:inherit;padding:.4rem}input[type=checkbox]{width:auto}.earshot-error,.earshot-message{color:#b00020}</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{template "snippet" .}}
</body>
</html>
`

const thanksHTML = `<!doctype html>
<html{{if .Lang}} lang="{{.Lang}}"{{end}}>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Message}}</p></body>
</html>
`
