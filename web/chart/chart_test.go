package chart

import (
	"encoding/xml"
	"fmt"
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

// drawings splits a chart's frame into its drawings, failing unless they
// are marked with classes, in that order (widest first).
func drawings(t *testing.T, frame string, classes ...string) []string {
	t.Helper()
	wellFormed(t, frame)
	inner, ok := strings.CutPrefix(frame, `<div class="chart-frame">`)
	inner, ok2 := strings.CutSuffix(inner, `</div>`)
	if !ok || !ok2 || strings.Count(inner, "<svg ") != len(classes) {
		t.Fatalf("not a frame of %d drawings:\n%s", len(classes), frame)
	}
	var out []string
	for i, class := range classes {
		end := len(inner)
		if i < len(classes)-1 {
			end = strings.Index(inner[1:], "<svg ") + 1
		}
		svg := inner[:end]
		inner = inner[end:]
		if !strings.Contains(svg[:strings.Index(svg, ">")], " "+class+`"`) {
			t.Fatalf("drawing %d not marked %s:\n%s", i, class, frame)
		}
		out = append(out, svg)
	}
	return out
}

// wideAndNarrow splits a frame of two or three drawings into its widest
// and its narrowest.
func wideAndNarrow(t *testing.T, frame string, medium bool) (wide, narrow string) {
	t.Helper()
	classes := []string{"chart-wide", "chart-narrow"}
	if medium {
		classes = []string{"chart-wide", "chart-medium", "chart-narrow"}
	}
	d := drawings(t, frame, classes...)
	return d[0], d[len(d)-1]
}

// viewWidth is the width of a drawing's viewBox.
func viewWidth(t *testing.T, svg string) int {
	t.Helper()
	var w, h int
	i := strings.Index(svg, `viewBox="0 0 `)
	if i < 0 {
		t.Fatalf("no viewBox:\n%s", svg)
	}
	if _, err := fmt.Sscanf(svg[i+len(`viewBox="0 0 `):], "%d %d", &w, &h); err != nil {
		t.Fatal(err)
	}
	return w
}

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
	for _, svg := range drawings(t, string(v.SVG()), "chart-wide", "chart-medium", "chart-narrow") {
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
}

// A phone shows the narrow drawing at about its own size: it must be
// drawn for a phone's width, with fewer day labels, shorter names and the
// donut's legend under the ring, and still hold every value; the volume
// chart has a drawing for a tablet's width between.
func TestChartsAreDrawnForAWideAndANarrowFrame(t *testing.T) {
	days := make([]string, 30)
	neg := make([]float64, 30)
	for i := range days {
		days[i] = fmt.Sprintf("%d Nov", i+1)
		neg[i] = float64(i % 5)
	}
	vol := drawings(t, string(Volume{Title: "t", Labels: days, Stacks: []Series{{Name: "n", Class: "s-negative", Values: neg}}}.SVG()),
		"chart-wide", "chart-medium", "chart-narrow")
	wide, medium, narrow := vol[0], vol[1], vol[2]
	if w, m := viewWidth(t, narrow), viewWidth(t, medium); w > 360 || m <= w || m >= viewWidth(t, wide) {
		t.Errorf("volume drawn %d, %d and %d wide; want the narrow one at most a phone card's 360, the medium between", viewWidth(t, wide), m, w)
	}
	dayLabels := func(svg string) int { return strings.Count(svg, " Nov</text>") }
	if dayLabels(narrow) < 3 || dayLabels(narrow) > 4 || dayLabels(medium) < 5 || dayLabels(medium) > 6 || dayLabels(wide) < 6 || dayLabels(wide) > 8 {
		t.Errorf("day labels: %d narrow, %d medium, %d wide; want 3–4, 5–6 and 6–8", dayLabels(narrow), dayLabels(medium), dayLabels(wide))
	}
	for _, svg := range vol {
		if n := strings.Count(svg, "<rect "); n != 24 { // every bucket but the six zeros
			t.Errorf("volume bars = %d; want 24", n)
		}
	}

	long := "Departamento de Atendimento ao Cliente"
	bw, bn := wideAndNarrow(t, string(Bars{Title: "t", Bars: []Bar{{Label: long, Value: 3}, {Label: "b", Value: 1}}}.SVG()), true)
	dw, dn := wideAndNarrow(t, string(Diverging{Title: "t", Pairs: []Pair{{Label: long, Positive: 2, Negative: 5}}}.SVG()), true)
	for name, pair := range map[string][2]string{"bars": {bw, bn}, "diverging": {dw, dn}} {
		label := func(svg string) string {
			i := strings.Index(svg, `<text class="label"`)
			j := strings.Index(svg[i:], "</text>")
			return svg[i+strings.Index(svg[i:], ">")+1 : i+j]
		}
		if viewWidth(t, pair[1]) > 360 {
			t.Errorf("%s: narrow drawing %d wide", name, viewWidth(t, pair[1]))
		}
		if l := []rune(label(pair[1])); len(l) >= len([]rune(label(pair[0]))) || !strings.HasSuffix(string(l), "…") {
			t.Errorf("%s: narrow label %q not shorter than wide %q", name, string(l), label(pair[0]))
		}
		if strings.Count(pair[1], "<title>"+long) != strings.Count(pair[0], "<title>"+long) {
			t.Errorf("%s: the narrow drawing lost a bar's full title", name)
		}
	}

	ow, on := wideAndNarrow(t, string(Donut{Title: "t", Slices: []Bar{{Label: "us", Value: 3}, {Label: "them", Value: 1}}}.SVG()), false)
	legendX := func(svg string) int {
		var x int
		i := strings.Index(svg, `<rect class="c0" x="`)
		if _, err := fmt.Sscanf(svg[i+len(`<rect class="c0" x="`):], "%d", &x); err != nil {
			t.Fatal(err)
		}
		return x
	}
	if viewWidth(t, on) > 360 || legendX(on) != 0 || legendX(ow) < 180 {
		t.Errorf("donut legend at x=%d narrow (%d wide), x=%d wide; want under the ring on a phone", legendX(on), viewWidth(t, on), legendX(ow))
	}
	for _, svg := range []string{ow, on} {
		if !strings.Contains(svg, "75.0%") || !strings.Contains(svg, "25.0%") {
			t.Errorf("donut legend lacks the shares:\n%s", svg)
		}
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
