package mastodon

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/connectors"
	"github.com/earshothq/earshot/record"
)

// Of everyone posting under the watched hashtag, only those who opted into
// discovery or search are collected; noindex, bot and #nobot/#noindex
// authors are not, unless they address the brand account.
func TestConsentSkipsAuthorsWhoDidNotOptIn(t *testing.T) {
	f := newFakeMastodon(t)
	f.setAccount("quiet", func(a *fakeAccount) { a.discoverable, a.indexable = false, false })
	f.setAccount("searchonly", func(a *fakeAccount) { a.discoverable = false })
	f.setAccount("hidden", func(a *fakeAccount) { a.noindex = true })
	f.setAccount("robot", func(a *fakeAccount) { a.bot = true })
	f.setAccount("tagged", func(a *fakeAccount) {
		a.note = `<p>Person. <a href="https://social.example/tags/nobot" class="mention hashtag" rel="tag">#<span>NoBot</span></a></p>`
	})
	f.setAccount("plain", func(a *fakeAccount) { a.note = "<p>I like #nobotanicals and #noindexing cards</p>" })
	reg := prometheus.NewRegistry()
	cfg := testConfig(f, func(s *Server) { s.BrandAccount = "@Earshot" })
	c := newTest(t, cfg, connectors.Deps{Registerer: reg})
	start(t, c)
	waitCaughtUp(t, f, c, 1)

	pub := func(author, text string, mention bool) *fakeStatus {
		return f.publish(post{author: author, html: "<p>" + text + " #earshot</p>", tags: []string{"earshot"}, lang: "en", mention: mention})
	}
	ola := pub("ola", "opted in by default in the fake", false)
	searchOnly := pub("searchonly", "indexable but not discoverable", false)
	plain := pub("plain", "tags that only start like opt-outs", false)
	pub("quiet", "not discoverable, not indexable", false)
	pub("hidden", "noindex", false)
	pub("robot", "a bot", false)
	pub("tagged", "#nobot in the profile", false)
	toBrand := []*fakeStatus{pub("quiet", "@earshot help please", true), pub("robot", "@earshot automated report", true),
		pub("tagged", "@earshot a question", true)}

	got := readN(t, c, 6)
	sameSet(t, sourceIDs(got), uris(append([]*fakeStatus{ola, searchOnly, plain}, toBrand...)...))
	expectNothing(t, c, 300*time.Millisecond)
	for _, m := range got {
		if m.Consent == nil || !m.Consent.NoProspect || m.Consent.Basis != "legitimate_interest" {
			t.Errorf("record %s: consent %+v, want legitimate interest and no prospect", m.SourceID, m.Consent)
		}
	}
	for reason, want := range map[string]float64{"not_opted_in": 1, "noindex": 1, "bot": 1, "opt_out_tag": 1} {
		if n := counter(t, reg, "earshot_mastodon_consent_skipped_total", "reason", reason); n != want {
			t.Errorf("consent_skipped_total{reason=%q} = %v, want %v", reason, n, want)
		}
	}
	// One lookup per author, not per post.
	lookups := 0
	for _, r := range f.seen() {
		if strings.HasPrefix(r.path, "/api/v1/accounts/") && !strings.HasSuffix(r.path, "/statuses") {
			lookups++
		}
	}
	if lookups == 0 || lookups > 5 {
		t.Errorf("%d account lookups for 5 unaddressed authors", lookups)
	}
}

// With the rules switched off (each its own key) everybody is collected,
// and prospects may be made of the authors.
func TestConsentRulesAreEachOneKey(t *testing.T) {
	f := newFakeMastodon(t)
	f.setAccount("quiet", func(a *fakeAccount) { a.discoverable, a.indexable = false, false })
	f.setAccount("robot", func(a *fakeAccount) { a.bot = true })
	f.setAccount("hidden", func(a *fakeAccount) { a.noindex = true })
	cfg := testConfig(f, nil)
	cfg.Consent.RequireOptIn, cfg.Consent.SkipBots, cfg.Consent.HonourOptOut, cfg.Consent.Prospects = false, false, false, true
	c := newTest(t, cfg, connectors.Deps{})
	start(t, c)
	waitCaughtUp(t, f, c, 1)
	var sts []*fakeStatus
	for _, a := range []string{"quiet", "robot", "hidden"} {
		sts = append(sts, f.publish(post{author: a, html: "<p>#earshot</p>", tags: []string{"earshot"}}))
	}
	got := readN(t, c, 3)
	sameSet(t, sourceIDs(got), uris(sts...))
	if got[0].Consent.NoProspect {
		t.Error("prospects: true still marks records no_prospect")
	}
	for _, r := range f.seen() {
		if strings.HasPrefix(r.path, "/api/v1/accounts/") && !strings.HasSuffix(r.path, "/statuses") {
			t.Fatalf("account looked up (%s) with every consent rule off", r.path)
		}
	}
}

// An account whose settings cannot be read is not collected (unknown
// consent is no consent).
func TestConsentUnknownAccountIsSkipped(t *testing.T) {
	f := newFakeMastodon(t)
	c := newTest(t, testConfig(f, nil), connectors.Deps{})
	start(t, c)
	waitCaughtUp(t, f, c, 1)
	f.inject(fault{prefix: "/api/v1/accounts/", kind: "malformed"})
	f.publish(post{author: "ola", html: "<p>#earshot one</p>", tags: []string{"earshot"}})
	expectNothing(t, c, 300*time.Millisecond)
	second := f.publish(post{author: "jan", html: "<p>#earshot two</p>", tags: []string{"earshot"}})
	sameSet(t, sourceIDs(readN(t, c, 1)), uris(second))
}

// A delete event on the stream turns into a deletion record of the same
// id and author key; deletions of posts never collected are ignored.
func TestDeleteEventEmitsADeletionRecord(t *testing.T) {
	f := newFakeMastodon(t)
	c := newTest(t, testConfig(f, nil), connectors.Deps{})
	start(t, c)
	waitCaughtUp(t, f, c, 1)
	st := f.publish(post{author: "ola", html: "<p>#earshot soon gone</p>", tags: []string{"earshot"}})
	orig := readN(t, c, 1)[0]
	other := f.publish(post{author: "jan", html: "<p>not watched</p>"})
	f.remove(other, false)
	waitFor(t, "the post to be tracked", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.servers[0].tracked) == 1
	})
	f.remove(st, false)
	del := readN(t, c, 1)[0]
	if !del.Deleted() || del.Deletion.Reason != record.DeletedAtSource {
		t.Fatalf("got %+v, want a deletion", del)
	}
	if del.ID != orig.ID || del.AuthorKey() != orig.AuthorKey() {
		t.Fatalf("deletion id %s key %s, want %s %s", del.ID, del.AuthorKey(), orig.ID, orig.AuthorKey())
	}
	if del.Text != "" || del.Author.Name != "" {
		t.Errorf("the deletion repeats the post: %+v", del)
	}
	expectNothing(t, c, 300*time.Millisecond)
}

// An edit event updates the post in place: the same record id, new text.
func TestEditEventUpdatesThePostInPlace(t *testing.T) {
	f := newFakeMastodon(t)
	c := newTest(t, testConfig(f, nil), connectors.Deps{})
	start(t, c)
	waitCaughtUp(t, f, c, 1)
	st := f.publish(post{author: "ola", html: "<p>#earshot first words</p>", tags: []string{"earshot"}})
	orig := readN(t, c, 1)[0]
	f.edit(st, "<p>#earshot second thoughts</p>", time.Now(), false)
	ed := readN(t, c, 1)[0]
	if ed.ID != orig.ID || !strings.Contains(ed.Text, "second thoughts") || ed.Fields["edited_at"] == "" {
		t.Fatalf("edit: id %s text %q edited_at %q; want id %s and the new text", ed.ID, ed.Text, ed.Fields["edited_at"], orig.ID)
	}
}

// Deletions and edits no stream announced are found by the REST check;
// the tracked posts survive a restart.
func TestChecksFindQuietDeletionsAndEditsAcrossARestart(t *testing.T) {
	f := newFakeMastodon(t)
	store := connectors.NewMemoryCheckpoints()
	cfg := testConfig(f, nil)
	c := newTest(t, cfg, connectors.Deps{Checkpoints: store})
	start(t, c)
	waitCaughtUp(t, f, c, 1)
	a := f.publish(post{author: "ola", html: "<p>#earshot alpha</p>", tags: []string{"earshot"}})
	b := f.publish(post{author: "jan", html: "<p>#earshot beta</p>", tags: []string{"earshot"}})
	first := readN(t, c, 2)
	waitFor(t, "both posts tracked", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.servers[0].tracked) == 2
	})
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	f.remove(a, true)
	f.edit(b, "<p>#earshot beta, corrected</p>", time.Now(), true)
	cfg.Consent.CheckInterval = 50 * time.Millisecond
	c2 := newTest(t, cfg, connectors.Deps{Checkpoints: store})
	start(t, c2)
	got := readN(t, c2, 2)
	byID := map[string]*record.Mention{}
	for _, m := range got {
		byID[m.SourceID] = m
	}
	if d := byID[a.uri()]; d == nil || !d.Deleted() || d.Deletion.Reason != record.DeletedGone {
		t.Fatalf("quietly deleted post: %+v", d)
	}
	if e := byID[b.uri()]; e == nil || e.Deleted() || !strings.Contains(e.Text, "corrected") {
		t.Fatalf("quietly edited post: %+v", e)
	}
	if byID[b.uri()].ID != first[0].ID && byID[b.uri()].ID != first[1].ID {
		t.Fatal("the edit has a new record id")
	}
	expectNothing(t, c2, 300*time.Millisecond)
}

func TestConsentConfigIsValidated(t *testing.T) {
	for src, want := range map[string]string{
		"servers: [{url: 'https://m.example', hashtags: [x]}]\nconsent: {track: 0}":                             "consent.track",
		"servers: [{url: 'https://m.example', hashtags: [x]}]\nconsent: {check_interval: -1s}":                  "consent.check_interval",
		"servers: [{url: 'https://m.example', hashtags: [x]}]\nconsent: {account_ttl: 0s}":                      "consent.account_ttl",
		"servers: [{url: 'https://m.example', hashtags: [x]}]\nconsent: {opt_in: true}":                         "opt_in",
		"servers: [{url: 'https://m.example', hashtags: [x], brand_account: 'a b@c'}]":                          "brand_account",
		"servers: [{url: 'https://m.example', hashtags: [x]}]\nconsent: {check_interval: 1h, check_window: 0s}": "consent.check_window",
	} {
		var node yaml.Node
		if err := yaml.Unmarshal([]byte(src), &node); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		_, err := New(&node, connectors.Deps{Name: "m", Checkpoints: connectors.NewMemoryCheckpoints()})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want it to mention %q", src, err, want)
		}
	}
	d := DefaultConfig().Consent
	if !d.RequireOptIn || !d.SkipBots || !d.HonourOptOut || d.Prospects || !d.Deletions || !d.Edits {
		t.Fatalf("defaults are not the respectful ones: %+v", d)
	}
}

// With a sealer the checkpoint keeps no tracked post's source id or handle
// in plain text; once an author is forgotten their post is no longer
// followed (its quiet deletion makes no record) and the next checkpoint
// drops it, while the other author's post is still followed.
func TestTrackedPostsAreSealedAndForgetDropsThem(t *testing.T) {
	f := newFakeMastodon(t)
	store := connectors.NewMemoryCheckpoints()
	sealer := connectors.NewMemorySealer()
	cfg := testConfig(f, nil)
	c := newTest(t, cfg, connectors.Deps{Checkpoints: store, Sealer: sealer})
	start(t, c)
	waitCaughtUp(t, f, c, 1)
	a := f.publish(post{author: "ola", html: "<p>#earshot alpha</p>", tags: []string{"earshot"}})
	b := f.publish(post{author: "jan", html: "<p>#earshot beta</p>", tags: []string{"earshot"}})
	first := readN(t, c, 2)
	waitFor(t, "both posts tracked", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.servers[0].tracked) == 2
	})
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	key := c.servers[0].checkpointKey()
	raw, _ := store.Load(context.Background(), key)
	if !strings.Contains(string(raw), `"sealed"`) {
		t.Fatalf("the checkpoint keeps no sealed post: %s", raw)
	}
	for _, m := range first {
		for _, trace := range []string{m.Author.Handle, m.SourceID} {
			if strings.Contains(string(raw), trace) {
				t.Fatalf("the checkpoint names %q in plain text", trace)
			}
		}
	}
	var ola *record.Mention
	for _, m := range first {
		if m.SourceID == a.uri() {
			ola = m
		}
	}
	sealer.Forget(ola.AuthorKey())

	f.remove(a, true)
	f.remove(b, true)
	cfg.Consent.CheckInterval = 50 * time.Millisecond
	c2 := newTest(t, cfg, connectors.Deps{Checkpoints: store, Sealer: sealer})
	start(t, c2)
	got := readN(t, c2, 1)
	if got[0].SourceID != b.uri() || !got[0].Deleted() {
		t.Fatalf("got %+v, want the deletion of jan's post", got[0])
	}
	expectNothing(t, c2, 300*time.Millisecond)
	waitFor(t, "a checkpoint without the forgotten post", func() bool {
		raw, _ := store.Load(context.Background(), key)
		var cp checkpoint
		return json.Unmarshal(raw, &cp) == nil && len(cp.Posts) == 0
	})
}
