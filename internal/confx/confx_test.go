package confx

import (
	"errors"
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
	err := Position("e.yaml", &root, "", errors.Join(errors.New("kafka.topics.partitions: must be at least 1")))
	if err.Error() != "e.yaml:3: kafka.topics.partitions: must be at least 1" {
		t.Fatalf("got %q", err)
	}
	err = Position("e.yaml", &root, "connectors[0].config", errors.New("config.path: file not found"))
	if err.Error() != "e.yaml:7: connectors[0].config.path: file not found" {
		t.Fatalf("got %q", err)
	}
}
