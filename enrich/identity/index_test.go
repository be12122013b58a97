package identity

import (
	"fmt"
	"slices"
	"testing"
)

func TestMultimapAddRemoveGrowAndHeavyKeys(t *testing.T) {
	mix := func(k uint64) uint64 { return k * 0x9e3779b97f4a7c15 }
	var m multimap
	for k := range uint64(5000) {
		for v := range uint32(3) {
			m.add(mix(k), uint32(k)*10+v)
		}
	}
	if m.live != 15000 {
		t.Fatalf("live = %d", m.live)
	}
	got := func(k uint64) []uint32 {
		var out []uint32
		m.each(mix(k), func(v uint32) bool { out = append(out, v); return true })
		slices.Sort(out)
		return out
	}
	if g := got(42); !slices.Equal(g, []uint32{420, 421, 422}) {
		t.Fatalf("key 42 = %v", g)
	}
	if !m.remove(mix(42), 421) || m.remove(mix(42), 421) {
		t.Fatal("remove should succeed once")
	}
	if g := got(42); !slices.Equal(g, []uint32{420, 422}) {
		t.Fatalf("key 42 after remove = %v", g)
	}
	// Deleted slots are reused and cleared by rehashing; nothing is lost.
	for k := range uint64(5000) {
		m.remove(mix(k), uint32(k)*10)
		m.add(mix(k), uint32(k)*10+7)
	}
	if g := got(4999); !slices.Equal(g, []uint32{49991, 49992, 49997}) {
		t.Fatalf("key 4999 = %v", g)
	}
	if vals, ok := m.appendValues(nil, mix(7), 2); ok || len(vals) != 0 {
		t.Fatalf("a key over the limit must report false, got %v %v", vals, ok)
	}

	// A limited table drops a key that reaches the limit, and keeps it out.
	h := multimap{limit: 3}
	for v := range uint32(3) {
		if !h.add(1, v) {
			t.Fatalf("posting %d refused", v)
		}
	}
	if h.add(1, 3) || h.live != 0 || !h.isHeavy(fingerprint(1)) {
		t.Fatalf("fourth posting: live %d heavy %v", h.live, h.isHeavy(fingerprint(1)))
	}
	if vals, ok := h.appendValues(nil, 1, 100); ok || len(vals) != 0 {
		t.Fatal("heavy key returned values")
	}
	if !h.add(2, 9) {
		t.Fatal("another key refused")
	}
}

func TestRecordsArenaCompaction(t *testing.T) {
	rs := records{minGarbage: 1 << 20}
	ids := map[string]uint32{}
	for i := range 40000 {
		var v view
		v[pID] = fmt.Sprintf("C%05d", i)
		v[pFirst] = "katarzyna"
		v[pStreet] = fmt.Sprintf("ul. Marszałkowska %d with a long description to fill the arena quickly", i)
		ids[v[pID]] = rs.add(&v)
	}
	before := len(rs.chunks)
	for i := range 40000 {
		if i%4 != 0 {
			rs.remove(ids[fmt.Sprintf("C%05d", i)])
		}
	}
	if len(rs.chunks) >= before {
		t.Fatalf("no compaction: %d chunks before, %d after", before, len(rs.chunks))
	}
	for i := 0; i < 40000; i += 4 {
		id := fmt.Sprintf("C%05d", i)
		v := rs.view(ids[id])
		if v[pID] != id || v[pFirst] != "katarzyna" || v[pStreet] != fmt.Sprintf("ul. Marszałkowska %d with a long description to fill the arena quickly", i) {
			t.Fatalf("record %s after compaction = %q %q %q", id, v[pID], v[pFirst], v[pStreet])
		}
	}
	// Freed slots are reused.
	var v view
	v[pID] = "new"
	if i := rs.add(&v); i >= 40000 || rs.field(i, pID) != "new" {
		t.Fatalf("reuse: index %d", i)
	}
}

func TestIndexUpsertRemoveKeepsTablesConsistent(t *testing.T) {
	r := newTestResolver(t)
	st := r.Stats()
	for range 3 {
		for _, c := range fixtureCustomers() {
			r.ApplyCustomer(c.ID, &c)
		}
	}
	if st2 := r.Stats(); st2.ExactPostings != st.ExactPostings || st2.BlockPostings != st.BlockPostings || st2.Customers != 7 {
		t.Fatalf("re-applying the same customers changed the index: %+v → %+v", st, st2)
	}
	for _, c := range fixtureCustomers() {
		r.ApplyCustomer(c.ID, nil)
	}
	if st := r.Stats(); st.ExactPostings != 0 || st.BlockPostings != 0 || st.Customers != 0 || st.DistinctNames != 0 {
		t.Fatalf("after erasing everyone: %+v", st)
	}
}
