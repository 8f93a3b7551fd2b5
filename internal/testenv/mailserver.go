package testenv

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Relay is a small SMTP server on loopback standing in for the MTA behind a
// submission server: it accepts every message without authentication,
// records it, and hands it to a delivery function (for Dovecot, its LDA).
type Relay struct {
	Port int
	mu   sync.Mutex
	msgs []RelayedMessage
}

// RelayedMessage is one message the relay accepted.
type RelayedMessage struct {
	From string
	To   []string
	Data []byte
	Err  error // what delivery returned
}

// StartRelay starts the relay; deliver may be nil to only record. Cleanup
// closes it.
func StartRelay(t testing.TB, deliver func(from string, to []string, msg []byte) error) *Relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: relay: %v", err)
	}
	r := &Relay{Port: ln.Addr().(*net.TCPAddr).Port}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &relaySession{relay: r, deliver: deliver}, nil
	}))
	s.Domain = "relay.example.test"
	s.ReadTimeout = 30 * time.Second
	s.WriteTimeout = 30 * time.Second
	s.MaxMessageBytes = 10 << 20
	go s.Serve(ln) //nolint:errcheck
	t.Cleanup(func() { s.Close() })
	return r
}

// Messages returns a copy of what the relay accepted so far.
func (r *Relay) Messages() []RelayedMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]RelayedMessage(nil), r.msgs...)
}

type relaySession struct {
	relay   *Relay
	deliver func(string, []string, []byte) error
	from    string
	to      []string
}

func (s *relaySession) Reset()        { s.from, s.to = "", nil }
func (s *relaySession) Logout() error { return nil }
func (s *relaySession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *relaySession) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	m := RelayedMessage{From: s.from, To: append([]string(nil), s.to...), Data: buf.Bytes()}
	if s.deliver != nil {
		m.Err = s.deliver(m.From, m.To, m.Data)
	}
	s.relay.mu.Lock()
	s.relay.msgs = append(s.relay.msgs, m)
	s.relay.mu.Unlock()
	if m.Err != nil {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "delivery failed: " + m.Err.Error()}
	}
	return nil
}
