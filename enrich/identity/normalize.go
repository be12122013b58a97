package identity

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"
)

// Normalizer turns the ways people write identifiers into one canonical form
// per identifier, so equal identities compare equal as strings.
type Normalizer struct {
	dotless     map[string]bool
	plusTags    map[string]bool
	aliases     map[string]string
	freeMail    map[string]bool
	phoneRegion string
	mdy         bool
}

// NewNormalizer builds a Normalizer from the email, phone and date settings of cfg.
func NewNormalizer(cfg Config) *Normalizer {
	n := &Normalizer{
		dotless:     set(cfg.DotInsensitiveProviders),
		plusTags:    set(cfg.PlusTagProviders),
		aliases:     map[string]string{},
		freeMail:    set(cfg.FreeMailProviders),
		phoneRegion: strings.ToUpper(cfg.DefaultPhoneRegion),
		mdy:         cfg.DateOrder == "MDY",
	}
	for k, v := range cfg.DomainAliases {
		n.aliases[strings.ToLower(k)] = strings.ToLower(v)
	}
	return n
}

func set(items []string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[strings.ToLower(strings.TrimSpace(s))] = true
	}
	return m
}

// Email returns the canonical mailbox of an address: lower case, the domain's
// alias resolved, +tags cut and dots dropped for providers that ignore them.
func (n *Normalizer) Email(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "mailto:"), "MAILTO:")
	s = strings.Trim(s, "<>")
	if s == "" {
		return "", errors.New("email is empty")
	}
	s = strings.ToLower(norm.NFC.String(s))
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return "", fmt.Errorf("email %q has no local part or domain", raw)
	}
	local, domain := s[:at], strings.TrimSuffix(s[at+1:], ".")
	if strings.ContainsAny(local, " \t@,;<>()[]\\\"") {
		return "", fmt.Errorf("email %q has characters not allowed in a mailbox", raw)
	}
	if len(local) > 64 {
		return "", fmt.Errorf("email %q has a local part longer than 64 characters", raw)
	}
	if err := checkDomain(domain); err != nil {
		return "", fmt.Errorf("email %q: %w", raw, err)
	}
	if a, ok := n.aliases[domain]; ok {
		domain = a
	}
	if n.plusTags[domain] {
		if i := strings.IndexByte(local, '+'); i > 0 {
			local = local[:i]
		}
	}
	if n.dotless[domain] {
		local = strings.ReplaceAll(local, ".", "")
	}
	if local == "" {
		return "", fmt.Errorf("email %q has an empty mailbox after normalisation", raw)
	}
	return local + "@" + domain, nil
}

// EmailSpellings returns a regular expression matching every lower-cased
// address that Email turns into canonical (itself canonical): any of the
// domain's aliases, dots anywhere in the mailbox of a provider that ignores
// them, a +tag (of printable ASCII) where the provider cuts it. It returns
// "" when canonical is the only spelling. The expression matches whole
// strings and keeps to what RE2 and Lucene's regular expressions share
// (literals, ASCII punctuation escaped with a backslash, "*", "?", ranges
// in brackets, groups and "|"), so both index backends can look addresses
// up by it.
func (n *Normalizer) EmailSpellings(canonical string) string {
	at := strings.LastIndexByte(canonical, '@')
	if at <= 0 {
		return ""
	}
	local, domain := canonical[:at], canonical[at+1:]
	domains := []string{domain}
	for alias, d := range n.aliases {
		if d == domain && alias != domain {
			domains = append(domains, alias)
		}
	}
	dotless, tags := n.dotless[domain], n.plusTags[domain]
	if len(domains) == 1 && !dotless && !tags {
		return ""
	}
	slices.Sort(domains[1:])
	var b strings.Builder
	if dotless {
		b.WriteString(`\.*`)
	}
	for _, r := range local {
		writeLiteral(&b, r)
		if dotless {
			b.WriteString(`\.*`)
		}
	}
	if tags {
		// A tag of printable ASCII but "@": any character (".") would
		// make the automata the index builds per pattern seven times
		// costlier (1.7 against 0.24 ms in vellum).
		b.WriteString(`(\+[!-?A-~]*)?`)
	}
	b.WriteString(`\@`)
	if len(domains) > 1 {
		b.WriteByte('(')
	}
	for i, d := range domains {
		if i > 0 {
			b.WriteByte('|')
		}
		for _, r := range d {
			writeLiteral(&b, r)
		}
	}
	if len(domains) > 1 {
		b.WriteByte(')')
	}
	return b.String()
}

// writeLiteral writes r as a literal of a regular expression: ASCII
// punctuation escaped (both RE2 and Lucene read "\x" as x then; escaping a
// letter would make a class in RE2).
func writeLiteral(b *strings.Builder, r rune) {
	if r < utf8.RuneSelf && (unicode.IsPunct(r) || unicode.IsSymbol(r)) {
		b.WriteByte('\\')
	}
	b.WriteRune(r)
}

func checkDomain(d string) error {
	if !strings.Contains(d, ".") {
		return fmt.Errorf("domain %q has no dot", d)
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("domain %q has an empty or overlong label", d)
		}
		for _, r := range label {
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-') {
				return fmt.Errorf("domain %q has the character %q", d, r)
			}
		}
	}
	return nil
}

// EmailDomain returns the domain of a normalised address, or "" when the
// domain is a free mail provider (it says nothing about an employer).
func (n *Normalizer) EmailDomain(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return ""
	}
	d := email[at+1:]
	if n.freeMail[d] {
		return ""
	}
	return d
}

// Phone returns a number in E.164. region (ISO alpha-2) reads national
// numbers; empty uses the configured default. "00" international prefixes
// are accepted.
func (n *Normalizer) Phone(raw, region string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", errors.New("phone is empty")
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, "tel:"), "TEL:")
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		} else if unicode.IsLetter(r) && !strings.ContainsRune("xXeEtT.", r) {
			return "", fmt.Errorf("phone %q has letters", raw)
		}
	}
	if digits < 5 {
		return "", fmt.Errorf("phone %q has too few digits", raw)
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	if e164, ok := plainInternational(s); ok {
		return e164, nil
	}
	region = strings.ToUpper(region)
	if region == "" || !phonenumbers.GetSupportedRegions()[region] {
		region = n.phoneRegion
	}
	num, err := phonenumbers.Parse(s, region)
	if err != nil {
		return "", fmt.Errorf("parsing phone %q: %w", raw, err)
	}
	if !phonenumbers.IsPossibleNumber(num) {
		return "", fmt.Errorf("phone %q is not a possible number in %s", raw, regionOf(num, region))
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// plainInternational reads "+48 601 234 567" or "+48-601-234-567" without
// the full parser (most numbers in the customers topic are already in
// international form): a known country calling code and 8 to 15 digits,
// and no "(0)" trunk prefix, which only the parser handles.
func plainInternational(s string) (string, bool) {
	if len(s) < 9 || s[0] != '+' || strings.Contains(s, "(0)") {
		return "", false
	}
	var d [16]byte
	n := 0
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if n == len(d) {
				return "", false
			}
			d[n] = c
			n++
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return "", false
		}
	}
	if n < 8 || n > 15 || d[0] == '0' {
		return "", false
	}
	codes := phonenumbers.GetSupportedCallingCodes()
	known := false
	for l := 1; l <= 3 && !known; l++ {
		known = codes[atoi(string(d[:l]))]
	}
	if !known {
		return "", false
	}
	return "+" + string(d[:n]), true
}

func regionOf(num *phonenumbers.PhoneNumber, fallback string) string {
	if r := phonenumbers.GetRegionCodeForNumber(num); r != "" && r != "ZZ" {
		return r
	}
	return fallback
}

// Date returns a date of birth as YYYY-MM-DD. It reads ISO dates,
// D.M.YYYY, D/M/YYYY (M/D/YYYY when the date order is MDY), YYYY/MM/DD and
// YYYYMMDD, and rejects impossible or future dates.
func (n *Normalizer) Date(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", errors.New("date is empty")
	}
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		s = s[:10] // a timestamp: keep the date
	}
	var y, m, d int
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '.' || r == '/' })
	switch {
	case len(parts) == 1 && len(s) == 8 && allDigits(s):
		y, m, d = atoi(s[:4]), atoi(s[4:6]), atoi(s[6:])
	case len(parts) == 3 && len(parts[0]) == 4:
		y, m, d = atoi(parts[0]), atoi(parts[1]), atoi(parts[2])
	case len(parts) == 3 && len(parts[2]) == 4:
		a, b := atoi(parts[0]), atoi(parts[1])
		d, m, y = a, b, atoi(parts[2])
		if n.mdy && strings.Contains(s, "/") {
			d, m = b, a
		}
	default:
		return "", fmt.Errorf("date %q is not in a known format (YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY)", raw)
	}
	if y < 0 || m < 0 || d < 0 {
		return "", fmt.Errorf("date %q has non-numeric parts", raw)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return "", fmt.Errorf("date %q does not exist", raw)
	}
	if y < 1900 || t.After(time.Now()) {
		return "", fmt.Errorf("date %q is out of range for a date of birth", raw)
	}
	return t.Format("2006-01-02"), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// atoi parses a short decimal, returning -1 for anything else.
func atoi(s string) int {
	if !allDigits(s) || len(s) > 9 {
		return -1
	}
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}

// Postcode returns a postal code as upper-case letters and digits only,
// without a leading country prefix such as "LV-" or "PL ". country is the
// record's ISO code, if it has one.
func Postcode(raw, country string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(raw) {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	s := b.String()
	// "LV-1050", "PL 00-950": a country prefix before a numeric code, with
	// or without the record saying which country it is.
	if len(s) > 4 && allDigits(s[2:]) && !allDigits(s[:2]) &&
		(strings.EqualFold(s[:2], country) || phonenumbers.GetSupportedRegions()[s[:2]]) {
		s = s[2:]
	}
	return s
}

// Country returns an ISO 3166-1 alpha-2 code for a code or a common name
// ("Polska", "Latvija", "Brasil", "中国"), or "" when it is not known.
func Country(raw string) string {
	s := strings.TrimSpace(raw)
	if s == "" {
		return ""
	}
	if len(s) == 2 {
		up := strings.ToUpper(s)
		if up == "UK" {
			return "GB"
		}
		if phonenumbers.GetSupportedRegions()[up] {
			return up
		}
		return ""
	}
	return countryNames[FoldText(s)]
}

var countryNames = map[string]string{
	"poland": "PL", "polska": "PL", "latvia": "LV", "latvija": "LV", "lithuania": "LT", "lietuva": "LT",
	"estonia": "EE", "eesti": "EE", "portugal": "PT", "brazil": "BR", "brasil": "BR", "china": "CN",
	"zhongguo": "CN", "germany": "DE", "deutschland": "DE", "france": "FR", "spain": "ES", "espana": "ES",
	"united kingdom": "GB", "great britain": "GB", "england": "GB", "united states": "US",
	"united states of america": "US", "usa": "US", "ukraine": "UA", "ukraina": "UA", "russia": "RU",
	"rossiya": "RU", "italy": "IT", "italia": "IT", "netherlands": "NL", "czech republic": "CZ",
	"czechia": "CZ", "cesko": "CZ", "sweden": "SE", "sverige": "SE", "norway": "NO", "norge": "NO",
	"finland": "FI", "suomi": "FI", "denmark": "DK", "danmark": "DK", "ireland": "IE", "austria": "AT",
	"osterreich": "AT", "switzerland": "CH", "schweiz": "CH", "belgium": "BE", "canada": "CA",
	"mexico": "MX", "angola": "AO", "mozambique": "MZ", "mocambique": "MZ", "japan": "JP",
	"taiwan": "TW", "hong kong": "HK", "singapore": "SG", "india": "IN", "australia": "AU",
}

// Domain returns the bare host of a web address or domain: lower case,
// without scheme, "www.", port or path.
func Domain(raw string) string {
	s := strings.ToLower(strings.TrimSpace(raw))
	if s == "" {
		return ""
	}
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:] // an email address given as a domain
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "www."), ".")
	if checkDomain(s) != nil {
		return ""
	}
	return s
}

// platformAliases maps the names sources use for a platform to one name.
var platformAliases = map[string]string{
	"twitter": "x", "x.com": "x", "twitter.com": "x", "ig": "instagram", "insta": "instagram",
	"fb": "facebook", "li": "linkedin", "bsky": "bluesky", "gh": "github", "tg": "telegram",
	"masto": "mastodon", "fediverse": "mastodon",
}

// Platform returns the canonical name of a social platform.
func Platform(raw string) string {
	p := strings.ToLower(strings.TrimSpace(raw))
	if a, ok := platformAliases[p]; ok {
		return a
	}
	return p
}

// Handle returns "platform:handle" for an account: lower case, without a
// leading "@"; Mastodon handles keep their instance ("user@instance").
// A profile URL is accepted in place of a handle.
func Handle(platform, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", errors.New("handle is empty")
	}
	if strings.Contains(s, "://") || strings.HasPrefix(strings.ToLower(s), "www.") {
		if h, ok := HandleFromURL(s); ok {
			return h, nil
		}
		return "", fmt.Errorf("handle %q is a URL of no known platform", raw)
	}
	p := Platform(platform)
	s = strings.ToLower(norm.NFKC.String(s))
	s = strings.TrimPrefix(s, "@")
	if s == "" || strings.ContainsAny(s, " \t/") {
		return "", fmt.Errorf("handle %q is not an account name", raw)
	}
	if strings.Contains(s, "@") {
		user, host, _ := strings.Cut(s, "@")
		if user == "" || checkDomain(host) != nil {
			return "", fmt.Errorf("handle %q is not user@instance", raw)
		}
		if p == "" || p == "fediverse" {
			p = "mastodon"
		}
	}
	if p == "" {
		return "", fmt.Errorf("handle %q has no platform", raw)
	}
	return p + ":" + s, nil
}

// ProfileURL returns a comparable form of a profile address: host (without
// "www."/"m.") and path, lower case, without scheme, query, fragment or
// trailing slash.
func ProfileURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("parsing profile URL %q: %w", raw, err)
	}
	host := strings.ToLower(u.Hostname())
	for _, p := range []string{"www.", "m.", "mobile."} {
		host = strings.TrimPrefix(host, p)
	}
	if checkDomain(host) != nil {
		return "", fmt.Errorf("profile URL %q has no valid host", raw)
	}
	path := strings.TrimRight(strings.ToLower(u.EscapedPath()), "/")
	return host + path, nil
}

// urlPlatforms are hosts whose first path segment is the account.
var urlPlatforms = map[string]string{
	"x.com": "x", "twitter.com": "x", "instagram.com": "instagram", "facebook.com": "facebook",
	"github.com": "github", "t.me": "telegram", "tiktok.com": "tiktok", "youtube.com": "youtube",
	"threads.net": "threads", "bsky.app": "bluesky", "linkedin.com": "linkedin",
}

// HandleFromURL recognises the account in a profile URL: Mastodon's
// https://instance/@user, and the usual hosts' /name paths.
func HandleFromURL(raw string) (string, bool) {
	u, err := ProfileURL(raw)
	if err != nil {
		return "", false
	}
	host, path, _ := strings.Cut(u, "/")
	segs := strings.Split(path, "/")
	if len(segs) == 0 || segs[0] == "" {
		return "", false
	}
	p, known := urlPlatforms[host]
	switch {
	case p == "linkedin" && len(segs) >= 2 && segs[0] == "in":
		return "linkedin:" + segs[1], true
	case p == "bluesky" && len(segs) >= 2 && segs[0] == "profile":
		return "bluesky:" + segs[1], true
	case known && p != "linkedin" && p != "bluesky":
		return p + ":" + strings.TrimPrefix(segs[0], "@"), true
	case !known && strings.HasPrefix(segs[0], "@") && len(segs[0]) > 1:
		user := segs[0][1:]
		if strings.Contains(user, "@") {
			return "mastodon:" + user, true // a remote account shown on another instance
		}
		return "mastodon:" + user + "@" + host, true
	}
	return "", false
}

// companySuffixes are legal forms dropped before companies are compared.
var companySuffixes = map[string]bool{
	"inc": true, "ltd": true, "llc": true, "plc": true, "gmbh": true, "ag": true, "sa": true,
	"sp": true, "z": true, "o": true, "oo": true, "zoo": true, "spzoo": true, "sk": true, "sj": true,
	"lda": true, "ltda": true, "me": true, "eireli": true, "sia": true, "as": true, "ab": true,
	"bv": true, "nv": true, "srl": true, "spa": true, "co": true, "corp": true, "corporation": true,
	"company": true, "limited": true, "group": true, "the": true,
}

// Company returns a company name folded and without legal forms, so that
// "ACME Sp. z o.o." and "Acme" compare equal.
func Company(raw string) string {
	raw = strings.TrimSpace(raw)
	for _, suffix := range []string{"股份有限公司", "有限责任公司", "有限公司", "集团", "公司"} {
		raw = strings.TrimSuffix(raw, suffix)
	}
	// Dots go first so "S.A." and "sp. z o.o." become the words "sa", "sp z oo".
	toks := strings.Fields(FoldText(strings.ReplaceAll(raw, ".", "")))
	out := toks[:0]
	for _, t := range toks {
		if !companySuffixes[t] {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return strings.Join(toks, " ")
	}
	return strings.Join(out, " ")
}
