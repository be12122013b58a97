package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/earshothq/earshot/pipeline/pipelinetest"
)

func runCLIStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := execute(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// users and tokens commands against a broker: what they write is what a
// serve instance following the topics sees.
func TestIntegrationUsersAndTokensCLI(t *testing.T) {
	c := pipelinetest.New(t)
	p := writeConfig(t, fmt.Sprintf("kafka:\n  brokers: [%s]\n  topic_prefix: %q\n  embedded: {enabled: false}\n",
		strings.Join(c.Brokers, ","), c.Config.TopicPrefix))
	ok := func(stdin string, args ...string) string {
		t.Helper()
		code, out, errOut := runCLIStdin(t, stdin, append(args, "-c", p)...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
		return out
	}
	fails := func(stdin, want string, args ...string) {
		t.Helper()
		code, out, errOut := runCLIStdin(t, stdin, append(args, "-c", p)...)
		if code == 0 || !strings.Contains(errOut, want) {
			t.Fatalf("%v: exit %d, stderr %q (want it to mention %q)\n%s", args, code, errOut, want, out)
		}
	}
	ok("a good long password\n", "users", "add", "Ada", "--role", "admin", "--password-stdin")
	ok("another long password\n", "users", "add", "sam", "--role", "sales", "--password-stdin")
	fails("x\n", "at least 12 characters", "users", "add", "bob", "--role", "viewer", "--password-stdin")
	fails("a good long password\n", "unknown role", "users", "add", "bob", "--role", "boss", "--password-stdin")
	fails("a good long password\n", "the user exists", "users", "add", "ada", "--role", "viewer", "--password-stdin")
	fails("", "--password-stdin", "users", "add", "bob", "--role", "viewer")
	out := ok("", "users", "list")
	if !strings.Contains(out, "ada") || !strings.Contains(out, "admin") || !strings.Contains(out, "sam") || strings.Contains(out, "argon2") {
		t.Fatalf("users list:\n%s", out)
	}
	token := strings.TrimSpace(ok("", "tokens", "create", "sam", "--name", "nightly csv"))
	if !strings.HasPrefix(token, "est_") || strings.Contains(token, "\n") {
		t.Fatalf("tokens create printed %q; want only the token", token)
	}
	out = ok("", "tokens", "list", "--user", "sam")
	if !strings.Contains(out, "nightly csv") || strings.Contains(out, token[20:]) {
		t.Fatalf("tokens list:\n%s", out)
	}
	id := strings.Split(token, "_")[1]
	ok("", "tokens", "revoke", id)
	fails("", "no such token", "tokens", "revoke", id)
	ok("a changed long password\n", "users", "passwd", "sam", "--password-stdin")
	ok("", "users", "role", "sam", "marketing")
	fails("", "last admin", "users", "remove", "ada")
	ok("", "users", "remove", "sam")
	if out := ok("", "users", "list", "--json"); strings.Contains(out, "sam") {
		t.Fatalf("removed user still listed: %s", out)
	}
}

// A serve instance reachable beyond loopback with nobody able to sign in
// refuses to start.
func TestIntegrationServeRefusesAnOpenAddressWithoutUsers(t *testing.T) {
	c := pipelinetest.New(t)
	p := writeConfig(t, fmt.Sprintf(`kafka:
  brokers: [%s]
  topic_prefix: %q
  embedded: {enabled: false}
privacy:
  secret: test-privacy-secret-0123456789
http:
  listen: 0.0.0.0:0
  hosts: [earshot.example.com]
search:
  embedded: {path: %q}
`, strings.Join(c.Brokers, ","), c.Config.TopicPrefix, filepath.Join(t.TempDir(), "index")))
	code, _, errOut := runCLI(t, "serve", "-c", p)
	if code == 0 || !strings.Contains(errOut, "refusing to serve on 0.0.0.0:0 with no users") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}
