package record

import "time"

// Alert rules, their evaluation state, the notifications they produce and
// the delivery of each notification to each channel. Rules, state and
// deliveries live in compacted topics keyed by ID; notifications in a plain
// topic keyed by ID, so every copy of one notification lands in one
// partition and is delivered by one consumer.

// Alert rule kinds.
const (
	RuleSpike    = "spike"    // volume or negative share far above its recent baseline
	RuleMatch    = "match"    // every new mention of a saved search, batched
	RuleProspect = "prospect" // a new prospect, or one whose score reached a threshold
	RuleDigest   = "digest"   // a daily or weekly summary
)

// Spike metrics.
const (
	MetricVolume        = "volume"         // mentions per window
	MetricNegativeShare = "negative_share" // negative mentions / mentions with a sentiment, per window
)

// Digest periods.
const (
	PeriodDaily  = "daily"
	PeriodWeekly = "weekly"
)

// AlertRule says when to notify whom. Durations are Go duration strings
// ("1h", "168h", "30m"); empty fields take the configured defaults.
type AlertRule struct {
	Schema int    `json:"schema"`
	ID     string `json:"id"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	// SavedSearchID is the saved search the rule watches (spike, match,
	// digest); prospect rules and digests without one cover everything.
	SavedSearchID string `json:"saved_search_id,omitempty"`
	// Channels are names of configured channels (alerts.channels).
	Channels []string `json:"channels"`
	// Recipients are e-mail addresses for e-mail channels; empty means the
	// channel's configured recipients.
	Recipients []string          `json:"recipients,omitempty"`
	Paused     bool              `json:"paused,omitempty"`
	Spike      *SpikeParams      `json:"spike,omitempty"`
	Match      *MatchParams      `json:"match,omitempty"`
	Prospect   *ProspectParams   `json:"prospect,omitempty"`
	Digest     *DigestParams     `json:"digest,omitempty"`
	QuietHours *QuietHours       `json:"quiet_hours,omitempty"`
	Owner      string            `json:"owner"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
	Labels     map[string]string `json:"labels,omitempty"`
}

// SpikeParams: fire when the metric of the last closed window exceeds
// baseline + K·σ of the same-sized windows over History.
type SpikeParams struct {
	Metric  string  `json:"metric,omitempty"`
	Window  string  `json:"window,omitempty"`
	History string  `json:"history,omitempty"`
	K       float64 `json:"k,omitempty"`
	// MinCount is the fewest mentions in the window that can fire.
	MinCount int `json:"min_count,omitempty"`
	// MinIncrease is the smallest rise over the baseline that can fire, as a
	// fraction (0.5 = 50 % above normal).
	MinIncrease float64 `json:"min_increase,omitempty"`
	Cooldown    string  `json:"cooldown,omitempty"`
}

// MatchParams: every new matching mention, one message per Interval.
type MatchParams struct {
	Interval string `json:"interval,omitempty"`
}

// ProspectParams: a prospect whose score reached MinScore (once per
// prospect), and every new prospect when OnNew.
type ProspectParams struct {
	MinScore float64 `json:"min_score,omitempty"`
	OnNew    bool    `json:"on_new,omitempty"`
}

// DigestParams: when a digest is sent, in the rule's time zone.
type DigestParams struct {
	Period   string `json:"period,omitempty"`
	Hour     int    `json:"hour,omitempty"`    // local hour the digest is sent (0–23)
	Weekday  string `json:"weekday,omitempty"` // weekly: "monday" … "sunday"
	Timezone string `json:"timezone,omitempty"`
}

// QuietHours hold notifications between From and To (local "HH:MM"); they
// are delivered when the quiet hours end, never dropped.
type QuietHours struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Timezone string `json:"timezone,omitempty"`
}

// AlertState is what the owner of a rule remembers between evaluations.
type AlertState struct {
	Schema int    `json:"schema"`
	RuleID string `json:"rule_id"`
	// EvaluatedUntil is the end of the last window (spike), interval
	// (match) or period (digest) evaluated.
	EvaluatedUntil time.Time `json:"evaluated_until"`
	// LastFired is when the rule last produced a notification (cooldown).
	LastFired time.Time `json:"last_fired,omitzero"`
	// Seen are mention ids a match rule already notified that are still
	// inside the late-arrival horizon.
	Seen      []string  `json:"seen,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Notification kinds beyond the rule kinds.
const (
	NotifyHandoff = "handoff" // a prospect sent to CRM webhooks
	NotifyTest    = "test"    // sent by hand to check a channel
)

// Notification is one message a rule produced. Its ID is derived from the
// rule and the event (window, interval, prospect, period), so evaluating the
// same event twice produces the same notification and it is delivered once.
type Notification struct {
	Schema   int    `json:"schema"`
	ID       string `json:"id"`
	RuleID   string `json:"rule_id"`
	RuleName string `json:"rule_name"`
	Kind     string `json:"kind"`
	// Title is one line; Reason says why it fired, with the numbers.
	Title      string   `json:"title"`
	Reason     string   `json:"reason"`
	Link       string   `json:"link,omitempty"`
	Channels   []string `json:"channels"`
	Recipients []string `json:"recipients,omitempty"`
	// NotBefore holds delivery (quiet hours).
	NotBefore    time.Time         `json:"not_before,omitzero"`
	Spike        *SpikeEvidence    `json:"spike,omitempty"`
	MentionCount int               `json:"mention_count,omitempty"`
	Mentions     []NotifiedMention `json:"mentions,omitempty"`
	Prospect     *NotifiedProspect `json:"prospect,omitempty"`
	Digest       *DigestContent    `json:"digest,omitempty"`
	CreatedAt    time.Time         `json:"created_at"`
	// Subject is the person a notification is about as a whole (prospect
	// alerts and hand-offs): in the topics Title, Reason and Prospect are
	// in Sealed, sealed with that person's data key, so erasing them
	// shreds the notification (see alert/sealing.go and package privacy).
	Subject string `json:"subject,omitempty"`
	Sealed  []byte `json:"sealed,omitempty"`
}

// SpikeEvidence is why a spike fired.
type SpikeEvidence struct {
	Metric      string    `json:"metric"`
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
	Observed    float64   `json:"observed"`
	Baseline    float64   `json:"baseline"`
	Sigma       float64   `json:"sigma"`
	Threshold   float64   `json:"threshold"`
	K           float64   `json:"k"`
	Count       int64     `json:"count"`   // mentions in the window
	Windows     int       `json:"windows"` // history windows behind the baseline
}

// NotifiedMention is a mention as a notification shows it.
type NotifiedMention struct {
	ID        string    `json:"id"`
	Source    string    `json:"source"`
	Author    string    `json:"author,omitempty"`
	Text      string    `json:"text"`
	URL       string    `json:"url,omitempty"`
	Sentiment string    `json:"sentiment,omitempty"`
	Language  string    `json:"language,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Link      string    `json:"link,omitempty"` // to the mention in Earshot
	// Subject is the author's subject; in the topics Author, Text and URL
	// are in Sealed, sealed with the author's data key.
	Subject string `json:"subject,omitempty"`
	Sealed  []byte `json:"sealed,omitempty"`
}

// NotifiedProspect is a prospect as a notification shows it.
type NotifiedProspect struct {
	ID       string             `json:"id"`
	Name     string             `json:"name,omitempty"`
	Emails   []string           `json:"emails,omitempty"`
	Handles  []Handle           `json:"handles,omitempty"`
	Company  string             `json:"company,omitempty"`
	Score    float64            `json:"score"`
	Status   string             `json:"status,omitempty"`
	Evidence []ProspectEvidence `json:"evidence,omitempty"`
	Link     string             `json:"link,omitempty"`
	// Trigger is "new" or "score".
	Trigger   string    `json:"trigger"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// Subject is the prospect's subject (the first of its identifiers with
	// a data key); in the topics Name, Emails, Handles, Company and
	// Evidence are in Sealed, sealed with that key.
	Subject string `json:"subject,omitempty"`
	Sealed  []byte `json:"sealed,omitempty"`
	// Identities are the prospect's identity keys (record.AuthorKey), from
	// which the sealing picks Subject; never written.
	Identities []string `json:"-"`
}

// DigestContent is the data of a digest; channels render it.
type DigestContent struct {
	Period        string             `json:"period"`
	From          time.Time          `json:"from"`
	To            time.Time          `json:"to"`
	Search        string             `json:"search,omitempty"`
	Volume        int64              `json:"volume"`
	PreviousTotal int64              `json:"previous_volume"`
	Sentiment     map[string]int64   `json:"sentiment"`
	PrevSentiment map[string]int64   `json:"previous_sentiment"`
	Series        []DigestPoint      `json:"series"`
	PrevSeries    []DigestPoint      `json:"previous_series"`
	TopMentions   []NotifiedMention  `json:"top_mentions"`
	TopAspects    []DigestAspect     `json:"top_aspects"`
	Prospects     []NotifiedProspect `json:"prospects"`
}

// DigestPoint is the volume of one day (or hour) by sentiment.
type DigestPoint struct {
	Start     time.Time        `json:"start"`
	Count     int64            `json:"count"`
	Sentiment map[string]int64 `json:"sentiment"`
}

// DigestAspect is an aspect and how often it was praised and criticised.
type DigestAspect struct {
	Name     string `json:"name"`
	Positive int64  `json:"positive"`
	Negative int64  `json:"negative"`
}

// Delivery statuses.
const (
	DeliveryScheduled = "scheduled" // waiting for its time (quiet hours, a backoff)
	DeliveryRetrying  = "retrying"  // an attempt failed; another is scheduled
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed" // gave up; retryable by hand
)

// Delivery is one notification to one channel: its attempts and outcome.
// It carries the notification so a retry needs nothing else.
type Delivery struct {
	Schema       int               `json:"schema"`
	ID           string            `json:"id"`
	Notification Notification      `json:"notification"`
	Channel      string            `json:"channel"`
	Status       string            `json:"status"`
	Attempts     []DeliveryAttempt `json:"attempts,omitempty"`
	NextAttempt  time.Time         `json:"next_attempt,omitzero"`
	// RetryRequestedBy names who asked for the next attempt by hand.
	RetryRequestedBy string `json:"retry_requested_by,omitempty"`
	// Partition of the notification: the deliverer owning it retries.
	Partition int       `json:"partition"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DeliveryAttempt is one try.
type DeliveryAttempt struct {
	At         time.Time `json:"at"`
	HTTPStatus int       `json:"http_status,omitempty"`
	Error      string    `json:"error,omitempty"`
	DurationMs int64     `json:"duration_ms"`
	By         string    `json:"by,omitempty"` // "manual retry by NAME" when a person asked
}

// NotificationID is the id of the notification a rule makes for an event.
func NotificationID(ruleID, event string) string { return hashID("notification", ruleID, event) }

// DeliveryID is the id of a notification's delivery to a channel.
func DeliveryID(notificationID, channel string) string {
	return hashID("delivery", notificationID, channel)
}

func (r *AlertRule) schemaVersion() *int    { return &r.Schema }
func (s *AlertState) schemaVersion() *int   { return &s.Schema }
func (n *Notification) schemaVersion() *int { return &n.Schema }
func (d *Delivery) schemaVersion() *int     { return &d.Schema }
