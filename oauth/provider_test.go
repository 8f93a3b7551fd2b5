package oauth

import (
	"net/url"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
)

func TestProviderTable(t *testing.T) {
	ids := map[string]bool{}
	for _, p := range Providers() {
		if ids[p.ID] {
			t.Errorf("%s twice", p.ID)
		}
		ids[p.ID] = true
		for _, u := range []string{p.AuthURL, p.TokenURL, p.DeviceAuthURL} {
			if u == "" && u != p.DeviceAuthURL {
				t.Errorf("%s: an endpoint is missing", p.ID)
			}
			if pu, err := url.Parse(u); u != "" && (err != nil || pu.Scheme != "https" || pu.Host == "") {
				t.Errorf("%s: %q is not an https URL", p.ID, u)
			}
		}
		if len(p.IMAP) == 0 || len(p.POP3) == 0 || len(p.SMTP) == 0 || len(p.Mechanisms) == 0 || len(p.Hosts) == 0 || p.Name == "" || p.Issuer == "" {
			t.Errorf("%s: incomplete: %+v", p.ID, p)
		}
		for _, m := range p.Mechanisms {
			if m != XOAUTH2 && m != OAUTHBEARER {
				t.Errorf("%s: mechanism %q", p.ID, m)
			}
		}
		for _, h := range p.Hosts {
			if got, ok := ForHost(strings.ToUpper(h) + "."); !ok || got.ID != p.ID {
				t.Errorf("ForHost(%q) = %q", h, got.ID)
			}
		}
	}
	for _, id := range []string{"google", "microsoft", "yahoo", "aol", "yandex", "mailru"} {
		if !ids[id] {
			t.Errorf("%s is missing", id)
		}
	}
	ms, _ := Lookup("microsoft")
	if got := strings.Join(ms.Scopes(account.IMAP, account.SMTP), " "); got !=
		"https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access" {
		t.Errorf("Microsoft's IMAP+SMTP scopes: %q", got)
	}
	if ms.SecretRequired || ms.DeviceAuthURL == "" {
		t.Errorf("Microsoft: secret %v, device %q", ms.SecretRequired, ms.DeviceAuthURL)
	}
	g, _ := Lookup("google")
	if got := g.Scopes(); len(got) != 1 || got[0] != "https://mail.google.com/" || g.DeviceAuthURL != "" {
		t.Errorf("Google: scopes %q, device %q", got, g.DeviceAuthURL)
	}
	if m, ok := g.Mechanism([]string{"PLAIN", "oauthbearer", "XOAUTH2"}); !ok || m != XOAUTH2 {
		t.Errorf("Google's mechanism = %q %v", m, ok)
	}
	if _, ok := ms.Mechanism([]string{"PLAIN", "LOGIN"}); ok {
		t.Error("a mechanism was picked from PLAIN and LOGIN")
	}
	for _, tenant := range []string{TenantConsumers, TenantOrganizations, "contoso.onmicrosoft.com"} {
		p := MicrosoftTenant(tenant)
		if !strings.Contains(p.AuthURL, "/"+tenant+"/") || !strings.Contains(p.TokenURL, "/"+tenant+"/") || !strings.Contains(p.DeviceAuthURL, "/"+tenant+"/") {
			t.Errorf("tenant %s: %+v", tenant, p)
		}
	}
	// Copies: changing one changes not the table.
	g.IMAP[0] = "changed"
	if g2, _ := Lookup("google"); g2.IMAP[0] != "https://mail.google.com/" {
		t.Error("Lookup returned the table's own slice")
	}
}
