package app

import (
	"context"
	"io"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/wizard"
)

// TestSendingCheckDialog: from Done, the sending check asks for the
// sender and the person's consent before anything is sent, then lists
// the findings with the server's words and the DNS record to add.
func TestSendingCheckDialog(t *testing.T) {
	got := make(chan wizard.SendingRequest, 1)
	check := func(_ context.Context, req wizard.SendingRequest) (wizard.SendingReport, error) {
		got <- req
		return wizard.SendingReport{Findings: []wizard.SendingFinding{
			{Level: wizard.SendingFail, Title: "Sender substitution", Text: "The server refused the sender.",
				ServerWords: "553 5.7.1 Sender address rejected: not owned by user"},
			{Level: wizard.SendingWarn, Title: "SPF", Text: "Add this record.", Record: `corp.test. TXT "v=spf1 include:_spf.example.com ~all"`},
		}}, nil
	}
	strict := func(domain string) (account.Config, bool) {
		cfg, ok := lookupExample(domain)
		cfg.Hints = append(cfg.Hints, account.Hint{Kind: account.HintFromMustMatch, Text: map[string]string{"en": "Example Mail sends only as the login."}})
		return cfg, ok
	}
	h := newHarness(t, wizard.Deps{Lookup: strict, Test: fakeProbe, CheckSending: check,
		Formats: []wizard.Format{{ID: "smtp-url", Name: "smtp-url", Ext: ".txt", Mailer: true}},
		Export:  func(io.Writer, string, wizard.ExportRequest) error { return nil }})
	walkToDone(h, "jo@example.com", "right")
	d := h.ui.done
	if d.checkSending == nil {
		t.Fatal("no sending check on the Done page")
	}
	h.tap(d.checkSending)
	h.waitFor("the dialog", func() bool { return d.sending != nil })
	s := d.sending
	if !s.run.Disabled() {
		t.Error("the check can run before the person agreed to the message")
	}
	if s.fromWarn.Visible() {
		t.Errorf("a sender warning before any sender: %q", s.fromWarn.Text)
	}
	// Before anything is sent, the database's rule against another sender.
	test.Type(s.from, "ceo@corp.test")
	if !s.fromWarn.Visible() || s.fromWarn.Text != "The provider database says: Example Mail sends only as the login." {
		t.Errorf("sender warning %q, visible %v", s.fromWarn.Text, s.fromWarn.Visible())
	}
	s.from.SetText("Jo@example.com")
	if s.fromWarn.Visible() {
		t.Error("the sender warning stays for the account's own address")
	}
	s.from.SetText("ceo@corp.test")
	test.Tap(s.consent)
	test.Tap(s.bounceTest)
	if s.run.Disabled() {
		t.Fatal("the check cannot run after consent")
	}
	h.tap(s.run)
	req := <-got
	if req.From != "ceo@corp.test" || req.Password != "right" || !req.BounceTest {
		t.Errorf("request %+v", req)
	}
	h.waitFor("the findings", func() bool { return len(s.findings.Objects) == 2 })
	all := strings.Join(labelTexts(s.findings), "|")
	for _, want := range []string{"Sender substitution", "The server said: 553 5.7.1 Sender address rejected", `corp.test. TXT "v=spf1`} {
		if !strings.Contains(all, want) {
			t.Errorf("findings lack %q:\n%s", want, all)
		}
	}
	if !strings.Contains(s.status.Text, "cannot send as this sender yet") {
		t.Errorf("status %q", s.status.Text)
	}
}
