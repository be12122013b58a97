// Package chart draws the web app's charts as SVG on the server: volume over
// time stacked by sentiment with spikes marked, horizontal bars, diverging
// bars (positive against negative) and a share donut. The output is inline
// SVG with presentation attributes and CSS classes only (no style
// attributes, no script), so it renders under a strict Content Security
// Policy and without JavaScript. Every label is escaped: labels come from
// mentions, which are attacker-controlled text.
//
// An SVG scales its text with its width, so one drawing cannot suit both a
// laptop's card and a phone's: drawn for 720 units, its 11-unit labels were
// 5 px on a phone. Each chart is therefore drawn for a wide and a narrow
// frame and, but for the donut, one between, inside a
// <div class="chart-frame">; the stylesheet shows the one that
// fits the frame's own width (a CSS container query), so a chart reads at
// 10–18 px on a phone, a tablet, in half a laptop's grid and across it.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Series is one named row of values (one sentiment across time buckets).
// Class is the CSS class its shapes get (e.g. "s-negative").
type Series struct {
	Name   string
	Class  string
	Values []float64
}

// Volume is a stacked bar chart over time.
type Volume struct {
	Title  string   // accessible name of the chart
	Labels []string // one per bucket, shown on the x axis (thinned to fit)
	Stacks []Series // drawn bottom to top
	// Spikes are indices of buckets marked as unusual (see Spikes).
	Spikes []int
	// Previous, when set, is the previous period's total per bucket, drawn
	// as a dashed line for comparison.
	Previous []float64
	// SpikeLabel titles a spike marker (localised by the caller).
	SpikeLabel string
	// Format prints a value (localised number); nil prints %g.
	Format func(float64) string
}

const (
	barGapRatio = 0.2
	hbarRowH    = 24
)

// Each chart's drawings: wide for a laptop's card, narrow for a phone's
// (about 340 px inside a card on a 390-px screen), and for all but the
// donut one between (a tablet's page, half a small laptop's grid). A
// drawing w units wide keeps its 11–12-unit text within 10–18 px in frames
// of about 0.9w to 1.5w; the stylesheet switches where the next one scales
// about as far from its size: the volume chart at 840 and 530 px, bars and
// diverging bars at 520 and 400, the donut at 430.
var (
	volumeWide   = volumeLayout{class: "chart-wide", w: 880, h: 300, padL: 44, padR: 8, padT: 18, padB: 36, xLabels: 8}
	volumeMedium = volumeLayout{class: "chart-medium", w: 560, h: 250, padL: 40, padR: 8, padT: 16, padB: 34, xLabels: 6}
	volumeNarrow = volumeLayout{class: "chart-narrow", w: 340, h: 220, padL: 34, padR: 6, padT: 16, padB: 32, xLabels: 4}
	barsWide     = barsLayout{class: "chart-wide", w: 560, label: 180, runes: 24}
	barsMedium   = barsLayout{class: "chart-medium", w: 440, label: 156, runes: 19}
	barsNarrow   = barsLayout{class: "chart-narrow", w: 340, label: 132, runes: 14}
	pairsWide    = barsLayout{class: "chart-wide", w: 560, label: 130, runes: 18}
	pairsMedium  = barsLayout{class: "chart-medium", w: 440, label: 116, runes: 15}
	pairsNarrow  = barsLayout{class: "chart-narrow", w: 340, label: 104, runes: 13}
	donutWide    = donutLayout{class: "chart-wide", w: 460, runes: 24}
	donutNarrow  = donutLayout{class: "chart-narrow", w: 340, runes: 30, legendBelow: true}
)

// volumeLayout is the size a Volume is drawn at; xLabels is how many
// bucket labels fit under it.
type volumeLayout struct {
	class                  string
	w, h                   int
	padL, padR, padT, padB int
	xLabels                int
}

// barsLayout is the size a Bars or Diverging chart is drawn at: label is
// the width of the label column, runes how much of a label fits in it.
type barsLayout struct {
	class    string
	w, label int
	runes    int
}

// donutLayout is the size a Donut is drawn at; a narrow one puts its
// legend under the ring instead of beside it.
type donutLayout struct {
	class       string
	w, runes    int
	legendBelow bool
}

func esc(s string) string { return html.EscapeString(s) }

// framed wraps a chart's drawings, widest first, in the frame whose width
// picks among them.
func framed[L any](draw func(*strings.Builder, L), layouts ...L) template.HTML {
	var b strings.Builder
	b.WriteString(`<div class="chart-frame">`)
	for _, l := range layouts {
		draw(&b, l)
	}
	b.WriteString(`</div>`)
	return template.HTML(b.String())
}

// openSVG starts one drawing: kind names the chart ("volume", "bars"...),
// class the layout it is drawn for.
func openSVG(b *strings.Builder, kind, class string, w, h int, title string) {
	fmt.Fprintf(b, `<svg class="chart chart-%s %s" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`,
		kind, class, w, h, esc(title), esc(title))
}

func (c Volume) format(v float64) string {
	if c.Format != nil {
		return c.Format(v)
	}
	return fmt.Sprintf("%g", v)
}

// SVG renders the chart, wide, medium and narrow. A chart with no buckets
// renders an empty frame with the title, so the page layout does not jump.
func (c Volume) SVG() template.HTML { return framed(c.draw, volumeWide, volumeMedium, volumeNarrow) }

func (c Volume) draw(b *strings.Builder, l volumeLayout) {
	openSVG(b, "volume", l.class, l.w, l.h, c.Title)
	n := len(c.Labels)
	totals := make([]float64, n)
	for _, s := range c.Stacks {
		for i := 0; i < n && i < len(s.Values); i++ {
			totals[i] += s.Values[i]
		}
	}
	maxV := 0.0
	for i := range totals {
		maxV = math.Max(maxV, totals[i])
		if i < len(c.Previous) {
			maxV = math.Max(maxV, c.Previous[i])
		}
	}
	maxV = niceCeil(maxV)
	plotW, plotH := float64(l.w-l.padL-l.padR), float64(l.h-l.padT-l.padB)
	y := func(v float64) float64 { return float64(l.padT) + plotH - v/maxV*plotH }
	// grid and y labels
	for k := 0; k <= 4; k++ {
		v := maxV * float64(k) / 4
		yy := y(v)
		fmt.Fprintf(b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, l.padL, l.w-l.padR, yy, yy)
		fmt.Fprintf(b, `<text class="axis" x="%d" y="%.1f" text-anchor="end">%s</text>`, l.padL-4, yy+4, esc(c.format(v)))
	}
	if n == 0 {
		b.WriteString(`</svg>`)
		return
	}
	slot := plotW / float64(n)
	barW := math.Min(48, math.Max(1, slot*(1-barGapRatio)))
	for i := 0; i < n; i++ {
		x := float64(l.padL) + slot*float64(i) + (slot-barW)/2
		base := 0.0
		for _, s := range c.Stacks {
			if i >= len(s.Values) || s.Values[i] <= 0 {
				continue
			}
			v := s.Values[i]
			fmt.Fprintf(b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s · %s: %s</title></rect>`,
				esc(s.Class), x, y(base+v), barW, y(base)-y(base+v), esc(c.Labels[i]), esc(s.Name), esc(c.format(v)))
			base += v
		}
	}
	if len(c.Previous) > 0 {
		var pts []string
		for i := 0; i < n && i < len(c.Previous); i++ {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", float64(l.padL)+slot*(float64(i)+0.5), y(c.Previous[i])))
		}
		fmt.Fprintf(b, `<polyline class="previous" fill="none" points="%s"/>`, strings.Join(pts, " "))
	}
	for _, i := range c.Spikes {
		if i < 0 || i >= n {
			continue
		}
		cx := float64(l.padL) + slot*(float64(i)+0.5)
		cy := y(totals[i]) - 8
		fmt.Fprintf(b, `<path class="spike" d="M%.1f %.1f l-5 -8 h10 z"><title>%s: %s · %s</title></path>`, cx, cy+6, esc(c.SpikeLabel), esc(c.Labels[i]), esc(c.format(totals[i])))
	}
	// x labels, thinned to at most the layout's number
	step := (n + l.xLabels - 1) / l.xLabels
	for i := 0; i < n; i += step {
		x := float64(l.padL) + slot*(float64(i)+0.5)
		fmt.Fprintf(b, `<text class="axis" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x, l.h-l.padB+16, esc(c.Labels[i]))
	}
	b.WriteString(`</svg>`)
}

// niceCeil rounds v up to the top of an axis with four equal, round steps
// (1, 2 or 5 times a power of ten, at least 1), so every tick label is a
// whole, readable number.
func niceCeil(v float64) float64 {
	step := 1.0
	if q := v / 4; q > 1 {
		p := math.Pow(10, math.Floor(math.Log10(q)))
		step = 10 * p
		for _, m := range []float64{1, 2, 5} {
			if m*p >= q {
				step = m * p
				break
			}
		}
	}
	return 4 * step
}

// Spikes returns the indices of buckets whose total stands out from the
// buckets before them: more than the trailing mean plus three standard
// deviations (over up to window earlier buckets, at least three), and at
// least minCount. The same rule alerts use for "unusual volume".
func Spikes(totals []float64, window int, minCount float64) []int {
	var out []int
	for i := range totals {
		lo := max(0, i-window)
		prev := totals[lo:i]
		if len(prev) < 3 || totals[i] < minCount {
			continue
		}
		mean, sd := meanSD(prev)
		if totals[i] > mean+3*math.Max(sd, math.Sqrt(math.Max(mean, 1))) {
			out = append(out, i)
		}
	}
	return out
}

func meanSD(vs []float64) (float64, float64) {
	var s float64
	for _, v := range vs {
		s += v
	}
	mean := s / float64(len(vs))
	var ss float64
	for _, v := range vs {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / float64(len(vs)))
}

// Bar is one labelled value. Href, when set, makes the row a link (to the
// mentions behind it); Class styles the bar.
type Bar struct {
	Label string
	Value float64
	Href  string
	Class string
}

// Bars is a horizontal bar chart, largest first as given.
type Bars struct {
	Title  string
	Bars   []Bar
	Format func(float64) string
}

// SVG renders the bars, wide, medium and narrow. Links are real <a> elements, so
// the chart is keyboard-navigable.
func (c Bars) SVG() template.HTML { return framed(c.draw, barsWide, barsMedium, barsNarrow) }

func (c Bars) draw(b *strings.Builder, l barsLayout) {
	h := max(1, len(c.Bars))*hbarRowH + 4
	openSVG(b, "bars", l.class, l.w, h, c.Title)
	maxV := 0.0
	for _, bar := range c.Bars {
		maxV = math.Max(maxV, bar.Value)
	}
	if maxV == 0 {
		maxV = 1
	}
	plotW := float64(l.w - l.label - 60)
	for i, bar := range c.Bars {
		y := i * hbarRowH
		w := math.Max(1, bar.Value/maxV*plotW)
		class := bar.Class
		if class == "" {
			class = "bar"
		}
		if bar.Href != "" {
			fmt.Fprintf(b, `<a href="%s">`, esc(bar.Href))
		}
		fmt.Fprintf(b, `<text class="label" x="%d" y="%d" text-anchor="end">%s</text>`, l.label-6, y+16, esc(truncate(bar.Label, l.runes)))
		fmt.Fprintf(b, `<rect class="%s" x="%d" y="%d" width="%.1f" height="%d"><title>%s: %s</title></rect>`, esc(class), l.label, y+4, w, hbarRowH-8, esc(bar.Label), esc(c.format(bar.Value)))
		fmt.Fprintf(b, `<text class="value" x="%.1f" y="%d">%s</text>`, float64(l.label)+w+6, y+16, esc(c.format(bar.Value)))
		if bar.Href != "" {
			b.WriteString(`</a>`)
		}
	}
	b.WriteString(`</svg>`)
}

func (c Bars) format(v float64) string {
	if c.Format != nil {
		return c.Format(v)
	}
	return fmt.Sprintf("%g", v)
}

// truncate shortens s to n runes with an ellipsis.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Pair is a label with a positive and a negative count.
type Pair struct {
	Label         string
	Positive      float64
	Negative      float64
	PositiveHref  string
	NegativeHref  string
	PositiveTitle string
	NegativeTitle string
}

// Diverging draws negative counts to the left of a centre line and
// positive ones to the right, one row per label.
type Diverging struct {
	Title  string
	Pairs  []Pair
	Format func(float64) string
}

// SVG renders the chart, wide, medium and narrow.
func (c Diverging) SVG() template.HTML { return framed(c.draw, pairsWide, pairsMedium, pairsNarrow) }

func (c Diverging) draw(b *strings.Builder, l barsLayout) {
	h := max(1, len(c.Pairs))*hbarRowH + 4
	openSVG(b, "diverging", l.class, l.w, h, c.Title)
	maxV := 1.0
	for _, p := range c.Pairs {
		maxV = math.Max(maxV, math.Max(p.Positive, p.Negative))
	}
	half := float64(l.w-l.label-20) / 2
	mid := float64(l.label) + half
	f := Bars{Format: c.Format}
	for i, p := range c.Pairs {
		y := i * hbarRowH
		fmt.Fprintf(b, `<text class="label" x="%d" y="%d" text-anchor="end">%s</text>`, l.label-6, y+16, esc(truncate(p.Label, l.runes)))
		if p.Negative > 0 {
			nw := p.Negative / maxV * (half - 30)
			open, close := link(p.NegativeHref)
			fmt.Fprintf(b, `%s<rect class="s-negative" x="%.1f" y="%d" width="%.1f" height="%d"><title>%s · %s: %s</title></rect><text class="value" x="%.1f" y="%d" text-anchor="end">%s</text>%s`,
				open, mid-nw, y+4, nw, hbarRowH-8, esc(p.Label), esc(p.NegativeTitle), esc(f.format(p.Negative)), mid-nw-4, y+16, esc(f.format(p.Negative)), close)
		}
		if p.Positive > 0 {
			pw := p.Positive / maxV * (half - 30)
			open, close := link(p.PositiveHref)
			fmt.Fprintf(b, `%s<rect class="s-positive" x="%.1f" y="%d" width="%.1f" height="%d"><title>%s · %s: %s</title></rect><text class="value" x="%.1f" y="%d">%s</text>%s`,
				open, mid, y+4, pw, hbarRowH-8, esc(p.Label), esc(p.PositiveTitle), esc(f.format(p.Positive)), mid+pw+4, y+16, esc(f.format(p.Positive)), close)
		}
	}
	fmt.Fprintf(b, `<line class="axis-line" x1="%.1f" x2="%.1f" y1="0" y2="%d"/>`, mid, mid, h)
	b.WriteString(`</svg>`)
}

func link(href string) (string, string) {
	if href == "" {
		return "", ""
	}
	return `<a href="` + esc(href) + `">`, `</a>`
}

// Donut is a share chart (share of voice): each slice's part of the total,
// with a legend giving the percentages.
type Donut struct {
	Title  string
	Slices []Bar // Class picks the slice colour ("c0".."c7" by default)
	// Percent prints a share in [0,1] (localised); nil prints "12.3%".
	Percent func(float64) string
}

// SVG renders the donut and its legend, wide (legend beside the ring) and
// narrow (legend under it).
func (c Donut) SVG() template.HTML { return framed(c.draw, donutWide, donutNarrow) }

func (c Donut) draw(b *strings.Builder, l donutLayout) {
	const cy, r, inner = 90.0, 80.0, 48.0
	cx := 90.0
	rows := max(1, len(c.Slices))
	legendX, legendY := 200, 14
	h := max(180, rows*22+10)
	if l.legendBelow {
		cx = float64(l.w) / 2
		legendX, legendY = 0, 2*int(cy)+14
		h = legendY + rows*22
	}
	openSVG(b, "donut", l.class, l.w, h, c.Title)
	total := 0.0
	for _, s := range c.Slices {
		total += math.Max(0, s.Value)
	}
	if total == 0 {
		fmt.Fprintf(b, `<circle class="empty" cx="%g" cy="%g" r="%g"/>`, cx, cy, r)
	}
	angle := -math.Pi / 2
	for i, s := range c.Slices {
		if s.Value <= 0 || total == 0 {
			continue
		}
		frac := s.Value / total
		class := s.Class
		if class == "" {
			class = fmt.Sprintf("c%d", i%8)
		}
		title := fmt.Sprintf("%s: %s", s.Label, c.percent(frac))
		if frac >= 0.9999 {
			fmt.Fprintf(b, `<circle class="%s" cx="%g" cy="%g" r="%g"><title>%s</title></circle>`, esc(class), cx, cy, r, esc(title))
		} else {
			a2 := angle + frac*2*math.Pi
			large := 0
			if frac > 0.5 {
				large = 1
			}
			fmt.Fprintf(b, `<path class="%s" d="M%.2f %.2f A%g %g 0 %d 1 %.2f %.2f L%.2f %.2f A%g %g 0 %d 0 %.2f %.2f Z"><title>%s</title></path>`,
				esc(class), cx+r*math.Cos(angle), cy+r*math.Sin(angle), r, r, large, cx+r*math.Cos(a2), cy+r*math.Sin(a2),
				cx+inner*math.Cos(a2), cy+inner*math.Sin(a2), inner, inner, large, cx+inner*math.Cos(angle), cy+inner*math.Sin(angle), esc(title))
			angle = a2
		}
	}
	fmt.Fprintf(b, `<circle class="hole" cx="%g" cy="%g" r="%g"/>`, cx, cy, inner)
	for i, s := range c.Slices {
		class := s.Class
		if class == "" {
			class = fmt.Sprintf("c%d", i%8)
		}
		frac := 0.0
		if total > 0 {
			frac = math.Max(0, s.Value) / total
		}
		y := legendY + i*22
		open, close := link(s.Href)
		fmt.Fprintf(b, `%s<rect class="%s" x="%d" y="%d" width="12" height="12"/><text class="label" x="%d" y="%d">%s — %s</text>%s`,
			open, esc(class), legendX, y, legendX+18, y+11, esc(truncate(s.Label, l.runes)), esc(c.percent(frac)), close)
	}
	b.WriteString(`</svg>`)
}

func (c Donut) percent(f float64) string {
	if c.Percent != nil {
		return c.Percent(f)
	}
	return fmt.Sprintf("%.1f%%", f*100)
}
