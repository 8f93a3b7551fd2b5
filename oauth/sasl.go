package oauth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
)

// SASLClient authenticates to a mail server with an access token, by
// XOAUTH2 or OAUTHBEARER (RFC 7628). It is a sasl.Client for go-imap,
// go-smtp and the POP3 client. When the server refuses the token it first
// sends an error challenge (base64 JSON); SASLClient keeps it, answers as
// each mechanism wants (an empty response for XOAUTH2, %x01 for
// OAUTHBEARER, RFC 7628 §3.2.3) so the server ends the exchange with its
// own failure, and [SASLClient.Problem] explains it.
type SASLClient struct {
	mech      string
	inner     sasl.Client
	challenge []byte
}

// NewSASL returns the client for mechanism mech (XOAUTH2 or OAUTHBEARER,
// any case) logging username in with accessToken. host and port go into
// OAUTHBEARER's message (RFC 7628 §3.1); they may be empty and 0.
func NewSASL(mech, username, accessToken, host string, port int) (*SASLClient, error) {
	switch {
	case accessToken == "":
		return nil, errors.New("oauth: no access token to sign in with")
	case strings.Contains(username, "\x01"),
		strings.ToUpper(mech) == OAUTHBEARER && strings.ContainsAny(username, ",="):
		// The mechanisms separate fields with these (go-sasl does not
		// escape OAUTHBEARER's authzid): a username holding one would
		// smuggle in a field of its own.
		return nil, errors.New("oauth: the username holds a character this SASL mechanism cannot carry (\\x01, or for OAUTHBEARER a comma or =)")
	case strings.ContainsAny(accessToken, "\x01 \r\n"):
		return nil, errors.New("oauth: the access token holds a character a bearer token cannot have")
	}
	c := &SASLClient{mech: strings.ToUpper(mech)}
	switch c.mech {
	case XOAUTH2:
		c.inner = xoauth2{user: username, token: accessToken}
	case OAUTHBEARER:
		c.inner = sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: username, Token: accessToken, Host: host, Port: port})
	default:
		return nil, errors.New("oauth: the SASL mechanism " + Clean(mech, 30) + " is neither XOAUTH2 nor OAUTHBEARER")
	}
	return c, nil
}

// Start begins the exchange with the initial response.
func (c *SASLClient) Start() (string, []byte, error) { return c.inner.Start() }

// Next answers a server challenge: after the initial response, the only
// challenge either mechanism gets is the error one.
func (c *SASLClient) Next(challenge []byte) ([]byte, error) {
	if c.challenge != nil {
		return nil, errors.New("oauth: the server sent a second challenge")
	}
	c.challenge = append([]byte{}, challenge...)
	if c.mech == OAUTHBEARER {
		return []byte{0x01}, nil
	}
	return []byte{}, nil
}

// Challenge returns the server's error challenge, if there was one, parsed.
func (c *SASLClient) Challenge() (Challenge, bool) {
	if c.challenge == nil {
		return Challenge{}, false
	}
	return ParseChallenge(c.challenge)
}

// Problem explains a refused token, from the error challenge, the server's
// final words (the NO / -ERR / 535 line's text) and the token's expiry
// (zero when not known). It returns nil when nothing points at the token.
func (c *SASLClient) Problem(provider, serverText string, expiry time.Time) *Error {
	return Diagnose(provider, c.challenge, serverText, expiry)
}

// xoauth2 is the XOAUTH2 client; go-sasl has only OAUTHBEARER.
type xoauth2 struct{ user, token string }

func (x xoauth2) Start() (string, []byte, error) {
	return XOAUTH2, []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

func (x xoauth2) Next([]byte) ([]byte, error) { return []byte{}, nil }

// Challenge is a server's error challenge: Google's XOAUTH2 JSON
// ({"status":"401","schemes":"bearer","scope":"..."}) or RFC 7628 §3.2.2's
// ({"status":"invalid_token",...}).
type Challenge struct {
	Status  string `json:"status"`
	Schemes string `json:"schemes"`
	Scope   string `json:"scope"`
}

// ParseChallenge reads an error challenge, decoded or still in base64.
func ParseChallenge(b []byte) (Challenge, bool) {
	s := strings.TrimSpace(string(b))
	if len(s) > 4096 {
		return Challenge{}, false
	}
	if !strings.HasPrefix(s, "{") {
		d, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return Challenge{}, false
		}
		s = string(d)
	}
	var ch Challenge
	if err := json.Unmarshal([]byte(s), &ch); err != nil || ch.Status == "" {
		return Challenge{}, false
	}
	ch.Status, ch.Schemes, ch.Scope = Clean(ch.Status, 40), Clean(ch.Schemes, 40), Clean(ch.Scope, 200)
	return ch, true
}

// Diagnose explains why a server refused a token: from the error challenge
// (raw or nil), the server's final text and the token's expiry. It returns
// nil when none of them points at the token.
func Diagnose(provider string, challenge []byte, serverText string, expiry time.Time) *Error {
	low := strings.ToLower(serverText)
	detail := Clean(serverText, 200)
	switch {
	// Microsoft 365: "535 5.7.139 Authentication unsuccessful,
	// SmtpClientAuthentication is disabled for the Tenant", and the same
	// for a mailbox; IMAP/POP turned off for the mailbox answers
	// "User is authenticated but not connected" [verify: also seen for a
	// token of another user].
	case strings.Contains(low, "smtpclientauthentication is disabled"),
		strings.Contains(low, "5.7.139") && strings.Contains(low, "disabled"),
		strings.Contains(low, "authenticated but not connected"):
		return &Error{Kind: KindTenantBlocked, Provider: provider, Detail: detail}
	case strings.Contains(low, "consent"), strings.Contains(low, "aadsts65001"):
		return &Error{Kind: KindConsent, Provider: provider, Detail: detail}
	}
	ch, ok := ParseChallenge(challenge)
	if !ok {
		if challenge == nil && !expiry.IsZero() && time.Now().After(expiry) {
			return &Error{Kind: KindExpired, Provider: provider, Detail: detail}
		}
		return nil
	}
	e := &Error{Provider: provider, Code: ch.Status, Detail: detail}
	switch strings.ToLower(ch.Status) {
	case "403", "insufficient_scope":
		e.Kind = KindWrongScope
	case "400", "invalid_request":
		e.Kind = KindServer
	default: // "401", "invalid_token", and anything else about the token
		e.Kind = KindRevoked
		if !expiry.IsZero() && time.Now().After(expiry) {
			e.Kind = KindExpired
		}
	}
	return e
}

// Mechanism picks the SASL mechanism to use with a server that advertises
// advertised (AUTH= capabilities, EHLO AUTH words): the provider's
// preferred one the server offers. ok is false when there is none.
func (p Provider) Mechanism(advertised []string) (mech string, ok bool) {
	for _, m := range p.Mechanisms {
		for _, a := range advertised {
			if strings.EqualFold(a, m) {
				return m, true
			}
		}
	}
	return "", false
}
