package probe

import (
	"fmt"
	"net"
	"sync/atomic"
)

// Limits on what a server may send. go-imap and go-smtp (net/textproto)
// read a line until it ends, however long: a server whose greeting never
// ends would take all the memory there is. Every connection a test makes
// reads through a boundedConn, under the libraries, so the bound holds
// whatever they do; the stage fails as server-misbehaving at once.
const (
	// MaxLine bounds one line of unencrypted conversation (greeting,
	// capabilities, replies). RFC 5321 allows 512 bytes for SMTP; IMAP
	// servers cap theirs at 64 KiB (Dovecot's imap_max_line_length).
	MaxLine = 64 << 10
	// MaxBeforeLogin bounds all bytes read on a connection until the
	// login succeeds: a TLS handshake with a long chain is some 20 KiB,
	// a greeting and capabilities a few more.
	MaxBeforeLogin = 1 << 20
	// MaxAfterLogin bounds the rest (the send test reads its message
	// back), so a logged-in server cannot stream without end either.
	MaxAfterLogin = 64 << 20
)

// MisbehavingError: the server sent more than any mail server should (a
// line or a conversation beyond the limits above).
type MisbehavingError struct {
	What  string // "a line", "the conversation before the login"
	Limit int    // bytes, or Unit
	// Unit is what Limit counts when not bytes ("rounds" for a SCRAM
	// iteration count).
	Unit string
	// Err is a protocol library's own refusal of the line, when it was
	// the library's limit that held (go-smtp's, our POP3 client's).
	Err error
}

func (e *MisbehavingError) Unwrap() error { return e.Err }

func (e *MisbehavingError) Error() string {
	if e.Unit != "" {
		return fmt.Sprintf("probe: the server asked for %s, more than the limit of %d %s; it is not behaving as a mail server", e.What, e.Limit, e.Unit)
	}
	return fmt.Sprintf("probe: the server sent %s longer than %d bytes; it is not behaving as a mail server", e.What, e.Limit)
}

// boundedConn counts what the server sends. Lines are measured on the
// bytes as they arrive: before TLS (and STARTTLS) that is the conversation
// itself; over TLS the byte budget bounds a line that never ends (and
// ciphertext, whose bytes are random, holds a line feed every 256 bytes on
// average, so the line count never trips on it).
type boundedConn struct {
	net.Conn
	budget  atomic.Int64 // bytes still allowed
	lifted  atomic.Bool  // the login succeeded: MaxAfterLogin applies
	line    int          // bytes since the last line feed
	tripped atomic.Pointer[MisbehavingError]
}

func newBoundedConn(c net.Conn) *boundedConn {
	b := &boundedConn{Conn: c}
	b.budget.Store(MaxBeforeLogin)
	return b
}

func (b *boundedConn) Read(p []byte) (int, error) {
	if e := b.tripped.Load(); e != nil {
		return 0, e
	}
	n, err := b.Conn.Read(p)
	if n <= 0 {
		return n, err
	}
	if b.budget.Add(-int64(n)) < 0 {
		what, limit := "the conversation before the login", MaxBeforeLogin
		if b.lifted.Load() {
			what, limit = "the conversation", MaxAfterLogin
		}
		return b.trip(&MisbehavingError{What: what, Limit: limit})
	}
	for _, c := range p[:n] {
		if c == '\n' {
			b.line = 0
			continue
		}
		b.line++
		if b.line > MaxLine {
			return b.trip(&MisbehavingError{What: "a line", Limit: MaxLine})
		}
	}
	return n, err
}

// trip records the violation and cuts the connection: whatever the
// library does with the error, the stage ends now.
func (b *boundedConn) trip(e *MisbehavingError) (int, error) {
	b.tripped.CompareAndSwap(nil, e)
	b.Conn.Close()
	return 0, b.tripped.Load()
}

// loggedIn lifts the budget to MaxAfterLogin.
func (b *boundedConn) loggedIn() {
	if b.lifted.CompareAndSwap(false, true) {
		b.budget.Store(MaxAfterLogin)
	}
}

// violation is the limit the server broke, if any.
func (b *boundedConn) violation() *MisbehavingError { return b.tripped.Load() }
