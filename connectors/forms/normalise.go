package forms

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/earshothq/earshot/record"
	"github.com/nyaruka/phonenumbers"
	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// mapped is a submission's fields after normalisation and validation,
// placed where they belong in the record.
type mapped struct {
	author  record.Author
	title   string
	text    string
	fields  map[string]string
	consent bool
}

// mapFields normalises and validates every configured field of a form and
// maps it to the record. It returns every field's problem at once, in the
// order the fields are configured, so a person fixes them in one go.
func mapFields(f *FormConfig, v url.Values) (*mapped, []fieldError) {
	out := &mapped{}
	var errs []fieldError
	fail := func(field, code, format string, args ...any) {
		errs = append(errs, fieldError{Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
	}
	var first, last string
	for i := range f.Fields {
		fc := &f.Fields[i]
		vals, bad := cleanValues(v[fc.Name], fc.MapsTo == TargetMessage)
		if bad != "" {
			fail(fc.Name, "encoding", "%s", bad)
			continue
		}
		if len(vals) == 0 {
			if fc.Required {
				fail(fc.Name, "required", "%s is required", fc.Label)
			}
			continue
		}
		if len(vals) > 1 && !fc.Multiple {
			fail(fc.Name, "single_value", "%s takes one value, got %d", fc.Label, len(vals))
			continue
		}
		ok := true
		for j, val := range vals {
			if n := utf8.RuneCountInString(val); n > fc.MaxLength {
				fail(fc.Name, "too_long", "%s must be at most %d characters (got %d)", fc.Label, fc.MaxLength, n)
				ok = false
				break
			}
			if len(fc.Allowed) > 0 {
				k := slices.IndexFunc(fc.Allowed, func(a string) bool { return strings.EqualFold(a, val) })
				if k < 0 {
					fail(fc.Name, "not_allowed", "%s must be one of: %s", fc.Label, strings.Join(fc.Allowed, ", "))
					ok = false
					break
				}
				vals[j] = fc.Allowed[k]
			}
		}
		if !ok {
			continue
		}
		val := vals[0]
		switch fc.MapsTo {
		case TargetEmail:
			e, msg := normaliseEmail(val)
			if msg != "" {
				fail(fc.Name, "invalid_email", "%s %s", fc.Label, msg)
				continue
			}
			out.author.Email = e
		case TargetPhone:
			p, msg := normalisePhone(val, f.DefaultRegion)
			if msg != "" {
				fail(fc.Name, "invalid_phone", "%s %s", fc.Label, msg)
				continue
			}
			out.author.Phone = p
		case TargetName, TargetFirstName, TargetLastName:
			if containsLink(val) {
				fail(fc.Name, "link_in_name", "%s may not contain links or web addresses", fc.Label)
				continue
			}
			switch fc.MapsTo {
			case TargetName:
				out.author.Name = val
			case TargetFirstName:
				first = val
			default:
				last = val
			}
		case TargetCompany:
			out.author.Company = val
		case TargetMessage:
			out.text = val
		case TargetTitle:
			out.title = val
		case TargetCity:
			out.author.City = val
		case TargetCountry:
			if len(val) == 2 && isASCIILetters(val) {
				val = strings.ToUpper(val)
			}
			out.author.Country = val
		case TargetPostalCode:
			out.author.PostalCode = strings.ToUpper(val)
		case TargetCustom:
			if out.fields == nil {
				out.fields = map[string]string{}
			}
			out.fields[fc.Name] = strings.Join(vals, ", ")
		}
	}
	if out.author.Name == "" {
		out.author.Name = strings.TrimSpace(first + " " + last)
	}
	if c := f.Consent; c != nil {
		vals, _ := cleanValues(v[c.Field], false)
		out.consent = len(vals) == 1 && truthy(vals[0])
		if c.Required && !out.consent {
			label := c.Label
			if label == "" {
				label = "Consent"
			}
			fail(c.Field, "consent_required", "%s is required to send this form", label)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// cleanValues normalises every value of a field (see cleanText) and drops
// the ones left empty. A non-empty bad string names the problem.
func cleanValues(vals []string, multiline bool) ([]string, string) {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		if !utf8.ValidString(v) {
			return nil, "is not valid UTF-8 text"
		}
		if c := cleanText(v, multiline); c != "" {
			out = append(out, c)
		}
	}
	return out, ""
}

// cleanText puts text in Unicode NFC, drops control characters (keeping
// line breaks and tabs in multi-line text, with CRLF made LF), collapses
// whitespace runs in single-line text and trims both ends.
func cleanText(s string, multiline bool) string {
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\r':
			continue
		case multiline && (r == '\n' || r == '\t'):
			b.WriteRune(r)
			space = false
			continue
		case unicode.IsSpace(r):
			if multiline {
				b.WriteRune(' ')
			} else if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		case unicode.IsControl(r) || r == '\uFEFF':
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimFunc(b.String(), unicode.IsSpace)
}

// normaliseEmail checks an address's syntax (a plain addr-spec, Unicode
// local parts allowed, no quoted parts or IP literals) and lower-cases its
// domain. The local part keeps its case: some servers honour it.
func normaliseEmail(s string) (string, string) {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return "", "is not an email address (want name@example.com)"
	}
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if len(local) > 64 {
		return "", "has a part before @ longer than 64 characters"
	}
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return "", "has misplaced dots before the @"
	}
	for _, r := range local {
		if r < 0x80 && !isAtext(byte(r)) && r != '.' {
			return "", fmt.Sprintf("may not contain %q before the @", r)
		}
		if r >= 0x80 && (unicode.IsSpace(r) || unicode.IsControl(r)) {
			return "", "may not contain spaces"
		}
	}
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		return "", fmt.Sprintf("has an invalid domain %q", domain)
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 || len(ascii) > 253 || slices.Contains(labels, "") {
		return "", fmt.Sprintf("has an incomplete domain %q", domain)
	}
	if tld := labels[len(labels)-1]; len(tld) < 2 || isDigits(tld) {
		return "", fmt.Sprintf("has an invalid domain %q", domain)
	}
	if u, err := idna.Lookup.ToUnicode(ascii); err == nil {
		// the mapped form (full-width letters folded, and so on), lower
		// case again: IDNA maps small Cherokee letters to capitals
		domain = strings.ToLower(u)
	}
	return local + "@" + domain, ""
}

// isAtext reports the RFC 5322 atext characters allowed unquoted.
func isAtext(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// normalisePhone parses a number (with its +country code, or in the form's
// default region) and returns it in E.164.
func normalisePhone(s, region string) (string, string) {
	num, err := phonenumbers.Parse(s, region)
	if err != nil {
		return "", fmt.Sprintf("is not a phone number (%s numbers may omit the country code; others start with +)", region)
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", fmt.Sprintf("is not a valid phone number (%s numbers may omit the country code; others start with +)", region)
	}
	return phonenumbers.Format(num, phonenumbers.E164), ""
}

// linkPattern finds what spammers put in name fields: URLs, www. hosts,
// HTML or BBCode links and bare domains under common spam TLDs.
var linkPattern = regexp.MustCompile(`(?i)(://|www\.|<\s*a\s|\[url|\[link|` +
	`[\p{L}\p{N}-]+\.(com|net|org|info|biz|ru|su|xyz|top|io|co|me|site|online|shop|club|app|link|click|pl|lv|cn|br|pt|de|uk|us|tk|ml|ga|cf|gq)\b)`)

// containsLink runs the pattern only on text that could match it: every
// alternative needs one of these characters, and most names have none.
func containsLink(s string) bool {
	return strings.ContainsAny(s, ".:<[") && linkPattern.MatchString(s)
}

// truthy reads a checkbox or boolean value.
func truthy(s string) bool {
	switch strings.ToLower(s) {
	case "on", "true", "yes", "1", "checked", "y", "accepted":
		return true
	}
	return false
}
