package record

import (
	"github.com/earshothq/earshot/record/schema"
)

//go:generate go run ./internal/genschema ../configs/schema

// Schemas returns the JSON Schema of every record type, by file name.
func Schemas() map[string]map[string]any {
	const base = "https://earshot.dev/schema/"
	return map[string]map[string]any{
		"mention.schema.json": schema.For(Mention{}, base+"mention.schema.json", "Mention",
			"A raw record from a connector on the raw topic: post, reply, review, comment or form submission."),
		"enriched_mention.schema.json": schema.For(EnrichedMention{}, base+"enriched_mention.schema.json", "EnrichedMention",
			"A mention with language, sentiment, intents, aspects, preferences and identity, on the enriched topic."),
		"customer.schema.json": schema.For(Customer{}, base+"customer.schema.json", "Customer",
			"A known person from the CRM, on the compacted customers topic keyed by id."),
		"prospect.schema.json": schema.For(Prospect{}, base+"prospect.schema.json", "Prospect",
			"A new lead with evidence and score, on the compacted prospects topic keyed by id."),
		"erasure.schema.json": schema.For(Erasure{}, base+"erasure.schema.json", "Erasure",
			"A request to forget a person everywhere (right to erasure), on the erasures topic."),
		"erasure_audit.schema.json": schema.For(ErasureAudit{}, base+"erasure_audit.schema.json", "ErasureAudit",
			"One entry of the erasure audit log (who, when, which person ids, what was removed; no personal data), on the erasure-audit topic."),
		"dead_letter.schema.json": schema.For(DeadLetter{}, base+"dead_letter.schema.json", "DeadLetter",
			"A record a stage could not process, with the reason and its original bytes, on the DLQ topic."),
		"saved_search.schema.json": schema.For(SavedSearch{}, base+"saved_search.schema.json", "SavedSearch",
			"A named query marketing watches, on the compacted saved-searches topic keyed by id."),
		"correction.schema.json": schema.For(Correction{}, base+"correction.schema.json", "Correction",
			"A person's correction of a mention's analysis, on the compacted corrections topic keyed by id."),
		"mute.schema.json": schema.For(Mute{}, base+"mute.schema.json", "Mute",
			"An author or site hidden from the web app's searches and counts, on the compacted mutes topic keyed by id."),
		"prospect_work.schema.json": schema.For(ProspectWork{}, base+"prospect_work.schema.json", "ProspectWork",
			"Sales work on a prospect (stage with history, owner, notes), on the compacted prospect-work topic keyed by prospect id."),
		"user.schema.json": schema.For(User{}, base+"user.schema.json", "User",
			"A web app account with its role and argon2id password hash, on the compacted users topic keyed by name."),
		"api_token.schema.json": schema.For(APIToken{}, base+"api_token.schema.json", "APIToken",
			"An API token of a user (only its SHA-256 is stored), on the compacted tokens topic keyed by id."),
		"session.schema.json": schema.For(Session{}, base+"session.schema.json", "Session",
			"A signed-in browser (keyed by the SHA-256 of its cookie), on the compacted sessions topic."),
		"alert_rule.schema.json": schema.For(AlertRule{}, base+"alert_rule.schema.json", "AlertRule",
			"When to notify whom (spike, match, prospect or digest), on the compacted alert-rules topic keyed by id."),
		"alert_state.schema.json": schema.For(AlertState{}, base+"alert_state.schema.json", "AlertState",
			"What the owner of an alert rule remembers between evaluations, on the compacted alert-state topic keyed by rule id."),
		"notification.schema.json": schema.For(Notification{}, base+"notification.schema.json", "Notification",
			"One message an alert rule produced, with why it fired, on the notifications topic keyed by its deterministic id."),
		"delivery.schema.json": schema.For(Delivery{}, base+"delivery.schema.json", "Delivery",
			"One notification's delivery to one channel with every attempt, on the compacted deliveries topic keyed by id."),
		"match_decision.schema.json": schema.For(MatchDecision{}, base+"match_decision.schema.json", "MatchDecision",
			"A person's confirm or reject verdict on a possible identity match, on the compacted match-decisions topic."),
	}
}
