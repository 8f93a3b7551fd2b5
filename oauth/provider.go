package oauth

import (
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/mailwiz/mailwiz/account"
	db "github.com/mailwiz/mailwiz/providers"
)

// SASL mechanism names, as servers advertise them.
const (
	// XOAUTH2 is Google's mechanism, also taken by Microsoft, Yahoo, AOL,
	// Yandex and Mail.ru: base64("user=" u "\x01auth=Bearer " t "\x01\x01").
	XOAUTH2 = "XOAUTH2"
	// OAUTHBEARER is RFC 7628's standard mechanism.
	OAUTHBEARER = "OAUTHBEARER"
)

// Provider is what mailwiz knows of one provider's authorization server for
// mail. It holds no client registration (see [Registration]): only public
// facts, read from the <oAuth2> element of the provider's file in the
// built-in database (providers/data), where each has its source.
type Provider struct {
	// ID names the provider in registrations and keychain items: "google",
	// "microsoft", "yahoo", "aol", "yandex", "mailru".
	ID string
	// Name is the provider's name as a person knows it, for "Sign in with
	// <Name>".
	Name string
	// Issuer is the authorization server's host name, as Thunderbird's
	// <issuer>.
	Issuer string
	// AuthURL is the authorization endpoint (RFC 6749 §3.1).
	AuthURL string
	// TokenURL is the token endpoint (RFC 6749 §3.2).
	TokenURL string
	// DeviceAuthURL is the device authorization endpoint (RFC 8628 §3.1),
	// empty where the provider offers no standard device grant for the
	// mail scopes.
	DeviceAuthURL string
	// IMAP, POP3 and SMTP are the scopes that grant each protocol.
	IMAP []string
	POP3 []string
	SMTP []string
	// Extra scopes asked for whatever the protocols, e.g. Microsoft's
	// offline_access, without which no refresh token is issued.
	Extra []string
	// Mechanisms are the SASL mechanisms the provider's mail servers take,
	// preferred first.
	Mechanisms []string
	// SecretRequired is true where the token endpoint refuses a client
	// without its client secret even for an installed app.
	SecretRequired bool
	// AuthParams are extra authorization request parameters the provider
	// needs.
	AuthParams map[string]string
	// Hosts are the mail servers whose accounts sign in here, lower case.
	Hosts []string
}

// Scopes returns the scopes to ask for an account using protos (all three
// when none is given), each once, with the provider's extra scopes.
func (p Provider) Scopes(protos ...account.Protocol) []string {
	if len(protos) == 0 {
		protos = []account.Protocol{account.IMAP, account.POP3, account.SMTP}
	}
	var out []string
	seen := map[string]bool{}
	add := func(ss []string) {
		for _, s := range ss {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	for _, pr := range protos {
		switch pr {
		case account.IMAP:
			add(p.IMAP)
		case account.POP3:
			add(p.POP3)
		case account.SMTP:
			add(p.SMTP)
		}
	}
	add(p.Extra)
	return out
}

// Supports reports whether the provider's servers take the SASL mechanism.
func (p Provider) Supports(mech string) bool {
	for _, m := range p.Mechanisms {
		if strings.EqualFold(m, mech) {
			return true
		}
	}
	return false
}

// Microsoft tenants: personal accounts (Outlook.com, Hotmail, Live),
// Microsoft 365 work or school accounts, or either.
const (
	TenantCommon        = "common"
	TenantConsumers     = "consumers"
	TenantOrganizations = "organizations"
)

// known names the providers mailwiz signs in with: the ID registrations
// and keychain items use, the name a person knows, and the provider file
// (providers/data) whose <oAuth2> element holds the rest. Nothing else is
// taken from anywhere: a discovered config's <oAuth2> never chooses the
// page a person signs in on.
var known = []struct{ id, name, file string }{
	{"google", "Google", "gmail"},
	{"microsoft", "Microsoft", "outlook"},
	{"yahoo", "Yahoo", "yahoo"},
	{"aol", "AOL", "aol"},
	{"yandex", "Yandex", "yandex"},
	{"mailru", "Mail.ru", "mailru"},
}

// providers is the table, in the order a person would look for them,
// built from the provider files once.
var providers = sync.OnceValue(func() []Provider {
	var out []Provider
	for _, k := range known {
		var files []account.Config
		for _, c := range db.All() {
			if c.Provider == nil || c.Provider.OAuth2 == nil {
				continue
			}
			if c.Provider.ID == k.file || (k.id == "microsoft" && c.Provider.OAuth2.Issuer == "login.microsoftonline.com") {
				files = append(files, c)
			}
		}
		if len(files) == 0 {
			continue // the database test fails on this
		}
		out = append(out, fromFiles(k.id, k.name, files))
	}
	return out
})

// fromFiles is provider id as its files state it: the first file's
// <oAuth2>, and the mail servers of them all (those that sign in with a
// password too: Gmail's take either).
func fromFiles(id, name string, files []account.Config) Provider {
	o := files[0].Provider.OAuth2
	p := Provider{ID: id, Name: name, Issuer: o.Issuer, AuthURL: o.AuthURL, TokenURL: o.TokenURL,
		DeviceAuthURL: o.DeviceAuthURL, Mechanisms: slices.Clone(o.Mechanisms),
		SecretRequired: o.SecretRequired, AuthParams: maps.Clone(o.AuthParams)}
	if len(p.Mechanisms) == 0 {
		p.Mechanisms = []string{XOAUTH2}
	}
	perProto := map[account.Protocol]*[]string{account.IMAP: &p.IMAP, account.POP3: &p.POP3, account.SMTP: &p.SMTP}
	for proto, dst := range perProto {
		if list, ok := o.ProtocolScopes[proto]; ok {
			*dst = slices.Clone(list)
		}
	}
	for _, sc := range o.Scopes {
		inProto := false
		for _, list := range o.ProtocolScopes {
			inProto = inProto || slices.Contains(list, sc)
		}
		switch {
		case len(o.ProtocolScopes) == 0:
			// One list for every protocol.
			p.IMAP, p.POP3, p.SMTP = append(p.IMAP, sc), append(p.POP3, sc), append(p.SMTP, sc)
		case !inProto:
			p.Extra = append(p.Extra, sc)
		}
	}
	for _, c := range files {
		for _, list := range [][]account.Server{c.Incoming, c.Outgoing} {
			for _, srv := range list {
				h := strings.ToLower(srv.Host)
				if !slices.Contains(p.Hosts, h) {
					p.Hosts = append(p.Hosts, h)
				}
			}
		}
	}
	return p
}

// MicrosoftTenant returns Microsoft's endpoints for one tenant: a directory
// ID or domain of a Microsoft 365 organization, or one of TenantCommon,
// TenantConsumers, TenantOrganizations. An empty tenant is TenantCommon.
func MicrosoftTenant(tenant string) Provider {
	if tenant == "" {
		tenant = TenantCommon
	}
	p, _ := Lookup("microsoft")
	for _, u := range []*string{&p.AuthURL, &p.TokenURL, &p.DeviceAuthURL} {
		*u = strings.Replace(*u, "/"+TenantCommon+"/", "/"+tenant+"/", 1)
	}
	return p
}

// Providers returns the table, each entry a copy.
func Providers() []Provider {
	out := make([]Provider, len(providers()))
	for i, p := range providers() {
		out[i] = p.clone()
	}
	return out
}

// Lookup returns the provider with id.
func Lookup(id string) (Provider, bool) {
	for _, p := range providers() {
		if p.ID == id {
			return p.clone(), true
		}
	}
	return Provider{}, false
}

// ForHost returns the provider whose accounts sign in for the mail server
// host (e.g. "outlook.office365.com" → Microsoft).
func ForHost(host string) (Provider, bool) {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, p := range providers() {
		for _, h := range p.Hosts {
			if h == host {
				return p.clone(), true
			}
		}
	}
	return Provider{}, false
}

// ForConfig returns the provider of the first server of cfg that signs in
// with OAuth2 and whose host the table knows.
func ForConfig(cfg account.Config) (Provider, bool) {
	for _, list := range [][]account.Server{cfg.Incoming, cfg.Outgoing} {
		for _, s := range list {
			if s.Auth != account.AuthOAuth2 {
				continue
			}
			if p, ok := ForHost(s.Host); ok {
				return p, true
			}
		}
	}
	return Provider{}, false
}

func (p Provider) clone() Provider {
	c := p
	for _, f := range []*[]string{&c.IMAP, &c.POP3, &c.SMTP, &c.Extra, &c.Mechanisms, &c.Hosts} {
		*f = append([]string(nil), (*f)...)
	}
	if p.AuthParams != nil {
		c.AuthParams = map[string]string{}
		for k, v := range p.AuthParams {
			c.AuthParams[k] = v
		}
	}
	return c
}
