// Package oauth signs a person in at their mail provider with OAuth2 and
// turns the result into SASL logins for IMAP, POP3 and SMTP. It has no user
// interface: the CLI and the window call it.
//
// # Pieces
//
//   - [Provider]: the public facts of each provider's authorization server
//     for mail (endpoints, scopes per protocol, SASL mechanisms, whether a
//     client secret is needed), with sources; [Lookup], [ForHost],
//     [ForConfig].
//   - [Registration]: a client ID (and secret) a distributor or an
//     administrator registered. mailwiz ships none of its own: they come
//     from the file embedded at build time ([Embedded]) and the settings
//     file oauth2-clients.json ([LoadRegistrations]). Without one,
//     [Registrations.Find] returns a *[NoClientError] that says so plainly.
//   - [Flow]: the authorization code grant with PKCE (S256) and state in the
//     system browser with a loopback redirect on 127.0.0.1 (RFC 8252)
//     ([Flow.SignIn]); the device authorization grant (RFC 8628) where the
//     provider has one ([Flow.SignInDevice]); refreshing
//     ([Flow.TokenSource], [Flow.Resume]). The protocol work is
//     golang.org/x/oauth2's.
//   - Keeping: the refresh token goes to the OS keychain ([SaveToken],
//     [LoadToken], [DeleteToken], item [ItemName]); access tokens stay in
//     memory.
//   - SASL: [NewSASL] gives the XOAUTH2 or OAUTHBEARER client for an access
//     token; [Diagnose] turns a server's refusal into an *[Error] of a
//     [Kind] (expired, revoked, wrong scope, consent missing, tenant
//     blocks the protocol) with its English and Russian text and the fix.
//
// # Secrets
//
// No token, authorization code, PKCE verifier or client secret appears in
// an error, a log line or a file written here: errors carry the OAuth2
// error code and the server's description, cleaned ([Clean]); the
// token endpoint's raw answer (oauth2.RetrieveError) is never wrapped.
package oauth
