package confx

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

type inner struct {
	Port    int           `yaml:"port"`
	Timeout time.Duration `yaml:"timeout"`
}

type outer struct {
	Name  string           `yaml:"name"`
	Inner inner            `yaml:"inner"`
	List  []inner          `yaml:"list"`
	Map   map[string]inner `yaml:"map"`
	Raw   yaml.Node        `yaml:"raw"`
}

func decode(t *testing.T, src string) (outer, error) {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(src), &root); err != nil {
		t.Fatal(err)
	}
	var o outer
	return o, Decode("f.yaml", "", &root, &o)
}

func TestUnknownKeysAreReportedWithLineAndSuggestion(t *testing.T) {
	_, err := decode(t, "name: x\ninner:\n  prot: 1\nlist:\n  - port: 2\n  - timeuot: 1s\nmap:\n  a: {porrt: 3}\nraw: {anything: goes}\n")
	if err == nil {
		t.Fatal("unknown keys accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		`f.yaml:3: inner.prot: unknown key (did you mean "port"?)`,
		`f.yaml:6: list[1].timeuot: unknown key (did you mean "timeout"?)`,
		`f.yaml:8: map.a.porrt: unknown key`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "anything") {
		t.Errorf("a yaml.Node field must accept any shape: %s", msg)
	}
}

func TestTypeErrorsNameLine(t *testing.T) {
	_, err := decode(t, "name: x\ninner:\n  port: eighty\n")
	if err == nil || !strings.Contains(err.Error(), "f.yaml:3:") {
		t.Fatalf("want a positioned type error, got %v", err)
	}
	o, err := decode(t, "inner: {timeout: 250ms}\n")
	if err != nil || o.Inner.Timeout != 250*time.Millisecond {
		t.Fatalf("durations decode from strings: %v %v", o.Inner.Timeout, err)
	}
}

func TestExpandEnv(t *testing.T) {
	env := map[string]string{"HOST": "kafka-1", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	out, err := ExpandEnv([]byte("a: ${HOST}:9092\nb: ${PORT:-8080}\nc: ${EMPTY:-x}\nd: $NOT_EXPANDED\n# e: ${COMMENTED}\n"), lookup)
	if err != nil {
		t.Fatal(err)
	}
	if want := "a: kafka-1:9092\nb: 8080\nc: \nd: $NOT_EXPANDED\n# e: ${COMMENTED}\n"; string(out) != want {
		t.Fatalf("got %q, want %q", out, want)
	}
	_, err = ExpandEnv([]byte("x: 1\ntoken: ${SECRET_TOKEN}\n"), lookup)
	if err == nil || err.Error() != "line 2: environment variable SECRET_TOKEN is not set" {
		t.Fatalf("missing variable must be named with its line, got %v", err)
	}
}

func TestPositionFindsTheKeyOfValidationErrors(t *testing.T) {
	var root yaml.Node
	src := "kafka:\n  topics:\n    partitions: 0\nconnectors:\n  - name: a\n    config:\n      path: x\n"
	if err := yaml.Unmarshal([]byte(src), &root); err != nil {
		t.Fatal(err)
	}
	err := Position("e.yaml", &root, "", errors.Join(Keyf("kafka.topics.partitions", "must be at least 1")))
	if err.Error() != "e.yaml:3: kafka.topics.partitions: must be at least 1" {
		t.Fatalf("got %q", err)
	}
	// Wrapped by a factory and joined with another: both keep their place.
	wrapped := fmt.Errorf("file connector %q: %w", "a", errors.Join(Keyf("path", "file not found"), Keyf("format", "bad")))
	err = Position("e.yaml", &root, "connectors[0].config", wrapped)
	want := "e.yaml:7: connectors[0].config.path: file not found\ne.yaml:6: connectors[0].config.format: bad"
	if err.Error() != want {
		t.Fatalf("got %q, want %q", err, want)
	}
	// Nested sections name the full path; an error without a key sits at
	// its section.
	err = Position("e.yaml", &root, "", Prefix("kafka", errors.Join(Prefix("topics", Keyf("partitions", "low")), errors.New("no brokers"))))
	want = "e.yaml:3: kafka.topics.partitions: low\ne.yaml:1: kafka: no brokers"
	if err.Error() != want {
		t.Fatalf("got %q, want %q", err, want)
	}
	if got := Prefix("enrich", Keyf("analysis.languages", "empty")).Error(); got != "enrich.analysis.languages: empty" {
		t.Fatalf("Prefix text %q", got)
	}
}

func TestHasFindsOnlyKeysTheFileNames(t *testing.T) {
	var root yaml.Node
	src := "search:\n  backend: elasticsearch\n  stage:\n    batch_linger: 5ms\nconnectors:\n  - name: a\n"
	if err := yaml.Unmarshal([]byte(src), &root); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]bool{
		"search": true, "search.backend": true, "search.stage.batch_linger": true, "connectors[0].name": true,
		"search.stage.batch_size": false, "search.backend.kind": false, "connectors[1].name": false, "kafka": false,
	} {
		if got := Has(&root, key); got != want {
			t.Errorf("Has(%q) = %v; want %v", key, got, want)
		}
	}
}

func TestSyntaxErrorsNameTheLineOfTheProblem(t *testing.T) {
	for src, want := range map[string]string{
		// yaml.v3 says "line 1" for this one: the mapping began there.
		"kafka:\n  brokers: [a]\n    topics: x\n": "c.yaml:3: YAML syntax: did not find expected key",
		"kafka:\n  brokers: a\n\tx: 1\n":          "c.yaml:3: YAML syntax: found a tab character that violates indentation",
		"a: [1,\n 2]\nb:\n  c: 2\n   d: 3\n":      "c.yaml:5: YAML syntax: mapping values are not allowed in this context",
		"http:\n  listen: \"x\n":                  "c.yaml:2: YAML syntax: found unexpected end of stream",
	} {
		var n yaml.Node
		err := yaml.Unmarshal([]byte(src), &n)
		if err == nil {
			t.Fatalf("%q parsed", src)
		}
		if got := Syntax("c.yaml", []byte(src), err).Error(); got != want {
			t.Errorf("%q: got %q, want %q (yaml said %v)", src, got, want, err)
		}
	}
}
