package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"time"
)

// ErrWantsTLS: STARTTLS (or no encryption) was chosen for a port that
// speaks TLS from the first byte. Such a server waits for a TLS hello and
// never greets, which would otherwise look like a dead or filtered port.
var ErrWantsTLS = errors.New("probe: the server did not greet, and answers a TLS handshake on this port: it expects SSL/TLS from the first byte, not STARTTLS")

// wantsTLSAfter is how long a server may stay silent on a connection
// without TLS before a TLS handshake is tried beside it. Mail servers
// greet at once (well under a second, even far away), while an implicit
// TLS port waits for the client to speak first.
const wantsTLSAfter = 1500 * time.Millisecond

// wantsTLSProbeLimit bounds that handshake.
const wantsTLSProbeLimit = 3 * time.Second

// watchForTLS watches a connection without TLS: if the server has not
// said a word wantsTLSAfter after it was opened, a TLS handshake is tried
// on a second connection to the same address; when that succeeds, the
// first connection is cut, and the stage fails with ErrWantsTLS (bounds)
// rather than waiting out its timeout. The returned function stops the
// watch and waits for it.
func (r *runner) watchForTLS(ctx context.Context) func() {
	r.mu.Lock()
	raw := r.raw
	r.mu.Unlock()
	if raw == nil {
		return func() {}
	}
	addr := raw.RemoteAddr().String()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTimer(wantsTLSAfter)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if r.heard.Load() || !speaksTLS(ctx, addr, r.srv.Host) || r.heard.Load() {
			return
		}
		r.wantsTLS.Store(true)
		r.closeConn()
	}()
	return func() {
		cancel()
		<-done
	}
}

// speaksTLS reports whether addr completes a TLS handshake, or answers
// one with a TLS alert (an alert is TLS too: a server refusing our
// versions). Nothing is sent after the handshake, so the certificate is
// not checked here: the question is only whether the port speaks TLS.
func speaksTLS(ctx context.Context, addr, host string) bool {
	ctx, cancel := context.WithTimeout(ctx, wantsTLSProbeLimit)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	defer c.Close()
	cfg := &tls.Config{
		InsecureSkipVerify: true, // nothing is sent over it; see above
		MinVersion:         tls.VersionTLS10,
	}
	if net.ParseIP(host) == nil {
		cfg.ServerName = host
	}
	err = tls.Client(c, cfg).HandshakeContext(ctx)
	var alert tls.AlertError
	return err == nil || errors.As(err, &alert)
}
