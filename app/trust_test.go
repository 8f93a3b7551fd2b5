package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/wizard"
)

// A self-hosted server whose certificate this computer does not trust: a
// real Dovecot with a CA the test does not give the probe. The test page
// offers "Trust this certificate…", reachable with Tab; the dialog shows
// the fingerprint; Cancel changes nothing, Trust retests and passes.
func TestTrustCertificate(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	stranger := testenv.NewCA(t)
	fp := probe.Fingerprint(d.Leaf.TLS.Certificate[0])
	cfg := account.Config{
		Provider: &account.Provider{ID: "selfhosted", Name: "Self-hosted"},
		Incoming: []account.Server{{Protocol: account.IMAP, Host: "127.0.0.1", Port: d.IMAPS, Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthPassword}},
		Outgoing: []account.Server{{Protocol: account.SMTP, Host: "127.0.0.1", Port: d.Submissions, Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthPassword}},
	}
	tests := 0
	realProbe := wizard.Probe(probe.Request{RootCAs: stranger.Pool(), Timeout: 10 * time.Second})
	h := newHarness(t, wizard.Deps{
		Lookup: func(domain string) (account.Config, bool) { return cfg, domain == "example.test" },
		Test: func(ctx context.Context, req wizard.TestRequest, p func(wizard.StageProgress)) wizard.TestReport {
			tests++
			return realProbe(ctx, req, p)
		},
	})
	walkToTest(h, testenv.DovecotUser)

	p := h.ui.testing
	test.Type(p.password, testenv.DovecotPassword)
	enter(p.password)
	h.waitFor("the refused certificate", func() bool { return h.ui.wiz.Testing().Report != nil })
	if rep := h.ui.wiz.Testing().Report; rep.OK || rep.Results[0].Diagnosis.Kind != "tls-untrusted" {
		t.Fatalf("first test: %+v", rep.Results)
	}
	if !strings.Contains(p.status.Text, fp) || !strings.Contains(p.status.Text, "administrator") || strings.Contains(p.status.Text, "--trust-cert") {
		t.Errorf("status %q; want the fingerprint and the administrator, no command-line flag", p.status.Text)
	}
	if !p.trust.Visible() {
		t.Fatal("no Trust this certificate… button after tls-untrusted")
	}

	// By keyboard: Tab reaches the button, Space presses it.
	c := h.w.Canvas()
	for i := 0; i < 30 && c.Focused() != fyne.Focusable(p.trust); i++ {
		c.FocusNext()
	}
	if c.Focused() != fyne.Focusable(p.trust) {
		t.Fatal("Tab never reaches the Trust this certificate… button")
	}
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	h.drain()
	dlg := p.trustDialog
	if dlg == nil {
		t.Fatal("no confirmation dialog")
	}
	shown := labelsText(c.Overlays().Top())
	for _, want := range []string{fp, "administrator", "Any other certificate will still be refused", "IMAP 127.0.0.1:", "SMTP 127.0.0.1:", testenv.DovecotHost} {
		if !strings.Contains(shown, want) {
			t.Errorf("the dialog does not show %q:\n%s", want, shown)
		}
	}

	// Cancel: no exception, no test.
	dlg.Dismiss()
	h.drain()
	if tests != 1 || len(h.ui.wiz.TrustedCerts()) != 0 {
		t.Fatalf("after Cancel: %d tests, exceptions %v", tests, h.ui.wiz.TrustedCerts())
	}

	// Trust: the retest runs with the exception and passes.
	h.tap(p.trust)
	p.trustDialog.Confirm()
	h.waitFor("the retest", func() bool { r := h.ui.wiz.Testing().Report; return tests == 2 && r != nil })
	rep := h.ui.wiz.Testing().Report
	if !rep.OK {
		t.Fatalf("retest with the exception: %+v", rep.Results)
	}
	if p.status.Importance != widget.SuccessImportance || !strings.Contains(p.status.Text, "accepted it as an exception") || p.trust.Visible() {
		t.Errorf("after the retest: status %q (%v), trust button visible %v", p.status.Text, p.status.Importance, p.trust.Visible())
	}
	for _, r := range rep.Results {
		if r.TLS == nil || !r.TLS.Exception {
			t.Errorf("%s: TLS %+v; want the exception", r.Server, r.TLS)
		}
	}
	if h.ui.next.Disabled() {
		t.Error("Next is disabled after the passing retest")
	}
}

// labelsText joins the text of every label laid out under o.
func labelsText(o fyne.CanvasObject) string {
	var b strings.Builder
	for _, obj := range test.LaidOutObjects(o) {
		if l, ok := obj.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	}
	return b.String()
}
