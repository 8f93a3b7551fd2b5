package oauth

import (
	"strings"

	"github.com/mailwiz/mailwiz/account"
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
// facts, each with its source.
//
// The fields map one to one onto Thunderbird's clientConfig <oAuth2>
// element (issuer, scope, authURL, tokenURL) plus mailwiz's extensions in
// the same element, so moving the table into the provider XML files is a
// matter of writing each field as the element its xml tag names.
type Provider struct {
	// ID names the provider in registrations and keychain items: "google",
	// "microsoft", "yahoo", "aol", "yandex", "mailru".
	ID string `xml:"-"`
	// Name is the provider's name as a person knows it, for "Sign in with
	// <Name>".
	Name string `xml:"displayName"`
	// Issuer is the authorization server's host name, as Thunderbird's
	// <issuer>.
	Issuer string `xml:"issuer"`
	// AuthURL is the authorization endpoint (RFC 6749 §3.1).
	AuthURL string `xml:"authURL"`
	// TokenURL is the token endpoint (RFC 6749 §3.2).
	TokenURL string `xml:"tokenURL"`
	// DeviceAuthURL is the device authorization endpoint (RFC 8628 §3.1),
	// empty where the provider offers no standard device grant for the
	// mail scopes.
	DeviceAuthURL string `xml:"deviceAuthURL,omitempty"`
	// IMAP, POP3 and SMTP are the scopes that grant each protocol.
	IMAP []string `xml:"scope>imap,omitempty"`
	POP3 []string `xml:"scope>pop3,omitempty"`
	SMTP []string `xml:"scope>smtp,omitempty"`
	// Extra scopes asked for whatever the protocols, e.g. Microsoft's
	// offline_access, without which no refresh token is issued.
	Extra []string `xml:"scope>extra,omitempty"`
	// Mechanisms are the SASL mechanisms the provider's mail servers take,
	// preferred first.
	Mechanisms []string `xml:"mechanism"`
	// SecretRequired is true where the token endpoint refuses a client
	// without its client secret even for an installed app.
	SecretRequired bool `xml:"secretRequired"`
	// AuthParams are extra authorization request parameters the provider
	// needs.
	AuthParams map[string]string `xml:"-"`
	// Hosts are the mail servers whose accounts sign in here, lower case.
	Hosts []string `xml:"hostname"`
	// Sources say where the facts above were read; "[verify]" marks one
	// not confirmed from the provider's own documentation.
	Sources []string `xml:"-"`
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

func microsoft(tenant string) Provider {
	base := "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/"
	return Provider{
		ID:            "microsoft",
		Name:          "Microsoft",
		Issuer:        "login.microsoftonline.com",
		AuthURL:       base + "authorize",
		TokenURL:      base + "token",
		DeviceAuthURL: base + "devicecode",
		IMAP:          []string{"https://outlook.office.com/IMAP.AccessAsUser.All"},
		POP3:          []string{"https://outlook.office.com/POP.AccessAsUser.All"},
		SMTP:          []string{"https://outlook.office.com/SMTP.Send"},
		Extra:         []string{"offline_access"},
		Mechanisms:    []string{XOAUTH2},
		Hosts: []string{"outlook.office365.com", "smtp.office365.com",
			"imap-mail.outlook.com", "smtp-mail.outlook.com", "pop-mail.outlook.com",
			"outlook.live.com"},
		Sources: []string{
			// Scopes, offline_access, XOAUTH2, both personal and 365 accounts,
			// authorization code and device grants:
			"https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth",
			// Endpoints and the common/consumers/organizations tenants:
			"https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow",
			"https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code",
			// A public client (mobile and desktop platform) needs no secret;
			// the device grant needs "Allow public client flows" on.
			"https://learn.microsoft.com/en-us/entra/identity-platform/msal-client-applications",
			// OAUTHBEARER on Exchange Online's IMAP [verify]: only XOAUTH2 is documented.
		},
	}
}

// MicrosoftTenant returns Microsoft's endpoints for one tenant: a directory
// ID or domain of a Microsoft 365 organization, or one of TenantCommon,
// TenantConsumers, TenantOrganizations. An empty tenant is TenantCommon.
func MicrosoftTenant(tenant string) Provider {
	if tenant == "" {
		tenant = TenantCommon
	}
	return microsoft(tenant)
}

// providers is the table, in the order a person would look for them.
var providers = []Provider{
	{
		ID:     "google",
		Name:   "Google",
		Issuer: "accounts.google.com",
		// The v2 endpoint; Thunderbird's accounts.google.com/o/oauth2/auth
		// redirects here.
		AuthURL:  "https://accounts.google.com/o/oauth2/v2/auth",
		TokenURL: "https://oauth2.googleapis.com/token",
		// No device grant: Google's TV and limited-input flow allows only a
		// short list of scopes, and https://mail.google.com/ is not on it.
		IMAP:           []string{"https://mail.google.com/"},
		POP3:           []string{"https://mail.google.com/"},
		SMTP:           []string{"https://mail.google.com/"},
		Mechanisms:     []string{XOAUTH2, OAUTHBEARER},
		SecretRequired: true,
		// Without access_type=offline Google issues no refresh token to a
		// web-style request [verify for installed apps, where it is the default].
		AuthParams: map[string]string{"access_type": "offline"},
		Hosts:      []string{"imap.gmail.com", "smtp.gmail.com", "pop.gmail.com", "imap.googlemail.com", "smtp.googlemail.com", "pop.googlemail.com"},
		Sources: []string{
			// Scope https://mail.google.com/ for IMAP, POP and SMTP; XOAUTH2:
			"https://developers.google.com/workspace/gmail/imap/xoauth2-protocol",
			// Endpoints, PKCE, loopback redirect on 127.0.0.1, the desktop
			// client's secret (sent, though not confidential):
			"https://developers.google.com/identity/protocols/oauth2/native-app",
			// Device flow's allowed scopes (no mail scope):
			"https://developers.google.com/identity/protocols/oauth2/limited-input-device#allowedscopes",
			// OAUTHBEARER on Gmail's IMAP and SMTP [verify]: advertised in the
			// servers' capabilities; Google documents XOAUTH2 only.
		},
	},
	microsoft(TenantCommon),
	{
		ID:             "yahoo",
		Name:           "Yahoo",
		Issuer:         "login.yahoo.com",
		AuthURL:        "https://api.login.yahoo.com/oauth2/request_auth",
		TokenURL:       "https://api.login.yahoo.com/oauth2/get_token",
		IMAP:           []string{"mail-w"},
		POP3:           []string{"mail-w"},
		SMTP:           []string{"mail-w"},
		Mechanisms:     []string{XOAUTH2, OAUTHBEARER},
		SecretRequired: true,
		Hosts:          []string{"imap.mail.yahoo.com", "smtp.mail.yahoo.com", "pop.mail.yahoo.com"},
		Sources: []string{
			"https://developer.yahoo.com/oauth2/guide/flows_authcode/",
			// The mail-w scope: Thunderbird's OAuth2Providers and K-9 Mail's
			// Yahoo configuration. Mail access needs Yahoo's approval of the
			// app [verify]; loopback redirects with a run-time port [verify].
			"https://searchfox.org/comm-central/source/mailnews/base/src/OAuth2Providers.sys.mjs",
		},
	},
	{
		ID:             "aol",
		Name:           "AOL",
		Issuer:         "login.aol.com",
		AuthURL:        "https://api.login.aol.com/oauth2/request_auth",
		TokenURL:       "https://api.login.aol.com/oauth2/get_token",
		IMAP:           []string{"mail-w"},
		POP3:           []string{"mail-w"},
		SMTP:           []string{"mail-w"},
		Mechanisms:     []string{XOAUTH2, OAUTHBEARER},
		SecretRequired: true,
		Hosts:          []string{"imap.aol.com", "smtp.aol.com", "pop.aol.com"},
		Sources: []string{
			// AOL runs Yahoo's login service under its own host [verify].
			"https://searchfox.org/comm-central/source/mailnews/base/src/OAuth2Providers.sys.mjs",
		},
	},
	{
		ID:       "yandex",
		Name:     "Yandex",
		Issuer:   "oauth.yandex.com",
		AuthURL:  "https://oauth.yandex.com/authorize",
		TokenURL: "https://oauth.yandex.com/token",
		// Yandex's confirmation-code flow (oauth.yandex.ru/device/code) is
		// not RFC 8628: it polls with grant_type=device_code and code=,
		// which x/oauth2 does not send [verify]. So no device grant here.
		IMAP: []string{"mail:imap_full"},
		// POP3 with a token: Yandex documents OAuth2 for IMAP and SMTP
		// only; the IMAP scope is asked for it [verify].
		POP3:           []string{"mail:imap_full"},
		SMTP:           []string{"mail:smtp"},
		Mechanisms:     []string{XOAUTH2},
		SecretRequired: true,
		Hosts:          []string{"imap.yandex.com", "smtp.yandex.com", "pop.yandex.com", "imap.yandex.ru", "smtp.yandex.ru", "pop.yandex.ru"},
		Sources: []string{
			"https://yandex.com/dev/id/doc/en/codes/code-url",
			// XOAUTH2 on IMAP and SMTP; the IMAP read/delete and SMTP send
			// rights (mail:imap_full, mail:smtp). POP3 is not mentioned.
			"https://yandex.ru/support/yandex-360/business/mail/ru/web/security/oauth",
		},
	},
	{
		ID:       "mailru",
		Name:     "Mail.ru",
		Issuer:   "oauth.mail.ru",
		AuthURL:  "https://oauth.mail.ru/login",
		TokenURL: "https://oauth.mail.ru/token",
		IMAP:     []string{"mail.imap"},
		// One scope for IMAP, POP3 and SMTP [verify].
		POP3:           []string{"mail.imap"},
		SMTP:           []string{"mail.imap"},
		Mechanisms:     []string{XOAUTH2},
		SecretRequired: true,
		Hosts:          []string{"imap.mail.ru", "smtp.mail.ru", "pop.mail.ru"},
		Sources: []string{
			"https://oauth.mail.ru/docs",
			// The mail.imap scope: Thunderbird's OAuth2Providers [verify].
			"https://searchfox.org/comm-central/source/mailnews/base/src/OAuth2Providers.sys.mjs",
		},
	},
}

// Providers returns the table, each entry a copy.
func Providers() []Provider {
	out := make([]Provider, len(providers))
	for i, p := range providers {
		out[i] = p.clone()
	}
	return out
}

// Lookup returns the provider with id.
func Lookup(id string) (Provider, bool) {
	for _, p := range providers {
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
	for _, p := range providers {
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
	for _, f := range []*[]string{&c.IMAP, &c.POP3, &c.SMTP, &c.Extra, &c.Mechanisms, &c.Hosts, &c.Sources} {
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
