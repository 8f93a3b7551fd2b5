package probe

import (
	"net"
	"sync"
)

// smtpAuthGuard sits between go-smtp and the connection and keeps go-smtp
// from sending a stray "*" after the server's final AUTH reply.
//
// go-smtp's Client.Auth cancels the exchange with "*" whenever it ends in
// an error, even when the error is the server's own final answer (535):
// the exchange is over by then, so the server reads "*" as a command and
// logs a "non-SMTP command". "*" is right only while the server waits for
// an answer to its challenge (its last reply was 334). The guard watches
// the reply codes go by; when go-smtp writes "*" after a final reply, the
// line is not sent and go-smtp is handed the 501 it waits for instead.
type smtpAuthGuard struct {
	net.Conn

	mu       sync.Mutex
	armed    bool   // inside Client.Auth
	line     []byte // the first bytes of the reply line being read
	lastCode string // the code of the last complete reply line
	fake     []byte // a reply owed to go-smtp for a line not sent
}

// cancelLine is how go-smtp cancels an AUTH exchange (RFC 4954 section 4).
const cancelLine = "*\r\n"

// arm turns the guard on for the AUTH exchange and off after it.
func (g *smtpAuthGuard) arm(on bool) {
	g.mu.Lock()
	g.armed = on
	g.mu.Unlock()
}

func (g *smtpAuthGuard) Read(p []byte) (int, error) {
	g.mu.Lock()
	if len(g.fake) > 0 {
		n := copy(p, g.fake)
		g.fake = g.fake[n:]
		g.mu.Unlock()
		return n, nil
	}
	g.mu.Unlock()
	n, err := g.Conn.Read(p)
	g.mu.Lock()
	for _, c := range p[:n] {
		if c == '\n' {
			if len(g.line) >= 3 {
				g.lastCode = string(g.line[:3])
			}
			g.line = g.line[:0]
			continue
		}
		if len(g.line) < 3 {
			g.line = append(g.line, c)
		}
	}
	g.mu.Unlock()
	return n, err
}

func (g *smtpAuthGuard) Write(p []byte) (int, error) {
	g.mu.Lock()
	if g.armed && string(p) == cancelLine && g.lastCode != "334" {
		// The exchange is already over: say nothing, and give go-smtp
		// the answer it reads after its cancel.
		g.fake = append(g.fake, "501 5.7.0 mailwiz: AUTH had already ended, nothing sent\r\n"...)
		g.mu.Unlock()
		return len(p), nil
	}
	g.mu.Unlock()
	return g.Conn.Write(p)
}
