// Command testsummary runs `go test -json ...` and prints what CI needs to
// read: each package's result, the full output of failing tests, and per
// tier how many tests passed, failed and were skipped (with the reasons of
// the skips). With -fail-on-skip, a test skipped for a reason matching the
// pattern (a real service missing in the tier that must use it) fails the
// run.
//
//	go run ./scripts/testsummary -tier unit -- go test -json -race ./...
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"time"
)

// event is one line of `go test -json` (test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

type summary struct {
	passed, failed, skipped int
	skips                   []string // "pkg Test: reason"
	forbidden               []string
	failedTests             []string
	output                  map[string]*strings.Builder // package/test → output
	failOnSkip              *regexp.Regexp
}

func main() {
	tier := flag.String("tier", "tests", "name of the tier in the summary")
	failOnSkip := flag.String("fail-on-skip", "", "fail when a test is skipped for a reason matching this regular expression")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: testsummary [-tier NAME] [-fail-on-skip REGEX] -- go test -json ...")
		os.Exit(2)
	}
	s := &summary{output: map[string]*strings.Builder{}}
	if *failOnSkip != "" {
		re, err := regexp.Compile(*failOnSkip)
		if err != nil {
			fmt.Fprintf(os.Stderr, "testsummary: -fail-on-skip: %v\n", err)
			os.Exit(2)
		}
		s.failOnSkip = re
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintf(os.Stderr, "testsummary: %v\n", err)
		os.Exit(2)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "testsummary: starting %s: %v\n", args[0], err)
		os.Exit(2)
	}
	s.read(out, os.Stdout)
	runErr := cmd.Wait()
	s.print(os.Stdout, *tier, time.Since(start))
	var exit *exec.ExitError
	switch {
	case errors.As(runErr, &exit):
		os.Exit(exit.ExitCode())
	case runErr != nil:
		fmt.Fprintf(os.Stderr, "testsummary: %v\n", runErr)
		os.Exit(2)
	case len(s.forbidden) > 0:
		os.Exit(1)
	}
}

// read consumes the event stream, printing package results and the output
// of failing tests as they come.
func (s *summary) read(r io.Reader, w io.Writer) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintln(w, string(line)) // not an event (a build error): show it
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "build-output": // compile errors: show them as they come
			fmt.Fprint(w, e.Output)
		case "output":
			b := s.output[key]
			if b == nil {
				b = &strings.Builder{}
				s.output[key] = b
			}
			if b.Len() < 1<<20 {
				b.WriteString(e.Output)
			}
			if e.Test == "" && isPackageResult(e.Output) {
				fmt.Fprint(w, e.Output)
			}
		case "pass":
			if e.Test != "" {
				s.passed++
				delete(s.output, key)
			}
		case "skip":
			if e.Test == "" {
				continue
			}
			s.skipped++
			reason := skipReason(s.output[key])
			entry := fmt.Sprintf("%s %s: %s", e.Package, e.Test, reason)
			s.skips = append(s.skips, entry)
			if s.failOnSkip != nil && s.failOnSkip.MatchString(reason) {
				s.forbidden = append(s.forbidden, entry)
			}
			delete(s.output, key)
		case "fail":
			if e.Test == "" {
				continue // the package's FAIL line was printed with its output
			}
			s.failed++
			s.failedTests = append(s.failedTests, e.Package+" "+e.Test)
			if b := s.output[key]; b != nil {
				fmt.Fprintf(w, "--- output of failed %s %s\n%s", e.Package, e.Test, b.String())
			}
		}
	}
}

// isPackageResult reports the line go test prints per package.
func isPackageResult(line string) bool {
	return strings.HasPrefix(line, "ok  \t") || strings.HasPrefix(line, "FAIL\t") || strings.HasPrefix(line, "?   \t") ||
		strings.HasPrefix(line, "panic: ") || strings.HasPrefix(line, "FAIL ")
}

// skipReason is the message a test gave t.Skip: the output line before
// "--- SKIP" that is not a run marker.
func skipReason(b *strings.Builder) string {
	if b == nil {
		return "(no reason given)"
	}
	var last string
	for _, l := range strings.Split(b.String(), "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		last = t
	}
	if last == "" {
		return "(no reason given)"
	}
	if _, msg, ok := strings.Cut(last, ".go:"); ok { // "file_test.go:29: reason"
		if _, rest, ok := strings.Cut(msg, ": "); ok {
			return rest
		}
	}
	return last
}

func (s *summary) print(w io.Writer, tier string, took time.Duration) {
	fmt.Fprintf(w, "\n==== %s: %d passed, %d failed, %d skipped (%s)\n", tier, s.passed, s.failed, s.skipped, took.Round(time.Second))
	sort.Strings(s.skips)
	for _, sk := range s.skips {
		fmt.Fprintf(w, "  skipped %s\n", sk)
	}
	for _, f := range s.failedTests {
		fmt.Fprintf(w, "  FAILED  %s\n", f)
	}
	if len(s.forbidden) > 0 {
		fmt.Fprintf(w, "%s: %d tests skipped that must run in this tier:\n", tier, len(s.forbidden))
		for _, f := range s.forbidden {
			fmt.Fprintf(w, "  %s\n", f)
		}
	}
}
