package autoconfig

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/mailwiz/mailwiz/account"
)

// Bounds of an <oAuth2> element: real ones list a handful of scopes.
const (
	maxScopes    = 32
	maxScopeLen  = 200
	maxOAuth2URL = 512
)

// readOAuth2 reads clientConfig's <oAuth2> element (Thunderbird's: issuer,
// scope, authURL, tokenURL) and mailwiz's extensions in it:
// <mw:scope protocol="imap|pop3|smtp">, <mw:deviceAuthURL>,
// <mw:mechanism>, <mw:secretRequired/>, <mw:authParam name="...">.
// Endpoints must be https URLs; a scope must be an RFC 6749 scope-token.
func readOAuth2(n *node) (*account.OAuth2, error) {
	o := &account.OAuth2{Issuer: strings.ToLower(n.childText("issuer"))}
	if o.Issuer == "" {
		return nil, errors.New("no <issuer>")
	}
	if _, err := normalizeHost(o.Issuer); err != nil {
		return nil, fmt.Errorf("issuer: %w", err)
	}
	var err error
	if o.AuthURL, err = httpsURL("authURL", n.childText("authURL"), true); err != nil {
		return nil, err
	}
	if o.TokenURL, err = httpsURL("tokenURL", n.childText("tokenURL"), true); err != nil {
		return nil, err
	}
	if o.Scopes, err = scopeList(n.childText("scope")); err != nil {
		return nil, err
	}
	if len(o.Scopes) == 0 {
		return nil, errors.New("no <scope>")
	}
	for _, k := range n.kids {
		switch {
		case k.isExt("scope"):
			p := account.Protocol(strings.ToLower(strings.TrimSpace(k.attr("protocol"))))
			if p != account.IMAP && p != account.POP3 && p != account.SMTP {
				return nil, fmt.Errorf(`mw:scope protocol %q is not imap, pop3 or smtp`, p)
			}
			list, err := scopeList(k.text.String())
			if err != nil {
				return nil, err
			}
			for _, s := range list {
				if !slices.Contains(o.Scopes, s) {
					return nil, fmt.Errorf("mw:scope %q for %s is not in <scope>", s, p)
				}
			}
			if o.ProtocolScopes == nil {
				o.ProtocolScopes = map[account.Protocol][]string{}
			}
			o.ProtocolScopes[p] = append(o.ProtocolScopes[p], list...)
		case k.isExt("deviceAuthURL"):
			if o.DeviceAuthURL, err = httpsURL("mw:deviceAuthURL", strings.TrimSpace(k.text.String()), true); err != nil {
				return nil, err
			}
		case k.isExt("mechanism"):
			m := strings.ToUpper(strings.TrimSpace(k.text.String()))
			if m != "XOAUTH2" && m != "OAUTHBEARER" {
				return nil, fmt.Errorf("mw:mechanism %q is not XOAUTH2 or OAUTHBEARER", m)
			}
			if !slices.Contains(o.Mechanisms, m) {
				o.Mechanisms = append(o.Mechanisms, m)
			}
		case k.isExt("secretRequired"):
			o.SecretRequired = true
		case k.isExt("authParam"):
			name, value := strings.TrimSpace(k.attr("name")), strings.TrimSpace(k.text.String())
			if !isScopeToken(name) || !isScopeToken(value) || len(o.AuthParams) >= maxScopes {
				return nil, fmt.Errorf("mw:authParam %q=%q: want a name and a value of printable characters", name, value)
			}
			if o.AuthParams == nil {
				o.AuthParams = map[string]string{}
			}
			o.AuthParams[name] = value
		}
	}
	return o, nil
}

// httpsURL checks an endpoint: an absolute https URL with a host, no user
// part and no fragment.
func httpsURL(what, raw string, required bool) (string, error) {
	if raw == "" {
		if required {
			return "", fmt.Errorf("no <%s>", what)
		}
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || len(raw) > maxOAuth2URL || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" {
		return "", fmt.Errorf("%s %q is not an https address", what, cut(raw))
	}
	return raw, nil
}

// scopeList splits a space-separated scope list (RFC 6749 section 3.3).
func scopeList(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Fields(s) {
		if !isScopeToken(f) || len(f) > maxScopeLen {
			return nil, fmt.Errorf("scope %q is not a scope token", cut(f))
		}
		if len(out) == maxScopes {
			return nil, fmt.Errorf("more than %d scopes", maxScopes)
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// isScopeToken: RFC 6749's scope-token, %x21 / %x23-5B / %x5D-7E.
func isScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// cut shortens a value quoted in an error.
func cut(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
