package textnorm

import (
	"slices"
	"testing"
)

func TestStemIndex(t *testing.T) {
	var x StemIndex[int]
	if _, ok := x.Longest("anything"); ok {
		t.Fatal("empty index matched")
	}
	for i, s := range []string{"świetn", "świ", "price", "pr", "p", "prices", "kupi"} {
		x.Add(s, i)
	}
	x.Add("kupi", 70) // replaces
	if x.Len() != 7 {
		t.Fatalf("Len = %d, want 7", x.Len())
	}
	var got []string
	x.Each("prices", func(s string, _ int) { got = append(got, s) })
	if want := []string{"prices", "price", "pr", "p"}; !slices.Equal(got, want) {
		t.Errorf("Each(prices) = %v, want %v (longest first)", got, want)
	}
	got = got[:0]
	x.Each("świetnie", func(s string, _ int) { got = append(got, s) })
	if want := []string{"świetn", "świ"}; !slices.Equal(got, want) {
		t.Errorf("Each(świetnie) = %v, want %v", got, want)
	}
	for w, want := range map[string]int{"świetny": 0, "świat": 1, "pricey": 2, "pro": 3, "pa": 4, "kupić": 70} {
		if v, ok := x.Longest(w); !ok || v != want {
			t.Errorf("Longest(%q) = %v, %v; want %v", w, v, ok, want)
		}
	}
	if _, ok := x.Longest("xyz"); ok {
		t.Error("Longest(xyz) matched")
	}
	if v, ok := x.Get("pr"); !ok || v != 3 {
		t.Errorf("Get(pr) = %v, %v", v, ok)
	}
	n := 0
	x.All(func(string, int) { n++ })
	if n != 7 {
		t.Errorf("All visited %d stems, want 7", n)
	}
	if _, ok := x.Get("pri"); ok {
		t.Error("Get(pri) found a stem that was never added")
	}
}
