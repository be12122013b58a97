package lang

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

func readEval(t testing.TB) [][2]string {
	f, err := os.Open("testdata/eval.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l, text, ok := strings.Cut(sc.Text(), "\t"); ok && !strings.HasPrefix(l, "#") {
			out = append(out, [2]string{l, text})
		}
	}
	return out
}

func TestDetectWrittenExamples(t *testing.T) {
	d, err := New(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	eval := readEval(t)
	wrong := 0
	for _, e := range eval {
		if r := d.Detect(e[1], ""); r.Code != e[0] {
			wrong++
			t.Logf("want %s, got %s (%.2f %s): %s", e[0], r.Code, r.Confidence, r.Method, e[1])
		}
	}
	if acc := 1 - float64(wrong)/float64(len(eval)); acc < 0.97 {
		t.Fatalf("accuracy %.3f on %d texts, want >= 0.97", acc, len(eval))
	}
}

func TestDetectMethodsAndPrior(t *testing.T) {
	d, err := New(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text, stated, code, method string
	}{
		{"我周一订的咖啡机到现在还没到", "", "zh", MethodScript},
		{"طلبت آلة القهوة يوم الاثنين", "", "ar", MethodScript},
		{"Dziękuję bardzo za szybką dostawę ekspresu", "", "pl", MethodModel},
		{"Dziękuję bardzo za szybką dostawę ekspresu", "pl-PL", "pl", MethodSource},
		// A wrong stated language loses against clear evidence.
		{"Dziękuję bardzo za szybką dostawę ekspresu i świetną obsługę", "en", "pl", MethodModel},
		// A short ambiguous text follows the stated language.
		{"super!", "de", "de", MethodSource},
		{"ok", "", Unknown, MethodModel},
		{"12345 !!! :)", "", Unknown, MethodScript},
		{"12345 !!!", "pt", "pt", MethodSource},
		// A stated language in another script is ignored.
		{"Замовив кавоварку в понеділок, досі не привезли.", "en", "uk", MethodModel},
		{"こんにちは、コーヒーが好きです", "", Unknown, MethodScript},
		// The stated language wins when the text uses its script, even
		// when Latin brand names outnumber the ideographs.
		{"有人用过 Brewly Mini 吗？想从雀巢 Nespresso 换过来，价格多少？", "zh", "zh", MethodSource},
		{"Brewly Mini vs Nespresso Vertuo 哪个好", "zh", "zh", MethodSource},
		{"Brewly Mini vs Nespresso Vertuo 哪个好", "zh-Hans", "zh", MethodSource},
		{"Brewly One или Nespresso Vertuo, что лучше", "ru", "ru", MethodSource},
		// Without its script the stated language still loses.
		{"Brewly Mini vs Nespresso Vertuo, which one is better for a small office?", "zh", "en", MethodModel},
		// Latin words do not make a Chinese text English.
		{"有人用过 Brewly Mini 吗？想从雀巢 Nespresso 换过来，价格多少？", "en", "zh", MethodScript},
	}
	for _, c := range cases {
		r := d.Detect(c.text, c.stated)
		if r.Code != c.code || r.Method != c.method {
			t.Errorf("Detect(%q, %q) = %s/%s (%.2f), want %s/%s", c.text, c.stated, r.Code, r.Method, r.Confidence, c.code, c.method)
		}
		if r.Confidence < 0 || r.Confidence > 1 {
			t.Errorf("confidence %v outside [0,1]", r.Confidence)
		}
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	if _, err := New(Options{Languages: []string{"xx"}}); err == nil || !strings.Contains(err.Error(), `"xx"`) {
		t.Fatalf("unsupported language: err = %v", err)
	}
	if _, err := New(Options{}); err == nil {
		t.Fatal("no languages: want error")
	}
	if _, err := New(Options{Languages: []string{"en"}, SourcePrior: 1.5}); err == nil {
		t.Fatal("prior 1.5: want error")
	}
}

func TestBase(t *testing.T) {
	for in, want := range map[string]string{"pt-BR": "pt", "zh_Hans": "zh", " EN ": "en", "": ""} {
		if got := Base(in); got != want {
			t.Errorf("Base(%q) = %q, want %q", in, got, want)
		}
	}
}
