package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/earshothq/earshot/record"
)

// Slack posts notifications to a Slack-compatible incoming webhook (Slack,
// Mattermost, Rocket.Chat) as a Block Kit message with a link back.
type Slack struct {
	URL    string
	Client *http.Client
}

// Send posts one message.
func (s *Slack) Send(ctx context.Context, n *record.Notification) error {
	body, err := json.Marshal(SlackMessage(n))
	if err != nil {
		return &SendError{Err: fmt.Errorf("encoding Slack message: %w", err), Permanent: true}
	}
	return postJSON(ctx, s.Client, s.URL, body, nil)
}

// Block Kit limits (api.slack.com/reference/block-kit/blocks).
const (
	slackMaxBlocks      = 50
	slackMaxHeader      = 150
	slackMaxSectionText = 3000
	slackMaxFieldText   = 2000
	slackMaxButtonText  = 75
	slackMaxURL         = 3000
	slackMaxFallback    = 4000
	slackMentionsShown  = 5
)

type slackText struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Fields   []slackText `json:"fields,omitempty"`
	Elements []any       `json:"elements,omitempty"`
	BlockID  string      `json:"block_id,omitempty"`
}

type slackButton struct {
	Type     string    `json:"type"`
	Text     slackText `json:"text"`
	URL      string    `json:"url"`
	ActionID string    `json:"action_id"`
	Style    string    `json:"style,omitempty"`
}

// SlackPayload is the body posted to an incoming webhook.
type SlackPayload struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

// SlackMessage renders a notification as Block Kit.
func SlackMessage(n *record.Notification) SlackPayload {
	var blocks []slackBlock
	blocks = append(blocks, slackBlock{Type: "header", Text: &slackText{Type: "plain_text", Text: clip(n.Title, slackMaxHeader), Emoji: true}})
	blocks = append(blocks, slackBlock{Type: "section", Text: mrkdwn(slackEscape(n.Reason))})
	if s := n.Spike; s != nil {
		blocks = append(blocks, slackBlock{Type: "section", Fields: []slackText{
			*mrkdwn("*Observed*\n" + formatMetric(s.Metric, s.Observed)),
			*mrkdwn("*Baseline*\n" + formatMetric(s.Metric, s.Baseline)),
			*mrkdwn("*σ*\n" + formatMetric(s.Metric, s.Sigma)),
			*mrkdwn(fmt.Sprintf("*Threshold* (k = %g)\n%s", s.K, formatMetric(s.Metric, s.Threshold))),
		}})
	}
	if p := n.Prospect; p != nil {
		fields := []slackText{*mrkdwn(fmt.Sprintf("*Score*\n%.2f", p.Score))}
		if p.Company != "" {
			fields = append(fields, *mrkdwn("*Company*\n" + slackEscape(p.Company)))
		}
		if len(p.Emails) > 0 {
			fields = append(fields, *mrkdwn("*E-mail*\n" + slackEscape(strings.Join(p.Emails, ", "))))
		}
		blocks = append(blocks, slackBlock{Type: "section", Fields: fields})
		for i, e := range p.Evidence {
			if i == slackMentionsShown {
				break
			}
			blocks = append(blocks, slackBlock{Type: "section", Text: mrkdwn(evidenceLine(e))})
		}
	}
	if d := n.Digest; d != nil {
		blocks = append(blocks, slackBlock{Type: "section", Fields: []slackText{
			*mrkdwn(fmt.Sprintf("*Mentions*\n%d (%s)", d.Volume, change(d.Volume, d.PreviousTotal))),
			*mrkdwn(fmt.Sprintf("*Negative*\n%d (%s)", d.Sentiment[record.SentimentNegative], change(d.Sentiment[record.SentimentNegative], d.PrevSentiment[record.SentimentNegative]))),
			*mrkdwn(fmt.Sprintf("*New prospects*\n%d", len(d.Prospects))),
		}})
	}
	mentions := n.Mentions
	if n.Digest != nil {
		mentions = n.Digest.TopMentions
	}
	if len(mentions) > 0 {
		blocks = append(blocks, slackBlock{Type: "divider"})
		for i, m := range mentions {
			if i == slackMentionsShown {
				break
			}
			blocks = append(blocks, slackBlock{Type: "section", Text: mrkdwn(mentionLine(m))})
		}
		if more := n.MentionCount - min(len(mentions), slackMentionsShown); n.MentionCount > 0 && more > 0 {
			blocks = append(blocks, slackBlock{Type: "context", Elements: []any{mrkdwn(fmt.Sprintf("and %d more", more))}})
		}
	}
	blocks = append(blocks, slackBlock{Type: "context", Elements: []any{mrkdwn(slackEscape(fmt.Sprintf("Rule “%s” · %s", n.RuleName, n.CreatedAt.UTC().Format("2006-01-02 15:04 MST"))))}})
	if n.Link != "" && len(n.Link) <= slackMaxURL {
		blocks = append(blocks, slackBlock{Type: "actions", Elements: []any{slackButton{
			Type: "button", Text: slackText{Type: "plain_text", Text: clip(linkLabel(n), slackMaxButtonText)},
			URL: n.Link, ActionID: "open", Style: "primary",
		}}})
	}
	if len(blocks) > slackMaxBlocks {
		blocks = blocks[:slackMaxBlocks]
	}
	return SlackPayload{Text: clip(n.Title+": "+n.Reason, slackMaxFallback), Blocks: blocks}
}

func linkLabel(n *record.Notification) string {
	switch n.Kind {
	case record.RuleProspect, record.NotifyHandoff:
		return "Open prospect in Earshot"
	case record.RuleDigest:
		return "Open dashboard"
	}
	return "Open in Earshot"
}

func mentionLine(m record.NotifiedMention) string {
	head := "*" + slackEscape(firstNonEmpty(m.Author, "unknown author")) + "* · " + slackEscape(m.Source)
	if m.Sentiment != "" {
		head += " · " + slackEscape(m.Sentiment)
	}
	if link := firstNonEmpty(m.Link, m.URL); link != "" {
		head += " · <" + slackEscape(link) + "|open>"
	}
	return clip(head+"\n>"+strings.ReplaceAll(slackEscape(clip(m.Text, 500)), "\n", "\n>"), slackMaxSectionText)
}

func evidenceLine(e record.ProspectEvidence) string {
	head := "*" + slackEscape(e.Source) + "* · " + slackEscape(string(e.Kind))
	if len(e.Intents) > 0 {
		head += " · intent " + slackEscape(e.Intents[0].Name)
	}
	if e.URL != "" {
		head += " · <" + slackEscape(e.URL) + "|source>"
	}
	return clip(head+"\n>"+strings.ReplaceAll(slackEscape(clip(e.Text, 500)), "\n", "\n>"), slackMaxSectionText)
}

func mrkdwn(s string) *slackText {
	return &slackText{Type: "mrkdwn", Text: clip(s, slackMaxFieldText)}
}

// slackEscape escapes the three characters mrkdwn gives meaning to, so
// that mention text cannot forge links or @-mentions.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// clip shortens s to at most n characters, ending with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func formatMetric(metric string, x float64) string {
	if metric == record.MetricNegativeShare {
		return fmt.Sprintf("%.1f%%", x*100)
	}
	return fmt.Sprintf("%.1f", x)
}

// change describes cur against prev ("+25%", "new", "−10%").
func change(cur, prev int64) string {
	switch {
	case prev == 0 && cur == 0:
		return "no change"
	case prev == 0:
		return "new"
	}
	pct := (float64(cur) - float64(prev)) / float64(prev) * 100
	if pct >= 0 {
		return fmt.Sprintf("+%.0f%%", pct)
	}
	return fmt.Sprintf("−%.0f%%", -pct)
}
