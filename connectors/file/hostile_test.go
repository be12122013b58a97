package file

import (
	"bytes"
	"io"
	"testing"
)

// FuzzDecoders: the JSONL and CSV decoders take hostile bytes: rows come
// with increasing line numbers, a rejected row keeps at most max_line_bytes
// of raw bytes, and reading ends with io.EOF, never a panic (an unterminated
// quote once crashed the process in csv.Reader.FieldPos).
func FuzzDecoders(f *testing.F) {
	for _, s := range []string{
		"{\"id\":\"a1\",\"text\":\"Świetny ekspres\"}\n{\"id\":2}\n\n{bad\n",
		"{\"a\":1}{\"b\":2}\n\"just a string\"\n[1,2]\n",
		"id,text,author.name\n1,\"Labdien, \"\"jā\"\"\",Jānis\n2,短,李\n",
		"id;text\n1;\"unterminated\n2;x\n",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, csvFormat bool) {
		const maxLine = 64
		var dec rowDecoder
		if csvFormat {
			d, err := newCSVDecoder(bytes.NewReader(data), ',', 0)
			if err != nil {
				return // no readable header: refused at Connect
			}
			dec = d
		} else {
			dec = newJSONLDecoder(bytes.NewReader(data), maxLine, 0, false)
		}
		last := int64(0)
		for i := 0; ; i++ {
			r, line, raw, err := dec.next()
			if err == io.EOF {
				break
			}
			if i > len(data)+1 {
				t.Fatalf("%d rows from %d bytes", i, len(data))
			}
			if line < last {
				t.Fatalf("line %d after line %d", line, last)
			}
			last = line
			if err != nil {
				if !csvFormat && len(raw) > maxLine {
					t.Fatalf("rejected row keeps %d bytes, max %d", len(raw), maxLine)
				}
				continue
			}
			_, _ = r.get("text")
			_, _ = r.get("author.name")
		}
	})
}
