package record

import "time"

// ErasureAudit is one entry of the erasure audit log (the erasure-audit
// topic, append-only): who asked, when, which person ids, and what each
// step removed. It never holds an identifier (no e-mail, handle or name):
// only the ids Earshot gave the person and counts.
type ErasureAudit struct {
	Schema int    `json:"schema"`
	ID     string `json:"id"`
	// Step is "forget" (keys shredded, tombstones written) or "index"
	// (mentions and profiles deleted by the index stage).
	Step        string    `json:"step"`
	RequestIDs  []string  `json:"request_ids"`
	By          string    `json:"by,omitempty"`
	At          time.Time `json:"at"`
	CustomerIDs []string  `json:"customer_ids,omitempty"`
	ProspectIDs []string  `json:"prospect_ids,omitempty"`
	// Removed counts what this step removed, by kind: "keys",
	// "customers", "prospects", "mentions", "profiles".
	Removed map[string]int `json:"removed"`
}

func (a *ErasureAudit) schemaVersion() *int { return &a.Schema }
