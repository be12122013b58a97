package bleve

import (
	_ "embed"
	"fmt"
	"runtime"

	"github.com/klauspost/compress/zstd"
)

// A mention's stored record is its JSON compressed with zstd against a
// fixed dictionary of typical records (storedict.jsonl). Most of a
// tweet-length record is its keys and enrichment labels, which the
// dictionary already holds: on the benchmark corpus a record takes 287
// bytes this way against 663 with the snappy compression the segment
// applies by itself, the largest single cut in bytes per mention.
// Reading a hit back costs a few microseconds.
//
// It compresses at zstd's fastest level: with a dictionary, every record
// starts from the dictionary's match tables, and the default level's are
// large enough that resetting them was most of the index stage's
// compression time (60 µs per tweet-length record against 21 µs, for the
// same 291 bytes on the benchmark corpus).
//
// The dictionary must never change: records written with it are read
// with it. A new dictionary gets a new id, and storeDecoder keeps every
// old one. A stored value that starts with '{' is plain JSON (profiles,
// and mentions written before compression), read as it is.

//go:embed storedict.jsonl
var storeDict []byte

// storeDictID names storeDict inside every compressed record.
const storeDictID = 0xea51

var (
	storeEncoder = mustEncoder()
	storeDecoder = mustDecoder()
)

func mustEncoder() *zstd.Encoder {
	e, err := zstd.NewWriter(nil, zstd.WithEncoderDictRaw(storeDictID, storeDict),
		zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)))
	if err != nil {
		panic(fmt.Sprintf("building the stored-record encoder: %v", err))
	}
	return e
}

func mustDecoder() *zstd.Decoder {
	d, err := zstd.NewReader(nil, zstd.WithDecoderDictRaw(storeDictID, storeDict),
		zstd.WithDecoderConcurrency(runtime.GOMAXPROCS(0)))
	if err != nil {
		panic(fmt.Sprintf("building the stored-record decoder: %v", err))
	}
	return d
}

// packRecord compresses a record's JSON for storing.
func packRecord(raw []byte) []byte {
	return storeEncoder.EncodeAll(raw, make([]byte, 0, len(raw)/2))
}

// unpackRecord returns the JSON of a stored record.
func unpackRecord(stored []byte) ([]byte, error) {
	if len(stored) > 0 && stored[0] == '{' {
		return stored, nil
	}
	raw, err := storeDecoder.DecodeAll(stored, nil)
	if err != nil {
		return nil, fmt.Errorf("decompressing the stored record: %w", err)
	}
	return raw, nil
}
