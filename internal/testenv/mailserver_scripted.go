package testenv

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Scripted describes a small fake IMAP, POP3 or SMTP server that answers a
// login with exactly the words a real provider sends, so tests can check
// how those words are understood without the provider.
type Scripted struct {
	// Protocol is "imap", "pop3" or "smtp".
	Protocol string
	// TLS, if set, makes the server speak implicit TLS with this certificate.
	TLS *Leaf
	// Greeting replaces the default greeting line (without CRLF).
	Greeting string
	// Login is the answer to the login, one line per element, without the
	// IMAP tag (it is added): e.g. "NO [ALERT] Too many simultaneous
	// connections. (Failure)", "-ERR [AUTH] Authentication failed.", or
	// "535-5.7.8 Username and Password not accepted.", "535 5.7.8 ...".
	Login []string
	// Caps, if set, replaces what the server announces: IMAP capability
	// names (e.g. "AUTH=CRAM-MD5", "LOGINDISABLED"), POP3 CAPA lines
	// (e.g. "SASL CRAM-MD5", "STLS"), or SMTP EHLO keywords (e.g.
	// "AUTH DIGEST-MD5").
	Caps []string
	// Heard, if set, records every line the client sends.
	Heard *Heard
}

// Heard records the lines a scripted server received, without CRLF.
type Heard struct {
	mu    sync.Mutex
	lines []string
}

// Lines returns the lines received so far.
func (h *Heard) Lines() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.lines...)
}

func (h *Heard) add(line string) {
	if h == nil {
		return
	}
	h.mu.Lock()
	h.lines = append(h.lines, strings.TrimRight(line, "\r\n"))
	h.mu.Unlock()
}

// capsOr is s.Caps, or def when s.Caps is not set.
func (s Scripted) capsOr(def ...string) []string {
	if s.Caps != nil {
		return s.Caps
	}
	return def
}

// StartScripted serves s on a loopback port until the test ends and
// returns the port.
func StartScripted(t testing.TB, s Scripted) int {
	t.Helper()
	return serveLoopback(t, func(c net.Conn) {
		if s.TLS != nil {
			tc := tls.Server(c, s.TLS.ServerTLS())
			if err := tc.Handshake(); err != nil {
				return
			}
			c = tc
		}
		switch s.Protocol {
		case "imap":
			scriptIMAP(c, s)
		case "pop3":
			scriptPOP3(c, s)
		case "smtp":
			scriptSMTP(c, s)
		}
	})
}

// serveLoopback accepts connections on 127.0.0.1 and runs handle for each;
// Cleanup closes the listener and every connection.
func serveLoopback(t testing.TB, handle func(net.Conn)) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	var (
		mu     sync.Mutex
		conns  = map[net.Conn]bool{}
		closed bool // set by Cleanup: a connection accepted after it is refused
		wg     sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			// Registered and counted under the lock Cleanup takes, so a
			// connection accepted while Cleanup runs is either closed by it
			// or never served (wg.Add never races wg.Wait).
			mu.Lock()
			if closed {
				mu.Unlock()
				c.Close()
				return
			}
			conns[c] = true
			wg.Add(1)
			mu.Unlock()
			go func() {
				defer wg.Done()
				defer func() {
					c.Close()
					mu.Lock()
					delete(conns, c)
					mu.Unlock()
				}()
				c.SetDeadline(time.Now().Add(time.Minute)) //nolint:errcheck
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		closed = true
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().(*net.TCPAddr).Port
}

func writeLines(w io.Writer, lines ...string) error {
	_, err := io.WriteString(w, strings.Join(lines, "\r\n")+"\r\n")
	return err
}

// converse greets with greeting (def when s.Greeting is empty), then
// hands each line the client sends, recorded and without CRLF, to answer
// until answer says the conversation is over or the client goes.
func converse(c net.Conn, s Scripted, def string, answer func(line string, br *bufio.Reader) (done bool)) {
	greeting := s.Greeting
	if greeting == "" {
		greeting = def
	}
	writeLines(c, greeting) //nolint:errcheck
	br := bufio.NewReader(c)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		s.Heard.add(line)
		if answer(strings.TrimRight(line, "\r\n"), br) {
			return
		}
	}
}

// verbOf is a command line's first word, upper case.
func verbOf(line string) string {
	verb, _, _ := strings.Cut(strings.ToUpper(line), " ")
	return verb
}

func scriptIMAP(c net.Conn, s Scripted) {
	caps := strings.Join(append([]string{"IMAP4rev1"}, s.capsOr("AUTH=PLAIN", "SASL-IR")...), " ")
	converse(c, s, "* OK [CAPABILITY "+caps+"] scripted IMAP ready", func(line string, br *bufio.Reader) bool {
		tag, cmd, _ := strings.Cut(line, " ")
		switch verb := verbOf(cmd); verb {
		case "CAPABILITY":
			writeLines(c, "* CAPABILITY "+caps, tag+" OK done") //nolint:errcheck
		case "AUTHENTICATE", "LOGIN":
			if verb == "AUTHENTICATE" && len(strings.Fields(cmd)) == 2 {
				writeLines(c, "+ ") //nolint:errcheck
				resp, err := br.ReadString('\n')
				if err != nil {
					return true
				}
				s.Heard.add(resp)
			}
			out := append([]string(nil), s.Login...)
			if len(out) == 0 {
				out = []string{"NO Scripted.Login is empty"}
			}
			out[len(out)-1] = tag + " " + out[len(out)-1]
			writeLines(c, out...) //nolint:errcheck
		case "LOGOUT":
			writeLines(c, "* BYE bye", tag+" OK done") //nolint:errcheck
			return true
		default:
			writeLines(c, tag+" BAD unknown command") //nolint:errcheck
		}
		return false
	})
}

func scriptPOP3(c net.Conn, s Scripted) {
	converse(c, s, "+OK scripted POP3 ready", func(line string, _ *bufio.Reader) bool {
		switch verbOf(line) {
		case "CAPA":
			lines := append([]string{"+OK"}, s.capsOr("USER", "SASL PLAIN", "RESP-CODES")...)
			writeLines(c, append(lines, ".")...) //nolint:errcheck
		case "USER":
			writeLines(c, "+OK") //nolint:errcheck
		case "PASS", "AUTH":
			writeLines(c, s.Login...) //nolint:errcheck
		case "QUIT":
			writeLines(c, "+OK bye") //nolint:errcheck
			return true
		default:
			writeLines(c, "-ERR unknown command") //nolint:errcheck
		}
		return false
	})
}

func scriptSMTP(c net.Conn, s Scripted) {
	converse(c, s, "220 scripted.example.test ESMTP ready", func(line string, _ *bufio.Reader) bool {
		switch verbOf(line) {
		case "EHLO":
			lines := append([]string{"scripted.example.test"}, s.capsOr("PIPELINING", "AUTH PLAIN LOGIN")...)
			for i := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				lines[i] = "250" + sep + lines[i]
			}
			writeLines(c, lines...) //nolint:errcheck
		case "AUTH":
			writeLines(c, s.Login...) //nolint:errcheck
		case "QUIT":
			writeLines(c, "221 bye") //nolint:errcheck
			return true
		default:
			writeLines(c, "502 5.5.2 unknown command") //nolint:errcheck
		}
		return false
	})
}

// StartProxy starts a TCP proxy on loopback to target (host:port). Each
// chunk read in either direction waits delay before it is passed on (the
// latency of a distant server), and rewrite, if set, may change it (a
// meddling middlebox). Chunks are passed in order.
func StartProxy(t testing.TB, target string, delay time.Duration, rewrite func(toServer bool, b []byte) []byte) int {
	t.Helper()
	return serveLoopback(t, func(c net.Conn) {
		c.SetDeadline(time.Time{}) //nolint:errcheck
		up, err := net.Dial("tcp", target)
		if err != nil {
			return
		}
		defer up.Close()
		done := make(chan struct{}, 2)
		pipe := func(dst, src net.Conn, toServer bool) {
			defer func() { done <- struct{}{} }()
			buf := make([]byte, 32<<10)
			for {
				n, err := src.Read(buf)
				if n > 0 {
					b := buf[:n]
					if delay > 0 {
						time.Sleep(delay) // the injected latency itself, not a wait for an event
					}
					if rewrite != nil {
						b = rewrite(toServer, b)
					}
					if _, werr := dst.Write(b); werr != nil {
						return
					}
				}
				if err != nil {
					if tc, ok := dst.(*net.TCPConn); ok {
						tc.CloseWrite() //nolint:errcheck
					}
					return
				}
			}
		}
		go pipe(up, c, true)
		go pipe(c, up, false)
		<-done
		<-done
	})
}

// StripSTARTTLS is a rewrite for StartProxy that does what some ISP
// middleboxes do: it overwrites STARTTLS and STLS in both directions, so the
// server never sees the command and the client never sees the offer.
func StripSTARTTLS(_ bool, b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte("STARTTLS"), []byte("XXXXXXXA"))
	return bytes.ReplaceAll(b, []byte("STLS"), []byte("XXXX"))
}
