package autoconfig

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestAuthPreference: which <authentication> a server gets when a file
// lists several, for the orders the ISPDB and providers publish. The
// answers are in testdata/auth-preference.golden (-update rewrites it), one
// line per case: the methods as listed, then what mailwiz takes.
func TestAuthPreference(t *testing.T) {
	cases := [][]string{
		{"OAuth2", "password-cleartext"},             // the ISPDB's usual order (Gmail, Yahoo, AOL...)
		{"OAuth2", "password-encrypted"},             // CRAM-MD5 after OAuth2
		{"OAuth2", "GSSAPI", "plain"},                // an unknown method between them is passed over
		{"password-cleartext", "OAuth2"},             // our own database's order
		{"OAuth2"},                                   // OAuth2 only (Outlook.com): kept, so oauth2-required shows
		{"OAuth2", "NTLM"},                           // OAuth2 and nothing else mailwiz speaks
		{"NTLM", "OAuth2"},                           // likewise
		{"client-IP-address", "OAuth2"},              // first supported, no password: as listed
		{"OAuth2", "client-IP-address"},              // OAuth2 first and no password: as listed
		{"OAuth2", "none"},                           // no authentication is not a password method
		{"GSSAPI", "NTLM"},                           // nothing mailwiz speaks: the server is skipped
		{"password-encrypted", "password-cleartext"}, // two passwords: the first
		{}, // no element: the format's default
	}
	var b strings.Builder
	for _, methods := range cases {
		for _, incoming := range []bool{true, false} {
			got := chosenAuth(t, methods, incoming)
			side := "incoming"
			if !incoming {
				side = "outgoing"
			}
			fmt.Fprintf(&b, "%s [%s] -> %s\n", side, strings.Join(methods, ", "), got)
		}
	}
	const golden = "testdata/auth-preference.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./autoconfig -run TestAuthPreference -update to create it)", err)
	}
	if b.String() != string(want) {
		t.Errorf("the authentication chosen differs from %s (run with -update if the change is intended):\ngot:\n%swant:\n%s", golden, b.String(), want)
	}
}

// chosenAuth parses a file whose one IMAP (or SMTP) server lists methods
// and says which auth mailwiz took, or "skipped".
func chosenAuth(t *testing.T, methods []string, incoming bool) string {
	t.Helper()
	var auth strings.Builder
	for _, m := range methods {
		fmt.Fprintf(&auth, "<authentication>%s</authentication>", m)
	}
	server := func(kind, typ, host string, port int, a string) string {
		return fmt.Sprintf(`<%sServer type="%s"><hostname>%s</hostname><port>%d</port><socketType>SSL</socketType><username>%%EMAILADDRESS%%</username>%s</%sServer>`, kind, typ, host, port, a, kind)
	}
	in := server("incoming", "imap", "imap.example.test", 993, "<authentication>password-cleartext</authentication>")
	out := server("outgoing", "smtp", "smtp.example.test", 465, "<authentication>password-cleartext</authentication>")
	if incoming {
		in = server("incoming", "imap", "imap.example.test", 993, auth.String())
		// A second server, so the file stays usable when the first is skipped.
		in += server("incoming", "pop3", "pop.example.test", 995, "")
	} else {
		out = server("outgoing", "smtp", "smtp.example.test", 465, auth.String())
	}
	doc := `<clientConfig version="1.1"><emailProvider id="example.test"><domain>example.test</domain>` + in + out + `</emailProvider></clientConfig>`
	c, err := Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	list := c.Outgoing
	if incoming {
		list = c.Incoming
	}
	if len(list) == 0 || list[0].Host == "pop.example.test" {
		return "skipped"
	}
	return string(list[0].Auth)
}
