package alert

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/earshothq/earshot/record"
)

// Rendered is a notification as an e-mail: subject, plain text, HTML and
// the images the HTML refers to by Content-ID.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
	Images  []InlineImage
}

// InlineImage is a PNG shown in the HTML part as cid:ContentID.
type InlineImage struct {
	ContentID string
	Name      string
	PNG       []byte
}

//go:embed templates/*
var templateFS embed.FS

var funcs = map[string]any{
	"metric": formatMetric,
	"change": change,
	"pct": func(part, total int64) string {
		if total == 0 {
			return "0%"
		}
		return fmt.Sprintf("%.0f%%", 100*float64(part)/float64(total))
	},
	"when":  func(t time.Time) string { return t.UTC().Format("Mon 2 Jan 2006 15:04 MST") },
	"day":   func(t time.Time) string { return t.UTC().Format("Mon 2 Jan") },
	"clip":  clip,
	"quote": func(s string) string { return "> " + strings.ReplaceAll(clip(s, 400), "\n", "\n> ") },
	"neg":   func(m map[string]int64) int64 { return m[record.SentimentNegative] },
	"pos":   func(m map[string]int64) int64 { return m[record.SentimentPositive] },
	"score": func(f float64) string { return fmt.Sprintf("%.2f", f) },
	"join":  strings.Join,
	"first": firstNonEmpty,
}

var (
	htmlTemplates = htmltemplate.Must(htmltemplate.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))
	textTemplates = texttemplate.Must(texttemplate.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.txt"))
)

// Render makes the e-mail form of a notification. Digests get their charts
// as PNG images.
func Render(n *record.Notification) (*Rendered, error) {
	r := &Rendered{Subject: "[Earshot] " + n.Title}
	data := map[string]any{"N": n}
	name := "alert"
	if d := n.Digest; d != nil {
		name = "digest"
		labels := make([]string, len(d.Series))
		for i, p := range d.Series {
			labels[i] = p.Start.Format("Mon")
			if d.Period == record.PeriodDaily {
				labels[i] = p.Start.Format("15h")
			}
		}
		volume, err := VolumeChart(d.Series, d.PrevSeries, labels)
		if err != nil {
			return nil, err
		}
		sentiment, err := SentimentChart(d.Sentiment, d.PrevSentiment)
		if err != nil {
			return nil, err
		}
		r.Images = []InlineImage{
			{ContentID: "volume." + n.ID + "@earshot", Name: "volume.png", PNG: volume},
			{ContentID: "sentiment." + n.ID + "@earshot", Name: "sentiment.png", PNG: sentiment},
		}
		// cid: is not a scheme html/template trusts; these are our own ids.
		data["VolumeCID"] = htmltemplate.URL("cid:" + r.Images[0].ContentID)
		data["SentimentCID"] = htmltemplate.URL("cid:" + r.Images[1].ContentID)
	}
	var t, h bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&t, name+".txt", data); err != nil {
		return nil, fmt.Errorf("rendering %s text: %w", name, err)
	}
	if err := htmlTemplates.ExecuteTemplate(&h, name+".html", data); err != nil {
		return nil, fmt.Errorf("rendering %s HTML: %w", name, err)
	}
	r.Text, r.HTML = t.String(), h.String()
	return r, nil
}

// RenderStandalone is the HTML of a digest with its images inlined as data:
// URLs, for viewing in a browser (the CI artifact, the UI preview).
func RenderStandalone(n *record.Notification) (string, error) {
	r, err := Render(n)
	if err != nil {
		return "", err
	}
	out := r.HTML
	for _, img := range r.Images {
		out = strings.ReplaceAll(out, "cid:"+img.ContentID, "data:image/png;base64,"+b64(img.PNG))
	}
	return out, nil
}
