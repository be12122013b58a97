package alert

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/record"
)

var testSearch = &record.SavedSearch{ID: "s1", Name: "Acme", Query: "acme"}

func testEvaluator(f *fakeIndex) (*Evaluator, Config) {
	cfg := DefaultConfig()
	cfg.Channels = map[string]ChannelConfig{"hook": {Type: ChannelWebhook, URL: "http://127.0.0.1:1/hook"}}
	return NewEvaluator(cfg, f, func(id string) (*record.SavedSearch, bool) { return testSearch, id == testSearch.ID }), cfg
}

// poisson draws a Poisson count (Knuth's method; fine for small means).
func poisson(r *rand.Rand, lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// hourlySeries adds count(h) mentions spread over each hour from start.
func hourlySeries(f *fakeIndex, start time.Time, hours int, count func(h int) int, sentiment func(h, i int) string) {
	for h := range hours {
		n := count(h)
		for i := range n {
			at := start.Add(time.Duration(h)*time.Hour + time.Duration(i)*time.Hour/time.Duration(n+1))
			f.add(mention(at, sentiment(h, i), "acme mention"))
		}
	}
}

// run evaluates rule at every step from..to and returns the notifications.
func run(t *testing.T, e *Evaluator, r *record.AlertRule, from, to time.Time, step time.Duration) []*record.Notification {
	t.Helper()
	var st *record.AlertState
	var out []*record.Notification
	for now := from; !now.After(to); now = now.Add(step) {
		o, err := e.Evaluate(context.Background(), r, st, now)
		if err != nil {
			t.Fatalf("evaluating at %s: %v", now, err)
		}
		out = append(out, o.Notifications...)
		if o.State != nil {
			st = o.State
		}
	}
	return out
}

func neutral(int, int) string { return "neutral" }

func TestSyntheticSpikeFiresOnceAndCooldownHolds(t *testing.T) {
	f := &fakeIndex{}
	e, _ := testEvaluator(f)
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	spikeAt := 8*24 + 10 // hour index of the spike: 9 March 10:00
	hourlySeries(f, start, 10*24, func(h int) int {
		switch h - spikeAt {
		case 0:
			return 160
		case 1, 2: // the spike goes on: the cooldown must keep it to one alert
			return 140
		}
		return poisson(rng, 20)
	}, neutral)
	r := &record.AlertRule{ID: "r1", Name: "acme spike", Kind: record.RuleSpike, SavedSearchID: "s1", Channels: []string{"hook"}}
	// Evaluate every 10 minutes over the two days around the spike.
	ns := run(t, e, r, start.Add(8*24*time.Hour), start.Add(10*24*time.Hour), 10*time.Minute)
	if len(ns) != 1 {
		for _, n := range ns {
			t.Logf("fired: %s: %s", n.Title, n.Reason)
		}
		t.Fatalf("want exactly one notification, got %d", len(ns))
	}
	n := ns[0]
	ws := start.Add(time.Duration(spikeAt) * time.Hour)
	if !n.Spike.WindowStart.Equal(ws) || n.Spike.Count != 160 {
		t.Errorf("fired for window %s with %d mentions, want %s with 160", n.Spike.WindowStart, n.Spike.Count, ws)
	}
	if n.Spike.Baseline < 15 || n.Spike.Baseline > 25 || n.Spike.Sigma <= 0 || n.Spike.Threshold <= n.Spike.Baseline {
		t.Errorf("implausible evidence: %+v", n.Spike)
	}
	if n.Spike.Windows != 168 {
		t.Errorf("baseline over %d windows, want 168 (7 days of hours)", n.Spike.Windows)
	}
	if len(n.Mentions) != DefaultConfig().Defaults.TopMentions || !strings.Contains(n.Reason, "σ") {
		t.Errorf("want top mentions and a reason with σ, got %d mentions, reason %q", len(n.Mentions), n.Reason)
	}
	if n.ID != record.NotificationID("r1", "spike:"+ws.Format(time.RFC3339)) {
		t.Errorf("notification id %s is not derived from rule and window", n.ID)
	}
	if !strings.Contains(n.Link, "/dashboard?") || !strings.Contains(n.Link, "search=s1") {
		t.Errorf("link %q does not lead to the dashboard of the search", n.Link)
	}
}

func TestSpikeAfterCooldownFiresAgain(t *testing.T) {
	f := &fakeIndex{}
	e, _ := testEvaluator(f)
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	first, second := 8*24+2, 8*24+12 // 10 hours apart; cooldown is 6h
	hourlySeries(f, start, 9*24, func(h int) int {
		if h == first || h == second {
			return 150
		}
		return 20
	}, neutral)
	r := &record.AlertRule{ID: "r2", Name: "x", Kind: record.RuleSpike, SavedSearchID: "s1", Channels: []string{"hook"}}
	ns := run(t, e, r, start.Add(8*24*time.Hour), start.Add(9*24*time.Hour), time.Hour)
	if len(ns) != 2 {
		t.Fatalf("want two notifications (spikes 10h apart, cooldown 6h), got %d", len(ns))
	}
}

func TestFlatNoisySeriesNeverFiresOverAMonth(t *testing.T) {
	for _, lambda := range []float64{50, 120} {
		f := &fakeIndex{}
		e, _ := testEvaluator(f)
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		rng := rand.New(rand.NewPCG(uint64(lambda), 7))
		days := 7 + 30
		hourlySeries(f, start, days*24, func(int) int { return poisson(rng, lambda) }, neutral)
		for _, metric := range []string{record.MetricVolume} {
			r := &record.AlertRule{ID: "flat", Name: "flat", Kind: record.RuleSpike, SavedSearchID: "s1", Channels: []string{"hook"},
				Spike: &record.SpikeParams{Metric: metric}}
			ns := run(t, e, r, start.Add(7*24*time.Hour), start.Add(time.Duration(days)*24*time.Hour), time.Hour)
			for _, n := range ns {
				t.Errorf("λ=%v: fired on noise: %s (%s)", lambda, n.Title, n.Reason)
			}
		}
	}
}

func TestNegativeShareSpike(t *testing.T) {
	f := &fakeIndex{}
	e, _ := testEvaluator(f)
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	spikeAt := 8*24 + 5
	rng := rand.New(rand.NewPCG(3, 4))
	hourlySeries(f, start, 9*24, func(int) int { return 40 }, func(h, i int) string {
		if h == spikeAt && i < 30 {
			return "negative"
		}
		if rng.IntN(10) == 0 {
			return "negative"
		}
		return "positive"
	})
	r := &record.AlertRule{ID: "neg", Name: "neg", Kind: record.RuleSpike, SavedSearchID: "s1", Channels: []string{"hook"},
		Spike: &record.SpikeParams{Metric: record.MetricNegativeShare}}
	ns := run(t, e, r, start.Add(8*24*time.Hour), start.Add(9*24*time.Hour), time.Hour)
	if len(ns) != 1 {
		t.Fatalf("want one negative-share alert, got %d", len(ns))
	}
	if s := ns[0].Spike; s.Observed < 0.7 || s.Baseline > 0.2 {
		t.Errorf("observed %.2f baseline %.2f; want ≥0.7 against ≈0.1", s.Observed, s.Baseline)
	}
	for _, m := range ns[0].Mentions {
		if m.Sentiment != "negative" {
			t.Errorf("top mention of a negative spike is %s", m.Sentiment)
		}
	}
}

func TestMatchRuleBatchesABurstIntoOneMessage(t *testing.T) {
	f := &fakeIndex{}
	e, cfg := testEvaluator(f)
	r := &record.AlertRule{ID: "m1", Name: "competitor", Kind: record.RuleMatch, SavedSearchID: "s1", Channels: []string{"hook"}}
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	o, err := e.Evaluate(context.Background(), r, nil, t0)
	if err != nil || len(o.Notifications) != 0 || o.State == nil {
		t.Fatalf("first evaluation must only start watching: %v %+v", err, o)
	}
	st := o.State
	// A burst of 100 mentions within one interval.
	for i := range 100 {
		f.add(mention(t0.Add(time.Minute+time.Duration(i)*time.Second), "negative", "burst"))
	}
	var ns []*record.Notification
	for now := t0.Add(time.Minute); now.Before(t0.Add(30 * time.Minute)); now = now.Add(30 * time.Second) {
		o, err := e.Evaluate(context.Background(), r, st, now)
		if err != nil {
			t.Fatal(err)
		}
		ns = append(ns, o.Notifications...)
		if o.State != nil {
			st = o.State
		}
	}
	if len(ns) != 1 {
		t.Fatalf("want the burst as one message, got %d", len(ns))
	}
	if ns[0].MentionCount != 100 || len(ns[0].Mentions) != 10 {
		t.Errorf("message counts %d mentions and shows %d; want 100 and 10", ns[0].MentionCount, len(ns[0].Mentions))
	}
	if !strings.HasPrefix(ns[0].Title, "100 new mentions") {
		t.Errorf("title %q", ns[0].Title)
	}
	// A late mention (created before the last interval, indexed after it)
	// is sent in the next batch, and nothing is sent twice.
	late := mention(st.EvaluatedUntil.Add(-cfg.Lateness/2), "neutral", "late")
	f.add(late)
	o, err = e.Evaluate(context.Background(), r, st, st.EvaluatedUntil.Add(cfg.Defaults.MatchInterval))
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Notifications) != 1 || o.Notifications[0].MentionCount != 1 || o.Notifications[0].Mentions[0].ID != late.ID {
		t.Fatalf("want the late mention alone in the next batch, got %+v", o.Notifications)
	}
}

func TestQuietHoursHoldUntilTheyEnd(t *testing.T) {
	q, err := parseQuiet(&record.QuietHours{From: "22:00", To: "07:00", Timezone: "Europe/Warsaw"}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 1, 21, 30, 0, 0, time.UTC) // 23:30 in Warsaw (CEST)
	want := time.Date(2026, 6, 2, 5, 0, 0, 0, time.UTC) // 07:00 in Warsaw
	if got := q.until(at); !got.Equal(want) {
		t.Errorf("until(%s) = %s, want %s", at, got, want)
	}
	if got := q.until(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)); !got.IsZero() {
		t.Errorf("noon is not quiet, got %s", got)
	}
}

func TestResolveRejectsBadRules(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Channels = map[string]ChannelConfig{"hook": {Type: ChannelWebhook, URL: "http://x"}}
	for name, r := range map[string]*record.AlertRule{
		"no name":         {Kind: record.RuleMatch, SavedSearchID: "s", Channels: []string{"hook"}},
		"unknown channel": {Name: "x", Kind: record.RuleMatch, SavedSearchID: "s", Channels: []string{"pager"}},
		"bad kind":        {Name: "x", Kind: "panic", Channels: []string{"hook"}},
		"odd window":      {Name: "x", Kind: record.RuleSpike, SavedSearchID: "s", Channels: []string{"hook"}, Spike: &record.SpikeParams{Window: "90m"}},
		"spike no search": {Name: "x", Kind: record.RuleSpike, Channels: []string{"hook"}},
		"params mismatch": {Name: "x", Kind: record.RuleMatch, SavedSearchID: "s", Channels: []string{"hook"}, Spike: &record.SpikeParams{}},
		"bad quiet hours": {Name: "x", Kind: record.RuleProspect, Channels: []string{"hook"}, QuietHours: &record.QuietHours{From: "25:00", To: "07:00"}},
		"bad recipient":   {Name: "x", Kind: record.RuleProspect, Channels: []string{"hook"}, Recipients: []string{"not an address"}},
	} {
		if _, err := Resolve(cfg, r); err == nil {
			t.Errorf("%s: accepted", name)
		} else if _, ok := err.(*ValidationError); !ok {
			t.Errorf("%s: error %v is not a ValidationError", name, err)
		}
	}
}

func TestDigestIsDueOncePerPeriod(t *testing.T) {
	f := &fakeIndex{}
	e, _ := testEvaluator(f)
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // a Monday
	hourlySeries(f, start.AddDate(0, 0, -14), 22*24, func(int) int { return 3 }, neutral)
	r := &record.AlertRule{ID: "d1", Name: "weekly", Kind: record.RuleDigest, SavedSearchID: "s1", Channels: []string{"hook"},
		Digest: &record.DigestParams{Period: record.PeriodWeekly, Hour: 8, Weekday: "monday"}}
	ns := run(t, e, r, start.Add(9*time.Hour), start.AddDate(0, 0, 7).Add(9*time.Hour), time.Hour)
	if len(ns) != 1 {
		t.Fatalf("want one digest in a week and a bit, got %d", len(ns))
	}
	d := ns[0].Digest
	if d.Volume != 7*24*3 || len(d.Series) != 8 {
		t.Errorf("digest volume %d over %d days; want %d over the 8 days the week touches", d.Volume, len(d.Series), 7*24*3)
	}
}
