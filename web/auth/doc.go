// Package auth is who may use Earshot's web app and API: accounts with a
// role, their passwords (argon2id), API tokens, browser sessions, CSRF
// tokens and the sign-in throttle. The gate in package web uses it on every
// request; pages and handlers only read what it decided.
//
// The contract the rest of the web app builds on (stable):
//
//   - Role: RoleAdmin, RoleMarketing, RoleSales, RoleViewer. Which role may
//     call which route is decided in ONE place, the route table in
//     web/routes.go, and checked by the gate before a handler runs; handlers
//     and pages never check roles themselves (they may read the principal to
//     show or hide a button, never to allow an action).
//   - Principal{User, Role, Via}: who is calling; Via is ViaSession (a
//     browser with the session cookie) or ViaToken (Authorization: Bearer).
//     FromContext(r.Context()) returns it on every gated route.
//   - CSRFToken(r): the token a page puts in <meta name="csrf-token"> and in
//     hidden inputs named "csrf_token" (CSRFField); htmx and scripts send it
//     in the X-CSRF-Token header (CSRFHeader). The gate refuses a
//     state-changing request made with the session cookie without it.
//     Before sign-in it is the token of the sign-in form (a double-submit
//     cookie), after sign-in the session's own; pages get it masked afresh
//     each time (MaskToken) and CSRFMatches accepts it masked or plain.
//
// State lives in three compacted topics (users, tokens, sessions), read
// into memory by every serve instance (web/table), so accounts and
// sessions survive restarts and work across instances. Secrets are stored
// only as hashes.
package auth
