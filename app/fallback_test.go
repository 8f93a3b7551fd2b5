package app

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/wizard"
)

// A provider whose preferred SMTP port does not answer from this network
// (a silent port) and whose other port is a real Dovecot's Submission: the
// test passes, the test page says in one line which port did not answer
// and which server mailwiz uses, and the Servers step shows that server.
func TestPortFallbackPage(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	silent := testenv.StartSilent(t)
	srv := func(p account.Protocol, port int, sec account.Security) account.Server {
		return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: sec, Username: account.PlaceholderAddress, Auth: account.AuthPassword}
	}
	cfg := account.Config{
		Provider: &account.Provider{ID: "example", Name: "Example"},
		Incoming: []account.Server{srv(account.IMAP, d.IMAPS, account.SSL)},
		Outgoing: []account.Server{srv(account.SMTP, silent, account.SSL), srv(account.SMTP, d.Submission, account.STARTTLS)},
		Source:   account.SourceBuiltin, SecureSource: true,
	}
	h := newHarness(t, wizard.Deps{
		Lookup: func(domain string) (account.Config, bool) { return cfg, domain == "example.test" },
		Test:   wizard.Probe(probe.Request{RootCAs: ca.Pool(), Timeout: 10 * time.Second, FallbackDelay: 100 * time.Millisecond}),
	})
	walkToTest(h, testenv.DovecotUser)

	p := h.ui.testing
	test.Type(p.password, testenv.DovecotPassword)
	enter(p.password)
	h.waitFor("the test", func() bool { return h.ui.wiz.Testing().Report != nil })
	if rep := h.ui.wiz.Testing().Report; !rep.OK {
		t.Fatalf("test: %+v", rep.Results)
	}
	want := "Port " + strconv.Itoa(silent) + " did not answer from your network; 127.0.0.1:" + strconv.Itoa(d.Submission) + " STARTTLS works, so mailwiz uses it."
	if p.status.Importance != widget.SuccessImportance || !strings.Contains(p.status.Text, want) {
		t.Errorf("status %q (%v); want success saying %q", p.status.Text, p.status.Importance, want)
	}
	if got := h.ui.wiz.Outgoing(); got.Port != d.Submission {
		t.Errorf("chosen outgoing %s; want the server that worked", got)
	}
}
