package webcrawl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// errTooLarge is returned for a page over max_body_bytes.
var errTooLarge = errors.New("page larger than max_body_bytes")

// pageTransport refuses oversized bodies and hands HTML to the parser as
// UTF-8: the encoding is taken, in the HTML standard's order, from the byte
// order mark, the Content-Type charset, a <meta charset> or http-equiv in
// the first 1024 bytes, else guessed (UTF-8 when valid, windows-1252).
type pageTransport struct {
	base    http.RoundTripper
	maxBody int64
}

func (t *pageTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.maxBody {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %s declares %d bytes (limit %d)", errTooLarge, req.URL, resp.ContentLength, t.maxBody)
	}
	body := &limitedBody{rc: resp.Body, left: t.maxBody, url: req.URL.String(), max: t.maxBody, ctx: req.Context()}
	resp.Body = body
	ct := resp.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	isHTML := mt == "text/html" || mt == "application/xhtml+xml" || (ct == "" && resp.StatusCode == http.StatusOK)
	if !isHTML {
		return resp, nil
	}
	if mt == "" {
		mt = "text/html"
	}
	resp.Body = &decodingBody{src: body, contentType: ct}
	resp.Header = resp.Header.Clone()
	resp.Header.Set("Content-Type", mt+"; charset=utf-8")
	resp.Header.Del("Content-Length")
	resp.ContentLength = -1
	return resp, nil
}

// decodingBody decodes to UTF-8 on the fly. The encoding is determined at
// the first Read (not in RoundTrip, which must not block on a slow body).
type decodingBody struct {
	src         *limitedBody
	contentType string
	r           io.Reader
}

func (d *decodingBody) Read(p []byte) (int, error) {
	if d.r == nil {
		br := bufio.NewReaderSize(d.src, 4096)
		head, _ := br.Peek(1024) // fewer bytes at EOF; errors surface on Read
		enc, name, _ := charset.DetermineEncoding(head, d.contentType)
		if name == "utf-8" {
			d.r = transform.NewReader(br, unicode.UTF8BOM.NewDecoder()) // drops a BOM, replaces invalid bytes
		} else {
			d.r = transform.NewReader(br, enc.NewDecoder())
		}
	}
	return d.r.Read(p)
}

func (d *decodingBody) Close() error { return d.src.Close() }

// limitedBody fails once more than max bytes were read. A read cut by the
// request's deadline says so (the client's own timeout marking races with
// the connection being closed).
type limitedBody struct {
	rc   io.ReadCloser
	left int64
	max  int64
	url  string
	ctx  context.Context
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, fmt.Errorf("%w: %s (limit %d)", errTooLarge, b.url, b.max)
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, fmt.Errorf("%w: %s (limit %d)", errTooLarge, b.url, b.max)
	}
	if err != nil && err != io.EOF && b.ctx.Err() != nil {
		err = fmt.Errorf("reading %s: %w (%v)", b.url, b.ctx.Err(), err)
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
