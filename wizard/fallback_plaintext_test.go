package wizard

import (
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe"
)

// TestFallbackPlaintextNeedsItsOwnConsent: the plaintext consent the wizard
// asks for is about a chosen server that is not encrypted. Given for the
// incoming server, it must not let a silent outgoing SSL server fall back
// to a plaintext one; a side whose chosen server is itself plaintext may
// fall back to another plaintext one. Real Dovecot (plaintext logins are
// allowed from 127.0.0.1).
func TestFallbackPlaintextNeedsItsOwnConsent(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	silent := testenv.StartSilent(t)
	closed := testenv.ClosedPort(t)
	srv := func(p account.Protocol, port int, sec account.Security) account.Server {
		return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: sec, Username: "%EMAILADDRESS%", Auth: account.AuthPassword}
	}
	plainIMAP := srv(account.IMAP, d.IMAP, account.None)
	plainSubmission := srv(account.SMTP, d.Submission, account.None)
	tests := []struct {
		name     string
		outgoing []account.Server
		// want: the outgoing result's port, and whether it passed.
		port int
		ok   bool
	}{
		{name: "consent for plaintext IMAP, outgoing SSL silent: no plaintext SMTP", outgoing: []account.Server{srv(account.SMTP, silent, account.SSL), plainSubmission},
			port: silent},
		{name: "outgoing chosen plaintext and refused: another plaintext port may stand in", outgoing: []account.Server{srv(account.SMTP, closed, account.None), plainSubmission},
			port: d.Submission, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := account.Config{
				Provider: &account.Provider{ID: "example", Name: "Example"},
				Incoming: []account.Server{plainIMAP},
				Outgoing: tt.outgoing,
				Source:   account.SourceBuiltin, SecureSource: true,
			}
			deps := Deps{
				Lookup: func(domain string) (account.Config, bool) { return cfg, domain == "example.test" },
				// 3 s per stage: the logins that must succeed are real
				// Dovecot ones, whose stages took up to 0.63 s under load;
				// with 1 s a busy CI moment turns them into timeouts. The
				// silent server's timeout is the test's length.
				Test: Probe(probe.Request{RootCAs: ca.Pool(), Timeout: 3 * time.Second, FallbackDelay: 50 * time.Millisecond}),
			}
			r := newRecorder()
			w := New(deps, r.listen)
			defer w.Close()
			toTestStep(t, w, r, testenv.DovecotUser, testenv.DovecotPassword)
			if err := w.StartTest(false); err != ErrPlaintextConsent {
				t.Fatalf("StartTest before consent = %v; want ErrPlaintextConsent", err)
			}
			w.ConsentPlaintext()
			if err := w.StartTest(false); err != nil {
				t.Fatal(err)
			}
			rep := r.waitFor(t, "the test's end", isTestDone).(TestFinished).Report
			if in := rep.Results[0]; !in.OK {
				t.Fatalf("incoming %s: %s %s; want a plaintext login (consented)\n%s", in.Server, in.Diagnosis.Kind, in.Error, d.LogText())
			}
			out := rep.Results[1]
			if out.Server.Port != tt.port || out.OK != tt.ok || (out.FallbackFrom != nil) != tt.ok {
				t.Errorf("outgoing %s ok=%v fallback=%v kind=%s; want port %d ok=%v", out.Server, out.OK, out.FallbackFrom, out.Diagnosis.Kind, tt.port, tt.ok)
			}
			if !tt.ok && w.Outgoing().Security != account.SSL {
				t.Errorf("chosen outgoing = %s; want the SSL server kept", w.Outgoing())
			}
		})
	}
}
