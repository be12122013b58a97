package lang

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
)

// ngramsGz is the compact trigram model built by internal/gen from
// lingua-go's n-gram statistics.
//
//go:embed ngrams.bin.gz
var ngramsGz []byte

// ngramModel holds, for every kept trigram, one quantised log probability
// per language (0 = the language never has this trigram).
type ngramModel struct {
	codes []string
	index map[uint64]int32 // trigram key → row
	rows  []uint8          // len(codes) bytes per row
}

// trigramKey packs three runes (21 bits each) into one map key.
func trigramKey(a, b, c rune) uint64 {
	return uint64(a)<<42 | uint64(b)<<21 | uint64(c)
}

var (
	loadOnce  sync.Once
	loaded    *ngramModel
	loadedErr error
)

// embeddedModel decodes the embedded model once per process.
func embeddedModel() (*ngramModel, error) {
	loadOnce.Do(func() { loaded, loadedErr = decodeModel(ngramsGz) })
	return loaded, loadedErr
}

func decodeModel(gz []byte) (*ngramModel, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("opening language model: %w", err)
	}
	r := bufio.NewReader(zr)
	magic := make([]byte, 5)
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != "ESNG1" {
		return nil, fmt.Errorf("reading language model: bad header")
	}
	nLang, err := binary.ReadUvarint(r)
	if err != nil || nLang == 0 || nLang > 200 {
		return nil, fmt.Errorf("reading language model: bad language count")
	}
	m := &ngramModel{codes: make([]string, nLang)}
	for i := range m.codes {
		code := make([]byte, 2)
		if _, err := io.ReadFull(r, code); err != nil {
			return nil, fmt.Errorf("reading language model codes: %w", err)
		}
		m.codes[i] = string(code)
	}
	n, err := binary.ReadUvarint(r)
	if err != nil || n > 1<<24 {
		return nil, fmt.Errorf("reading language model: bad trigram count")
	}
	m.index = make(map[uint64]int32, n)
	m.rows = make([]uint8, int(n)*int(nLang))
	for i := 0; i < int(n); i++ {
		var g [3]rune
		for j := range g {
			v, err := binary.ReadUvarint(r)
			if err != nil {
				return nil, fmt.Errorf("reading trigram %d: %w", i, err)
			}
			g[j] = rune(v)
		}
		if _, err := io.ReadFull(r, m.rows[i*int(nLang):(i+1)*int(nLang)]); err != nil {
			return nil, fmt.Errorf("reading trigram %d: %w", i, err)
		}
		m.index[trigramKey(g[0], g[1], g[2])] = int32(i)
	}
	return m, nil
}

func (m *ngramModel) column(code string) int {
	for i, c := range m.codes {
		if c == code {
			return i
		}
	}
	return -1
}
