package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/safetext"
	"github.com/mailwiz/mailwiz/probe/pop3"
)

// runner tests one server.
type runner struct {
	req   *Request
	srv   account.Server
	index int
	em    *emitter

	mu    sync.Mutex   // guards raw against the cancelling goroutine
	raw   net.Conn     // the TCP connection, closed to cut any stage short
	bound *boundedConn // raw's limits (bound.go)
	res   Result

	// alt: srv stands in for Request.Servers[index] (fallback.go).
	alt bool
	// heard is set once the server has sent a byte: from then on a failure
	// is the server's answer about the account, never the network's.
	heard atomic.Bool
	// wantsTLS: the server stayed silent on a connection without TLS,
	// and a TLS handshake on a second connection succeeded (tlsfirst.go).
	wantsTLS atomic.Bool
	// connecting, if set, is called as the connect stage starts (the name
	// is resolved); onHeard once, when the first byte arrives.
	connecting func()
	onHeard    func()
}

func (r *runner) run(ctx context.Context) Result {
	start := time.Now()
	r.res.Server = r.srv
	err := r.test(ctx, nil)
	r.res.Duration = time.Since(start)
	r.closeConn()
	if err != nil {
		r.fail(err)
		return r.res
	}
	r.res.OK = true
	r.res.Stage = StageDone
	r.em.emit(Event{Index: r.index, Server: r.srv, Alternative: r.alt, Stage: StageDone, Done: true, Duration: r.res.Duration})
	return r.res
}

func (r *runner) fail(err error) {
	r.res.Err = scrubErr(err, r.req.secrets()...)
	r.res.Error = safetext.Show(scrub(errorText(err), r.req.secrets()...))
	r.res.Diagnosis = scrubDiagnosis(diagnose(err, r.srv, r.res.Stage, r.req.Provider), r.req.secrets()...)
}

// session is what a logged-in test leaves behind for the send test.
type session struct {
	imap *imapSession
	pop3 *pop3Session
	smtp *smtpSession
}

// test runs the stages. With keep set, the login is not ended: keep receives
// the logged-in session (for the send test) and the caller closes it.
func (r *runner) test(ctx context.Context, keep *session) error {
	if r.srv.Username == "" {
		return errors.New("probe: no user name for " + r.srv.String())
	}
	var addrs []string
	err := r.step(ctx, StageDNS, func(ctx context.Context) error {
		if net.ParseIP(r.srv.Host) != nil {
			addrs = []string{r.srv.Host}
			return nil
		}
		var err error
		addrs, err = r.req.Resolver.LookupHost(ctx, r.srv.Host)
		if err == nil && len(addrs) == 0 {
			// Not expected of net.Resolver, but the connect stage below
			// would otherwise "succeed" with no connection at all.
			err = &net.DNSError{Err: "no address found", Name: r.srv.Host, IsNotFound: true}
		}
		return err
	})
	if err != nil {
		return err
	}
	if r.connecting != nil {
		r.connecting()
	}
	err = r.step(ctx, StageConnect, func(ctx context.Context) error {
		var d net.Dialer
		var last error
		for _, a := range addrs {
			c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(a, strconv.Itoa(r.srv.Port)))
			if err == nil {
				r.bound = newBoundedConn(&heardConn{Conn: c, r: r})
				r.setConn(r.bound)
				return nil
			}
			last = err
		}
		return last
	})
	if err != nil {
		return err
	}
	// Cancelling the whole run cuts the connection at once, whatever stage
	// (or send-test step) is running.
	stop := context.AfterFunc(ctx, r.closeConn)
	defer stop()
	if r.srv.Security != account.SSL {
		defer r.watchForTLS(ctx)()
	}
	switch r.srv.Protocol {
	case account.IMAP:
		return r.testIMAP(ctx, keep)
	case account.POP3:
		return r.testPOP3(ctx, keep)
	case account.SMTP:
		return r.testSMTP(ctx, keep)
	}
	return fmt.Errorf("probe: unknown protocol %q", r.srv.Protocol)
}

// heardConn notes the first byte the server sends (runner.heard).
type heardConn struct {
	net.Conn
	r *runner
}

func (c *heardConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && !c.r.heard.Load() && c.r.heard.CompareAndSwap(false, true) && c.r.onHeard != nil {
		c.r.onHeard()
	}
	return n, err
}

func (r *runner) setConn(c net.Conn) {
	r.mu.Lock()
	r.raw = c
	r.mu.Unlock()
}

func (r *runner) closeConn() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.raw != nil {
		r.raw.Close()
	}
}

// step runs one stage under its own timeout. When the stage runs out of
// time or the run is cancelled, the connection is closed, so a library
// blocked in I/O returns at once, and the error says which it was.
func (r *runner) step(ctx context.Context, stage Stage, f func(ctx context.Context) error) error {
	r.res.Stage = stage
	r.em.emit(Event{Index: r.index, Server: r.srv, Alternative: r.alt, Stage: stage})
	sctx, cancel := context.WithTimeout(ctx, r.req.Timeout)
	defer cancel()
	stop := context.AfterFunc(sctx, r.closeConn)
	start := time.Now()
	err := f(sctx)
	stop()
	err = r.bounds(stage, err)
	// ctx is checked as well as sctx: the run-wide AfterFunc on ctx may
	// close the connection before ctx's cancellation reaches sctx (Go
	// notifies a context's children in no fixed order), and f then fails
	// while sctx still looks alive. A verdict that arrived as the stage's
	// clock ran out (a refused password read just before the deadline
	// passed) is the server's answer, not a timeout.
	if err != nil && (ctx.Err() != nil || sctx.Err() != nil && !verdict(err)) {
		err = &StageTimeoutError{Stage: stage, Limit: r.req.Timeout.String(), Cancelled: ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded), Err: err}
	}
	err = scrubErr(err, r.req.secrets()...)
	ev := Event{Index: r.index, Server: r.srv, Alternative: r.alt, Stage: stage, Done: true, Duration: time.Since(start), Err: err}
	if err != nil {
		ev.Diagnosis = scrubDiagnosis(diagnose(err, r.srv, stage, r.req.Provider), r.req.secrets()...)
	}
	r.em.emit(ev)
	return err
}

// verdict reports whether err is a complete answer about the account (the
// server's words, a certificate refused, STARTTLS missing, a plaintext
// login refused), which a connection cut short cannot produce.
func verdict(err error) bool {
	var ce *CertificateError
	return answerOf(err).ok || errors.As(err, &ce) || errors.As(err, new(*MisbehavingError)) ||
		errors.Is(err, ErrSTARTTLSUnavailable) || errors.Is(err, pop3.ErrSTLSUnavailable) ||
		errors.Is(err, ErrPlaintextRefused) || errors.Is(err, ErrServerRefusesPlaintext) ||
		errors.Is(err, ErrWantsTLS)
}

// tlsConfig verifies the certificate itself (rather than letting crypto/tls
// do it) so that the certificate is described even when it is refused: the
// user sees whose certificate it was, and its fingerprint, which is what an
// exception (Request.TrustedCerts) names.
func (r *runner) tlsConfig() *tls.Config {
	host := r.srv.Host
	cfg := &tls.Config{
		InsecureSkipVerify: true, // verified below, strictly, in VerifyConnection
		MinVersion:         tls.VersionTLS12,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("probe: the server sent no certificate")
			}
			leaf := cs.PeerCertificates[0]
			info := describe(cs)
			opts := x509.VerifyOptions{DNSName: host, Roots: r.req.RootCAs, Intermediates: x509.NewCertPool()}
			for _, c := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(c)
			}
			_, err := leaf.Verify(opts)
			info.Verified = err == nil
			r.res.TLS = info
			if err == nil {
				return nil
			}
			// An exception names this very leaf, so it holds only while the
			// server shows the certificate the user checked: crypto/tls has
			// already verified the handshake's signature with the leaf's
			// key, so no one without that key can present it. The chain,
			// the name and the dates are what the user chose to overlook.
			if r.req.trusts(info.SHA256) {
				info.Exception = true
				return nil
			}
			return &CertificateError{SHA256: info.SHA256, Err: err}
		},
	}
	if net.ParseIP(host) == nil {
		cfg.ServerName = host
	}
	return cfg
}

func describe(cs tls.ConnectionState) *TLSInfo {
	leaf := cs.PeerCertificates[0]
	return &TLSInfo{
		Version:  tls.VersionName(cs.Version),
		Subject:  leaf.Subject.String(),
		Issuer:   leaf.Issuer.String(),
		NotAfter: leaf.NotAfter.UTC(),
		SHA256:   Fingerprint(leaf.Raw),
		DNSNames: leaf.DNSNames,
	}
}

// handshake is the implicit-TLS stage.
func (r *runner) handshake(ctx context.Context) (*tls.Conn, error) {
	var tc *tls.Conn
	err := r.step(ctx, StageTLS, func(ctx context.Context) error {
		tc = tls.Client(r.raw, r.tlsConfig())
		return tc.HandshakeContext(ctx)
	})
	return tc, err
}

// mayLogin refuses, before anything secret is sent, a password over a
// connection without TLS unless the user allowed it.
func (r *runner) mayLogin(encrypted bool) error {
	if !encrypted && !r.req.AllowPlaintext {
		return ErrPlaintextRefused
	}
	return nil
}

// bounds makes a stage that ended on a server past the limits fail as
// such (bound.go), however the protocol library reported the cut
// connection, and lifts the limit once the login succeeded.
func (r *runner) bounds(stage Stage, err error) error {
	if err == nil {
		if stage == StageAuth && r.bound != nil {
			r.bound.loggedIn()
		}
		return nil
	}
	if errors.As(err, new(*MisbehavingError)) {
		return err
	}
	if r.wantsTLS.Load() && !r.heard.Load() {
		// The closed connection is our own doing, not news for the person.
		return ErrWantsTLS
	}
	if r.bound != nil {
		if v := r.bound.violation(); v != nil {
			return &MisbehavingError{What: v.What, Limit: v.Limit, Err: err}
		}
	}
	// The libraries' own line limits.
	switch {
	case errors.Is(err, pop3.ErrLineTooLong):
		return &MisbehavingError{What: "a line", Limit: pop3.MaxLineLength, Err: err}
	case errors.Is(err, smtp.ErrTooLongLine):
		return &MisbehavingError{What: "a line", Limit: smtpLineLimit, Err: err}
	}
	return err
}

// smtpLineLimit is go-smtp's client line limit (client.go's lineLimitReader).
const smtpLineLimit = 2000
