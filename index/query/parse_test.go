package query

import (
	"bufio"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestParseGolden runs testdata/parse.txt: each line is a query, a tab, and
// either the expected tree or "error: position N".
func TestParseGolden(t *testing.T) {
	f, err := os.Open("testdata/parse.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		input, want, ok := strings.Cut(line, "\t=> ")
		if !ok {
			t.Fatalf("malformed golden line %q", line)
		}
		n++
		got, err := Parse(input)
		if pos, isErr := strings.CutPrefix(want, "error: position "); isErr {
			wantPos, _ := strconv.Atoi(pos)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("Parse(%q) = %v, %v; want a syntax error at %d", input, got, err, wantPos)
				continue
			}
			if se.Pos != wantPos {
				t.Errorf("Parse(%q) error at position %d (%v); want %d", input, se.Pos, se, wantPos)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", input, err)
			continue
		}
		if got.String() != want {
			t.Errorf("Parse(%q) = %s; want %s", input, got, want)
		}
	}
	if n < 20 {
		t.Fatalf("only %d golden cases read", n)
	}
}

func TestSyntaxErrorNamesPositionAndProblem(t *testing.T) {
	_, err := Parse("delivery AND colour:red")
	if err == nil {
		t.Fatal("want an error for an unknown field")
	}
	msg := err.Error()
	for _, want := range []string{"position 14", `unknown field "colour"`, "sentiment"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
}

func TestTextTermsSkipsNegatedAndFields(t *testing.T) {
	n, err := Parse(`entrega "muito lenta" NOT spam language:pt NOT (NOT atraso)`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, term := range TextTerms(n) {
		got = append(got, term.Value)
	}
	want := "entrega|muito lenta|atraso"
	if strings.Join(got, "|") != want {
		t.Fatalf("TextTerms = %q; want %q", strings.Join(got, "|"), want)
	}
}
