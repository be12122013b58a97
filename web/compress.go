package web

import (
	"fmt"
	"net/http"

	"github.com/klauspost/compress/gzhttp"
)

// compressedTypes are the answers worth compressing: pages and their
// partial updates, styles and scripts, JSON and exports. An event stream
// is not among them: its events must leave as they are written.
var compressedTypes = []string{
	"text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml",
	"application/json", "application/problem+json", "text/csv", "application/x-ndjson",
}

// compressed answers in gzip or zstd when the client says it accepts
// them (the samples' dashboard, 25 KB of HTML, leaves as 4.2 KB; the
// styles and scripts, 79 KB, as 26 KB). Pages carry the CSRF token
// masked afresh each time (auth.MaskToken), so compressing a page that
// also shows text an attacker chose does not leak the token through the
// page's length (BREACH).
func compressed(next http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(gzhttp.ContentTypes(compressedTypes))
	if err != nil {
		panic(fmt.Sprintf("web: compression options: %v", err)) // constant options above
	}
	return wrap(next)
}
