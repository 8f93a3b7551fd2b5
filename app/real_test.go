package app

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/discover"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/providers"
	"github.com/mailwiz/mailwiz/store"
	"github.com/mailwiz/mailwiz/wizard"
)

// world is a domain nothing built in knows, served on loopback: DNS, its
// autoconfig file over HTTPS and a real Dovecot, with a test CA.
type world struct {
	ca   *testenv.CA
	dns  *testenv.DNS
	web  *testenv.Web
	dove *testenv.Dovecot
	deps wizard.Deps
}

const worldDomain = "example.test" // testenv.DovecotUser's domain

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{ca: testenv.NewCA(t)}
	w.dove = testenv.StartDovecot(t, w.ca)
	w.dns = testenv.StartDNS(t, testenv.Zone{
		testenv.DovecotHost:         {A: []string{"127.0.0.1"}},
		"autoconfig." + worldDomain: {A: []string{"127.0.0.1"}},
	})
	w.web = testenv.StartWeb(t, w.ca)
	w.web.Handle("https", "autoconfig."+worldDomain, "/mail/config-v1.1.xml", testenv.XML(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="%[1]s">
    <domain>%[1]s</domain>
    <displayName>Example Test Mail</displayName>
    <incomingServer type="imap">
      <hostname>%[2]s</hostname><port>%[3]d</port><socketType>SSL</socketType>
      <username>%%EMAILADDRESS%%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>%[2]s</hostname><port>%[4]d</port><socketType>SSL</socketType>
      <username>%%EMAILADDRESS%%</username><authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>`, worldDomain, testenv.DovecotHost, w.dove.IMAPS, w.dove.Submissions)))
	closed := testenv.ClosedPort(t) // bound, never listening: guesses are refused at once, and no other test server can take it
	real := wizard.Default()
	w.deps = wizard.Deps{
		Lookup: providers.Lookup,
		Discover: wizard.Discover(discover.Options{
			Resolver: w.dns.Resolver(), RootCAs: w.ca.Pool(),
			ISPDBURL: "https://ispdb.invalid/v1.1/", Timeout: 10 * time.Second, SourceTimeout: 5 * time.Second,
			Ports: map[int]int{443: w.web.HTTPSPort, 80: w.web.HTTPPort,
				993: closed, 143: closed, 995: closed, 110: closed, 465: closed, 587: closed, 25: closed},
		}),
		Test:    wizard.Probe(probe.Request{RootCAs: w.ca.Pool(), Resolver: w.dns.Resolver(), Timeout: 10 * time.Second}),
		Formats: real.Formats,
		Export:  real.Export,
	}
	return w
}

// An unknown domain found by its autoconfig file, a wrong password
// diagnosed by a real Dovecot, then the right one, and an export: the
// window driven as a person would, every part real and on loopback.
func TestRealUnknownDomainAutoconfigDovecot(t *testing.T) {
	w := newWorld(t)
	h := newHarness(t, w.deps)
	test.Type(h.ui.address.address, testenv.DovecotUser)
	enter(h.ui.address.address)
	h.atStep(wizard.StepServers)
	s := h.ui.servers
	if s.in.host.Text != testenv.DovecotHost || s.in.port.Text != fmt.Sprint(w.dove.IMAPS) {
		t.Fatalf("incoming %s:%s", s.in.host.Text, s.in.port.Text)
	}
	if want := "These are Example Test Mail's settings, from the domain's own settings."; s.source.Text != want {
		t.Errorf("source line %q", s.source.Text)
	}
	h.tap(h.ui.next)
	h.atStep(wizard.StepBeforeLogin)
	h.tap(h.ui.next)
	h.atStep(wizard.StepTest)

	p := h.ui.testing
	test.Type(p.password, "wrong password")
	enter(p.password)
	h.waitFor("the failed test", func() bool { return h.ui.wiz.Testing().Report != nil })
	rep := h.ui.wiz.Testing().Report
	if rep.OK || rep.Results[0].Diagnosis.Kind != "bad-credentials" {
		t.Fatalf("wrong password: %+v", rep.Results[0])
	}
	if p.status.Text == "" || len(p.details.Items) == 0 {
		t.Errorf("no diagnosis shown: status %q, %d details", p.status.Text, len(p.details.Items))
	}
	if !strings.Contains(rep.Results[0].Error, "AUTHENTICATIONFAILED") && !strings.Contains(strings.ToLower(rep.Results[0].Error), "auth") {
		t.Errorf("the server's words are not kept: %q", rep.Results[0].Error)
	}

	p.password.SetText("")
	test.Type(p.password, testenv.DovecotPassword)
	enter(p.password)
	h.waitFor("the second test", func() bool { return h.ui.wiz.Testing().Report != nil })
	if rep := h.ui.wiz.Testing().Report; !rep.OK {
		for _, r := range rep.Results {
			t.Logf("%s: ok=%v stage=%s %s", r.Server, r.OK, r.Stage, r.Error)
		}
		t.Fatalf("the right password failed; send test %+v\n%s", rep.SendTest, w.dove.LogText())
	}
	if tl := h.ui.wiz.Testing().Report.Results[0].TLS; tl == nil || !tl.Verified {
		t.Errorf("TLS not verified: %+v", tl)
	}
	h.tap(h.ui.next)
	h.atStep(wizard.StepDone)
	if h.ui.done.qr == nil {
		t.Error("no QR code on the Done page")
	}
	var buf bytes.Buffer
	if err := h.ui.wiz.Export(&buf, "json", "en"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), testenv.DovecotPassword) {
		t.Fatal("the JSON export holds the password")
	}
	if !strings.Contains(buf.String(), fmt.Sprintf(`"port": %d`, w.dove.IMAPS)) {
		t.Errorf("the export lacks the chosen server: %s", buf.String())
	}
}

// The password goes to the real Secret Service, one item per chosen server,
// and nowhere else the wizard writes.
func TestRealKeychainSave(t *testing.T) {
	testenv.RequireKeyring(t)
	// The settings go to a config dir of the test's own: never the
	// person's ~/.config, where a test account would later be found by
	// `mailwiz test` and the wizard as if the person had saved it.
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	w := newWorld(t)
	const canary = "canary-Пароль-7f3a"
	deps := w.deps
	deps.Save = wizard.SaveToKeychain
	deps.Test = nil // the keychain is the subject; the probe has its own test
	h := newHarness(t, deps)
	test.Type(h.ui.address.address, testenv.DovecotUser)
	enter(h.ui.address.address)
	h.atStep(wizard.StepServers)
	h.ui.wiz.SetPassword(canary)
	h.ui.wiz.Save()
	h.waitFor("the save", func() bool { return h.ui.wiz.Saving().Done })
	if err := h.ui.wiz.Saving().Err; err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{
		"imap://" + testenv.DovecotUser + "@" + testenv.DovecotHost,
		"smtp://" + testenv.DovecotUser + "@" + testenv.DovecotHost,
	} {
		got, ok := testenv.KeyringLookup(t, "service", "mailwiz", "username", user)
		if !ok || got != canary {
			t.Errorf("keyring item %s = %q, %v", user, got, ok)
		}
	}
	for _, f := range h.ui.wiz.Formats() {
		var buf bytes.Buffer
		if err := h.ui.wiz.Export(&buf, f.ID, "ru"); err != nil {
			t.Errorf("%s: %v", f.ID, err)
		}
		if bytes.Contains(buf.Bytes(), []byte(canary)) {
			t.Errorf("the %s export holds the password", f.ID)
		}
	}
	settings, err := os.ReadFile(filepath.Join(config, "mailwiz", "accounts", store.FileName(testenv.DovecotUser)))
	if err != nil {
		t.Fatalf("the account's settings were not saved in the config dir: %v", err)
	}
	if bytes.Contains(settings, []byte(canary)) || !bytes.Contains(settings, []byte(testenv.DovecotHost)) {
		t.Errorf("settings file: want the servers and no password:\n%s", settings)
	}
}

// The optional round trip: a message through Dovecot's Submission to the
// INBOX, or to the spam folder where Dovecot files it as junk, watched for
// and deleted, with its line on the Test page (naming the spam folder, and
// wrapping within the window: the sentence is wider than it).
func TestRealRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name, junk string
	}{{"inbox", ""}, {"spam folder", "Junk"}} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			w.dove.FileAsJunk(func(string) bool { return c.junk != "" })
			h := newHarness(t, w.deps)
			walkToTest(h, testenv.DovecotUser)
			p := h.ui.testing
			test.Type(p.password, testenv.DovecotPassword)
			test.Tap(p.sendTest)
			enter(p.password)
			h.waitFor("the test", func() bool { return h.ui.wiz.Testing().Report != nil })
			if st := h.ui.wiz.Testing().Report.SendTest; st == nil || !st.OK || st.JunkFolder != c.junk {
				t.Fatalf("round trip: %+v; want ok, junk folder %q\n%s", st, c.junk, w.dove.LogText())
			}
			row := p.rows.Objects[len(p.rows.Objects)-1].(*fyne.Container)
			var label *widget.Label
			for _, o := range row.Objects {
				if l, ok := o.(*widget.Label); ok {
					label = l
				}
			}
			if label == nil || !strings.HasPrefix(label.Text, "Test message sent and received in ") ||
				strings.Contains(label.Text, "spam folder “Junk”") != (c.junk != "") {
				t.Fatalf("the round trip's row %+v", row.Objects)
			}
			if win := h.w.Canvas().Size().Width; row.Size().Width > win {
				t.Errorf("the row is %.0f px wide in a %.0f px window", row.Size().Width, win)
			}
		})
	}
}

// A provider from the built-in list that needs an app password, its servers
// a real Dovecot: the hint with its page before login, then a refused
// password explained as "create an app password" with a button to the
// page, then a login that works.
func TestRealKnownProviderAppPassword(t *testing.T) {
	w := newWorld(t)
	const appPage = "https://example.test/security/app-passwords"
	deps := w.deps
	deps.Discover = nil
	deps.Lookup = func(domain string) (account.Config, bool) {
		if domain != worldDomain {
			return account.Config{}, false
		}
		s := func(p account.Protocol, port int) account.Server {
			return account.Server{Protocol: p, Host: testenv.DovecotHost, Port: port, Security: account.SSL,
				Username: account.PlaceholderAddress, Auth: account.AuthPassword}
		}
		return account.Config{
			Provider: &account.Provider{ID: "example-test", Name: "Example Test Mail"},
			Domains:  []string{worldDomain},
			Incoming: []account.Server{s(account.IMAP, w.dove.IMAPS), s(account.POP3, w.dove.POP3S)},
			Outgoing: []account.Server{s(account.SMTP, w.dove.Submissions)},
			Hints: []account.Hint{{Kind: account.HintAppPassword, URL: appPage,
				Text: map[string]string{"en": "Create an app password for mail programs.", "ru": "Создайте пароль приложения."}}},
		}, true
	}
	h := newHarness(t, deps)
	br := &browser{App: h.ui.app}
	h.ui.app = br
	test.Type(h.ui.address.address, testenv.DovecotUser)
	enter(h.ui.address.address)
	h.atStep(wizard.StepServers)
	if want := "These are Example Test Mail's settings, from mailwiz's list of providers."; h.ui.servers.source.Text != want {
		t.Errorf("source line %q", h.ui.servers.source.Text)
	}
	h.tap(h.ui.next)
	h.atStep(wizard.StepBeforeLogin)
	if len(h.ui.before.buttons) != 1 {
		t.Fatalf("%d hint buttons", len(h.ui.before.buttons))
	}
	h.tap(h.ui.next)
	h.atStep(wizard.StepTest)
	p := h.ui.testing
	test.Type(p.password, "my usual password")
	enter(p.password)
	h.waitFor("the refused login", func() bool { return h.ui.wiz.Testing().Report != nil })
	if !strings.Contains(strings.ToLower(p.status.Text), "app password") {
		t.Errorf("the diagnosis does not mention the app password: %q", p.status.Text)
	}
	if !p.fix.Visible() {
		t.Fatal("no button to the provider's page")
	}
	h.tap(p.fix)
	if len(br.opened) != 1 || br.opened[0] != appPage {
		t.Errorf("opened %q", br.opened)
	}
	p.password.SetText("")
	test.Type(p.password, testenv.DovecotPassword)
	enter(p.password)
	h.waitFor("the second test", func() bool { r := h.ui.wiz.Testing().Report; return r != nil && (r.OK || !h.ui.wiz.Testing().Running) })
	if !h.ui.wiz.Testing().Report.OK {
		t.Fatalf("the app password did not log in: %+v", h.ui.wiz.Testing().Report.Results)
	}
	h.tap(h.ui.next)
	h.atStep(wizard.StepDone)
}

// A certificate nothing here trusts: the test stops before the password is
// sent, says so in words, and shows the certificate under Details.
func TestRealUntrustedCertificate(t *testing.T) {
	w := newWorld(t)
	stranger := testenv.NewCA(t) // the only CA the probe trusts; Dovecot's is not it
	deps := w.deps
	deps.Test = wizard.Probe(probe.Request{RootCAs: stranger.Pool(), Resolver: w.dns.Resolver(), Timeout: 10 * time.Second})
	h := newHarness(t, deps)
	walkToTest(h, testenv.DovecotUser)
	p := h.ui.testing
	test.Type(p.password, testenv.DovecotPassword)
	enter(p.password)
	h.waitFor("the refused certificate", func() bool { return h.ui.wiz.Testing().Report != nil })
	r := h.ui.wiz.Testing().Report.Results[0]
	if r.OK || r.Diagnosis.Kind != "tls-untrusted" || r.Stage != wizard.StageTLS {
		t.Fatalf("result %+v", r)
	}
	if r.TLS == nil || r.TLS.Verified || !strings.Contains(r.TLS.Subject, testenv.DovecotHost) {
		t.Fatalf("certificate %+v", r.TLS)
	}
	if len(p.details.Items) == 0 {
		t.Fatal("no details")
	}
	var labels []string
	walk(p.details.Items[0].Detail, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			labels = append(labels, l.Text)
		}
	})
	all := strings.Join(labels, "|")
	for _, want := range []string{"Certificate", r.TLS.Subject, r.TLS.Issuer, r.TLS.SHA256, "no"} {
		if !strings.Contains(all, want) {
			t.Errorf("details lack %q: %s", want, all)
		}
	}
}

// walk visits o and everything inside containers and forms below it.
func walk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	f(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, k := range c.Objects {
			walk(k, f)
		}
	case *widget.Form:
		for _, it := range c.Items {
			walk(it.Widget, f)
		}
	}
}
