// Package deps pins the project's dependencies in go.mod while the packages
// that use them are written in parallel. Remove it once every one is imported.
package deps

import (
	_ "github.com/blevesearch/bleve/v2"
	_ "github.com/chromedp/chromedp"
	_ "github.com/elastic/go-elasticsearch/v8"
	_ "github.com/elastic/go-elasticsearch/v8/esutil"
	_ "github.com/gocolly/colly/v2"
	_ "github.com/mattn/go-mastodon"
	_ "github.com/mmcdole/gofeed"
	_ "github.com/nyaruka/phonenumbers"
	_ "github.com/pemistahl/lingua-go"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/segmentio/kafka-go"
	_ "github.com/segmentio/kafka-go/compress"
	_ "github.com/spf13/cobra"
	_ "github.com/twmb/franz-go/pkg/kfake"
	_ "golang.org/x/net/html"
	_ "golang.org/x/text/encoding/htmlindex"
	_ "golang.org/x/text/unicode/norm"
	_ "golang.org/x/time/rate"
	_ "gopkg.in/yaml.v3"
)
