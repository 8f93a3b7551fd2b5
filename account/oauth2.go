package account

import "slices"

// OAuth2 is a provider's authorization server for mail, as the <oAuth2>
// element of its clientConfig file states it (Thunderbird reads the same
// element) with mailwiz's extensions inside it. It holds public facts
// only: no client registration, no secret.
type OAuth2 struct {
	// Issuer is the authorization server's host name.
	Issuer string
	// AuthURL and TokenURL are the authorization and token endpoints
	// (RFC 6749 sections 3.1, 3.2), https.
	AuthURL, TokenURL string
	// Scopes are asked for at sign-in when every protocol is wanted
	// (<scope>, space separated).
	Scopes []string
	// ProtocolScopes, where the provider splits them, are the scopes each
	// protocol needs (<mw:scope protocol="imap">); scopes of Scopes in
	// none of them are asked for whatever the protocols (Microsoft's
	// offline_access).
	ProtocolScopes map[Protocol][]string
	// DeviceAuthURL is the device authorization endpoint (RFC 8628), empty
	// where the provider has no standard device grant for the mail scopes.
	DeviceAuthURL string
	// Mechanisms are the SASL mechanisms the provider's servers take for
	// a token, preferred first (XOAUTH2, OAUTHBEARER).
	Mechanisms []string
	// SecretRequired: the token endpoint refuses an installed app without
	// its client secret.
	SecretRequired bool
	// AuthParams are extra parameters of the authorization request.
	AuthParams map[string]string
}

// Clone returns a deep copy of o (nil for nil).
func (o *OAuth2) Clone() *OAuth2 {
	if o == nil {
		return nil
	}
	c := *o
	c.Scopes = slices.Clone(o.Scopes)
	c.Mechanisms = slices.Clone(o.Mechanisms)
	if o.ProtocolScopes != nil {
		c.ProtocolScopes = make(map[Protocol][]string, len(o.ProtocolScopes))
		for k, v := range o.ProtocolScopes {
			c.ProtocolScopes[k] = slices.Clone(v)
		}
	}
	if o.AuthParams != nil {
		c.AuthParams = make(map[string]string, len(o.AuthParams))
		for k, v := range o.AuthParams {
			c.AuthParams[k] = v
		}
	}
	return &c
}
