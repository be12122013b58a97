package forms

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// upload is what is kept of a file part in "metadata" mode: never its content.
type upload struct {
	Field       string
	Filename    string
	ContentType string
	Size        int64
	SHA256      string
}

// Accepted body media types.
const (
	mediaURLEncoded = "application/x-www-form-urlencoded"
	mediaMultipart  = "multipart/form-data"
	mediaJSON       = "application/json"
)

// parseBody reads a submission body of any accepted type into its posted
// fields. The body must already be wrapped in http.MaxBytesReader.
func parseBody(r *http.Request, lim Limits) (url.Values, []upload, *problem) {
	ct := r.Header.Get("Content-Type")
	media, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, nil, errUnsupportedMediaType(ct)
	}
	switch media {
	case mediaURLEncoded:
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, nil, readProblem(err, lim.MaxBodyBytes)
		}
		v, p := parseURLEncoded(body, params["charset"], lim.MaxFields)
		return v, nil, p
	case mediaJSON:
		if cs := params["charset"]; cs != "" && !strings.EqualFold(cs, "utf-8") {
			return nil, nil, errUnsupportedMediaType(ct)
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, nil, readProblem(err, lim.MaxBodyBytes)
		}
		v, p := parseJSON(body, lim.MaxFields)
		return v, nil, p
	case mediaMultipart:
		boundary := params["boundary"]
		if boundary == "" {
			return nil, nil, errMalformed("multipart body without a boundary parameter")
		}
		return parseMultipart(r.Body, boundary, lim)
	}
	return nil, nil, errUnsupportedMediaType(ct)
}

// readProblem classifies a body read error: over the size limit, too slow,
// or broken.
func readProblem(err error, limit int64) *problem {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errBodyTooLarge(limit)
	}
	var ne net.Error
	if errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return errBodyTimeout()
	}
	return errMalformed("reading the body: %v", err)
}

// fieldCounter enforces the field limits shared by the parsers: distinct
// names up to max, values up to 8*max (checkbox groups repeat a name).
type fieldCounter struct {
	max, values int
	names       map[string]struct{}
}

func (c *fieldCounter) add(name string) *problem {
	if c.names == nil {
		c.names = map[string]struct{}{}
	}
	c.names[name] = struct{}{}
	c.values++
	if len(c.names) > c.max || c.values > 8*c.max {
		return errMalformed("more than %d fields", c.max)
	}
	return nil
}

// parseURLEncoded reads an application/x-www-form-urlencoded body. A
// charset other than UTF-8 (old pages post in theirs) is converted.
func parseURLEncoded(body []byte, charset string, maxFields int) (url.Values, *problem) {
	dec, p := charsetDecoder(charset)
	if p != nil {
		return nil, p
	}
	out := url.Values{}
	count := fieldCounter{max: maxFields}
	for pair := range strings.SplitSeq(string(body), "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, errMalformed("field name %q is not valid percent-encoding", truncate(k, 40))
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, errMalformed("field %q: value is not valid percent-encoding", truncate(key, 40))
		}
		if dec != nil {
			if key, err = dec.String(key); err != nil {
				return nil, errMalformed("field name is not valid %s", charset)
			}
			if val, err = dec.String(val); err != nil {
				return nil, errMalformed("field %q: value is not valid %s", truncate(key, 40), charset)
			}
		}
		if p := count.add(key); p != nil {
			return nil, p
		}
		out[key] = append(out[key], val)
	}
	return out, nil
}

// charsetDecoder returns nil for UTF-8 (and no charset), or a decoder.
func charsetDecoder(charset string) (*encoding.Decoder, *problem) {
	if charset == "" {
		return nil, nil
	}
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, newProblem(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported content type",
			fmt.Sprintf("charset %q is not known", charset))
	}
	if enc == unicode.UTF8 {
		return nil, nil
	}
	return enc.NewDecoder(), nil
}

// parseJSON reads a flat JSON object: string, number, boolean or null
// values, or arrays of those (several values of one field). Nested objects
// are refused, and so is a field given twice. A value whose bytes are not
// valid UTF-8 is kept invalid (encoding/json would quietly replace them), so
// the form's validation refuses it by name as it does for other encodings.
func parseJSON(body []byte, maxFields int) (url.Values, *problem) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	// token reads the next token and reports whether its bytes were valid UTF-8.
	token := func() (json.Token, bool, error) {
		start := dec.InputOffset()
		tok, err := dec.Token()
		return tok, utf8.Valid(body[start:dec.InputOffset()]), err
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, errMalformed("body is not JSON: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errMalformed("body must be a JSON object of fields")
	}
	out := url.Values{}
	count := fieldCounter{max: maxFields}
	for dec.More() {
		tok, valid, err := token()
		if err != nil {
			return nil, errMalformed("body is not valid JSON: %v", err)
		}
		key := tok.(string) // object keys are always strings
		if !valid {
			return nil, errMalformed("a field name is not valid UTF-8")
		}
		if _, dup := out[key]; dup {
			return nil, errMalformed("field %q appears twice", truncate(key, 40))
		}
		if p := count.add(key); p != nil {
			return nil, p
		}
		tok, valid, err = token()
		if err != nil {
			return nil, errMalformed("body is not valid JSON: %v", err)
		}
		if d, ok := tok.(json.Delim); ok {
			if d != '[' {
				return nil, errMalformed("field %q: nested objects are not accepted", truncate(key, 40))
			}
			vals := []string{}
			for dec.More() {
				tok, valid, err := token()
				if err != nil {
					return nil, errMalformed("body is not valid JSON: %v", err)
				}
				s, ok := jsonScalar(tok)
				if !ok {
					return nil, errMalformed("field %q: arrays may hold only strings, numbers and booleans", truncate(key, 40))
				}
				if !valid {
					s = invalidUTF8
				}
				if p := count.add(key); p != nil {
					return nil, p
				}
				vals = append(vals, s)
			}
			if _, err := dec.Token(); err != nil { // the closing ]
				return nil, errMalformed("body is not valid JSON: %v", err)
			}
			out[key] = vals
			continue
		}
		if tok == nil {
			out[key] = nil
			continue
		}
		s, _ := jsonScalar(tok)
		if !valid {
			s = invalidUTF8
		}
		out[key] = []string{s}
	}
	if _, err := dec.Token(); err != nil { // the closing }
		return nil, errMalformed("body is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errMalformed("body has data after the JSON object")
	}
	for k, v := range out {
		if v == nil {
			delete(out, k)
		}
	}
	return out, nil
}

// invalidUTF8 stands for a value whose bytes were not valid UTF-8.
const invalidUTF8 = "\xff"

// jsonScalar renders a JSON scalar token as the string a form would post.
func jsonScalar(tok json.Token) (string, bool) {
	switch v := tok.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// parseMultipart reads a multipart/form-data body field by field. File
// parts are refused, or in "metadata" mode hashed and sized (up to the
// upload cap) without keeping their content.
func parseMultipart(body io.Reader, boundary string, lim Limits) (url.Values, []upload, *problem) {
	mr := multipart.NewReader(body, boundary)
	out := url.Values{}
	var uploads []upload
	count := fieldCounter{max: lim.MaxFields}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return out, uploads, nil
		}
		if err != nil {
			return nil, nil, multipartProblem(err, lim.MaxBodyBytes)
		}
		name := part.FormName()
		if name == "" {
			_ = part.Close()
			continue // not a form field (no Content-Disposition: form-data)
		}
		if p := count.add(name); p != nil {
			return nil, nil, p
		}
		if part.FileName() != "" {
			if lim.Uploads != "metadata" {
				return nil, nil, errValidation([]fieldError{{Field: name, Code: "upload_refused", Message: "file uploads are not accepted"}})
			}
			h := sha256.New()
			n, err := io.Copy(h, io.LimitReader(part, lim.MaxUploadBytes+1))
			if err != nil {
				return nil, nil, multipartProblem(err, lim.MaxBodyBytes)
			}
			if n > lim.MaxUploadBytes {
				return nil, nil, errUploadTooLarge(name, lim.MaxUploadBytes)
			}
			uploads = append(uploads, upload{Field: name, Filename: part.FileName(),
				ContentType: part.Header.Get("Content-Type"), Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
			continue
		}
		b, err := io.ReadAll(part)
		if err != nil {
			return nil, nil, multipartProblem(err, lim.MaxBodyBytes)
		}
		out[name] = append(out[name], string(b))
	}
}

func multipartProblem(err error, limit int64) *problem {
	if p := readProblem(err, limit); p.Status != http.StatusBadRequest {
		return p
	}
	return errMalformed("multipart body is malformed: %v", err)
}

// truncate shortens s to n bytes at a rune boundary, for messages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
