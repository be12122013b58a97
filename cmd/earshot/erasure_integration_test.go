package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// getJSON decodes a GET answer; false when the request failed.
func getJSON(c *http.Client, url string, v any) bool {
	r, err := c.Get(url)
	if err != nil {
		return false
	}
	defer r.Body.Close()
	return r.StatusCode == http.StatusOK && json.NewDecoder(r.Body).Decode(v) == nil
}

// A customer imported from a CSV is matched by a form submission, shows up
// as a profile with the mention; `earshot customers forget` then erases the
// person from the topics and the index stage removes the profile and every
// mention linked to them (right to erasure, end to end).
func TestIntegrationCustomerMatchAndErasureEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	h := startRunWithContactForm(t)
	dir, api, logs, kafkaAddr := h.dir, h.api, h.logs, h.kafkaAddr
	client := signIn(t, api, adminPassword(t, logs))
	// One-shot commands reach the running hub's broker through a config
	// naming it, with the privacy secret the hub generated into its data dir
	// (forget needs it to find the person's data keys).
	secret, err := os.ReadFile(filepath.Join(dir, "kafka", "earshot-privacy.secret"))
	if err != nil {
		t.Fatalf("the hub generated no privacy secret: %v", err)
	}
	adminCfg := filepath.Join(dir, "admin.yaml")
	if err := os.WriteFile(adminCfg, []byte(fmt.Sprintf("kafka:\n  brokers: [%s]\n  embedded: {enabled: false}\nprivacy:\n  secret: %s\n", kafkaAddr, strings.TrimSpace(string(secret)))), 0o600); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(dir, "customers.csv")
	if err := os.WriteFile(csv, []byte("id,first_name,last_name,email,city\nc-77,Zofia,Wójcik,zofia.wojcik@example.pl,Kraków\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI(t, "customers", "import", csv, "-c", adminCfg); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}

	// The enrich and index stages both follow the customers topic: once the
	// index shows the customer, enrichment has had the same time to load it.
	var profile struct {
		ID           string `json:"id"`
		MentionCount int    `json:"mention_count"`
	}
	waitFor(t, "the imported customer's profile", 60*time.Second, logs, func() bool {
		return getJSON(client, api+"/api/profiles/customer:c-77", &profile)
	})
	post := func() int {
		body := `{"email":"Zofia.Wojcik@example.pl","name":"Zofia Wójcik","message":"Ekspres przestał działać, proszę o kontakt."}`
		r, err := http.Post(api+"/f/contact", "application/json", strings.NewReader(body))
		if err != nil {
			return 0
		}
		r.Body.Close()
		return r.StatusCode
	}
	if code := post(); code != http.StatusOK {
		t.Fatalf("form post answered %d", code)
	}
	waitFor(t, "the customer's profile with the form mention", 60*time.Second, logs, func() bool {
		return getJSON(client, api+"/api/profiles/customer:c-77", &profile) && profile.MentionCount >= 1
	})
	var found struct {
		Total int `json:"total"`
	}
	if !getJSON(client, api+"/api/search?q=customer:c-77", &found) || found.Total != 1 {
		t.Fatalf("the mention is not linked to the customer: total %d", found.Total)
	}

	if code, out, errOut := runCLI(t, "customers", "forget", "zofia.wojcik@example.pl", "-c", adminCfg); code != 0 {
		t.Fatalf("forget: exit %d\n%s%s", code, out, errOut)
	}
	waitFor(t, "the erasure to reach the index", 60*time.Second, logs, func() bool {
		r, err := client.Get(api + "/api/profiles/customer:c-77")
		if err != nil {
			return false
		}
		r.Body.Close()
		return r.StatusCode == http.StatusNotFound
	})
	// The customer's tombstone and the erasure request are separate topics:
	// the profile can be gone a batch before the mentions are.
	waitFor(t, "the erased person's mention to leave the search", 60*time.Second, logs, func() bool {
		return getJSON(client, api+"/api/search?q=przestał", &found) && found.Total == 0
	})
}
