package relevance

import (
	"fmt"
	"strings"
	"testing"

	"github.com/earshothq/earshot/record"
)

// mintBrands finds the brand Mint (a bank app that shares its name with
// the herb).
func mintBrands(text string) []string {
	if strings.Contains(strings.ToLower(text), "mint") {
		return []string{"Mint"}
	}
	return nil
}

func corr(i int, field, value, text string) *record.Correction {
	mid := fmt.Sprintf("m%d", i)
	return &record.Correction{ID: record.CorrectionID(mid, field), MentionID: mid, Field: field, Value: value, Text: text, By: "ana"}
}

func trained(t *testing.T) *Filter {
	t.Helper()
	f, err := New(DefaultConfig(), mintBrands)
	if err != nil {
		t.Fatal(err)
	}
	irrelevant := []string{
		"Mint tea with fresh leaves is the best after dinner",
		"A mojito needs fresh mint leaves and lime",
		"Mint chocolate chip ice cream recipe",
		"Growing mint in the garden, the leaves spread everywhere",
		"Peppermint and mint leaves for a cold drink",
	}
	relevant := []string{
		"Mint charged my account twice this month",
		"My Mint account is locked and support is silent",
		"The Mint app transfer took a day",
	}
	for i, s := range irrelevant {
		c := corr(i, record.CorrectRelevance, "irrelevant", s)
		f.ApplyCorrection(c.ID, c)
	}
	for i, s := range relevant {
		c := corr(100+i, record.CorrectSentiment, "negative", s) // corrected, so about the brand
		f.ApplyCorrection(c.ID, c)
	}
	return f
}

func TestLearnedFilterExplains(t *testing.T) {
	f := trained(t)
	d := f.Decide(&record.Mention{ID: "new1"}, "Fresh mint leaves for a lemonade", nil)
	if d == nil || !d.Irrelevant {
		t.Fatalf("decision %+v, want irrelevant", d)
	}
	why := strings.Join(d.Reasons, " ")
	for _, want := range []string{"brand Mint", "5 irrelevant and 3 relevant corrections", `"leaves"`} {
		if !strings.Contains(why, want) {
			t.Errorf("reasons %q lack %q", why, want)
		}
	}
	d = f.Decide(&record.Mention{ID: "new2"}, "Mint app fees on my account went up", nil)
	if d == nil || d.Irrelevant {
		t.Fatalf("decision %+v, want relevant", d)
	}
	// A brand with no learned filter: nothing to say.
	if d := f.Decide(&record.Mention{ID: "new3"}, "Brewly One is great", []string{"Brewly"}); d != nil {
		t.Errorf("decision %+v for a brand without corrections, want nil", d)
	}
}

func TestTooFewCorrectionsDecideNothing(t *testing.T) {
	f, _ := New(DefaultConfig(), mintBrands)
	for i, s := range []string{"mint tea leaves", "fresh mint leaves"} {
		c := corr(i, record.CorrectRelevance, "irrelevant", s)
		f.ApplyCorrection(c.ID, c)
	}
	c := corr(9, record.CorrectRelevance, "relevant", "Mint account locked")
	f.ApplyCorrection(c.ID, c)
	if d := f.Decide(&record.Mention{}, "mint leaves", nil); d != nil {
		t.Errorf("decided %+v from 2 irrelevant corrections (minimum 3)", d)
	}
}

func TestCorrectionUndo(t *testing.T) {
	f := trained(t)
	// Delete the irrelevant corrections: the learned filter falls silent.
	for i := 0; i < 5; i++ {
		id := record.CorrectionID(fmt.Sprintf("m%d", i), record.CorrectRelevance)
		f.ApplyCorrection(id, nil)
	}
	if d := f.Decide(&record.Mention{}, "Fresh mint leaves for a lemonade", nil); d != nil {
		t.Errorf("decision %+v after the corrections were deleted, want nil", d)
	}
	if m := f.models["Mint"]; m.docs[irrelevant] != 0 || len(m.count[irrelevant]) != 0 || m.total[irrelevant] != 0 {
		t.Errorf("counts not undone: %+v", m)
	}
}

func TestCorrectedMentionAndMutes(t *testing.T) {
	f := trained(t)
	d := f.Decide(&record.Mention{ID: "m0"}, "anything", nil)
	if d == nil || !d.Irrelevant || !strings.Contains(d.Reasons[0], "corrected") {
		t.Errorf("corrected mention: %+v", d)
	}
	author := &record.Mention{ID: "x", Source: "mastodon", Author: record.Author{Handle: "@spam@x.social"}}
	f.ApplyMute("a", &record.Mute{Kind: record.MuteAuthor, Value: "spam@x.social", By: "ana", Reason: "bot"})
	f.ApplyMute("s", &record.Mute{Kind: record.MuteSite, Value: "www.recipes.example", By: "ola"})
	f.ApplyMute("c", &record.Mute{Kind: record.MuteSite, Value: "Cooking Blog", By: "ola"})
	d = f.Decide(author, "Mint account is great", nil)
	if d == nil || !d.Irrelevant || d.Reasons[0] != "author spam@x.social muted by ana (bot)" {
		t.Errorf("muted author: %+v", d)
	}
	d = f.Decide(&record.Mention{ID: "y", URL: "https://cakes.recipes.example/mint"}, "Mint account", nil)
	if d == nil || !d.Irrelevant || !strings.Contains(d.Reasons[0], "site www.recipes.example muted by ola") {
		t.Errorf("muted site (subdomain): %+v", d)
	}
	d = f.Decide(&record.Mention{ID: "w", Channel: "cooking blog"}, "Mint account", nil)
	if d == nil || !d.Irrelevant || !strings.Contains(d.Reasons[0], "Cooking Blog") {
		t.Errorf("muted channel: %+v", d)
	}
	f.ApplyMute("a", nil)
	if d := f.Decide(author, "Mint account fees went up", nil); d != nil && d.Irrelevant {
		t.Errorf("unmuted author still filtered: %+v", d)
	}
}

func TestConfigValidate(t *testing.T) {
	if err := (Config{Threshold: 0.4, MinIrrelevant: 0}).Validate(); err == nil ||
		!strings.Contains(err.Error(), "threshold") || !strings.Contains(err.Error(), "min_irrelevant") {
		t.Errorf("err = %v, want both keys named", err)
	}
	if _, err := New(Config{Threshold: 2, MinIrrelevant: 1}, nil); err == nil {
		t.Error("New accepted a bad config")
	}
}
