package identity

import (
	"testing"

	"github.com/earshothq/earshot/record"
)

// A prospect evicted for room keeps its last state for the record the
// stage may still hold back for it; an erased one does not.
func TestEvictedProspectKeepsItsLastState(t *testing.T) {
	tab := newProspectTable(1)
	tab.put(&record.Prospect{ID: "A", Key: "email:a@example.com", Score: 0.7}, []string{"email:a@example.com"})
	tab.put(&record.Prospect{ID: "B", Key: "email:b@example.com"}, []string{"email:b@example.com"})
	if _, held := tab.byID["A"]; held {
		t.Fatal("A is still in a table of one after B came")
	}
	p, ok := tab.current("A")
	if !ok || p.Score != 0.7 {
		t.Fatalf("current(A) after its eviction = %+v, %v; want its last state", p, ok)
	}
	p.Score = 0 // a copy: the kept state does not change
	if again, _ := tab.current("A"); again.Score != 0.7 {
		t.Fatal("current returned the kept state itself, not a copy")
	}
	tab.remove("B")
	tab.put(&record.Prospect{ID: "C", Key: "email:c@example.com"}, []string{"email:c@example.com"})
	tab.remove("A") // erased after its eviction
	if p, ok := tab.current("A"); ok {
		t.Fatalf("current(A) after its erasure = %+v; want none", p)
	}
	for i := range maxEvicted + 10 {
		id := string(rune('a'+i%26)) + string(rune('0'+i/26%10)) + string(rune('A'+i/260))
		tab.put(&record.Prospect{ID: id}, nil)
	}
	if len(tab.evicted) > maxEvicted {
		t.Fatalf("%d evicted states kept; want at most %d", len(tab.evicted), maxEvicted)
	}
}
