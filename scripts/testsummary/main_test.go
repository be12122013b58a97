package main

import (
	"regexp"
	"strings"
	"testing"
)

func TestSummaryCountsAndForbiddenSkips(t *testing.T) {
	stream := `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestIntegrationES","Output":"    es_test.go:29: EARSHOT_TEST_ES is not set\n"}
{"Action":"output","Package":"p","Test":"TestIntegrationES","Output":"--- SKIP: TestIntegrationES (0.00s)\n"}
{"Action":"skip","Package":"p","Test":"TestIntegrationES"}
{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:3: got 1, want 2\n"}
{"Action":"fail","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Output":"FAIL\tp\t0.1s\n"}
{"Action":"fail","Package":"p"}
`
	s := &summary{output: map[string]*strings.Builder{}, failOnSkip: regexp.MustCompile("is not set")}
	var out strings.Builder
	s.read(strings.NewReader(stream), &out)
	s.print(&out, "tier", 0)
	if s.passed != 1 || s.failed != 1 || s.skipped != 1 || len(s.forbidden) != 1 {
		t.Fatalf("counts %d/%d/%d forbidden %v", s.passed, s.failed, s.skipped, s.forbidden)
	}
	for _, want := range []string{"got 1, want 2", "FAIL\tp\t0.1s", "==== tier: 1 passed, 1 failed, 1 skipped",
		"skipped p TestIntegrationES: EARSHOT_TEST_ES is not set", "1 tests skipped that must run"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
