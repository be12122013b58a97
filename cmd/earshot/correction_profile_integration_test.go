package main

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/enrich/identity"
)

// A correction made in the web app reaches the profile of a prolific
// person: `earshot run` keeps such a person's mentions in the index
// stage's profile cache, and the web app writes the correction to the
// index itself, so the stage follows the corrections topic to correct its
// cached copy too. Without that the profile would show the old intent
// until the cache entry expired (ten minutes).
func TestIntegrationCorrectionReachesACachedProfile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	h := startRunWithContactForm(t)
	api, logs := h.api, h.logs
	client, csrf := signInCSRF(t, api, adminPassword(t, logs))
	profileID := "prospect:" + identity.ProspectID("email:ola@example.pl")
	var profile struct {
		MentionCount int      `json:"mention_count"`
		Intents      []string `json:"intents"`
	}
	profileHas := func(n int) bool {
		return getJSON(client, api+"/api/profiles/"+profileID, &profile) && profile.MentionCount == n
	}
	send := func(n int) {
		t.Helper()
		postForm(t, api+"/f/contact", fmt.Sprintf(`{"email":"ola@example.pl","message":"Notatka numer %d z wczorajszego spotkania."}`, n))
		waitFor(t, fmt.Sprintf("the profile with %d mentions", n), 60*time.Second, logs, func() bool { return profileHas(n) })
	}
	// Six forms, one at a time: from the fifth on, the stage keeps her
	// mentions for her profile's rebuilds.
	for n := 1; n <= 6; n++ {
		send(n)
	}
	if slices.Contains(profile.Intents, "buying") {
		t.Fatalf("the profile has buying intent before any correction: %v", profile.Intents)
	}
	var res struct {
		Hits []struct {
			ID string `json:"id"`
		} `json:"hits"`
	}
	if !getJSON(client, api+"/api/search?q="+url.QueryEscape(`"numer 3"`), &res) || len(res.Hits) != 1 {
		t.Fatal("finding her third form in search")
	}
	req, _ := http.NewRequest(http.MethodPost, api+"/api/corrections",
		strings.NewReader(`{"mention_id":`+strconv.Quote(res.Hits[0].ID)+`,"field":"intent","value":"buying"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", csrf)
	r, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("correcting the intent: %d", r.StatusCode)
	}
	// Her next form rebuilds the profile, from the cache.
	send(7)
	if !slices.Contains(profile.Intents, "buying") {
		t.Fatalf("the profile's intents after the correction and one more form: %v; want buying among them", profile.Intents)
	}
}
