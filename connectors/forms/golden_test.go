package forms

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expected files of the golden cases")

// golden is what a golden case produced: the answer and the published record.
type golden struct {
	Status      int             `json:"status"`
	ContentType string          `json:"content_type,omitempty"`
	Location    string          `json:"location,omitempty"`
	Response    json.RawMessage `json:"response,omitempty"`
	Record      json.RawMessage `json:"record,omitempty"`
}

// readGoldenRequest reads a request written as on the wire (LF line ends
// are fine): request line, headers, blank line, body. A Typeform-Signature
// of {{typeform-signature}} is replaced by the body's real signature.
func readGoldenRequest(t *testing.T, path string, typeformSecret string) *http.Request {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(string(raw), "\n\n")
	body = strings.TrimSuffix(body, "\n")
	lines := strings.Split(head, "\n")
	parts := strings.Fields(lines[0])
	if len(parts) != 3 {
		t.Fatalf("%s: bad request line %q", path, lines[0])
	}
	r := httptest.NewRequest(parts[0], parts[1], strings.NewReader(body))
	r.RemoteAddr = "203.0.113.10:40000"
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("%s: bad header line %q", path, l)
		}
		v = strings.TrimSpace(v)
		if v == "{{typeform-signature}}" {
			v = SignTypeform(typeformSecret, []byte(body))
		}
		if strings.EqualFold(k, "Host") {
			r.Host = v
			continue
		}
		r.Header.Add(k, v)
	}
	return r
}

// TestGolden posts every testdata/golden/*.http request to a connector
// configured by testdata/golden/config.yaml and compares the answer and the
// published record with the .json file next to it (go test -update
// rewrites them; review the diff).
func TestGolden(t *testing.T) {
	cfg, err := os.ReadFile("testdata/golden/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	inputs, _ := filepath.Glob("testdata/golden/*.http")
	if len(inputs) == 0 {
		t.Fatal("no golden cases")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".http")
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, string(cfg))
			r := readGoldenRequest(t, in, "golden-typeform-0123456789")
			w := httptest.NewRecorder()
			h.c.Handler().ServeHTTP(w, r)
			got := golden{Status: w.Code, ContentType: w.Header().Get("Content-Type"), Location: w.Header().Get("Location")}
			if strings.Contains(got.ContentType, "json") {
				got.Response = json.RawMessage(w.Body.Bytes())
			}
			if recs := h.records(); len(recs) > 1 {
				t.Fatalf("%d records published", len(recs))
			} else if len(recs) == 1 {
				b, err := json.Marshal(recs[0])
				if err != nil {
					t.Fatal(err)
				}
				got.Record = b
			}
			out, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, out, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			want := strings.TrimSuffix(in, ".http") + ".json"
			if *update {
				if err := os.WriteFile(want, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			exp, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
			}
			if !bytes.Equal(normaliseJSON(t, exp), normaliseJSON(t, pretty.Bytes())) {
				t.Errorf("%s differs from the expected output:\n--- got\n%s\n--- want\n%s", name, pretty.Bytes(), exp)
			}
		})
	}
}

// normaliseJSON re-encodes a document so formatting differences don't count.
func normaliseJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	out, _ := json.Marshal(v)
	return out
}
