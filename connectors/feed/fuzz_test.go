package feed

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/earshothq/earshot/connectors"
	"github.com/mmcdole/gofeed"
)

// FuzzFeed feeds hostile RSS, Atom and JSON feeds through parsing and the
// mapping to records: nothing may panic, and every record that comes out is
// one the pipeline accepts, with a stable identity for its entry.
func FuzzFeed(f *testing.F) {
	for _, glob := range []string{"*.rss", "*.atom", "*.json"} {
		files, _ := filepath.Glob(filepath.Join("testdata", glob))
		for _, p := range files {
			if filepath.Ext(p) == ".json" && bytes.HasSuffix([]byte(p), []byte(".expected.json")) {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(`<rss><channel><item><title><![CDATA[<script>x</script>]]></title><pubDate>Mon, 99 Foo 2024</pubDate><author>@@</author></item></channel></rss>`))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><id></id><content type="html">&lt;b&gt;` + "\xff" + `</content><link href=":"/></entry></feed>`))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":1,"content_html":null,"authors":[{}],"date_published":"x"}]}`))

	c := newTest(f, testConfig(Feed{Name: "fuzz", URL: "http://127.0.0.1/feed"}), connectors.Deps{})
	fd := c.cfg.Feeds[0]
	now := time.Date(2024, 9, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		parsed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
		if err != nil {
			return // refused with an error: the connector reports it and moves on
		}
		for _, it := range oldestFirst(parsed.Items) {
			m, key, _ := c.record(fd, parsed, it, now)
			if m == nil {
				continue
			}
			if err := m.Normalize(); err != nil {
				t.Fatalf("mapped an entry to a record the pipeline refuses: %v (%+v)", err, m)
			}
			again, key2, _ := c.record(fd, parsed, it, now)
			if key != key2 || again.SourceID != m.SourceID {
				t.Fatalf("one entry mapped to two identities: %q vs %q", m.SourceID, again.SourceID)
			}
		}
	})
}
