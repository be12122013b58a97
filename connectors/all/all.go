// Package all registers every connector type; the binary imports it once.
package all

import (
	_ "github.com/earshothq/earshot/connectors/appstore"
	_ "github.com/earshothq/earshot/connectors/bluesky"
	_ "github.com/earshothq/earshot/connectors/feed"
	_ "github.com/earshothq/earshot/connectors/file"
	_ "github.com/earshothq/earshot/connectors/forms"
	_ "github.com/earshothq/earshot/connectors/hackernews"
	_ "github.com/earshothq/earshot/connectors/mastodon"
	_ "github.com/earshothq/earshot/connectors/reddit"
	_ "github.com/earshothq/earshot/connectors/webcrawl"
	_ "github.com/earshothq/earshot/connectors/youtube"
)
