package sentiment

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// Classes, in the order of the model's outputs (and of the UMSAB labels).
const (
	classNegative = iota
	classNeutral
	classPositive
	numClasses
)

// ClassNames are the labels of the classes, indexed by class.
var ClassNames = [numClasses]string{"negative", "neutral", "positive"}

// Model is a trained sentiment model: a multinomial logistic regression
// over hashed n-gram and lexicon features ("full" head), and a small one
// over the language-independent lexicon features only ("lexical" head)
// for languages the training data did not have.
type Model struct {
	bits      uint8
	feat      Features
	languages []string // languages the full head was trained on

	full      []int8 // (1<<bits) × numClasses, quantised
	fullScale float32
	fullBias  [numClasses]float32

	lexical     map[uint32][numClasses]float32
	lexicalBias [numClasses]float32

	version string // see Version
}

// Version names the model: the first 12 hex digits of the SHA-256 of its
// uncompressed file content, so two files with the same weights have the
// same version whatever their name. Every mention records the version that
// labelled it, and so does every correction made on it.
func (m *Model) Version() string {
	if m.version == "" {
		h := sha256.New()
		bw := bufio.NewWriter(h)
		m.writeRaw(bw)
		bw.Flush()
		m.version = hex.EncodeToString(h.Sum(nil))[:12]
	}
	return m.version
}

// Languages returns the languages the model had training data for.
func (m *Model) Languages() []string { return append([]string(nil), m.languages...) }

// Bits is the size of the hashed feature space (log2 of the bucket count).
func (m *Model) Bits() int { return int(m.bits) }

// Features returns the feature families the model was trained with.
func (m *Model) Features() Features { return m.feat }

//go:embed model.bin.gz
var embeddedModel []byte

// Embedded returns the model shipped with Earshot.
func Embedded() (*Model, error) {
	m, err := Decode(bytes.NewReader(embeddedModel))
	if err != nil {
		return nil, fmt.Errorf("loading embedded sentiment model: %w", err)
	}
	return m, nil
}

// LoadFile reads a model written by Save (e.g. by `earshot train sentiment`).
func LoadFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening sentiment model: %w", err)
	}
	defer f.Close()
	m, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("loading sentiment model %s: %w", path, err)
	}
	return m, nil
}

// Model file magics: ESSM2 records the Features after the bucket bits;
// ESSM1 files (written before) imply legacyFeatures; ESSM3 adds a byte of
// feature flags (Compose, Routine, LangMeta, Gone, ArNorm, HashSplit,
// Clitics, Register).
const (
	modelMagic       = "ESSM3"
	essm2Magic       = "ESSM2"
	legacyModelMagic = "ESSM1"
)

// flags are the Features an ESSM3 file records as bits of one byte, bit i
// for the i-th; a new flag goes at the end. With Register the byte is
// full: a ninth flag needs a new format. A file with a flag clear (every
// file written before the flag) is applied exactly as before.
func (f *Features) flags() []*bool {
	return []*bool{&f.Compose, &f.Routine, &f.LangMeta, &f.Gone, &f.ArNorm, &f.HashSplit, &f.Clitics, &f.Register}
}

// Save writes the model, gzip-compressed.
func (m *Model) Save(w io.Writer) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("compressing model: %w", err)
	}
	bw := bufio.NewWriter(zw)
	m.writeRaw(bw)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing model: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("writing model: %w", err)
	}
	return nil
}

// writeRaw writes the uncompressed model; errors surface at Flush.
func (m *Model) writeRaw(bw *bufio.Writer) {
	bw.WriteString(modelMagic)
	bw.WriteByte(m.bits)
	bw.WriteByte(byte(m.feat.CharMin))
	bw.WriteByte(byte(m.feat.CharMax))
	putFloat(bw, m.feat.CharWeight)
	var flags byte
	for i, on := range m.feat.flags() {
		if *on {
			flags |= 1 << i
		}
	}
	bw.WriteByte(flags)
	putUvarint(bw, uint64(len(m.languages)))
	for _, l := range m.languages {
		putUvarint(bw, uint64(len(l)))
		bw.WriteString(l)
	}
	putFloat(bw, m.fullScale)
	for _, b := range m.fullBias {
		putFloat(bw, b)
	}
	for _, q := range m.full {
		bw.WriteByte(byte(q))
	}
	for _, b := range m.lexicalBias {
		putFloat(bw, b)
	}
	keys := make([]uint32, 0, len(m.lexical))
	for k := range m.lexical {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	putUvarint(bw, uint64(len(keys)))
	for _, k := range keys {
		putUvarint(bw, uint64(k))
		for _, x := range m.lexical[k] {
			putFloat(bw, x)
		}
	}
}

// Decode reads a model written by Save.
func Decode(r io.Reader) (*Model, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("opening model: %w", err)
	}
	h := sha256.New()
	br := bufio.NewReader(io.TeeReader(zr, h))
	magic := make([]byte, len(modelMagic))
	if _, err := io.ReadFull(br, magic); err != nil || (string(magic) != modelMagic && string(magic) != essm2Magic && string(magic) != legacyModelMagic) {
		return nil, errors.New("not an Earshot sentiment model (bad header)")
	}
	m := &Model{lexical: map[uint32][numClasses]float32{}, feat: legacyFeatures}
	if m.bits, err = br.ReadByte(); err != nil || m.bits < 10 || m.bits > 26 {
		return nil, fmt.Errorf("reading model: bad feature bits %d", m.bits)
	}
	if string(magic) != legacyModelMagic {
		var hdr [2]byte
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return nil, fmt.Errorf("reading model features: %w", err)
		}
		m.feat = Features{CharMin: int(hdr[0]), CharMax: int(hdr[1])}
		if m.feat.CharWeight, err = getFloat(br); err != nil {
			return nil, err
		}
		if string(magic) == modelMagic {
			flags, err := br.ReadByte()
			fields := m.feat.flags()
			if err != nil || flags>>len(fields) != 0 {
				return nil, errors.New("reading model: bad feature flags")
			}
			for i, on := range fields {
				*on = flags&(1<<i) != 0
			}
		}
		if err := m.feat.validate(); err != nil {
			return nil, fmt.Errorf("reading model: %w", err)
		}
	}
	n, err := binary.ReadUvarint(br)
	if err != nil || n > 1000 {
		return nil, errors.New("reading model: bad language count")
	}
	for i := 0; i < int(n); i++ {
		l, err := binary.ReadUvarint(br)
		if err != nil || l > 16 {
			return nil, errors.New("reading model: bad language code")
		}
		b := make([]byte, l)
		if _, err := io.ReadFull(br, b); err != nil {
			return nil, fmt.Errorf("reading model languages: %w", err)
		}
		m.languages = append(m.languages, string(b))
	}
	if m.fullScale, err = getFloat(br); err != nil {
		return nil, err
	}
	for i := range m.fullBias {
		if m.fullBias[i], err = getFloat(br); err != nil {
			return nil, err
		}
	}
	raw := make([]byte, numClasses<<m.bits)
	if _, err := io.ReadFull(br, raw); err != nil {
		return nil, fmt.Errorf("reading model weights: %w", err)
	}
	m.full = make([]int8, len(raw))
	for i, b := range raw {
		m.full[i] = int8(b)
	}
	for i := range m.lexicalBias {
		if m.lexicalBias[i], err = getFloat(br); err != nil {
			return nil, err
		}
	}
	k, err := binary.ReadUvarint(br)
	if err != nil || k > 1<<20 {
		return nil, errors.New("reading model: bad lexical weight count")
	}
	for i := 0; i < int(k); i++ {
		idx, err := binary.ReadUvarint(br)
		if err != nil {
			return nil, fmt.Errorf("reading lexical weights: %w", err)
		}
		var w [numClasses]float32
		for c := range w {
			if w[c], err = getFloat(br); err != nil {
				return nil, err
			}
		}
		m.lexical[uint32(idx)] = w
	}
	if n, err := io.Copy(io.Discard, br); err != nil || n > 0 {
		return nil, errors.New("reading model: trailing data")
	}
	if string(magic) == modelMagic {
		m.version = hex.EncodeToString(h.Sum(nil))[:12]
	}
	return m, nil
}

func putUvarint(w *bufio.Writer, v uint64) {
	var b [binary.MaxVarintLen64]byte
	w.Write(b[:binary.PutUvarint(b[:], v)])
}

func putFloat(w *bufio.Writer, f float32) {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], math.Float32bits(f))
	w.Write(b[:])
}

func getFloat(r io.Reader) (float32, error) {
	var b [4]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, fmt.Errorf("reading model: %w", err)
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(b[:])), nil
}
