package autoconfig

import (
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
)

// TestWildShapes: files shaped as providers publish them parse into what
// Thunderbird would make of them: placeholder hosts kept for expansion,
// OAuth2 alone announced, a link without words given ours, names made safe.
func TestWildShapes(t *testing.T) {
	hosts := parseFile(t, "testdata/wild-domain-hosts.xml")
	if got := hosts.Incoming[0].Host; got != "imap.%EMAILDOMAIN%" {
		t.Errorf("incoming host = %q, want imap.%%EMAILDOMAIN%%", got)
	}
	if got := hosts.Outgoing[0].Host; got != "%EMAILDOMAIN%" {
		t.Errorf("outgoing host = %q, want %%EMAILDOMAIN%%", got)
	}
	addr, _ := account.ParseAddress("bob@Example.org")
	if got := hosts.For(addr).Incoming[0].Host; got != "imap.example.org" {
		t.Errorf("For: host = %q, want imap.example.org", got)
	}
	if hosts.HasHint(account.HintOAuth2Required) {
		t.Errorf("a password server got an oauth2-required hint")
	}

	oauth := parseFile(t, "testdata/wild-oauth2-only.xml")
	var found bool
	for _, h := range oauth.Hints {
		if h.Kind == account.HintOAuth2Required {
			found = true
			if h.URL != "https://tokens.test/mail-clients" {
				t.Errorf("oauth2-required URL = %q, want the documentation link", h.URL)
			}
			if h.Text["en"] == "" || h.Text["ru"] == "" {
				t.Errorf("oauth2-required text missing a language: %v", h.Text)
			}
		}
	}
	if !found {
		t.Errorf("OAuth2-only file: no oauth2-required hint in %+v", oauth.Hints)
	}

	terse := parseFile(t, "testdata/wild-empty-instructions.xml")
	if len(terse.Hints) != 2 {
		t.Fatalf("got %d hints, want 2", len(terse.Hints))
	}
	for _, h := range terse.Hints {
		for _, lang := range []string{"en", "ru"} {
			if len(h.In(lang)) < 20 {
				t.Errorf("%s hint in %s reads %q: a link needs words around it", h.Kind, lang, h.In(lang))
			}
		}
	}
	if strings.ContainsRune(terse.Provider.Name, '\u202e') {
		t.Errorf("display name kept a bidi control: %q", terse.Provider.Name)
	}
}

// TestPlaceholderRefusals: a placeholder nothing can fill in is refused,
// and the error names it.
func TestPlaceholderRefusals(t *testing.T) {
	const doc = `<clientConfig><emailProvider id="x.test"><domain>x.test</domain>
<incomingServer type="imap"><hostname>%s</hostname><port>%s</port><socketType>SSL</socketType></incomingServer>
</emailProvider></clientConfig>`
	for _, tc := range []struct{ host, port, want string }{
		{"%FOO%.x.test", "993", "%FOO%"},
		{"imap.%REALNAME%", "993", "%REALNAME%"},
		{"imap.x.test", "%EMAILPORT%", "%EMAILPORT%"},
		{"imap.x.test", "99%EMAILDOMAIN%", "%EMAILDOMAIN%"},
	} {
		_, err := ParseBytes([]byte(strings.Replace(strings.Replace(doc, "%s", tc.host, 1), "%s", tc.port, 1)))
		if err == nil || !strings.Contains(err.Error(), "placeholder "+tc.want) {
			t.Errorf("host %q port %q: err = %v, want one naming placeholder %s", tc.host, tc.port, err, tc.want)
		}
	}
	for _, host := range []string{"%EMAILLOCALPART%.x.test", "mail.%EMAILDOMAIN%", "%EMAILDOMAIN%"} {
		if _, err := ParseBytes([]byte(strings.Replace(strings.Replace(doc, "%s", host, 1), "%s", "993", 1))); err != nil {
			t.Errorf("host %q: %v", host, err)
		}
	}
}
