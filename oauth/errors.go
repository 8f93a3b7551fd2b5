package oauth

import (
	"errors"
	"strings"
	"unicode"

	"github.com/mailwiz/mailwiz/catalog"
	"golang.org/x/oauth2"
)

// Kind says what went wrong in a sign-in or with a token.
type Kind string

// The kinds of *Error.
const (
	// KindRefused: the person (or the provider) said no on the sign-in
	// page: error=access_denied, or another error on the redirect.
	KindRefused Kind = "refused"
	// KindWrongState: the redirect carried a state that is not the one sent;
	// it did not come from this sign-in, and nothing of it was used.
	KindWrongState Kind = "wrong-state"
	// KindTimeout: the browser never came back, or the device code was not
	// entered, in the time allowed.
	KindTimeout Kind = "timeout"
	// KindCanceled: the caller cancelled.
	KindCanceled Kind = "canceled"
	// KindBrowser: no browser could be opened.
	KindBrowser Kind = "browser"
	// KindExchange: the token endpoint refused the code: a PKCE verifier
	// that does not match, a code used twice or too late, a wrong redirect.
	KindExchange Kind = "exchange"
	// KindClient: the provider does not know the client registration, or
	// wants its secret (invalid_client, unauthorized_client).
	KindClient Kind = "client"
	// KindExpired: the access token (or the device code) ran out.
	KindExpired Kind = "expired"
	// KindRevoked: the token is no longer valid: revoked, password changed,
	// or never valid (invalid_grant on refresh, invalid_token at the server).
	KindRevoked Kind = "revoked"
	// KindWrongScope: the token does not grant mail access by this protocol.
	KindWrongScope Kind = "wrong-scope"
	// KindConsent: an administrator's or the person's consent is missing.
	KindConsent Kind = "consent"
	// KindTenantBlocked: the organization turned IMAP, POP or SMTP AUTH off.
	KindTenantBlocked Kind = "tenant-blocked"
	// KindServer: the authorization server answered something unusable.
	KindServer Kind = "server"
)

// Error is every sign-in and token failure of this package. Its texts hold
// no token, code or secret: only the kind, the OAuth2 error code and the
// server's description cleaned for a terminal.
type Error struct {
	Kind Kind
	// Provider is the provider's name, when known ("Microsoft").
	Provider string
	// Code is the OAuth2 error code or SASL status the server gave, if any
	// ("access_denied", "invalid_grant", "401").
	Code string
	// Detail is the server's own description, cleaned (see [Clean]).
	Detail string
}

func (e *Error) Error() string { return "oauth: " + e.Message("en") }

// Is makes errors.Is(err, &Error{Kind: k}) match any *Error of kind k.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Code == "" && t.Detail == ""
}

// Message is the error for a person in lang ("en" or "ru", English for
// any other): what happened, then what to do.
func (e *Error) Message(lang string) string {
	t, ok := texts[e.Kind]
	if !ok {
		t = texts[KindServer]
	}
	who := e.Provider
	if who == "" {
		who = catalog.T(lang, "the provider")
	}
	what, fix := catalog.T(lang, t.what, "Provider", who), catalog.T(lang, t.fix, "Provider", who)
	var b strings.Builder
	b.WriteString(what)
	if e.Code != "" || e.Detail != "" {
		b.WriteString(" (")
		b.WriteString(e.Code)
		if e.Code != "" && e.Detail != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.Detail)
		b.WriteString(")")
	}
	b.WriteString(". ")
	b.WriteString(fix)
	return b.String()
}

// text is what happened and what to do, catalog keys; {{.Provider}} is
// the provider's name.
type text struct{ what, fix string }

var texts = map[Kind]text{
	KindRefused:       {catalog.Key("The sign-in at {{.Provider}} was refused"), catalog.Key("Sign in again and allow mailwiz access to your mail.")},
	KindWrongState:    {catalog.Key("The answer that reached mailwiz did not come from this sign-in, so it was ignored"), catalog.Key("Sign in again; if it happens again, another program on this computer may be interfering.")},
	KindTimeout:       {catalog.Key("The sign-in at {{.Provider}} was not finished in time"), catalog.Key("Sign in again and finish it in the browser within the time shown.")},
	KindCanceled:      {catalog.Key("The sign-in was cancelled"), catalog.Key("Start it again when you are ready.")},
	KindBrowser:       {catalog.Key("mailwiz could not open a web browser"), catalog.Key("Open the address shown in a browser yourself, or sign in with a code (mailwiz signin --device).")},
	KindExchange:      {catalog.Key("{{.Provider}} did not accept the sign-in's answer"), catalog.Key("Sign in again; an answer can be used only once and only for a few minutes.")},
	KindClient:        {catalog.Key("{{.Provider}} does not accept mailwiz's app registration"), catalog.Key("Check the client ID and secret in oauth2-clients.json, or ask whoever set them up (see docs/oauth2.md).")},
	KindExpired:       {catalog.Key("The sign-in at {{.Provider}} has expired"), catalog.Key("Sign in again (mailwiz signin); mailwiz renews it by itself while the saved sign-in is valid.")},
	KindRevoked:       {catalog.Key("The sign-in at {{.Provider}} is no longer valid: it was revoked, the password was changed, or access was withdrawn"), catalog.Key("Sign in again (mailwiz signin).")},
	KindWrongScope:    {catalog.Key("The sign-in at {{.Provider}} does not allow this kind of mail access"), catalog.Key("Sign in again and allow every permission mailwiz asks for; the app registration must include the mail scopes (docs/oauth2.md).")},
	KindConsent:       {catalog.Key("Consent for mailwiz at {{.Provider}} is missing"), catalog.Key("Sign in again and accept; in an organization, an administrator may have to approve the app first.")},
	KindTenantBlocked: {catalog.Key("Your organization has turned this protocol off for your mailbox (IMAP, POP or SMTP AUTH)"), catalog.Key("Ask your administrator to enable it for your mailbox (Microsoft 365: Exchange admin center, Mail apps, \"Authenticated SMTP\", IMAP, POP).")},
	KindServer:        {catalog.Key("The sign-in server of {{.Provider}} gave an answer mailwiz cannot use"), catalog.Key("Try again later.")},
}

// NoClientError: mailwiz holds no client registration for the provider, so
// it cannot sign in there (it ships none it does not own).
type NoClientError struct {
	// Provider is the provider's ID ("microsoft").
	Provider string
	// Name is its name for a person ("Microsoft").
	Name string
	// Flow is the sign-in that was asked for ("loopback" or "device"); empty
	// when none at all is registered.
	Flow RedirectKind
}

func (e *NoClientError) Error() string { return "oauth: " + e.Message("en") }

// Message says in lang what is missing and what works instead.
func (e *NoClientError) Message(lang string) string {
	name := e.Name
	if name == "" {
		name = e.Provider
	}
	if e.Flow == RedirectDevice {
		return catalog.T(lang, "This mailwiz has no {{.Name}} app registration for signing in with a code. Sign in with the browser (without --device), or add a registration with \"redirect\": \"device\" to oauth2-clients.json (see docs/oauth2.md).", "Name", name)
	}
	return catalog.T(lang, "This mailwiz has no app registration at {{.Name}}, so it cannot sign in there. What works: export to Thunderbird set to OAuth2 (Thunderbird signs in with its own registration), or add a registration to oauth2-clients.json in mailwiz's settings folder (how to get one: docs/oauth2.md).", "Name", name)
}

// fromRetrieve turns the token endpoint's refusal into an *Error. The
// RetrieveError itself is not kept: its text quotes the response body.
func fromRetrieve(provider string, err error, exchange bool) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return nil
	}
	e := &Error{Provider: provider, Code: Clean(re.ErrorCode, 40), Detail: Clean(re.ErrorDescription, 200)}
	desc := strings.ToLower(re.ErrorDescription)
	switch {
	case re.ErrorCode == "access_denied":
		e.Kind = KindRefused
	case re.ErrorCode == "expired_token":
		e.Kind = KindTimeout
	case re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client":
		e.Kind = KindClient
	case re.ErrorCode == "invalid_scope":
		e.Kind = KindWrongScope
	case re.ErrorCode == "consent_required" || re.ErrorCode == "interaction_required" ||
		strings.Contains(desc, "aadsts65001"):
		e.Kind = KindConsent
	case re.ErrorCode == "invalid_grant" && exchange:
		e.Kind = KindExchange
	case re.ErrorCode == "invalid_grant":
		// Microsoft: AADSTS700082/70008 expired, AADSTS50173 password
		// changed; Google: "Token has been expired or revoked."
		e.Kind = KindRevoked
		if strings.Contains(desc, "aadsts700082") || strings.Contains(desc, "aadsts70008:") {
			e.Kind = KindExpired
		}
	case exchange:
		e.Kind = KindExchange
	default:
		e.Kind = KindServer
	}
	return e
}

// Clean makes a server's text safe to show: control and format characters
// (escape sequences, bidirectional overrides) become spaces, runs of space
// collapse, and the result is cut to max runes.
func Clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}
