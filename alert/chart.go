package alert

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/earshothq/earshot/record"
)

// Charts in e-mail are PNG: mail clients do not show SVG. They are drawn
// here with the standard image packages and a bitmap font, so digests need
// no browser and no network.

var (
	colorNegative = color.RGBA{0xd6, 0x45, 0x45, 0xff}
	colorNeutral  = color.RGBA{0x9a, 0xa5, 0xb1, 0xff}
	colorPositive = color.RGBA{0x2f, 0x9e, 0x62, 0xff}
	colorUnknown  = color.RGBA{0xd9, 0xde, 0xe4, 0xff}
	colorInk      = color.RGBA{0x33, 0x3a, 0x44, 0xff}
	colorGrid     = color.RGBA{0xe8, 0xeb, 0xef, 0xff}
	colorPrevious = color.RGBA{0x3b, 0x5b, 0xdb, 0xff}
)

// sentimentStack is the order bars are stacked, bottom up.
var sentimentStack = []struct {
	label string
	color color.RGBA
}{
	{record.SentimentNegative, colorNegative},
	{record.SentimentNeutral, colorNeutral},
	{record.SentimentPositive, colorPositive},
	{"unknown", colorUnknown},
}

// VolumeChart draws volume per bucket stacked by sentiment, with the
// previous period's volume as a line of dots for comparison.
func VolumeChart(cur, prev []record.DigestPoint, labels []string) ([]byte, error) {
	const w, h, left, right, top, bottom = 640, 240, 44, 12, 14, 34
	img := canvas(w, h)
	var peak int64 = 1
	for _, p := range cur {
		peak = max(peak, p.Count)
	}
	for _, p := range prev {
		peak = max(peak, p.Count)
	}
	peak = niceCeil(peak)
	plotH := float64(h - top - bottom)
	y := func(v int64) int { return h - bottom - int(math.Round(float64(v)/float64(peak)*plotH)) }
	for i := 0; i <= 4; i++ {
		v := peak * int64(i) / 4
		fill(img, image.Rect(left, y(v), w-right, y(v)+1), colorGrid)
		text(img, 2, y(v)+4, fmt.Sprintf("%5d", v), colorInk)
	}
	n := max(len(cur), 1)
	slot := float64(w-left-right) / float64(n)
	barW := max(int(slot*0.7), 2)
	for i, p := range cur {
		x0 := left + int(float64(i)*slot+(slot-float64(barW))/2)
		base := int64(0)
		for _, s := range sentimentStack {
			c := p.Sentiment[s.label]
			if c == 0 {
				continue
			}
			fill(img, image.Rect(x0, y(base+c), x0+barW, y(base)), s.color)
			base += c
		}
		if i < len(labels) && (n <= 14 || i%(n/7+1) == 0) {
			text(img, x0+barW/2-len(labels[i])*7/2, h-bottom+16, labels[i], colorInk)
		}
	}
	for i, p := range prev {
		if i >= n {
			break
		}
		cx := left + int(float64(i)*slot+slot/2)
		fill(img, image.Rect(cx-3, y(p.Count)-3, cx+3, y(p.Count)+3), colorPrevious)
	}
	fill(img, image.Rect(left, h-bottom, w-right, h-bottom+1), colorInk)
	legend(img, left, h-6, []legendItem{
		{"negative", colorNegative}, {"neutral", colorNeutral}, {"positive", colorPositive}, {"previous period", colorPrevious},
	})
	return encodePNG(img)
}

// SentimentChart draws the sentiment split of this period and the previous
// one as two 100 % bars.
func SentimentChart(cur, prev map[string]int64) ([]byte, error) {
	const w, h = 640, 110
	img := canvas(w, h)
	row := func(y int, label string, m map[string]int64) {
		text(img, 8, y+15, label, colorInk)
		var total int64
		for _, s := range sentimentStack {
			total += m[s.label]
		}
		x0, x1 := 120, w-12
		if total == 0 {
			fill(img, image.Rect(x0, y, x1, y+22), colorUnknown)
			text(img, x0+8, y+15, "no mentions", colorInk)
			return
		}
		x := float64(x0)
		for _, s := range sentimentStack {
			c := m[s.label]
			if c == 0 {
				continue
			}
			width := float64(x1-x0) * float64(c) / float64(total)
			fill(img, image.Rect(int(x), y, int(x+width), y+22), s.color)
			if pct := fmt.Sprintf("%.0f%%", 100*float64(c)/float64(total)); width > float64(len(pct)*7+6) {
				text(img, int(x)+4, y+15, pct, color.RGBA{0xff, 0xff, 0xff, 0xff})
			}
			x += width
		}
	}
	row(12, "this period", cur)
	row(46, "previous", prev)
	legend(img, 120, h-10, []legendItem{{"negative", colorNegative}, {"neutral", colorNeutral}, {"positive", colorPositive}})
	return encodePNG(img)
}

type legendItem struct {
	label string
	color color.RGBA
}

func legend(img *image.RGBA, x, y int, items []legendItem) {
	for _, it := range items {
		fill(img, image.Rect(x, y-9, x+10, y+1), it.color)
		text(img, x+14, y, it.label, colorInk)
		x += 14 + len(it.label)*7 + 18
	}
}

func canvas(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.White}, image.Point{}, draw.Src)
	return img
}

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r.Canon(), &image.Uniform{c}, image.Point{}, draw.Src)
}

// text draws ASCII-safe s with its baseline at y.
func text(img *image.RGBA, x, y int, s string, c color.Color) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// niceCeil rounds a positive maximum up to 1, 2 or 5 times a power of ten,
// so that axis labels are round.
func niceCeil(v int64) int64 {
	if v <= 4 {
		return 4
	}
	p := int64(1)
	for p*10 < v {
		p *= 10
	}
	for _, m := range []int64{1, 2, 4, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func encodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("encoding chart: %w", err)
	}
	return b.Bytes(), nil
}
