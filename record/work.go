package record

import "time"

// Mute hides an author or a site from searches and counts of the web app.
// Keyed by its ID (kind and value), in the compacted mutes topic.
type Mute struct {
	Schema int    `json:"schema"`
	ID     string `json:"id"`
	// Kind is MuteAuthor (Value: the author's handle or name, as the search
	// field author holds it) or MuteSite (Value: the channel, e.g. a crawled
	// site's name).
	Kind      string    `json:"kind"`
	Value     string    `json:"value"`
	Reason    string    `json:"reason,omitempty"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Mute kinds.
const (
	MuteAuthor = "author"
	MuteSite   = "site"
)

// MuteID is the id of the mute of a kind and (lower-cased) value.
func MuteID(kind, value string) string { return hashID("mute", kind, value) }

// Prospect stages, in the order a lead moves through them.
const (
	StageNew          = "new"
	StageContacted    = "contacted"
	StageQualified    = "qualified"
	StageWon          = "won"
	StageLost         = "lost"
	StageDisqualified = "disqualified"
)

// ProspectStages lists every stage.
var ProspectStages = []string{StageNew, StageContacted, StageQualified, StageWon, StageLost, StageDisqualified}

// ProspectWork is what sales did with one prospect: its stage with the
// history of changes, its owner and notes. It lives beside the prospect
// (the enrich stage owns the prospects topic), keyed by the prospect id in
// the compacted prospect-work topic, and is merged into profile reads.
type ProspectWork struct {
	Schema     int           `json:"schema"`
	ProspectID string        `json:"prospect_id"`
	Stage      string        `json:"stage"`
	Owner      string        `json:"owner,omitempty"`
	History    []StageChange `json:"history,omitempty"`
	Notes      []Note        `json:"notes,omitempty"`
	UpdatedAt  time.Time     `json:"updated_at"`
}

// StageChange is one move of a prospect (or of its owner).
type StageChange struct {
	From  string    `json:"from,omitempty"`
	To    string    `json:"to,omitempty"`
	Owner string    `json:"owner,omitempty"` // the owner assigned by this change
	By    string    `json:"by"`
	At    time.Time `json:"at"`
}

// Note is a salesperson's note on a prospect.
type Note struct {
	ID   string    `json:"id"`
	Text string    `json:"text"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
}

func (m *Mute) schemaVersion() *int         { return &m.Schema }
func (w *ProspectWork) schemaVersion() *int { return &w.Schema }
