// Package record holds Earshot's record types (mentions, enriched mentions,
// customers, prospects, erasures, dead letters), their JSON codec with a
// schema version, deterministic ids and JSON Schemas. It knows nothing of
// Kafka: connectors, enrichment, identity and the index use records without
// pulling in a broker client.
package record

import (
	"errors"
	"time"
	"unicode/utf8"
)

// SchemaVersion is written into every record so consumers can refuse or
// upgrade records produced by a newer or older Earshot.
const SchemaVersion = 1

// Kind says what a mention is in its source.
type Kind string

// Mention kinds.
const (
	KindMention        Kind = "mention"
	KindReply          Kind = "reply"
	KindReview         Kind = "review"
	KindComment        Kind = "comment"
	KindFormSubmission Kind = "form_submission"
)

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	switch k {
	case KindMention, KindReply, KindReview, KindComment, KindFormSubmission:
		return true
	}
	return false
}

// Author is who wrote a mention or filled a form, as the source knows them.
type Author struct {
	// Platform is where Handle lives ("mastodon", "web", "forms", ...).
	Platform string `json:"platform,omitempty"`
	// ID is the platform's own id of the account, if it has one.
	ID string `json:"id,omitempty"`
	// Handle is the account name; for Mastodon the full "user@instance".
	Handle      string `json:"handle,omitempty"`
	Name        string `json:"name,omitempty"`
	Email       string `json:"email,omitempty"`
	Phone       string `json:"phone,omitempty"`
	Company     string `json:"company,omitempty"`
	ProfileURL  string `json:"profile_url,omitempty"`
	Followers   int    `json:"followers,omitempty"`
	City        string `json:"city,omitempty"`
	Country     string `json:"country,omitempty"`
	PostalCode  string `json:"postal_code,omitempty"`
	DateOfBirth string `json:"date_of_birth,omitempty"` // YYYY-MM-DD
}

// Rating is a review score on the source's own scale.
type Rating struct {
	Value float64 `json:"value"`
	Best  float64 `json:"best,omitempty"`  // e.g. 5 for five stars
	Worst float64 `json:"worst,omitempty"` // usually 0 or 1
}

// Campaign is the marketing provenance of a record (UTM and page context).
type Campaign struct {
	Source      string `json:"utm_source,omitempty"`
	Medium      string `json:"utm_medium,omitempty"`
	Name        string `json:"utm_campaign,omitempty"`
	Term        string `json:"utm_term,omitempty"`
	Content     string `json:"utm_content,omitempty"`
	Referrer    string `json:"referrer,omitempty"`
	LandingPage string `json:"landing_page,omitempty"`
}

// Consent records what the person agreed to, when and from where: for a
// form, the text and version they were shown, the form, their address and
// browser, and the state of a double opt-in.
type Consent struct {
	Given   bool      `json:"given"`
	Text    string    `json:"text,omitempty"`
	Version string    `json:"version,omitempty"`
	At      time.Time `json:"at,omitzero"`
	// Basis is the lawful basis when there is no explicit consent
	// (e.g. "legitimate_interest" for public posts).
	Basis string `json:"basis,omitempty"`
	// FormID, ClientIP and UserAgent say where the consent was given.
	FormID    string `json:"form_id,omitempty"`
	ClientIP  string `json:"client_ip,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
	// OptIn is the double opt-in state: "" (none asked), "pending" (the
	// confirmation e-mail is out) or "confirmed" (at ConfirmedAt).
	OptIn       string    `json:"opt_in,omitempty"`
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
	// NoProspect keeps the record from creating, growing or linking a
	// sales prospect: a fediverse author who was not asked, or a form
	// whose double opt-in is not confirmed yet.
	NoProspect bool `json:"no_prospect,omitempty"`
}

// Double opt-in states of Consent.OptIn.
const (
	OptInPending   = "pending"
	OptInConfirmed = "confirmed"
)

// Engagement counts what the audience did with a post.
type Engagement struct {
	Replies    int `json:"replies,omitempty"`
	Shares     int `json:"shares,omitempty"`
	Favourites int `json:"favourites,omitempty"`
	Media      int `json:"media,omitempty"`
}

// Mention is the raw record every connector emits to the raw topic: a post,
// reply, review, comment or form submission, as the source gave it.
type Mention struct {
	Schema   int    `json:"schema"`
	ID       string `json:"id"`
	Source   string `json:"source"`    // connector type: "mastodon", "web", "feed", "forms", "file"
	SourceID string `json:"source_id"` // the source-native id
	// Channel is the connector instance or sub-source (a Mastodon server,
	// a site name, a form id) for faceting.
	Channel    string            `json:"channel,omitempty"`
	Kind       Kind              `json:"kind"`
	Author     Author            `json:"author"`
	Title      string            `json:"title,omitempty"`
	Text       string            `json:"text"`
	URL        string            `json:"url,omitempty"`
	Lang       string            `json:"lang,omitempty"` // as stated by the source, BCP 47
	Rating     *Rating           `json:"rating,omitempty"`
	Campaign   *Campaign         `json:"campaign,omitempty"`
	Consent    *Consent          `json:"consent,omitempty"`
	Engagement *Engagement       `json:"engagement,omitempty"`
	Visibility string            `json:"visibility,omitempty"`
	InReplyTo  string            `json:"in_reply_to,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	FetchedAt  time.Time         `json:"fetched_at"`
	Fields     map[string]string `json:"fields,omitempty"` // free-form extra fields
	// Submission is the provenance of a form submission or form-service
	// webhook (set by the forms connector only).
	Submission *Submission `json:"submission,omitempty"`
	// Deletion, when set, makes this record the removal of the mention
	// with the same id (see deletion.go).
	Deletion *Deletion `json:"deletion,omitempty"`
	// Subject is the keyed hash of the author's identity key (set when
	// personal data is sealed): erasure finds the person's mentions by it
	// without the erasure request naming them.
	Subject string `json:"subject,omitempty"`
}

// Submission is where and how a form submission reached Earshot.
type Submission struct {
	FormID      string `json:"form_id"`
	FormVersion string `json:"form_version,omitempty"`
	// Via is the intake path: "form" (a direct post), "typeform" or "webhook".
	Via string    `json:"via"`
	At  time.Time `json:"at"`
	// ClientIP is the submitter's address after trusted proxies are peeled off.
	ClientIP  string `json:"client_ip,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
	// IdempotencyKey is the client's Idempotency-Key header, if it sent one.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// AuthorKey is the Kafka key of a raw record: the author's strongest identity,
// so every record of one person lands on one partition and one enrich instance.
func (m *Mention) AuthorKey() string {
	return AuthorKey(m.Source, m.Author)
}

// Language is the detected language of a text.
type Language struct {
	Code       string  `json:"code"` // ISO 639-1, or "unknown"
	Confidence float64 `json:"confidence"`
	// Method says how it was decided: "source", "script", "model".
	Method string `json:"method,omitempty"`
}

// Sentiment labels.
const (
	SentimentNegative = "negative"
	SentimentNeutral  = "neutral"
	SentimentPositive = "positive"
)

// Sentiment is a polarity label with its score in [-1, 1] and the
// probability of the label.
type Sentiment struct {
	Label      string  `json:"label"`
	Score      float64 `json:"score"`
	Confidence float64 `json:"confidence,omitempty"`
}

// Span locates evidence in the text in byte offsets.
type Span struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
}

// Intent is one detected intent with its evidence.
type Intent struct {
	Name     string  `json:"name"` // buying, complaint, question, praise, churn_risk, support
	Score    float64 `json:"score"`
	Evidence []Span  `json:"evidence,omitempty"`
}

// Aspect is an aspect of the brand (price, delivery, ...) with its polarity.
type Aspect struct {
	Name      string  `json:"name"`
	Sentiment string  `json:"sentiment"`
	Score     float64 `json:"score"`
	Evidence  Span    `json:"evidence"`
}

// Preferences are what a text says about brands, products and the person's wishes.
type Preferences struct {
	Brands      []string `json:"brands,omitempty"`
	Products    []string `json:"products,omitempty"`
	Features    []string `json:"features,omitempty"`
	Competitors []string `json:"competitors,omitempty"`
	Channels    []string `json:"channels,omitempty"` // email, phone, sms, whatsapp, in_person
	Needs       []string `json:"needs,omitempty"`
}

// Analysis is what the analysis half of enrichment adds. Empty fields mean
// "not analysed", never a guess.
type Analysis struct {
	Language    *Language    `json:"language,omitempty"`
	Sentiment   *Sentiment   `json:"sentiment,omitempty"`
	Intents     []Intent     `json:"intents,omitempty"`
	Aspects     []Aspect     `json:"aspects,omitempty"`
	Preferences *Preferences `json:"preferences,omitempty"`
	// Relevance is the relevance filter's decision when it had something
	// to say (a muted author or site, or a brand's learned filter).
	Relevance *Relevance `json:"relevance,omitempty"`
	// ModelVersion is the version of the sentiment model that labelled the
	// mention (a correction records it too, so retraining knows what the
	// person disagreed with).
	ModelVersion string `json:"model_version,omitempty"`
	// IntentModelVersion is the version of what found the intents: the
	// hand-written rules ("rules-…") or a model `earshot train intent`
	// learned over them from corrections ("intent-…").
	IntentModelVersion string `json:"intent_model_version,omitempty"`
}

// Relevance says whether a mention is about the brand (and not, say, the
// common word the brand is named after), and why.
type Relevance struct {
	Irrelevant bool `json:"irrelevant"`
	// Score is the probability that the mention is irrelevant.
	Score   float64  `json:"score"`
	Reasons []string `json:"reasons,omitempty"`
}

// Identity match outcomes.
const (
	MatchExact    = "match"
	MatchPossible = "possible"
	MatchNone     = "none"
)

// FieldEvidence is one field comparison of an identity decision.
type FieldEvidence struct {
	Field  string  `json:"field"`
	Agrees bool    `json:"agrees"`
	Level  string  `json:"level,omitempty"` // e.g. "exact", "close", "different", "missing"
	Weight float64 `json:"weight"`
}

// Candidate is a customer a record may belong to.
type Candidate struct {
	CustomerID string          `json:"customer_id"`
	Score      float64         `json:"score"`
	Evidence   []FieldEvidence `json:"evidence,omitempty"`
}

// Identity is what the identity half of enrichment adds.
type Identity struct {
	Outcome    string          `json:"outcome"` // match, possible, none
	CustomerID string          `json:"customer_id,omitempty"`
	ProspectID string          `json:"prospect_id,omitempty"`
	Score      float64         `json:"score,omitempty"`
	Key        string          `json:"key,omitempty"` // the exact key that matched, if any
	Evidence   []FieldEvidence `json:"evidence,omitempty"`
	Candidates []Candidate     `json:"candidates,omitempty"`
}

// EnrichedMention is a raw mention plus what enrichment found.
type EnrichedMention struct {
	Mention
	Analysis   Analysis  `json:"analysis"`
	Identity   *Identity `json:"identity,omitempty"`
	EnrichedAt time.Time `json:"enriched_at"`
}

// Handle is a social account of a person.
type Handle struct {
	Platform string `json:"platform"`
	Handle   string `json:"handle"`
}

// Address is a postal address.
type Address struct {
	// Street is the first address line, house number included.
	Street string `json:"street,omitempty"`
	// Line2 is a second address line (building, flat, estate, locality).
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city,omitempty"`
	Region     string `json:"region,omitempty"` // state, province, county
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"` // ISO 3166-1 alpha-2
}

// Purchases summarises purchase history as recency, frequency and monetary value.
type Purchases struct {
	LastPurchase time.Time `json:"last_purchase,omitzero"`
	Orders       int       `json:"orders,omitempty"`
	Total        float64   `json:"total,omitempty"`
	Currency     string    `json:"currency,omitempty"`
}

// Customer is a known person from the CRM, kept in the compacted customers topic.
type Customer struct {
	Schema        int               `json:"schema"`
	ID            string            `json:"id"`
	FirstName     string            `json:"first_name,omitempty"`
	LastName      string            `json:"last_name,omitempty"`
	Names         []string          `json:"names,omitempty"` // other names and spellings
	Emails        []string          `json:"emails,omitempty"`
	Phones        []string          `json:"phones,omitempty"`
	Handles       []Handle          `json:"handles,omitempty"`
	ProfileURLs   []string          `json:"profile_urls,omitempty"`
	Company       string            `json:"company,omitempty"`
	Domain        string            `json:"domain,omitempty"`
	Address       Address           `json:"address"`
	DateOfBirth   string            `json:"date_of_birth,omitempty"` // YYYY-MM-DD
	Language      string            `json:"language,omitempty"`
	Segment       string            `json:"segment,omitempty"`
	LifetimeValue float64           `json:"lifetime_value,omitempty"`
	Purchases     Purchases         `json:"purchases"`
	Consent       map[string]bool   `json:"consent,omitempty"` // e.g. "email_marketing": true
	Attributes    map[string]string `json:"attributes,omitempty"`
	UpdatedAt     time.Time         `json:"updated_at"`
}

// Prospect statuses.
const (
	ProspectNew       = "new"
	ProspectContacted = "contacted"
	ProspectQualified = "qualified"
	ProspectConverted = "converted" // became a customer (CustomerID)
	ProspectRejected  = "rejected"
	ProspectMerged    = "merged" // found to be another prospect's person (MergedInto)
)

// Why a prospect left the pipeline other than by being rejected.
const (
	ClosedBecameCustomer = "became_customer"
	ClosedMerged         = "merged"
)

// ProspectEvidence is one record that created or updated a prospect.
type ProspectEvidence struct {
	RecordID string    `json:"record_id"`
	Source   string    `json:"source"`
	Kind     Kind      `json:"kind"`
	URL      string    `json:"url,omitempty"`
	Text     string    `json:"text,omitempty"`
	Intents  []Intent  `json:"intents,omitempty"`
	Consent  *Consent  `json:"consent,omitempty"`
	At       time.Time `json:"at"`
}

// Prospect is a person with no customer match who showed buying intent or
// filled a form, kept in the compacted prospects topic.
type Prospect struct {
	Schema      int                `json:"schema"`
	ID          string             `json:"id"`  // derived from Key
	Key         string             `json:"key"` // the strongest identity key
	Name        string             `json:"name,omitempty"`
	Emails      []string           `json:"emails,omitempty"`
	Phones      []string           `json:"phones,omitempty"`
	Handles     []Handle           `json:"handles,omitempty"`
	ProfileURLs []string           `json:"profile_urls,omitempty"`
	Company     string             `json:"company,omitempty"`
	Country     string             `json:"country,omitempty"`
	Languages   []string           `json:"languages,omitempty"`
	Followers   int                `json:"followers,omitempty"`
	Preferences *Preferences       `json:"preferences,omitempty"`
	Evidence    []ProspectEvidence `json:"evidence"`
	Score       float64            `json:"score"`
	ScoreParts  map[string]float64 `json:"score_parts,omitempty"`
	Status      string             `json:"status"`
	Candidates  []Candidate        `json:"candidates,omitempty"` // possible customer matches for review
	FirstSeen   time.Time          `json:"first_seen"`
	LastSeen    time.Time          `json:"last_seen"`
	// CustomerID is the customer the prospect became (status converted):
	// its history and mentions belong to that customer's profile now.
	CustomerID string `json:"customer_id,omitempty"`
	// MergedInto is the surviving prospect (status merged): a later record
	// carried identifiers of both, so they are one person. The survivor
	// holds the evidence; this record only redirects.
	MergedInto string `json:"merged_into,omitempty"`
	// ClosedReason says why the prospect left the pipeline (a conversion
	// is no loss): became_customer or merged.
	ClosedReason string    `json:"closed_reason,omitempty"`
	ClosedAt     time.Time `json:"closed_at,omitzero"`
}

// ProspectLife is the part of a prospect record that says where the
// prospect is in its life: status, first and last activity, the prospect
// it merged into. A reader that needs no more (prospect retention follows
// every prospect) decodes it without the identifiers and evidence, for a
// fraction of the whole record's cost. Its fields are the Prospect's.
type ProspectLife struct {
	Schema     int       `json:"schema"`
	ID         string    `json:"id"`
	Status     string    `json:"status"`
	FirstSeen  time.Time `json:"first_seen"`
	LastSeen   time.Time `json:"last_seen"`
	MergedInto string    `json:"merged_into,omitempty"`
}

// ProspectReview is the part of a prospect record the review of possible
// identity matches shows: who the prospect is, where it is in its life and
// the customers it may be. A reader that follows every prospect for the
// review (the web app) decodes it without the evidence, which is most of a
// prospect's bytes. Its fields are the Prospect's.
type ProspectReview struct {
	Schema     int         `json:"schema"`
	ID         string      `json:"id"`
	Name       string      `json:"name,omitempty"`
	Emails     []string    `json:"emails,omitempty"`
	Handles    []Handle    `json:"handles,omitempty"`
	Status     string      `json:"status"`
	LastSeen   time.Time   `json:"last_seen"`
	Candidates []Candidate `json:"candidates,omitempty"`
}

// CustomerName is the part of a customer record that names the customer,
// for readers that follow every customer only to name them. Its fields are
// the Customer's.
type CustomerName struct {
	Schema    int    `json:"schema"`
	ID        string `json:"id"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

// Erasure is a request to forget a person everywhere (GDPR right to erasure).
// The index stage deletes the person's profile and every mention linked to them.
type Erasure struct {
	Schema      int      `json:"schema"`
	ID          string   `json:"id"`
	CustomerID  string   `json:"customer_id,omitempty"`
	ProspectIDs []string `json:"prospect_ids,omitempty"`
	// Emails is read from requests written before subjects existed; new
	// requests never carry an identifier.
	Emails []string `json:"emails,omitempty"`
	// Subjects are the keyed hashes of the person's identity keys (see
	// privacy.Keyring.Subject): their mentions and data keys.
	Subjects []string `json:"subjects,omitempty"`
	// By is who asked (an operator or API user name), for the audit.
	By          string    `json:"by,omitempty"`
	RequestedAt time.Time `json:"requested_at"`
}

// DeadLetter is a record that a stage could not process, kept with everything
// needed to understand and replay it.
type DeadLetter struct {
	Schema    int    `json:"schema"`
	Stage     string `json:"stage"`
	Error     string `json:"error"`
	Attempts  int    `json:"attempts"`
	Topic     string `json:"topic"`
	Partition int    `json:"partition"`
	Offset    int64  `json:"offset"`
	// Position locates an item that never was a Kafka record (file:line).
	Position string `json:"position,omitempty"`
	Key      []byte `json:"key,omitempty"`
	Value    []byte `json:"value"`
	// Size is the original item's size in bytes when Value holds only its
	// beginning (Truncated): an item too large for the broker still reaches
	// the DLQ, with where it came from and how large it was.
	Size      int64     `json:"size,omitempty"`
	Truncated bool      `json:"truncated,omitempty"`
	At        time.Time `json:"at"`
}

// ErrTooLarge is returned for a record larger than the broker accepts; its
// source dead-letters it (truncated) and moves on.
var ErrTooLarge = errors.New("record larger than the broker's message limit")

// maxDeadLetterError caps the reason kept with a dead letter.
const maxDeadLetterError = 4 << 10

// Fit shortens the dead letter so its encoding stays within limit bytes (the
// broker's message size): the reason is capped and Value, which encodes as
// base64, is cut to what fits, with Size and Truncated set.
func (d *DeadLetter) Fit(limit int) {
	if len(d.Error) > maxDeadLetterError {
		d.Error = truncateUTF8(d.Error, maxDeadLetterError) + "…"
	}
	if len(d.Key) > maxDeadLetterError {
		if d.Size == 0 {
			d.Size = int64(len(d.Value))
		}
		d.Key = d.Key[:maxDeadLetterError]
		d.Truncated = true
	}
	// base64 takes 4 bytes per 3; keep room for the other fields.
	room := (limit-len(d.Error)*2-len(d.Stage)-len(d.Topic)-len(d.Position)-4*len(d.Key)/3-1024)*3/4 - 8
	if room < 0 {
		room = 0
	}
	if len(d.Value) > room {
		if d.Size == 0 {
			d.Size = int64(len(d.Value))
		}
		d.Value = d.Value[:room]
		d.Truncated = true
	}
}

func truncateUTF8(s string, n int) string {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
