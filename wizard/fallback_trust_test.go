package wizard

import (
	"context"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe"
)

// switchable is a loopback TCP proxy to target that can go silent: while
// silent it accepts connections and says nothing (a port this network
// drops), otherwise it passes bytes both ways.
type switchable struct {
	silent atomic.Bool
	port   int
}

func startSwitchable(t *testing.T, target string) *switchable {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &switchable{port: ln.Addr().(*net.TCPAddr).Port}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	track := func(c net.Conn) bool {
		mu.Lock()
		defer mu.Unlock()
		if conns == nil {
			return false // closed
		}
		conns = append(conns, c)
		return true
	}
	conns = []net.Conn{}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !track(c) {
				c.Close()
				return
			}
			if s.silent.Load() {
				continue // held open, never answered; closed at cleanup
			}
			up, err := net.Dial("tcp", target)
			if err != nil || !track(up) {
				c.Close()
				continue
			}
			wg.Add(2)
			go func() { defer wg.Done(); io.Copy(up, c); up.Close() }() //nolint:errcheck
			go func() { defer wg.Done(); io.Copy(c, up); c.Close() }()  //nolint:errcheck
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		conns = nil
		mu.Unlock()
		wg.Wait()
	})
	return s
}

// TestFallbackKeepsException: a certificate exception accepted for the
// chosen server goes with the server that stands in for it when that one
// logged in with the same certificate, so Save keeps it. Real Dovecot with
// a certificate this machine does not trust (a self-hosted server); its
// SMTP SSL port is reached through a proxy that later goes silent. (Before
// the fix the exception was pruned with the server it was accepted for.)
func TestFallbackKeepsException(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	stranger := testenv.NewCA(t)
	fp := probe.Fingerprint(d.Leaf.TLS.Certificate[0])
	blockable := startSwitchable(t, testenv.Addr(d.Submissions))
	srv := func(p account.Protocol, port int, sec account.Security) account.Server {
		return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: sec, Username: "%EMAILADDRESS%", Auth: account.AuthPassword}
	}
	cfg := account.Config{
		Provider: &account.Provider{ID: "selfhosted", Name: "Self-hosted"},
		// Incoming without TLS (consented): the exception is the SMTP
		// server's alone, so only carrying it over can keep it.
		Incoming: []account.Server{srv(account.IMAP, d.IMAP, account.None)},
		Outgoing: []account.Server{srv(account.SMTP, blockable.port, account.SSL), srv(account.SMTP, d.Submission, account.STARTTLS)},
		Source:   account.SourceBuiltin, SecureSource: true,
	}
	var savedTrust []string
	saves := 0
	deps := Deps{
		Lookup: func(domain string) (account.Config, bool) { return cfg, domain == "example.test" },
		Test:   Probe(probe.Request{RootCAs: stranger.Pool(), Timeout: 5 * time.Second, FallbackDelay: 100 * time.Millisecond}),
		Save: func(_ context.Context, req SaveRequest) error {
			saves++
			savedTrust = req.TrustedCerts
			return nil
		},
	}
	r := newRecorder()
	w := New(deps, r.listen)
	defer w.Close()
	toTestStep(t, w, r, testenv.DovecotUser, testenv.DovecotPassword)
	w.ConsentPlaintext()
	if rep := runTest(t, w, r); rep.OK || !rep.Results[0].OK || rep.Results[1].Diagnosis.Kind != "tls-untrusted" || rep.Results[1].FallbackFrom != nil {
		t.Fatalf("first test: %+v; want IMAP in, tls-untrusted on the chosen SMTP server, no fallback", rep)
	}
	if err := w.TrustCert(fp); err != nil {
		t.Fatal(err)
	}
	blockable.silent.Store(true)
	rep := runTest(t, w, r)
	out := rep.Results[1]
	if !rep.OK || out.FallbackFrom == nil || out.Server.Port != d.Submission || out.TLS == nil || !out.TLS.Exception {
		t.Fatalf("retest: ok=%v outgoing %s fallback=%v tls=%+v; want the STARTTLS port standing in, through the exception\n%s", rep.OK, out.Server, out.FallbackFrom, out.TLS, d.LogText())
	}
	if w.Outgoing().Port != d.Submission {
		t.Fatalf("chosen outgoing = %s; want the one that logged in", w.Outgoing())
	}
	if got := w.TrustedCerts(); !slices.Equal(got, []string{fp}) {
		t.Errorf("TrustedCerts after the fallback = %v; want [%s]", got, fp)
	}
	if err := w.Next(); err != nil {
		t.Fatal(err)
	}
	w.Save()
	if e := r.waitFor(t, "save", isSaved).(Saved); e.Err != nil {
		t.Fatal(e.Err)
	}
	if saves != 1 || !slices.Equal(savedTrust, []string{fp}) {
		t.Errorf("saved exceptions %v (%d saves); want [%s]", savedTrust, saves, fp)
	}
	// The server the exception moved to is held to it like any other:
	// typing another server there drops it.
	if err := w.GoTo(StepServers); err != nil {
		t.Fatal(err)
	}
	w.SetIncoming(srv(account.IMAP, d.IMAP, account.STARTTLS))
	w.SetOutgoing(srv(account.SMTP, d.Submissions, account.SSL))
	if got := w.TrustedCerts(); len(got) != 0 {
		t.Errorf("TrustedCerts after both servers changed = %v; want none", got)
	}
}
