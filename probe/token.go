package probe

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/oauth"
)

// OAuth2Login is a browser sign-in's access token, for the servers that
// sign in with OAuth2 (account.AuthOAuth2): they log in with XOAUTH2 or
// OAUTHBEARER. The token is a secret like a password: it is cut out of
// every text Run hands out.
type OAuth2Login struct {
	AccessToken string
	// Expiry is when the token runs out (zero: not known); a refusal after
	// it reads as an expired sign-in.
	Expiry time.Time
	// Provider names the provider in the explanations ("Microsoft").
	Provider string
	// Mechanisms are the provider's, preferred first; none: OAUTHBEARER
	// where offered (the standard), else XOAUTH2.
	Mechanisms []string
}

// TokenError is a server's refusal of a sign-in's token, explained: the
// token expired or was revoked, lacks the mail scope, consent is missing,
// or the organization blocks such logins. Err is the server's answer.
type TokenError struct {
	Problem *oauth.Error
	Err     error
}

func (e *TokenError) Error() string {
	return "probe: " + e.Problem.Message("en") + ": " + e.Err.Error()
}

func (e *TokenError) Unwrap() error { return e.Err }

// usesToken reports whether r logs in with the sign-in's token.
func (r *runner) usesToken() bool {
	return r.srv.Auth == account.AuthOAuth2 && r.req.OAuth2 != nil && r.req.OAuth2.AccessToken != ""
}

// tokenClient is the SASL client for r's token, in the mechanism both the
// provider and the server take.
func (r *runner) tokenClient(protocol string, offered []string) (*oauth.SASLClient, error) {
	prefer := r.req.OAuth2.Mechanisms
	if len(prefer) == 0 {
		prefer = []string{oauth.OAUTHBEARER, oauth.XOAUTH2}
	}
	for _, m := range prefer {
		if slices.ContainsFunc(offered, func(o string) bool { return strings.EqualFold(o, m) }) {
			return oauth.NewSASL(m, r.srv.Username, r.req.OAuth2.AccessToken, r.srv.Host, r.srv.Port)
		}
	}
	return nil, &NoMechanismError{Protocol: protocol, Offered: offered}
}

// tokenFailed explains err, the server's refusal of the token exchange of
// sc, when the exchange says why (a *TokenError); other errors stay as
// they are.
func (r *runner) tokenFailed(sc *oauth.SASLClient, err error) error {
	ans := answerOf(err)
	if err == nil || !ans.ok {
		return err
	}
	if p := sc.Problem(r.req.OAuth2.Provider, ans.text, r.req.OAuth2.Expiry); p != nil {
		return &TokenError{Problem: p, Err: err}
	}
	return err
}

// tokenKinds are the diagnosis kinds of a refused token.
var tokenKinds = map[oauth.Kind]Kind{
	oauth.KindExpired:       KindTokenExpired,
	oauth.KindRevoked:       KindTokenRevoked,
	oauth.KindWrongScope:    KindTokenScope,
	oauth.KindConsent:       KindTokenConsent,
	oauth.KindTenantBlocked: KindTenantBlocked,
}

// tokenKind is the diagnosis kind of err, a *TokenError; false for others.
func tokenKind(err error) (Kind, bool) {
	var te *TokenError
	if !errors.As(err, &te) {
		return "", false
	}
	if k, ok := tokenKinds[te.Problem.Kind]; ok {
		return k, true
	}
	return KindServerError, true
}

// secrets are what Run cuts out of every text: the password and the
// sign-in's access token.
func (req *Request) secrets() []string {
	s := []string{req.Password}
	if req.OAuth2 != nil && req.OAuth2.AccessToken != "" {
		s = append(s, req.OAuth2.AccessToken)
	}
	return s
}
