package oauth

import (
	"maps"
	"slices"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	db "github.com/mailwiz/mailwiz/providers"
)

// TestTableMatchesProviderFiles: each provider's authorization server as
// the table here has it is what its provider file's <oAuth2> element says
// (the file is what Thunderbird and the thunderbird-autoconfig export
// read), so the two cannot drift apart.
func TestTableMatchesProviderFiles(t *testing.T) {
	domain := map[string]string{"google": "gmail.com", "microsoft": "outlook.com", "yahoo": "yahoo.com",
		"aol": "aol.com", "yandex": "yandex.ru", "mailru": "mail.ru"}
	for _, p := range Providers() {
		t.Run(p.ID, func(t *testing.T) {
			d, ok := domain[p.ID]
			if !ok {
				t.Fatalf("no provider file named for %s", p.ID)
			}
			cfg, ok := db.Lookup(d)
			if !ok || cfg.Provider == nil || cfg.Provider.OAuth2 == nil {
				t.Fatalf("%s: the provider file has no <oAuth2>", d)
			}
			o := cfg.Provider.OAuth2
			if o.Issuer != p.Issuer || o.AuthURL != p.AuthURL || o.TokenURL != p.TokenURL || o.DeviceAuthURL != p.DeviceAuthURL {
				t.Errorf("endpoints: file %s %s %s %q; table %s %s %s %q", o.Issuer, o.AuthURL, o.TokenURL, o.DeviceAuthURL,
					p.Issuer, p.AuthURL, p.TokenURL, p.DeviceAuthURL)
			}
			if !slices.Equal(o.Mechanisms, p.Mechanisms) || o.SecretRequired != p.SecretRequired || !maps.Equal(o.AuthParams, p.AuthParams) {
				t.Errorf("mechanisms/secret/params: file %v %v %v; table %v %v %v", o.Mechanisms, o.SecretRequired, o.AuthParams,
					p.Mechanisms, p.SecretRequired, p.AuthParams)
			}
			for _, proto := range []account.Protocol{account.IMAP, account.POP3, account.SMTP} {
				want := p.Scopes(proto)
				got := o.ProtocolScopes[proto]
				if got == nil {
					got = o.Scopes
				} else {
					// The scopes of <scope> that belong to no protocol go with every one.
					for _, s := range o.Scopes {
						if !slices.Contains(o.ProtocolScopes[account.IMAP], s) && !slices.Contains(o.ProtocolScopes[account.POP3], s) &&
							!slices.Contains(o.ProtocolScopes[account.SMTP], s) && !slices.Contains(got, s) {
							got = append(slices.Clone(got), s)
						}
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s scopes: file %q; table %q", proto, got, want)
				}
			}
		})
	}
}
