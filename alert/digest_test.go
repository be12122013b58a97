package alert

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/index/synth"
	"github.com/earshothq/earshot/record"
)

// testWeek is the week the digest artifact covers (Monday to Monday).
var testWeek = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// weekIndex is an embedded index holding two weeks of synthetic mentions
// (the test week and the one before) and three prospects.
func weekIndex(t testing.TB) index.Backend {
	t.Helper()
	b, err := bleve.Open(bleve.Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	ctx := context.Background()
	if err := b.EnsureSchema(ctx); err != nil {
		t.Fatal(err)
	}
	g := synth.New(synth.Config{Seed: 42, Start: testWeek.AddDate(0, 0, -7), Span: 14 * 24 * time.Hour, Count: 3000})
	ms := g.Batch(3000)
	// The test week grows: an extra evening of complaints on Thursday.
	for i, m := range g.Batch(300) {
		m.CreatedAt = testWeek.AddDate(0, 0, 3).Add(17*time.Hour + time.Duration(i)*10*time.Second)
		m.Analysis.Sentiment = &record.Sentiment{Label: record.SentimentNegative, Score: -0.8}
		ms = append(ms, m)
	}
	for i, err := range b.UpsertMentions(ctx, ms) {
		if err != nil {
			t.Fatalf("mention %d: %v", i, err)
		}
	}
	var ps []*index.Profile
	for i, p := range []*record.Prospect{
		{ID: "p-ana", Name: "Ana Souza", Company: "Loja Verde", Score: 0.91, Status: "new"},
		{ID: "p-janis", Name: "Jānis Bērziņš", Score: 0.74, Status: "new"},
		{ID: "p-li", Name: "李伟", Company: "上海贸易", Score: 0.66, Status: "new"},
		{ID: "p-old", Name: "Old Lead", Score: 0.95, Status: "new"},
	} {
		p.FirstSeen = testWeek.Add(time.Duration(24*i+5) * time.Hour)
		if p.ID == "p-old" {
			p.FirstSeen = testWeek.AddDate(0, 0, -20)
		}
		p.LastSeen = p.FirstSeen.Add(time.Hour)
		ps = append(ps, index.ProspectProfile(p))
	}
	for _, err := range b.UpsertProfiles(ctx, ps) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	return b
}

func digestNotification(t testing.TB) *record.Notification {
	t.Helper()
	cfg := DefaultConfig()
	b := weekIndex(t)
	d, err := BuildDigest(context.Background(), b, cfg, nil, record.PeriodWeekly, testWeek, testWeek.AddDate(0, 0, 7))
	if err != nil {
		t.Fatal(err)
	}
	r := &record.AlertRule{ID: "digest-rule", Name: "Monday digest", Kind: record.RuleDigest, Channels: []string{"mail"}}
	n := DigestNotification(cfg, r, nil, d)
	n.CreatedAt = testWeek.AddDate(0, 0, 7).Add(8 * time.Hour)
	return n
}

// TestDigestForATestWeek renders the digest of a synthetic week and keeps
// it as a CI artifact under .testenv/alerts: the HTML (charts inlined), the
// chart PNGs, the e-mail as sent, and a screenshot when chromium is there.
func TestDigestForATestWeek(t *testing.T) {
	n := digestNotification(t)
	d := n.Digest
	if d.Volume <= d.PreviousTotal || d.Volume < 1500 {
		t.Errorf("volume %d against %d: the test week has an extra evening and must be larger", d.Volume, d.PreviousTotal)
	}
	if len(d.Series) != 7 || len(d.PrevSeries) != 7 {
		t.Errorf("want 7 days in both series, got %d and %d", len(d.Series), len(d.PrevSeries))
	}
	if thu := d.Series[3]; thu.Sentiment[record.SentimentNegative] < 300 {
		t.Errorf("Thursday's extra complaints missing: %+v", thu)
	}
	if len(d.TopMentions) == 0 || len(d.TopAspects) == 0 {
		t.Errorf("no top mentions (%d) or aspects (%d)", len(d.TopMentions), len(d.TopAspects))
	}
	for _, a := range d.TopAspects {
		if a.Positive+a.Negative == 0 {
			t.Errorf("aspect %s has no sentiment counts", a.Name)
		}
	}
	if len(d.Prospects) != 3 || d.Prospects[0].Name != "Ana Souza" {
		t.Errorf("want the three prospects first seen this week, best first; got %+v", d.Prospects)
	}
	r, err := Render(n)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Images) != 2 {
		t.Fatalf("want 2 chart images, got %d", len(r.Images))
	}
	for _, img := range r.Images {
		cfg, err := png.DecodeConfig(bytes.NewReader(img.PNG))
		if err != nil || cfg.Width != 640 {
			t.Errorf("%s: not a 640 px wide PNG: %v %+v", img.Name, err, cfg)
		}
		if !strings.Contains(r.HTML, `src="cid:`+img.ContentID+`"`) {
			t.Errorf("HTML does not show %s", img.Name)
		}
	}
	for _, want := range []string{"Ana Souza", "Jānis Bērziņš", "李伟", "Top aspects", "previous"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if !strings.Contains(r.Text, "New prospects: 3") || !strings.Contains(r.Text, "Mentions:") {
		t.Errorf("text part:\n%s", r.Text)
	}
	msg, err := BuildMessage("Earshot <alerts@earshot.test>", []string{"team@example.com"}, n.ID, n.CreatedAt, r)
	if err != nil {
		t.Fatal(err)
	}
	dir := artifactDir(t)
	standalone, err := RenderStandalone(n)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"digest.html": []byte(standalone), "digest.eml": msg, "digest.txt": []byte(r.Text)}
	for _, img := range r.Images {
		files["digest-"+img.Name] = img.PNG
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	screenshot(t, filepath.Join(dir, "digest.html"), filepath.Join(dir, "digest-screenshot.png"))
}

// artifactDir is .testenv/alerts at the repository root.
func artifactDir(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", ".testenv", "alerts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshot renders page with headless chromium when it is installed
// (.ci/run installs it); without it the HTML and PNG charts are the artifact.
func screenshot(t *testing.T, page, out string) {
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Log("no chromium: digest screenshot not taken")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	abs, _ := filepath.Abs(page)
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--user-data-dir="+t.TempDir(), "--window-size=720,1900", "--screenshot="+out, "file://"+abs)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium screenshot: %v\n%s", err, b)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if cfg, err := png.DecodeConfig(f); err != nil || cfg.Width < 700 {
		t.Fatalf("screenshot is not a PNG of the page: %v %+v", err, cfg)
	}
}
