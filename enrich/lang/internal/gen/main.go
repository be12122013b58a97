// Command gen builds the compact character-trigram language model that
// enrich/lang embeds (ngrams.bin.gz). It derives it from the n-gram
// statistics that ship with github.com/pemistahl/lingua-go (Apache-2.0):
// for every language it keeps the trigrams that carry most of the
// language's probability mass, and stores for each kept trigram the
// quantised log P(c|ab) of every language. Re-run it with
//
//	go run ./enrich/lang/internal/gen -out enrich/lang/ngrams.bin.gz
//
// The output is deterministic for a given lingua-go version.
package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pemistahl/lingua-go/serialization"
	"google.golang.org/protobuf/proto"
)

// languages the compact model covers: the scripts that several languages
// share. Languages with a script of their own (zh, ar, hi, ...) are routed
// by script and need no n-grams.
var languages = []string{
	"en", "pl", "lv", "lt", "et", "pt", "es", "fr", "de", "it", "nl", "cs", "sk", "ro", "sv", "da", "fi", "hu", "tr", "id", "ca",
	"ru", "uk", "bg", "be", "sr", "mk",
}

func main() {
	out := flag.String("out", "enrich/lang/ngrams.bin.gz", "output file")
	perLang := flag.Int("per-language", 5000, "trigrams kept per language (by joint probability)")
	flag.Parse()
	if err := run(*out, *perLang); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

type trigram [3]rune

func run(out string, perLang int) error {
	dir, err := linguaDir()
	if err != nil {
		return err
	}
	tables := make([]map[trigram]float64, len(languages))
	keep := map[trigram]bool{}
	for li, code := range languages {
		uni, err := readModel(dir, code, "unigram")
		if err != nil {
			return err
		}
		bi, err := readModel(dir, code, "bigram")
		if err != nil {
			return err
		}
		tri, err := readModel(dir, code, "trigram")
		if err != nil {
			return err
		}
		t := make(map[trigram]float64, len(tri))
		type scored struct {
			g     trigram
			joint float64
		}
		var all []scored
		for s, p := range tri {
			r := []rune(s)
			if len(r) != 3 {
				continue
			}
			g := trigram{r[0], r[1], r[2]}
			t[g] = p
			all = append(all, scored{g, uni[string(r[:1])] * bi[string(r[:2])] * p})
		}
		sort.Slice(all, func(i, j int) bool {
			if all[i].joint != all[j].joint {
				return all[i].joint > all[j].joint
			}
			return string(all[i].g[:]) < string(all[j].g[:])
		})
		for i := 0; i < len(all) && i < perLang; i++ {
			keep[all[i].g] = true
		}
		tables[li] = t
	}
	grams := make([]trigram, 0, len(keep))
	for g := range keep {
		grams = append(grams, g)
	}
	sort.Slice(grams, func(i, j int) bool { return string(grams[i][:]) < string(grams[j][:]) })

	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	w.WriteString("ESNG1")
	putUvarint(w, uint64(len(languages)))
	for _, c := range languages {
		w.WriteString(c)
	}
	putUvarint(w, uint64(len(grams)))
	for _, g := range grams {
		for _, r := range g {
			putUvarint(w, uint64(r))
		}
		for li := range languages {
			p, ok := tables[li][g]
			w.WriteByte(quantise(p, ok))
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing model: %w", err)
	}
	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("creating %s: %w", out, err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	zw.ModTime = zw.ModTime.UTC() // zero time: reproducible bytes
	if _, err := zw.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("compressing model: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compressing model: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", out, err)
	}
	fmt.Printf("%d languages, %d trigrams, %d bytes raw\n", len(languages), len(grams), buf.Len())
	return nil
}

// quantise maps log P in [-12.75, 0] to 1..255 in steps of 0.05 nats; 0 means unseen.
func quantise(p float64, ok bool) byte {
	if !ok || p <= 0 {
		return 0
	}
	q := math.Round(-math.Log(p) * 20)
	if q < 1 {
		q = 1
	}
	if q > 255 {
		q = 255
	}
	return byte(q)
}

func putUvarint(w *bufio.Writer, v uint64) {
	var b [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(b[:], v)
	w.Write(b[:n])
}

func linguaDir() (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/pemistahl/lingua-go")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("locating lingua-go: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

func readModel(dir, code, kind string) (map[string]float64, error) {
	path := filepath.Join(dir, "language-models", code, kind+"s.pb.bin.zip")
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	defer zr.Close()
	if len(zr.File) == 0 {
		return nil, fmt.Errorf("reading %s: empty archive", path)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var m serialization.SerializableLanguageModel
	if err := proto.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", path, err)
	}
	probs := map[string]float64{}
	for _, set := range m.GetNgramSets() {
		for _, g := range set.GetNgrams() {
			probs[g] = set.GetProbability()
		}
	}
	return probs, nil
}
