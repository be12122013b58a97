package bleve

import (
	"context"
	"fmt"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/contract"
)

// terms lists every term of every field in the segments of the index at
// path, deleted documents' terms included.
func terms(t *testing.T, path string) []string {
	t.Helper()
	idx, err := bleve.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	fields, err := idx.Fields()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fields {
		d, err := idx.FieldDict(f)
		if err != nil {
			t.Fatal(err)
		}
		for e, err := d.Next(); e != nil || err != nil; e, err = d.Next() {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, f+":"+e.Term)
		}
		d.Close()
	}
	return out
}

// An erased person's mentions leave the index's files, not only its
// searches: scorch keeps a deleted document's terms in its segment until a
// merge, so DeletePerson merges.
func TestDeletePersonPurgesTheSegments(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(Config{Path: dir}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ms := contract.Mentions()
	// The person wrote a mention in each of two batches, beside others'
	// mentions: two segments keep their live documents and hold the
	// person's deleted ones.
	ms[0].Author.Email, ms[len(ms)-1].Author.Email = "erased@example.com", "erased@example.com"
	for _, part := range [][]int{{0, len(ms) / 2}, {len(ms) / 2, len(ms)}} {
		for _, err := range b.UpsertMentions(context.Background(), ms[part[0]:part[1]]) {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	var victim, other string = "erased@example.com", ""
	for _, m := range ms {
		if m.Author.Email != victim {
			other = "author:user_" + m.ID
		}
	}
	if victim == "" || other == "" {
		t.Fatal("the fixture has no mention with an e-mail, or only one person")
	}
	waitPersisted(t, b)
	n, err := b.DeletePerson(context.Background(), index.Person{Emails: []string{victim}})
	if err != nil || n == 0 {
		t.Fatalf("DeletePerson: %d, %v", n, err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(terms(t, filepath.Join(dir, "mentions.bleve")), "\n")
	if strings.Contains(all, strings.ToLower(victim)) {
		t.Fatalf("the erased e-mail is still a term of the index's segments")
	}
	if !strings.Contains(all, other) {
		t.Fatalf("other people's terms are gone too:\n%s", all)
	}
}

// waitPersisted waits until scorch wrote every segment to disk, as in a
// running hub where the erasure comes long after the writes.
func waitPersisted(t *testing.T, b *Backend) {
	t.Helper()
	raw, err := b.mentions.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	for range 500 {
		st := raw.(*scorch.Scorch).StatsMap()
		if fmt.Sprint(st["TotMemorySegmentsAtRoot"]) == "0" && fmt.Sprint(st["TotFileSegmentsAtRoot"]) != "0" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the index never persisted its segments")
}
