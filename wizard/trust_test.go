package wizard

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe"
)

// TestCertificateException walks the wizard against a real Dovecot whose
// certificate this machine does not trust (a self-hosted server): the test
// fails with the certificate offered, accepting a certificate it did not
// see is refused, accepting the one offered makes the retest pass, the
// exception is saved with the account, and editing a server drops that
// server's exception.
func TestCertificateException(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	stranger := testenv.NewCA(t)
	fp := probe.Fingerprint(d.Leaf.TLS.Certificate[0])
	srv := func(p account.Protocol, port int, sec account.Security) account.Server {
		return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: sec, Username: "%EMAILADDRESS%", Auth: account.AuthPassword}
	}
	cfg := account.Config{
		Provider: &account.Provider{ID: "selfhosted", Name: "Self-hosted"},
		Incoming: []account.Server{srv(account.IMAP, d.IMAPS, account.SSL)},
		Outgoing: []account.Server{srv(account.SMTP, d.Submissions, account.SSL)},
	}
	var savedTrust [][]string
	deps := Deps{
		Lookup: func(domain string) (account.Config, bool) { return cfg, domain == "example.test" },
		Test:   Probe(probe.Request{RootCAs: stranger.Pool(), Timeout: 5 * time.Second}),
		Save: func(_ context.Context, req SaveRequest) error {
			savedTrust = append(savedTrust, req.TrustedCerts)
			return nil
		},
	}
	r := newRecorder()
	w := New(deps, r.listen)
	defer w.Close()
	toTestStep(t, w, r, testenv.DovecotUser, testenv.DovecotPassword)

	rep := runTest(t, w, r)
	if rep.OK || rep.Results[0].Diagnosis.Kind != "tls-untrusted" || rep.Results[0].Diagnosis.CertSHA256 != fp {
		t.Fatalf("first test: %+v; want tls-untrusted naming %s", rep, fp)
	}
	offers := w.CertOffers()
	if len(offers) != 1 || offers[0].SHA256 != fp || len(offers[0].Servers) != 2 || offers[0].Kind != "tls-untrusted" || offers[0].TLS.Subject == "" {
		t.Fatalf("CertOffers = %+v; want Dovecot's one certificate, shown by both servers", offers)
	}
	other := probe.Fingerprint(stranger.Issue(t, "127.0.0.1").TLS.Certificate[0])
	if err := w.TrustCert(other); !errors.Is(err, ErrNoCertOffer) {
		t.Errorf("TrustCert of a certificate never shown = %v; want ErrNoCertOffer", err)
	}
	if len(w.TrustedCerts()) != 0 {
		t.Fatalf("TrustedCerts = %v after a refused TrustCert", w.TrustedCerts())
	}

	if err := w.TrustCert(fp); err != nil {
		t.Fatal(err)
	}
	rep = runTest(t, w, r)
	if !rep.OK {
		t.Fatalf("retest with the exception: %+v", rep)
	}
	for _, res := range rep.Results {
		if res.TLS == nil || res.TLS.Verified || !res.TLS.Exception {
			t.Errorf("%s: TLS %+v; want accepted by exception", res.Server, res.TLS)
		}
	}
	if w.CertOffers() != nil {
		t.Errorf("CertOffers after a passing test = %+v", w.CertOffers())
	}
	if err := w.Next(); err != nil {
		t.Fatalf("Next after the passing retest: %v", err)
	}
	w.Save()
	if e := r.waitFor(t, "save", isSaved).(Saved); e.Err != nil {
		t.Fatal(e.Err)
	}
	if len(savedTrust) != 1 || !slices.Equal(savedTrust[0], []string{fp}) {
		t.Errorf("saved exceptions %v; want [%s]", savedTrust, fp)
	}

	// Edit settings: the same servers keep it; a changed one loses its own,
	// and it does not come back when the old server is typed again.
	if err := w.GoTo(StepServers); err != nil {
		t.Fatal(err)
	}
	w.SetIncoming(w.Incoming())
	w.SetOutgoing(w.Outgoing())
	if !slices.Equal(w.TrustedCerts(), []string{fp}) {
		t.Fatalf("unchanged servers: TrustedCerts = %v", w.TrustedCerts())
	}
	w.SetIncoming(srv(account.IMAP, d.IMAP, account.STARTTLS))
	if !slices.Equal(w.TrustedCerts(), []string{fp}) {
		t.Fatalf("the outgoing server still has it: TrustedCerts = %v", w.TrustedCerts())
	}
	w.SetOutgoing(srv(account.SMTP, d.Submission, account.STARTTLS))
	if got := w.TrustedCerts(); len(got) != 0 {
		t.Fatalf("both servers changed: TrustedCerts = %v; want none", got)
	}
	w.SetOutgoing(srv(account.SMTP, d.Submissions, account.SSL))
	if got := w.TrustedCerts(); len(got) != 0 {
		t.Fatalf("TrustedCerts = %v after retyping the old server; want the exception gone for good", got)
	}
	w.SetOutgoing(srv(account.SMTP, d.Submission, account.STARTTLS))
	w.Next() // before-login
	w.Next() // test
	rep = runTest(t, w, r)
	for _, res := range rep.Results {
		if res.OK || res.Diagnosis.Kind != "tls-untrusted" || res.Stage != StageSTARTTLS {
			t.Errorf("%s after the edit: ok=%v stage=%s kind=%s; want tls-untrusted at starttls", res.Server, res.OK, res.Stage, res.Diagnosis.Kind)
		}
	}
}

// TestExceptionForStandIn: the chosen IMAP port is closed on this network
// and the provider's other port, which answers, shows a certificate this
// machine does not trust (a self-hosted server): that certificate is
// offered, accepting it makes the answering port the chosen one, and the
// retest passes and saves with it. Before, only chosen servers' refusals
// were offered and the person was stuck.
func TestExceptionForStandIn(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	stranger := testenv.NewCA(t)
	fp := probe.Fingerprint(d.Leaf.TLS.Certificate[0])
	closed := testenv.ClosedPort(t)
	srv := func(p account.Protocol, port int, sec account.Security) account.Server {
		return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: sec, Username: "%EMAILADDRESS%", Auth: account.AuthPassword}
	}
	standIn := srv(account.IMAP, d.IMAP, account.STARTTLS)
	cfg := account.Config{
		Provider: &account.Provider{ID: "selfhosted", Name: "Self-hosted"},
		Incoming: []account.Server{srv(account.IMAP, closed, account.SSL), standIn},
		Outgoing: []account.Server{srv(account.SMTP, d.Submissions, account.SSL)},
		Source:   account.SourceBuiltin, SecureSource: true,
	}
	var saved SaveRequest
	deps := Deps{
		Lookup: func(domain string) (account.Config, bool) { return cfg, domain == "example.test" },
		Test:   Probe(probe.Request{RootCAs: stranger.Pool(), Timeout: 5 * time.Second, FallbackDelay: 100 * time.Millisecond}),
		Save:   func(_ context.Context, req SaveRequest) error { saved = req; return nil },
		Export: Export,
	}
	r := newRecorder()
	w := New(deps, r.listen)
	defer w.Close()
	toTestStep(t, w, r, testenv.DovecotUser, testenv.DovecotPassword)
	rep := runTest(t, w, r)
	in := rep.Results[0]
	if rep.OK || in.FallbackFrom == nil || in.Server.Port != d.IMAP || in.Diagnosis.CertSHA256 != fp {
		t.Fatalf("first test: incoming %+v; want the stand-in on %d refusing the certificate", in, d.IMAP)
	}
	offers := w.CertOffers()
	if len(offers) != 1 || offers[0].SHA256 != fp || !slices.ContainsFunc(offers[0].Servers, func(s account.Server) bool { return s.Port == d.IMAP }) {
		t.Fatalf("CertOffers = %+v; want the certificate, shown by the stand-in", offers)
	}
	if err := w.TrustCert(fp); err != nil {
		t.Fatal(err)
	}
	if got := w.Config().Incoming[0]; got.Port != d.IMAP {
		t.Errorf("chosen incoming %s after accepting; want the stand-in on %d", got, d.IMAP)
	}
	if rep = runTest(t, w, r); !rep.OK {
		t.Fatalf("retest: %+v; want a pass with the exception", rep)
	}
	w.Next() // done
	w.Save()
	r.waitFor(t, "save", isSaved)
	if saved.Config.Incoming[0].Port != d.IMAP || !slices.Contains(saved.TrustedCerts, fp) {
		t.Errorf("saved incoming %s, exceptions %v; want the stand-in with %s", saved.Config.Incoming[0], saved.TrustedCerts, fp)
	}
	// The exports carry the exception too: msmtp's pins it.
	var rc bytes.Buffer
	if err := w.Export(&rc, "msmtp", "en"); err != nil || !strings.Contains(rc.String(), "\ntls_fingerprint "+fp+"\n") {
		t.Errorf("msmtp export: %v\n%s", err, rc.String())
	}
}
