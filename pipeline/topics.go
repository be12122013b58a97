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
)

// Roles lists every topic role in creation order.
var Roles = []string{RoleRaw, RoleEnriched, RoleCustomers, RoleProspects, RoleCheckpoints, RoleErasures, RoleDLQ,
	RoleUsers, RoleTokens, RoleSessions, RoleSavedSearches, RoleCorrections, RoleMutes, RoleProspectWork, RoleFiltered,
	RoleAlertRules, RoleAlertState, RoleNotifications, RoleDeliveries, RoleMatchDecisions}

// compactedRoles are keyed tables where only the latest value per key matters.
var compactedRoles = map[string]bool{RoleCustomers: true, RoleProspects: true, RoleCheckpoints: true,
	RoleUsers: true, RoleTokens: true, RoleSessions: true, RoleSavedSearches: true, RoleCorrections: true,
	RoleMutes: true, RoleProspectWork: true, RoleAlertRules: true, RoleAlertState: true, RoleDeliveries: true,
	RoleMatchDecisions: true}

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

// Compacted reports whether a role's topic uses log compaction.
func Compacted(role string) bool { return compactedRoles[role] }
