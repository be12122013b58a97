package customerfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/record"
)

// Row is one record of a file: the customer it describes, or the reasons
// it was rejected.
type Row struct {
	Line     int // 1-based line where the record starts
	Customer record.Customer
	Errors   []string // empty for a good row
	// Warnings are values a lenient reader left out of a good row.
	Warnings []string
}

// OK reports whether the row is valid.
func (r Row) OK() bool { return len(r.Errors) == 0 }

// Reader reads rows from a CSV or JSONL file.
type Reader struct {
	cfg    Config
	norm   *identity.Normalizer
	count  *countingReader
	format string
	now    func() time.Time

	csv  *csv.Reader
	plan columnPlan

	lines    *bufio.Reader
	lineNo   int
	plans    map[string]columnPlan
	finished bool
}

// NewReader starts reading src; name is the file name (for the format and
// messages). A CSV header that the mapping does not fit is an error here,
// before any row is read.
func NewReader(src io.Reader, name string, cfg Config, norm *identity.Normalizer) (*Reader, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	format, err := cfg.formatOf(name)
	if err != nil {
		return nil, err
	}
	r := &Reader{cfg: cfg, norm: norm, count: &countingReader{r: src}, format: format, now: time.Now, plans: map[string]columnPlan{}}
	br := bufio.NewReaderSize(r.count, 64<<10)
	if format == "jsonl" {
		r.lines = br
		return r, nil
	}
	delim := cfg.Delimiter
	if delim == "auto" {
		delim = sniffDelimiter(br)
	}
	r.csv = csv.NewReader(br)
	r.csv.Comma = rune(delim[0])
	r.csv.FieldsPerRecord = -1 // ragged rows are reported per row
	r.csv.ReuseRecord = false
	header, err := r.csv.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("reading %s: the file is empty (a CSV file needs a header line)", name)
		}
		return nil, fmt.Errorf("reading the header of %s: %w", name, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // Excel's byte order mark
	}
	r.plan, err = cfg.plan(header)
	if err != nil {
		return nil, fmt.Errorf("mapping the columns of %s: %w", name, err)
	}
	return r, nil
}

// sniffDelimiter picks the delimiter that occurs most in the header line.
func sniffDelimiter(br *bufio.Reader) string {
	peek, _ := br.Peek(4096)
	if i := bytes.IndexByte(peek, '\n'); i >= 0 {
		peek = peek[:i]
	}
	best, bestN := ",", 0
	for _, d := range []string{",", ";", "\t", "|"} {
		if n := bytes.Count(peek, []byte(d)); n > bestN {
			best, bestN = d, n
		}
	}
	return best
}

// Columns returns the CSV columns and the field each fills ("" if none).
func (r *Reader) Columns() (headers, targets []string) { return r.plan.headers, r.plan.targets }

// BytesRead is how far into the file the reader is, for progress.
func (r *Reader) BytesRead() int64 { return r.count.n }

// Next returns the next row, or io.EOF after the last. A row's own
// problems are in Row.Errors; an error return means the file cannot be
// read further.
func (r *Reader) Next() (Row, error) {
	if r.finished {
		return Row{}, io.EOF
	}
	if r.format == "jsonl" {
		return r.nextJSON()
	}
	return r.nextCSV()
}

func (r *Reader) nextCSV() (Row, error) {
	for {
		rec, err := r.csv.Read()
		if errors.Is(err, io.EOF) {
			r.finished = true
			return Row{}, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && !errors.Is(err, csv.ErrFieldCount) {
			// A broken quote spoils the rest of the file: stop with the line.
			r.finished = true
			return Row{}, fmt.Errorf("reading CSV at line %d: %w", pe.StartLine, pe.Err)
		}
		if err != nil {
			return Row{}, fmt.Errorf("reading CSV: %w", err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		line, _ := r.csv.FieldPos(0)
		row := Row{Line: line}
		if len(rec) != len(r.plan.headers) {
			row.Errors = append(row.Errors, fmt.Sprintf("has %d columns, the header has %d", len(rec), len(r.plan.headers)))
			return row, nil
		}
		values := make(map[string][]string, len(rec))
		for i, v := range rec {
			if t := r.plan.targets[i]; t != "" && strings.TrimSpace(v) != "" {
				values[t] = append(values[t], v)
			}
		}
		r.build(&row, values)
		return row, nil
	}
}

func (r *Reader) nextJSON() (Row, error) {
	for {
		raw, err := r.lines.ReadBytes('\n')
		if len(raw) == 0 && errors.Is(err, io.EOF) {
			r.finished = true
			return Row{}, io.EOF
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return Row{}, fmt.Errorf("reading JSONL after line %d: %w", r.lineNo, err)
		}
		r.lineNo++
		raw = bytes.TrimSpace(raw)
		if r.lineNo == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
		}
		if len(raw) == 0 {
			continue
		}
		row := Row{Line: r.lineNo}
		flat := map[string][]string{}
		var keys []string
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			row.Errors = append(row.Errors, fmt.Sprintf("is not a JSON object: %v", err))
			return row, nil
		}
		flatten("", obj, flat, &keys)
		sort.Strings(keys)
		sig := strings.Join(keys, "\x00")
		plan, ok := r.plans[sig]
		if !ok {
			plan, err = r.cfg.plan(keys)
			if err != nil {
				row.Errors = append(row.Errors, err.Error())
				return row, nil
			}
			if len(r.plans) < 1024 {
				r.plans[sig] = plan
			}
		}
		values := map[string][]string{}
		for i, k := range keys {
			if t := plan.targets[i]; t != "" {
				values[t] = append(values[t], flat[k]...)
			}
		}
		r.build(&row, values)
		return row, nil
	}
}

// flatten turns nested JSON into dotted keys with string values; arrays of
// scalars become several values, Customer-shaped handle objects become
// "platform:handle".
func flatten(prefix string, v any, out map[string][]string, keys *[]string) {
	put := func(k, s string) {
		if _, ok := out[k]; !ok {
			*keys = append(*keys, k)
		}
		out[k] = append(out[k], s)
	}
	switch t := v.(type) {
	case map[string]any:
		if p, ok := t["platform"].(string); ok && prefix != "" {
			if h, ok := t["handle"].(string); ok {
				put(prefix, p+":"+h)
				return
			}
		}
		for k, x := range t {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flatten(key, x, out, keys)
		}
	case []any:
		for _, x := range t {
			flatten(prefix, x, out, keys)
		}
	case string:
		if strings.TrimSpace(t) != "" {
			put(prefix, t)
		}
	case json.Number:
		put(prefix, t.String())
	case bool:
		put(prefix, strconv.FormatBool(t))
	case nil:
	}
}

// build fills the row's customer from the values of each field, checking
// every value; problems become the row's errors.
func (r *Reader) build(row *Row, values map[string][]string) {
	b := &rowBuilder{r: r, row: row, c: &row.Customer, values: values}
	b.identity()
	b.contacts()
	b.business()
	b.purchases()
	b.times()
	b.consentAndAttributes()
	c := b.c
	// A birth date at an address recognises a person too.
	datedAddress := c.DateOfBirth != "" && (c.Address.Street != "" || c.Address.PostalCode != "")
	if c.FirstName == "" && c.LastName == "" && len(c.Names) == 0 && len(c.Emails) == 0 && len(c.Phones) == 0 && len(c.Handles) == 0 && len(c.ProfileURLs) == 0 && !datedAddress && (len(row.Errors) == 0 || r.cfg.Lenient) {
		b.bad("has no name, email, phone, handle, profile URL, or birth date with an address to recognise the person by")
	}
}

// rowBuilder is one row being turned into a customer.
type rowBuilder struct {
	r      *Reader
	row    *Row
	c      *record.Customer
	values map[string][]string
}

// bad records a problem that spoils the row.
func (b *rowBuilder) bad(format string, args ...any) {
	b.row.Errors = append(b.row.Errors, fmt.Sprintf(format, args...))
}

// badValue records a bad value: it spoils the row, or in a lenient reader
// the value is only left out.
func (b *rowBuilder) badValue(format string, args ...any) {
	if b.r.cfg.Lenient {
		b.row.Warnings = append(b.row.Warnings, fmt.Sprintf(format, args...))
		return
	}
	b.bad(format, args...)
}

// one is the field's first value, trimmed.
func (b *rowBuilder) one(t string) string {
	if v := b.values[t]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

// list is every value of the fields, each split at the list separator.
func (b *rowBuilder) list(ts ...string) []string {
	var out []string
	for _, t := range ts {
		for _, v := range b.values[t] {
			for _, item := range strings.Split(v, b.r.cfg.ListSeparator) {
				if item = strings.TrimSpace(item); item != "" {
					out = append(out, item)
				}
			}
		}
	}
	return out
}

// identity reads the id, the names and the address.
func (b *rowBuilder) identity() {
	c := b.c
	c.ID = b.one("id")
	if c.ID == "" {
		if b.r.cfg.RequireID {
			b.bad("has no id")
		} else {
			c.ID = "line:" + strconv.Itoa(b.row.Line)
		}
	}
	c.FirstName, c.LastName = b.one("first_name"), b.one("last_name")
	if full := b.one("name"); full != "" {
		if c.FirstName == "" && c.LastName == "" {
			c.Names = append(c.Names, full)
		} else if full != strings.TrimSpace(c.FirstName+" "+c.LastName) {
			c.Names = append(c.Names, full)
		}
	}
	c.Names = append(c.Names, b.list("names")...)
	c.Address = record.Address{Street: joinStreet(b.one("house_number"), b.one("street")), Line2: b.one("address_2"),
		City: b.one("city"), Region: b.one("region"), PostalCode: b.one("postal_code")}
	if raw := b.one("country"); raw != "" {
		if cc := identity.Country(raw); cc != "" {
			c.Address.Country = cc
		} else {
			b.badValue("country %q is not an ISO 3166 code or a known country name", raw)
		}
	}
}

// contacts reads e-mails, phones (in the address's country), handles and
// profile URLs, keeping the valid ones.
func (b *rowBuilder) contacts() {
	c, norm := b.c, b.r.norm
	for _, e := range b.list("email", "emails") {
		if _, err := norm.Email(e); err != nil {
			b.badValue("%v", err)
			continue
		}
		c.Emails = append(c.Emails, e)
	}
	for _, p := range b.list("phone", "phones") {
		if _, err := norm.Phone(p, c.Address.Country); err != nil {
			b.badValue("%v", err)
			continue
		}
		c.Phones = append(c.Phones, p)
	}
	for _, h := range b.list("handle", "handles") {
		hd, err := parseHandle(h)
		if err != nil {
			b.badValue("%v", err)
			continue
		}
		c.Handles = append(c.Handles, hd)
	}
	for _, col := range sortedKeys(platformColumns) {
		for _, h := range b.list(col) {
			if _, err := identity.Handle(platformColumns[col], h); err != nil {
				b.badValue("%s: %v", col, err)
				continue
			}
			c.Handles = append(c.Handles, record.Handle{Platform: platformColumns[col], Handle: h})
		}
	}
	for _, u := range b.list("profile_url", "profile_urls") {
		if _, err := identity.ProfileURL(u); err != nil {
			b.badValue("%v", err)
			continue
		}
		c.ProfileURLs = append(c.ProfileURLs, u)
	}
}

// business reads company, domain, date of birth, language and segment.
func (b *rowBuilder) business() {
	c := b.c
	c.Company = b.one("company")
	if d := b.one("domain"); d != "" {
		if identity.Domain(d) == "" {
			b.badValue("domain %q is not a host name", d)
		} else {
			c.Domain = d
		}
	}
	if d := b.one("date_of_birth"); d != "" {
		if v, err := b.r.norm.Date(d); err != nil {
			b.badValue("date_of_birth: %v", err)
		} else {
			c.DateOfBirth = v
		}
	}
	c.Language = b.one("language")
	c.Segment = b.one("segment")
}

// purchases reads lifetime value, orders, total and currency.
func (b *rowBuilder) purchases() {
	c := b.c
	if v := b.one("lifetime_value"); v != "" {
		c.LifetimeValue = b.r.number(b.badValue, "lifetime_value", v)
	}
	if v := b.one("orders"); v != "" {
		n := b.r.number(b.badValue, "orders", v)
		if n != float64(int(n)) || n < 0 {
			b.badValue("orders %q is not a whole number", v)
		}
		c.Purchases.Orders = int(n)
	}
	if v := b.one("total"); v != "" {
		c.Purchases.Total = b.r.number(b.badValue, "total", v)
	}
	c.Purchases.Currency = strings.ToUpper(b.one("currency"))
}

// times reads the last purchase and the update time (now when absent).
func (b *rowBuilder) times() {
	c := b.c
	if v := b.one("last_purchase"); v != "" {
		if t, err := parseTime(v); err != nil {
			b.badValue("last_purchase %q: %v", v, err)
		} else {
			c.Purchases.LastPurchase = t
		}
	}
	if v := b.one("updated_at"); v != "" {
		if t, err := parseTime(v); err != nil {
			b.badValue("updated_at %q: %v", v, err)
		} else {
			c.UpdatedAt = t
		}
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = b.r.now().UTC()
	}
}

// consentAndAttributes reads the consent.<name> and attr.<name> fields.
func (b *rowBuilder) consentAndAttributes() {
	c := b.c
	for _, t := range sortedKeys(b.values) {
		v := b.one(t)
		switch {
		case strings.HasPrefix(t, "consent."):
			ok, valid := parseBool(v)
			if !valid {
				b.badValue("%s %q is not yes/no", t, v)
				continue
			}
			if c.Consent == nil {
				c.Consent = map[string]bool{}
			}
			c.Consent[strings.TrimPrefix(t, "consent.")] = ok
		case strings.HasPrefix(t, "attr."):
			if c.Attributes == nil {
				c.Attributes = map[string]string{}
			}
			c.Attributes[strings.TrimPrefix(t, "attr.")] = strings.Join(b.values[t], b.r.cfg.ListSeparator)
		}
	}
}

// number reads a decimal written with a dot or a decimal comma ("1 234,50").
func (r *Reader) number(bad func(string, ...any), field, v string) float64 {
	s := strings.NewReplacer(" ", "", "\u00a0", "", "_", "").Replace(v)
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	} else {
		s = strings.ReplaceAll(s, ",", "")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		bad("%s %q is not a number", field, v)
		return 0
	}
	return f
}

func parseTime(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02", "02.01.2006", "02/01/2006"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("is not a date (YYYY-MM-DD or RFC 3339)")
}

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "y", "tak", "ja", "jā", "sim", "s", "是", "x":
		return true, true
	case "0", "false", "no", "n", "nie", "ne", "nē", "não", "nao", "否", "":
		return false, true
	}
	return false, false
}

// parseHandle reads a handle cell: "platform:handle", "@user@instance"
// (Mastodon) or a profile URL.
func parseHandle(s string) (record.Handle, error) {
	if strings.Contains(s, "://") {
		h, ok := identity.HandleFromURL(s)
		if !ok {
			return record.Handle{}, fmt.Errorf("handle %q is a URL of no known platform", s)
		}
		p, name, _ := strings.Cut(h, ":")
		return record.Handle{Platform: p, Handle: name}, nil
	}
	if p, name, ok := strings.Cut(s, ":"); ok && !strings.Contains(p, "@") {
		if _, err := identity.Handle(p, name); err != nil {
			return record.Handle{}, err
		}
		return record.Handle{Platform: identity.Platform(p), Handle: name}, nil
	}
	if _, err := identity.Handle("", s); err != nil {
		return record.Handle{}, fmt.Errorf("handle %q has no platform (write platform:handle, or @user@instance for Mastodon)", s)
	}
	return record.Handle{Platform: "mastodon", Handle: s}, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// joinStreet puts a house number kept in its own column in front of the
// street, unless the street already carries it.
func joinStreet(number, street string) string {
	switch {
	case number == "":
		return street
	case street == "":
		return number
	case strings.HasPrefix(street, number+" ") || strings.HasSuffix(street, " "+number):
		return street
	}
	return number + " " + street
}
