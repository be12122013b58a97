package htmltext

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Golden cases: testdata/NAME.html is the input, NAME.txt the expected text.
func TestStringGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*.html")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".html")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(strings.TrimSuffix(in, ".html") + ".txt")
			if err != nil {
				t.Fatal(err)
			}
			got := String(string(src), Options{})
			if got != strings.TrimSpace(string(want)) {
				t.Fatalf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestLinkHookRewritesMentions(t *testing.T) {
	in := `<p>hi <span class="h-card"><a href="https://a.example/@ana" class="u-url mention">@<span>ana</span></a></span> see <a href="https://x.example/">site</a></p>`
	got := String(in, Options{Link: func(href, class, text string) string {
		if strings.Contains(class, "mention") && href == "https://a.example/@ana" {
			return "@ana@a.example"
		}
		return text
	}})
	if want := "hi @ana@a.example see site"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
