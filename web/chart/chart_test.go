package chart

import (
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"testing"
)

// wellFormed parses the SVG as XML: a broken tag or an unescaped label
// fails here.
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed: %v\n%s", err, svg)
		}
	}
}

const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&`

func TestVolumeStacksAndMarksSpikes(t *testing.T) {
	v := Volume{
		Title:  "Volume " + hostile,
		Labels: []string{"1", "2", "3", "4", "5", hostile},
		Stacks: []Series{
			{Name: "negative", Class: "s-negative", Values: []float64{1, 1, 2, 1, 1, 40}},
			{Name: "positive", Class: "s-positive", Values: []float64{3, 2, 3, 4, 3, 5}},
		},
		Previous:   []float64{4, 4, 4, 4, 4, 4},
		SpikeLabel: "spike",
	}
	v.Spikes = Spikes([]float64{4, 3, 5, 5, 4, 45}, 10, 5)
	if !slices.Equal(v.Spikes, []int{5}) {
		t.Fatalf("spikes = %v; want [5]", v.Spikes)
	}
	svg := string(v.SVG())
	wellFormed(t, svg)
	if n := strings.Count(svg, `<rect class="s-negative"`); n != 6 {
		t.Errorf("negative bars = %d; want 6", n)
	}
	if !strings.Contains(svg, `class="spike"`) || !strings.Contains(svg, `class="previous"`) {
		t.Errorf("spike marker or previous-period line missing:\n%s", svg)
	}
	if strings.Contains(svg, "<script") || strings.Contains(svg, "<img") {
		t.Errorf("label not escaped:\n%s", svg)
	}
}

func TestSpikesNeedHistoryAndMinimum(t *testing.T) {
	if got := Spikes([]float64{100, 1, 1}, 10, 1); got != nil {
		t.Errorf("spikes without three earlier buckets = %v; want none", got)
	}
	if got := Spikes([]float64{0, 0, 0, 0, 4}, 10, 5); got != nil {
		t.Errorf("spike below the minimum count = %v; want none", got)
	}
	if got := Spikes([]float64{10, 12, 11, 9, 13}, 10, 1); got != nil {
		t.Errorf("ordinary variation marked as spikes: %v", got)
	}
}

func TestBarsDivergingDonutEscapeAndLink(t *testing.T) {
	for name, svg := range map[string]string{
		"bars": string(Bars{Title: "t", Bars: []Bar{{Label: hostile, Value: 3, Href: "/mentions?q=a&b=" + hostile}, {Label: "b", Value: 1}}}.SVG()),
		"diverging": string(Diverging{Title: "t", Pairs: []Pair{
			{Label: hostile, Positive: 2, Negative: 5, NegativeHref: "/x?a=1&b=2"},
		}}.SVG()),
		"donut":       string(Donut{Title: "t", Slices: []Bar{{Label: hostile, Value: 3}, {Label: "them", Value: 1}}}.SVG()),
		"donut-whole": string(Donut{Title: "t", Slices: []Bar{{Label: "us", Value: 3}}}.SVG()),
		"donut-empty": string(Donut{Title: "t"}.SVG()),
		"volume-none": string(Volume{Title: "t"}.SVG()),
	} {
		wellFormed(t, svg)
		if strings.Contains(svg, "<script") || strings.Contains(svg, "<img") || strings.Contains(svg, "onerror=alert") && !strings.Contains(svg, "onerror=alert(2)&gt;") {
			t.Errorf("%s: label not escaped:\n%s", name, svg)
		}
	}
	d := string(Donut{Title: "t", Slices: []Bar{{Label: "us", Value: 3}, {Label: "them", Value: 1}}}.SVG())
	if !strings.Contains(d, "75.0%") || !strings.Contains(d, "25.0%") {
		t.Errorf("donut legend lacks the shares:\n%s", d)
	}
	b := string(Bars{Title: "t", Bars: []Bar{{Label: "x", Value: 1, Href: "/m?q=a&b"}}}.SVG())
	if !strings.Contains(b, `<a href="/m?q=a&amp;b">`) {
		t.Errorf("bar link missing or unescaped:\n%s", b)
	}
}

func TestNiceCeil(t *testing.T) {
	for in, want := range map[float64]float64{0: 4, 1: 4, 3: 4, 7: 8, 12: 20, 77: 80, 240: 400, 999: 2000} {
		if got := niceCeil(in); got != want {
			t.Errorf("niceCeil(%g) = %g; want %g", in, got, want)
		}
	}
}
