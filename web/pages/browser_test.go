package pages_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web"
	"github.com/earshothq/earshot/web/auth"
	"github.com/earshothq/earshot/web/pages"
	"github.com/earshothq/earshot/web/pages/pagestest"
	"github.com/earshothq/earshot/web/store"
	"github.com/earshothq/earshot/web/table"
)

// browserPath finds Debian's chromium. With EARSHOT_TEST_BROWSER=1 (CI)
// a missing browser fails the test; locally it skips with a message.
func browserPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("EARSHOT_TEST_BROWSER") == "1" {
		t.Fatal("EARSHOT_TEST_BROWSER=1 but no chromium on PATH (apt-get install chromium)")
	}
	t.Skip("browser tests skipped: chromium is not installed (apt-get install chromium; CI sets EARSHOT_TEST_BROWSER=1)")
	return ""
}

// liveApp is the whole web app as earshot serves it: the gate (sign-in,
// sessions, roles, CSRF), the store over loopback tables and the pages,
// over the seeded embedded index, with pagestest's possible identity
// matches to review.
func liveApp(t *testing.T, b *bleve.Backend, matches *pagestest.Stores) (*httptest.Server, *web.App) {
	t.Helper()
	cfg := web.DefaultConfig()
	cfg.Auth.Argon2 = auth.HashParams{Time: 1, MemoryKiB: 64, Threads: 1}
	loop := table.NewLoopback()
	topics := pipeline.Topics{Prefix: "browser."}
	accounts := auth.NewAccounts(cfg.Auth, loop, topics, nil)
	st := store.New(loop, topics, b, nil)
	loop.Add(accounts.Tables()...)
	loop.Add(st.Tables()...)
	app := &web.App{Accounts: accounts, Throttle: auth.NewThrottle(cfg.Auth.Throttle), Search: b, Store: st,
		Customers: web.CustomersDeps{Publisher: discard{}, Topics: topics}, Reviewer: reviewer{matches.Deps().Matches}}
	srv := web.NewServer(cfg, prometheus.NewRegistry(), nil)
	if err := srv.Mount(app); err != nil {
		t.Fatal(err)
	}
	for name, role := range map[string]auth.Role{"ola": auth.RoleAdmin, "sam": auth.RoleSales} {
		if _, err := accounts.AddUser(context.Background(), name, role, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	t.Cleanup(app.ShutdownPages)
	return ts, app
}

type discard struct{}

// reviewer serves pagestest's possible matches as the identity code
// serves them to the web app.
type reviewer struct{ m pages.MatchReview }

func (r reviewer) Review(ctx context.Context) ([]web.MatchCandidate, error) {
	cs, err := r.m.Review(ctx)
	out := make([]web.MatchCandidate, len(cs))
	for i, c := range cs {
		out[i] = web.MatchCandidate{ProspectID: c.ProspectID, ProspectName: c.ProspectName, Emails: c.Identifiers, CustomerID: c.CustomerID,
			CustomerName: c.CustomerName, Score: c.Score, Evidence: c.Evidence, LastSeen: c.LastSeen}
	}
	return out, err
}

func (r reviewer) Decide(ctx context.Context, prospectID, customerID, verdict, by string) (record.MatchDecision, error) {
	if err := r.m.Decide(ctx, prospectID, customerID, verdict, by); errors.Is(err, pages.ErrNoSuchMatch) {
		return record.MatchDecision{}, web.ErrNoSuchMatch
	} else if err != nil {
		return record.MatchDecision{}, err
	}
	return record.MatchDecision{ProspectID: prospectID, CustomerID: customerID, Verdict: verdict, By: by}, nil
}

func (discard) ProduceSync(context.Context, ...pipeline.Output) error { return nil }

func TestBrowserPages(t *testing.T) {
	exe := browserPath(t)
	b, err := bleve.Open(bleve.Config{InMemory: true}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	if _, err := pagestest.Seed(ctx, b, time.Now()); err != nil {
		t.Fatal(err)
	}
	st := pagestest.NewStores(b)
	srv, _ := liveApp(t, b, st)
	shots := filepath.Join("..", "..", ".testenv", "screenshots")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	// A fresh profile per run. Chromium's helpers may still write to it
	// for a moment after the browser is closed, so removal retries.
	profile, err := os.MkdirTemp("", "earshot-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(1366, 800),
	}
	actx, cancelA := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	bctx, cancelT := context.WithTimeout(bctx, 150*time.Second)
	defer cancelT()
	var mu sync.Mutex
	var dialogs []string
	chromedp.ListenTarget(bctx, func(ev any) {
		if e, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			mu.Lock()
			dialogs = append(dialogs, e.Message)
			mu.Unlock()
			go chromedp.Run(bctx, page.HandleJavaScriptDialog(false))
		}
	})
	run := func(step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(bctx, actions...); err != nil {
			var buf []byte
			_ = chromedp.Run(bctx, chromedp.FullScreenshot(&buf, 100))
			_ = os.WriteFile(filepath.Join(shots, "failed-"+strings.ReplaceAll(step, " ", "-")+".png"), buf, 0o644)
			t.Fatalf("%s: %v", step, err)
		}
	}
	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			// The whole page, and what the reader sees first.
			var full, top []byte
			if err := chromedp.FullScreenshot(&full, 100).Do(ctx); err != nil {
				return err
			}
			if err := chromedp.CaptureScreenshot(&top).Do(ctx); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(shots, name+".png"), full, 0o644); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+"-top.png"), top, 0o644)
		})
	}
	u := srv.URL

	// Sign in.
	run("sign in", chromedp.Navigate(u+"/mentions"), chromedp.WaitVisible("#user", chromedp.ByID),
		chromedp.SendKeys("#user", "ola", chromedp.ByID), chromedp.SendKeys("#password", "correct horse battery", chromedp.ByID),
		chromedp.Click(`button[type="submit"]`, chromedp.ByQuery), chromedp.WaitVisible("#mention-list", chromedp.ByID))
	run("login page", chromedp.Navigate(u+"/login"), shot("laptop-login"), chromedp.Navigate(u+"/mentions"), chromedp.WaitVisible("#mention-list", chromedp.ByID))

	// The attacker's mention renders as text and runs nothing.
	var hostile string
	var imgs int
	run("hostile mention", chromedp.Text("#m-"+pagestest.HostileID+" .text", &hostile, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('.mention .text img, .mention .author img, .mention script').length`, &imgs))
	if !strings.Contains(hostile, `<script>alert("xss")</script>`) || !strings.Contains(hostile, "<img src=x onerror=alert(1)>") || imgs != 0 {
		t.Errorf("hostile mention not shown as text: %q (%d elements)", hostile, imgs)
	}

	// Times are shown in the reader's time zone: the script rewrote every
	// mention's <time>, keeping the server's UTC form as its tooltip.
	var unconverted, converted int
	run("local times", chromedp.Evaluate(`document.querySelectorAll('.mention time[data-local]').length`, &unconverted),
		chromedp.Evaluate(`[...document.querySelectorAll('.mention time')].filter(e => e.title.endsWith('UTC') && e.textContent !== e.title && !isNaN(Date.parse(e.getAttribute('datetime')))).length`, &converted))
	if unconverted != 0 || converted == 0 {
		t.Errorf("mention times: %d left in UTC, %d converted to local time", unconverted, converted)
	}

	// Search and apply a facet.
	run("search", chromedp.SetValue(`input[name="q"]`, "kawa OR coffee OR acme", chromedp.ByQuery),
		chromedp.Submit(`form.search`, chromedp.ByQuery), chromedp.WaitVisible(`[data-facet="language"] a[data-value="pl"]`, chromedp.ByQuery),
		chromedp.Click(`[data-facet="language"] a[data-value="pl"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-facet="language"] a.active[data-value="pl"]`, chromedp.ByQuery))
	var langs []string
	var loc string
	run("facet applied", chromedp.Evaluate(`[...document.querySelectorAll('.mention .lang')].map(e => e.textContent)`, &langs), chromedp.Location(&loc))
	if len(langs) == 0 || !strings.Contains(loc, "filter=language") {
		t.Errorf("facet not applied: %s, %v", loc, langs)
	}
	for _, l := range langs {
		if l != "pl" {
			t.Errorf("a %q mention under the pl facet", l)
		}
	}

	// Correct a sentiment and see the facet count change without reload.
	negCount := `(document.querySelector('[data-facet="sentiment"] a[data-value="negative"] .n')||{dataset:{count:"0"}}).dataset.count`
	var before string
	run("read facet", chromedp.Navigate(u+"/mentions"), chromedp.WaitVisible("#m-"+pagestest.HostileID, chromedp.ByID),
		chromedp.Evaluate(negCount, &before))
	run("correct sentiment", chromedp.Click(`#m-`+pagestest.HostileID+` button[value="negative"]`, chromedp.ByQuery),
		chromedp.Poll(negCount+` !== "`+before+`"`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.WaitVisible(`#m-`+pagestest.HostileID+` .badge[data-sentiment="negative"]`, chromedp.ByQuery))

	// The live stream brings a new mention without a reload.
	if _, err := pagestest.SeedOne(ctx, b, "m-live", "Świeża wzmianka o Acme na żywo", time.Now()); err != nil {
		t.Fatal(err)
	}
	run("live stream", chromedp.WaitVisible("#m-m-live", chromedp.ByID))

	// Open a prospect, change its stage, see it in the profile.
	run("prospect", chromedp.Navigate(u+"/prospects"), chromedp.Click(`#p-`+pagestest.ProspectID+` a.name`, chromedp.ByQuery),
		chromedp.WaitVisible("#stage-panel", chromedp.ByID),
		chromedp.Click(`#stage-panel button[value="qualified"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#stage-panel .history li[data-to="qualified"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#stage-panel .current-stage [data-stage="qualified"]`, chromedp.ByQuery))
	run("stage survives reload", chromedp.Reload(), chromedp.WaitVisible(`#stage-panel .history li[data-to="qualified"]`, chromedp.ByQuery))

	// Dashboard charts render.
	var bars, volumeSVG int
	run("dashboard", chromedp.Navigate(u+"/dashboard"), chromedp.WaitVisible("svg.chart-volume", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('svg.chart-volume rect').length`, &bars),
		chromedp.Evaluate(`Math.round(document.querySelector('svg.chart-volume').getBoundingClientRect().height)`, &volumeSVG))
	if bars < 10 || volumeSVG < 100 {
		t.Errorf("volume chart: %d bars, %d px high", bars, volumeSVG)
	}

	// Switch the interface to Polish.
	var nav string
	run("polish", chromedp.Click("details.langs summary", chromedp.ByQuery), chromedp.Click(`details.langs a[lang="pl"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`html[lang="pl"]`, chromedp.ByQuery), chromedp.Text(`header.top nav`, &nav, chromedp.ByQuery))
	if !strings.Contains(nav, "Wzmianki") || !strings.Contains(nav, "Pulpit") {
		t.Errorf("nav not Polish: %q", nav)
	}
	run("polish sticks", chromedp.Navigate(u+"/prospects"), chromedp.WaitVisible(`html[lang="pl"]`, chromedp.ByQuery))

	// Screenshots at laptop and phone widths, English, for people to look
	// at; the pages with charts also at a tablet's, a small laptop's and a
	// width between phone and tablet, where a chart's text is checked too.
	for _, size := range []struct {
		name       string
		w, h       int64
		chartsOnly bool
	}{{"laptop", 1366, 800, false}, {"phone", 390, 844, false}, {"tablet", 768, 1024, true}, {"small-laptop", 1024, 768, true}, {"phablet", 600, 900, true}} {
		run("viewport", chromedp.EmulateViewport(size.w, size.h))
		for _, pg := range []struct{ name, path string }{
			{"mentions", "/mentions?lang=en"}, {"dashboard", "/dashboard"}, {"prospects", "/prospects"},
			{"profile", "/people/prospect:" + pagestest.ProspectID}, {"customer", "/people/customer:" + pagestest.CustomerID},
			{"prospects-qualified", "/prospects?stage=qualified"}, {"prospects-no-owner", "/prospects?owner=nobody"},
			{"feedback", "/feedback?q=delivery"}, {"admin", "/admin"}, {"empty", "/mentions?q=zzzznothing"},
			{"error", "/mentions?q=kawa+AND+(dostawa"}, {"mentions-pl", "/mentions?lang=pl"}, {"dashboard-zh", "/dashboard?lang=zh"},
			{"matches", "/matches?lang=en"}, {"account", "/account"},
		} {
			if size.chartsOnly && !strings.Contains(pg.name, "dashboard") && pg.name != "profile" && pg.name != "customer" {
				continue
			}
			run("screenshot "+pg.name, chromedp.Navigate(u+pg.path), chromedp.WaitReady("main", chromedp.ByQuery), shot(size.name+"-"+pg.name))
			checkChartText(t, size.name+" "+pg.name, func(js string, out any) { run("chart text "+pg.name, chromedp.Evaluate(js, out)) })
		}
		run("reset language", chromedp.Navigate(u+"/mentions?lang=en"))
	}

	// Merging asks first; declining the question records nothing.
	run("merge asks", chromedp.Navigate(u+"/matches"), chromedp.WaitVisible(`article[data-prospect="p-mallory"]`, chromedp.ByQuery),
		chromedp.Click(`article[data-prospect="`+pagestest.ProspectID+`"] button[value="confirm"]`, chromedp.ByQuery))
	asked := false
	for deadline := time.Now().Add(5 * time.Second); !asked && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		asked = len(dialogs) == 1 && strings.Contains(dialogs[0], "Merge this prospect")
		mu.Unlock()
	}
	if !asked {
		t.Errorf("merging did not ask first")
	}
	mu.Lock()
	dialogs = nil // the question asked on purpose
	mu.Unlock()
	// Keep a possible match apart: the candidate gives way to a line
	// saying what was recorded, without a reload.
	run("match verdict", chromedp.Navigate(u+"/matches"), chromedp.WaitVisible(`article[data-prospect="p-mallory"]`, chromedp.ByQuery),
		chromedp.Click(`article[data-prospect="p-mallory"] button[value="reject"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`p.match.decided`, chromedp.ByQuery))
	if got := st.MatchDecisions(); len(got) != 1 || !strings.HasPrefix(got[0], "p-mallory "+pagestest.CustomerID+" reject") {
		t.Errorf("match verdicts recorded: %q", got)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(dialogs) > 0 {
		t.Errorf("a script ran and opened dialogs: %q", dialogs)
	}
	if errors.Is(bctx.Err(), context.DeadlineExceeded) {
		t.Error("browser test ran out of time")
	}
}

// chartText measures the charts on the page as shown: how many frames
// there are, how many show other than exactly one drawing, and the
// smallest and largest text in the shown drawings, in CSS pixels (the
// font size times the drawing's scale to its frame).
const chartText = `(() => {
  const out = {frames: 0, badFrames: 0, minPx: 1000, maxPx: 0, smallest: "", largest: ""};
  for (const f of document.querySelectorAll('.chart-frame')) {
    out.frames++;
    const shown = [...f.querySelectorAll('svg.chart')].filter(s => s.getClientRects().length > 0);
    if (shown.length !== 1) { out.badFrames++; continue; }
    const svg = shown[0];
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('text')) {
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (px < out.minPx) { out.minPx = px; out.smallest = t.textContent; }
      if (px > out.maxPx) { out.maxPx = px; out.largest = t.textContent; }
    }
  }
  return out;
})()`

// checkChartText fails when a chart on the page shows no drawing or both,
// or when its text is too small to read or oddly large: each chart is
// drawn for a wide and a narrow frame so that it reads on a laptop and on
// a phone.
func checkChartText(t *testing.T, page string, eval func(js string, out any)) {
	t.Helper()
	var got struct {
		Frames, BadFrames int
		MinPx, MaxPx      float64
		Smallest, Largest string
	}
	eval(chartText, &got)
	if got.Frames == 0 {
		return
	}
	t.Logf("%s: %d charts, text %.1f–%.1f px", page, got.Frames, got.MinPx, got.MaxPx)
	if got.BadFrames > 0 {
		t.Errorf("%s: %d of %d charts show no drawing or both", page, got.BadFrames, got.Frames)
	}
	if got.MinPx < 10 || got.MaxPx > 18 {
		t.Errorf("%s: chart text from %.1f px (%q) to %.1f px (%q); want 10–18 px", page, got.MinPx, got.Smallest, got.MaxPx, got.Largest)
	}
}
