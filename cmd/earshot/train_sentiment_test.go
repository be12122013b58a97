package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/earshothq/earshot/enrich/sentiment"
)

// TestTrainSentimentLangWeight: --lang-weight LANG=W weighs one language's
// --data examples W instead of --data-weight. Giving a language the
// --data-weight writes the very model no --lang-weight does; another
// weight writes a different one; a malformed value, or a language no
// --data example is in, is refused with an error naming the flag.
func TestTrainSentimentLangWeight(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"pl.tsv": "neg\tObsługa niemiła, czekałem godzinę.\nneu\tCzy sklep jest otwarty w niedzielę?\npos\tŚwietna obsługa, polecam.\n",
		"pt.tsv": "neg\tAtendimento péssimo, esperei uma hora.\nneu\tA loja abre ao domingo?\npos\tAtendimento ótimo, recomendo.\nneg\tO produto chegou partido.\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(data, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	train := func(out string, extra ...string) (int, string, string) {
		args := append([]string{"train", "sentiment", "--data", data, "--data-weight", "3", "--balance",
			"--epochs", "1", "--bags", "1", "--bits", "12", "--no-baseline", "--out", out}, extra...)
		return runCLI(t, args...)
	}
	read := func(path string) []byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	plain, same, other := filepath.Join(dir, "plain"), filepath.Join(dir, "same"), filepath.Join(dir, "other")
	for _, run := range []struct {
		out   string
		extra []string
	}{{plain, nil}, {same, []string{"--lang-weight", "pt=3"}}, {other, []string{"--lang-weight", "pt=1", "--lang-weight", "pl=5"}}} {
		if code, out, errOut := train(run.out, run.extra...); code != 0 {
			t.Fatalf("train %v: exit %d\n%s\n%s", run.extra, code, out, errOut)
		}
	}
	if !bytes.Equal(read(plain), read(same)) {
		t.Error("--lang-weight pt=3 beside --data-weight 3 changed the model")
	}
	if bytes.Equal(read(plain), read(other)) {
		t.Error("--lang-weight pt=1 --lang-weight pl=5 left the model unchanged")
	}
	for _, bad := range []struct{ value, want string }{
		{"pt", "want LANG=WEIGHT"},
		{"PT=2", "not a language code"},
		{"portuguese=2", "not a language code"},
		{"pt=0", "not a positive number"},
		{"pt=-1", "not a positive number"},
		{"pt=two", "not a positive number"},
		{"pt=NaN", "not a positive number"},
		{"lv=2", "no --data example is in"},
	} {
		out := filepath.Join(dir, "bad")
		code, _, errOut := train(out, "--lang-weight", bad.value)
		if code == 0 || !strings.Contains(errOut, "--lang-weight") || !strings.Contains(errOut, bad.want) {
			t.Errorf("--lang-weight %s: exit %d, stderr %q; want an error naming the flag and %q", bad.value, code, errOut, bad.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("--lang-weight %s: a model was written", bad.value)
		}
	}
	if code, _, errOut := train(filepath.Join(dir, "twice"), "--lang-weight", "pt=2", "--lang-weight", "pt=3"); code == 0 || !strings.Contains(errOut, "given twice") {
		t.Errorf("pt given twice: exit %d, stderr %q", code, errOut)
	}
	if code, out, _ := runCLI(t, "train", "sentiment", "--help"); code != 0 || !strings.Contains(out, "--lang-weight") || !strings.Contains(out, "pt=2") {
		t.Errorf("help (exit %d) does not document --lang-weight:\n%s", code, out)
	}
}

// TestTrainSentimentRegister: --register turns the register copy of the
// word features on or off, and the model file records which.
func TestTrainSentimentRegister(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "pt.tsv")
	if err := os.WriteFile(data, []byte("neg\tAtendimento péssimo, esperei uma hora.\nneu\tA loja abre ao domingo?\npos\tAtendimento ótimo, recomendo.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, on := range []bool{false, true} {
		out := filepath.Join(dir, fmt.Sprintf("model-%v", on))
		code, stdout, errOut := runCLI(t, "train", "sentiment", "--data", data, "--epochs", "1", "--bags", "1", "--bits", "12",
			"--no-baseline", fmt.Sprintf("--register=%v", on), "--out", out)
		if code != 0 {
			t.Fatalf("--register=%v: exit %d\n%s\n%s", on, code, stdout, errOut)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		m, err := sentiment.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if m.Features().Register != on {
			t.Errorf("--register=%v wrote a model with Register %v", on, m.Features().Register)
		}
	}
}
