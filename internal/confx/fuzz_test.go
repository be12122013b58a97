package confx

import (
	"errors"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

type fuzzConfig struct {
	Kafka struct {
		Brokers []string `yaml:"brokers"`
		Topics  struct {
			Partitions int `yaml:"partitions"`
		} `yaml:"topics"`
	} `yaml:"kafka"`
	Connectors []struct {
		Name   string            `yaml:"name"`
		Config map[string]string `yaml:"config"`
	} `yaml:"connectors"`
	Timeout time.Duration `yaml:"timeout"`
}

// Whatever the bytes, loading reports positioned errors and never panics:
// a syntax error lands on a line of the file, a decoded document's errors
// carry their keys.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		"kafka:\n  brokers: [a:1]\n  topics:\n    partitions: 3\n",
		"kafka:\n  embedded:\n    enabled: true\n      port: 9092\n",
		"kafka:\n  brokerz: x\nconnectors:\n  - name: a\n    config: {path: ${HOME}}\n",
		"timeout: soon\n", "a: [1,\n 2]\nb:\n  c: 2\n   d: 3\n", "\t- x", "&a [*a]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		data, _ = ExpandEnv(data, func(string) (string, bool) { return "v", true })
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			var ce *Error
			se := Syntax("c.yaml", data, err)
			if !errors.As(se, &ce) || ce.Line < 0 || ce.Line > strings.Count(string(data), "\n")+2 {
				t.Fatalf("syntax error %v at line %d of %d lines", se, ce.Line, strings.Count(string(data), "\n")+1)
			}
			return
		}
		var cfg fuzzConfig
		err := Decode("c.yaml", "", &root, &cfg)
		err = errors.Join(err, Keyf("kafka.topics.partitions", "must be at least 1"), Prefix("connectors[0]", Keyf("config.path", "required")))
		pos := Position("c.yaml", &root, "", err)
		if pos == nil || !strings.Contains(pos.Error(), "kafka.topics.partitions") {
			t.Fatalf("positioned errors lost a key: %v", pos)
		}
	})
}
