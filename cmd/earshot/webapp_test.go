package main

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/internal/testlog"
)

var bannerAdmin = regexp.MustCompile(`user admin, password (\S+)`)

// adminPassword is the password `earshot run` printed for the admin it
// created on an empty hub.
func adminPassword(t *testing.T, logs *testlog.Buffer) string {
	t.Helper()
	var pw string
	waitFor(t, "the first admin's password in the banner", 30*time.Second, logs, func() bool {
		m := bannerAdmin.FindStringSubmatch(logs.String())
		if m != nil {
			pw = m[1]
		}
		return m != nil
	})
	return pw
}

// signIn returns a client holding an admin session of the hub at api.
func signIn(t *testing.T, api, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	body, _ := json.Marshal(map[string]string{"user": "admin", "password": password})
	r, err := c.Post(api+"/api/session", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("signing in: %v", err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("signing in as admin: %d", r.StatusCode)
	}
	return c
}
