package alert

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/record"
)

// A test notification reaches a webhook signed like any other and a real
// SMTP server's chosen recipient; a refusing receiver's answer and an
// unknown channel come back as errors.
func TestSendTestReachesTheChannelOrSaysWhy(t *testing.T) {
	var got struct {
		header http.Header
		body   []byte
	}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.header, got.body = r.Header.Clone(), mustRead(t, r.Body)
	}))
	defer hook.Close()
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no such hook", http.StatusNotFound)
	}))
	defer refusing.Close()
	box, port := startSMTP(t, false)
	cfg := DefaultConfig()
	cfg.BaseURL = "https://earshot.example"
	cfg.Channels = map[string]ChannelConfig{
		"crm":    {Type: ChannelWebhook, URL: hook.URL, Secret: testSecret},
		"broken": {Type: ChannelWebhook, URL: refusing.URL},
		"mail": {Type: ChannelEmail, SMTP: SMTPConfig{Host: "127.0.0.1", Port: port, Security: SecuritySTARTTLS, Username: "earshot",
			Password: "s3cret", From: "alerts@earshot.test", To: []string{"team@example.com"}, InsecureSkipVerify: true}},
	}
	s := &Store{cfg: cfg, now: time.Now}
	ctx := context.Background()

	if err := s.SendTest(ctx, "crm", "ola", nil); err != nil {
		t.Fatal(err)
	}
	if err := verifyStandardWebhook(testSecret, got.header, got.body, time.Now()); err != nil {
		t.Errorf("the test event is not signed: %v", err)
	}
	var ev struct {
		Type string               `json:"type"`
		Data *record.Notification `json:"data"`
	}
	if err := json.Unmarshal(got.body, &ev); err != nil || ev.Type != "alert.test" || ev.Data.Kind != record.NotifyTest ||
		!strings.Contains(ev.Data.Reason, "ola") || ev.Data.Link != "https://earshot.example/alerts" {
		t.Errorf("test event = %s (%v)", got.body, err)
	}

	if err := s.SendTest(ctx, "mail", "ola", []string{"me@example.com"}); err != nil {
		t.Fatal(err)
	}
	box.mu.Lock()
	if len(box.messages) != 1 || len(box.messages[0].to) != 1 || box.messages[0].to[0] != "me@example.com" ||
		!strings.Contains(string(box.messages[0].data), "Earshot test notification") {
		t.Errorf("the test mail did not reach the chosen recipient (%d messages)", len(box.messages))
	}
	box.mu.Unlock()

	if err := s.SendTest(ctx, "broken", "ola", nil); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("a refusing receiver gave %v; want its status", err)
	}
	if err := s.SendTest(ctx, "mail", "ola", []string{"me@example.com\r\nBcc: everyone@example.com"}); !errors.Is(err, ErrBadRecipient) || !strings.Contains(err.Error(), "is not an e-mail address") {
		t.Errorf("a recipient carrying a header was taken: %v", err)
	}
	if err := s.SendTest(ctx, "nope", "ola", nil); !errors.Is(err, ErrUnknownChannel) {
		t.Errorf("an unknown channel gave %v", err)
	}
}

// A channel takes three tests a minute and twenty an hour, sent or not;
// a refusal says how long to wait and sends nothing; other channels, and
// unknown ones, are not counted against it. A test names at most five
// addresses.
func TestChannelTestsAreLimited(t *testing.T) {
	var received int
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { received++ }))
	defer hook.Close()
	cfg := DefaultConfig()
	cfg.Channels = map[string]ChannelConfig{"crm": {Type: ChannelWebhook, URL: hook.URL}, "team": {Type: ChannelSlack, URL: hook.URL}}
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	s := &Store{cfg: cfg, now: func() time.Time { return now }}
	ctx := context.Background()
	test := func(channel string) error { return s.SendTest(ctx, channel, "ola", nil) }

	for i := range 3 {
		if err := test("crm"); err != nil {
			t.Fatalf("test %d: %v", i+1, err)
		}
		now = now.Add(10 * time.Second)
	}
	var soon *TestsTooSoon
	if err := test("crm"); !errors.As(err, &soon) || soon.Wait != 30*time.Second || soon.Channel != "crm" {
		t.Fatalf("a fourth test in a minute = %v; want TestsTooSoon of 30 s", err)
	}
	if err := test("nope"); !errors.Is(err, ErrUnknownChannel) {
		t.Errorf("an unknown channel = %v", err)
	}
	if err := s.SendTest(ctx, "crm", "ola", []string{"not an address"}); !errors.Is(err, ErrBadRecipient) {
		t.Errorf("a bad address = %v; want ErrBadRecipient, not a wait", err)
	}
	if err := test("team"); err != nil {
		t.Errorf("another channel is held back by crm's tests: %v", err)
	}
	if received != 4 {
		t.Fatalf("the receiver got %d tests; want 4 (the refused one not sent)", received)
	}
	// Twenty an hour: one every 20 s passes the per-minute bound.
	now = now.Add(soon.Wait)
	for range 17 {
		if err := test("crm"); err != nil {
			t.Fatalf("test %d within the hour: %v", received, err)
		}
		now = now.Add(20 * time.Second)
	}
	if err := test("crm"); !errors.As(err, &soon) || soon.Wait <= time.Minute {
		t.Fatalf("a twenty-first test in an hour = %v; want a wait for the hour", err)
	}
	now = now.Add(soon.Wait)
	if err := test("crm"); err != nil {
		t.Errorf("after the wait it said: %v", err)
	}
	six := []string{"a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@example.com", "f@example.com"}
	if err := SendTest(ctx, cfg, "crm", "ola", six); !errors.Is(err, ErrTooManyRecipients) {
		t.Errorf("six recipients = %v; want ErrTooManyRecipients", err)
	}
}

func mustRead(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Error(err)
	}
	return b
}

// A channel that cannot be reached is named by its host only: a webhook's
// path is its secret (Slack's are), and the error reaches the alerts page
// and the delivery log.
func TestUnreachableWebhookErrorHidesItsPath(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL + "/services/T000/B000/SECRETPATH"
	dead.Close()
	cfg := DefaultConfig()
	cfg.Channels = map[string]ChannelConfig{"team": {Type: ChannelSlack, URL: url}, "crm": {Type: ChannelWebhook, URL: url}}
	for _, ch := range []string{"team", "crm"} {
		err := SendTest(context.Background(), cfg, ch, "ola", nil)
		if err == nil || strings.Contains(err.Error(), "SECRETPATH") || !strings.Contains(err.Error(), strings.TrimPrefix(dead.URL, "http://")) {
			t.Errorf("%s: %v; want the host and not the path", ch, err)
		}
	}
}
