package pipeline

// Topic roles. The actual names are the configured prefix plus the role,
// e.g. "earshot.raw".
const (
	RoleRaw         = "raw"
	RoleEnriched    = "enriched"
	RoleCustomers   = "customers"
	RoleProspects   = "prospects"
	RoleCheckpoints = "checkpoints"
	RoleErasures    = "erasures"
	RoleDLQ         = "dlq"

	// The web app's state (web/auth and web/store), shared by every serve
	// instance: compacted, read into memory with FollowTable.
	RoleUsers         = "users"
	RoleTokens        = "tokens"
	RoleSessions      = "sessions"
	RoleSavedSearches = "saved-searches"
	RoleCorrections   = "corrections"
	RoleMutes         = "mutes"
	RoleProspectWork  = "prospect-work"

	// RoleFiltered holds enriched mentions the relevance filter judged
	// irrelevant (with its reasons): kept out of the index, counts and
	// alerts, but not lost.
	RoleFiltered = "filtered"

	// Alerts (package alert): rules, their owners' state and deliveries are
	// compacted tables; notifications are a plain topic keyed by their id.
	RoleAlertRules    = "alert-rules"
	RoleAlertState    = "alert-state"
	RoleNotifications = "notifications"
	RoleDeliveries    = "deliveries"

	// RoleMatchDecisions holds people's confirm/reject decisions on
	// possible identity matches (enrich/identity), compacted.
	RoleMatchDecisions = "match-decisions"

	// RoleKeys holds the per-person data keys that seal personal records
	// (package privacy), compacted: erasure writes their tombstones.
	RoleKeys = "keys"
	// RoleErasureAudit is the append-only log of erasures: who, when,
	// which person id, what was removed; never personal data.
	RoleErasureAudit = "erasure-audit"
)

// Roles lists every topic role in creation order.
var Roles = []string{RoleRaw, RoleEnriched, RoleCustomers, RoleProspects, RoleCheckpoints, RoleErasures, RoleDLQ,
	RoleUsers, RoleTokens, RoleSessions, RoleSavedSearches, RoleCorrections, RoleMutes, RoleProspectWork, RoleFiltered,
	RoleAlertRules, RoleAlertState, RoleNotifications, RoleDeliveries, RoleMatchDecisions, RoleKeys, RoleErasureAudit}

// compactedRoles are keyed tables where only the latest value per key matters.
var compactedRoles = map[string]bool{RoleCustomers: true, RoleProspects: true, RoleCheckpoints: true,
	RoleUsers: true, RoleTokens: true, RoleSessions: true, RoleSavedSearches: true, RoleCorrections: true,
	RoleMutes: true, RoleProspectWork: true, RoleAlertRules: true, RoleAlertState: true, RoleDeliveries: true,
	RoleMatchDecisions: true, RoleKeys: true}

// erasedByCompaction are the compacted topics holding personal data in
// plain text (customers, prospects) or the keys that seal it: an erasure's
// tombstones must be followed by a compaction within a known bound.
var erasedByCompaction = map[string]bool{RoleCustomers: true, RoleProspects: true, RoleProspectWork: true, RoleKeys: true}

// erasureCompaction bounds, on a real Kafka cluster, how long a tombstoned
// record of erasedByCompaction stays on disk: the active segment rolls
// after segment.ms, a record becomes eligible for compaction no later than
// max.compaction.lag.ms (the cleaner then runs even below the dirty ratio),
// and the cleaner checks every log.cleaner.backoff.ms (broker setting,
// 15 s by default). Bound: max.compaction.lag.ms plus the time one cleaner
// pass takes, 24 hours and some minutes with these values.
var erasureCompaction = map[string]string{
	"segment.ms":                "3600000",
	"max.compaction.lag.ms":     "86400000",
	"min.cleanable.dirty.ratio": "0.1",
	"delete.retention.ms":       "86400000",
}

// Topics resolves topic roles to names under one prefix.
type Topics struct {
	Prefix string
}

// Name returns the topic name of a role.
func (t Topics) Name(role string) string { return t.Prefix + role }

func (t Topics) Raw() string         { return t.Name(RoleRaw) }
func (t Topics) Enriched() string    { return t.Name(RoleEnriched) }
func (t Topics) Customers() string   { return t.Name(RoleCustomers) }
func (t Topics) Prospects() string   { return t.Name(RoleProspects) }
func (t Topics) Checkpoints() string { return t.Name(RoleCheckpoints) }
func (t Topics) Erasures() string    { return t.Name(RoleErasures) }
func (t Topics) DLQ() string         { return t.Name(RoleDLQ) }
func (t Topics) Corrections() string { return t.Name(RoleCorrections) }
func (t Topics) Mutes() string       { return t.Name(RoleMutes) }
func (t Topics) Filtered() string    { return t.Name(RoleFiltered) }

// MatchDecisions is the topic of decisions on possible identity matches.
func (t Topics) MatchDecisions() string { return t.Name(RoleMatchDecisions) }

// Keys is the topic of per-person data keys.
func (t Topics) Keys() string { return t.Name(RoleKeys) }

// ErasureAudit is the erasure audit log.
func (t Topics) ErasureAudit() string { return t.Name(RoleErasureAudit) }

// Compacted reports whether a role's topic uses log compaction.
func Compacted(role string) bool { return compactedRoles[role] }
