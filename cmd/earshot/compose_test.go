package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// docker-compose.yml cannot be run here (no Docker); this checks what can
// be checked: every Earshot role is there, health-checked on the port it
// listens on, with the distributed config, and enrich runs twice.
func TestComposeRunsEveryRoleWithReadinessChecks(t *testing.T) {
	data, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Ports       []string          `yaml:"ports"`
			Deploy      struct {
				Replicas int `yaml:"replicas"`
			} `yaml:"deploy"`
			Healthcheck struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	ports := map[string]string{"connect": "8081", "enrich": "9101", "index": "9102", "serve": "8080"}
	for role, port := range ports {
		s, ok := f.Services[role]
		if !ok {
			t.Errorf("no %s service", role)
			continue
		}
		if s.Image != "earshot:dev" || len(s.Command) == 0 || s.Command[0] != role {
			t.Errorf("%s: image %q command %q", role, s.Image, s.Command)
		}
		if want := []string{"CMD", "/usr/local/bin/earshot", "healthcheck", "127.0.0.1:" + port}; !slices.Equal(s.Healthcheck.Test, want) {
			t.Errorf("%s: healthcheck %q, want %q", role, s.Healthcheck.Test, want)
		}
		if role == "enrich" || role == "index" {
			if !slices.Contains(s.Command, "0.0.0.0:"+port) {
				t.Errorf("%s listens elsewhere than its health-checked port %s: %q", role, port, s.Command)
			}
		}
		if s.Environment["EARSHOT_CONFIG"] != "configs/earshot.distributed.yaml" || !strings.HasPrefix(s.Environment["KAFKA_BROKERS"], "kafka:") {
			t.Errorf("%s: environment %v", role, s.Environment)
		}
	}
	if n := f.Services["enrich"].Deploy.Replicas; n != 2 {
		t.Errorf("enrich replicas = %d, want 2", n)
	}
	for _, p := range append(f.Services["connect"].Ports, f.Services["serve"].Ports...) {
		if !strings.HasPrefix(p, "127.0.0.1:") {
			t.Errorf("port %q is published beyond loopback", p)
		}
	}
}
