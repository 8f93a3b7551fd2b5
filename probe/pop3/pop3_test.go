package pop3

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// script is a conversation: lines starting "S: " are what the server sends,
// "C: " what the client must write, in order. The fake fails the test on
// the first line the client writes that differs.
type script []string

// serve runs the script on the server end of a pipe and returns the client
// end. It reports a mismatch through the returned channel.
func serve(t *testing.T, s script) (net.Conn, <-chan error) {
	t.Helper()
	cli, srv := net.Pipe()
	done := make(chan error, 1)
	go func() {
		defer srv.Close()
		br := bufio.NewReader(srv)
		for _, l := range s {
			switch {
			case strings.HasPrefix(l, "S: "):
				if _, err := io.WriteString(srv, l[3:]+"\r\n"); err != nil {
					done <- err
					return
				}
			case strings.HasPrefix(l, "C: "):
				got, err := br.ReadString('\n')
				if err != nil {
					done <- errors.New("client stopped before writing " + l[3:])
					return
				}
				if got = strings.TrimSuffix(got, "\r\n"); got != l[3:] {
					done <- errors.New("client wrote " + got + "; want " + l[3:])
					return
				}
			}
		}
		done <- nil
	}()
	t.Cleanup(func() { cli.Close() })
	return cli, done
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func wait(t *testing.T, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the scripted server did not finish")
	}
}

func TestLoginStatQuit(t *testing.T) {
	conn, done := serve(t, script{
		"S: +OK Dovecot ready.",
		"C: USER alice@example.test",
		"S: +OK",
		"C: PASS s3cret",
		"S: +OK Logged in.",
		"C: STAT",
		"S: +OK 2 320",
		"C: QUIT",
		"S: +OK Logging out.",
	})
	ctx := ctxT(t)
	var debug bytes.Buffer
	c := New(conn, &Options{DebugWriter: &debug})
	if err := c.Login(ctx, "alice@example.test", "s3cret"); err != nil {
		t.Fatal(err)
	}
	n, size, err := c.Stat(ctx)
	if err != nil || n != 2 || size != 320 {
		t.Fatalf("Stat = %d, %d, %v; want 2, 320, nil", n, size, err)
	}
	if err := c.Quit(ctx); err != nil {
		t.Fatal(err)
	}
	wait(t, done)
	if strings.Contains(debug.String(), "s3cret") {
		t.Errorf("the debug log holds the password:\n%s", debug.String())
	}
	if !strings.Contains(debug.String(), "PASS ****") {
		t.Errorf("the debug log does not show the redacted PASS:\n%s", debug.String())
	}
}

// TestBadListLineKeepsSync: a LIST line that does not parse fails List,
// but the rest of the answer is read, so the next command gets its own.
func TestBadListLineKeepsSync(t *testing.T) {
	conn, done := serve(t, script{
		"S: +OK ready",
		"C: LIST",
		"S: +OK 2 messages",
		"S: 1 junk",
		"S: 2 200",
		"S: .",
		"C: NOOP",
		"S: +OK",
	})
	ctx := ctxT(t)
	c := New(conn, nil)
	var perr *ProtocolError
	if _, err := c.List(ctx); !errors.As(err, &perr) {
		t.Fatalf("List = %v; want a ProtocolError", err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatalf("NOOP after the bad LIST = %v; want its own +OK", err)
	}
	wait(t, done)
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, answer, code, text string
	}{
		{"auth", "-ERR [AUTH] Authentication failed.", CodeAuth, "Authentication failed."},
		{"sys-temp", "-ERR [SYS/TEMP] Internal error occurred.", CodeSysTemp, "Internal error occurred."},
		{"sys-perm", "-ERR [SYS/PERM] Account disabled", CodeSysPerm, "Account disabled"},
		{"in-use", "-ERR [IN-USE] Mailbox is locked by another POP3 session", CodeInUse, "Mailbox is locked by another POP3 session"},
		{"login-delay", "-ERR [LOGIN-DELAY] wait 15 minutes", CodeLoginDelay, "wait 15 minutes"},
		{"no code", "-ERR invalid user or password", "", "invalid user or password"},
		{"bare", "-ERR", "", ""},
		{"lower case", "-err [auth] nope", CodeAuth, "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, done := serve(t, script{"S: +OK hi", "C: USER u", "S: +OK", "C: PASS p", "S: " + tt.answer})
			err := New(conn, nil).Login(ctxT(t), "u", "p")
			wait(t, done)
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Login error = %v (%T); want *Error", err, err)
			}
			if perr.Code != tt.code || perr.Text != tt.text || perr.Command != "PASS" {
				t.Errorf("got %+v; want code %q text %q command PASS", perr, tt.code, tt.text)
			}
			if strings.Contains(perr.Error(), " p ") || strings.HasSuffix(perr.Error(), " p") {
				t.Errorf("error %q seems to hold the password", perr.Error())
			}
		})
	}
}

func TestCapabilitiesAndAuthPlain(t *testing.T) {
	ir := "AGFsaWNlAHMzY3JldA==" // \0alice\0s3cret
	conn, done := serve(t, script{
		"S: +OK ready",
		"C: CAPA",
		"S: +OK",
		"S: TOP", "S: UIDL", "S: RESP-CODES", "S: SASL PLAIN LOGIN", "S: USER",
		"S: .",
		"C: AUTH PLAIN " + ir,
		"S: +OK Logged in.",
	})
	ctx := ctxT(t)
	c := New(conn, nil)
	caps, err := c.Capabilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !caps.Has("uidl") || caps.Has("STLS") || strings.Join(caps.SASL(), " ") != "PLAIN LOGIN" {
		t.Fatalf("caps = %v", caps)
	}
	if err := c.Authenticate(ctx, sasl.NewPlainClient("", "alice", "s3cret")); err != nil {
		t.Fatal(err)
	}
	wait(t, done)
}

func TestAuthChallenge(t *testing.T) {
	conn, done := serve(t, script{
		"S: +OK ready",
		"C: AUTH LOGIN YWxpY2U=",
		"S: + UGFzc3dvcmQ6",
		"C: czNjcmV0",
		"S: -ERR [AUTH] Authentication failed.",
	})
	err := New(conn, nil).Authenticate(ctxT(t), sasl.NewLoginClient("alice", "s3cret"))
	wait(t, done)
	var perr *Error
	if !errors.As(err, &perr) || perr.Code != CodeAuth || perr.Command != "AUTH" {
		t.Fatalf("err = %v; want -ERR [AUTH] from AUTH", err)
	}
}

func TestNoCAPA(t *testing.T) {
	conn, done := serve(t, script{"S: +OK old server", "C: CAPA", "S: -ERR unknown command"})
	caps, err := New(conn, nil).Capabilities(ctxT(t))
	wait(t, done)
	if err != nil || len(caps) != 0 {
		t.Fatalf("Capabilities = %v, %v; want an empty set and no error", caps, err)
	}
}

// A configured STARTTLS that the server does not offer must end the session
// before anything else is sent: no STLS attempt, no USER, no PASS.
func TestStartTLSNotOffered(t *testing.T) {
	conn, done := serve(t, script{"S: +OK ready", "C: CAPA", "S: +OK", "S: USER", "S: ."})
	c := New(conn, nil)
	err := c.StartTLS(ctxT(t), &tls.Config{ServerName: "x"})
	wait(t, done)
	if !errors.Is(err, ErrSTLSUnavailable) {
		t.Fatalf("StartTLS = %v; want ErrSTLSUnavailable", err)
	}
}

func TestStartTLSInjectedData(t *testing.T) {
	conn, done := serve(t, script{"S: +OK ready", "C: CAPA", "S: +OK", "S: STLS", "S: .", "C: STLS", "S: +OK Begin TLS\r\n+OK injected"})
	err := New(conn, nil).StartTLS(ctxT(t), &tls.Config{ServerName: "x"})
	wait(t, done)
	if err == nil || !strings.Contains(err.Error(), "before the TLS handshake") {
		t.Fatalf("StartTLS = %v; want a refusal of data sent before the handshake", err)
	}
}

func TestStartTLSReal(t *testing.T) {
	ca := testenv.NewCA(t)
	leaf := ca.Issue(t, "pop.example.test")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		br := bufio.NewReader(conn)
		io.WriteString(conn, "+OK ready\r\n")
		br.ReadString('\n') // CAPA
		io.WriteString(conn, "+OK\r\nSTLS\r\n.\r\n")
		br.ReadString('\n') // STLS
		io.WriteString(conn, "+OK go ahead\r\n")
		tc := tls.Server(conn, leaf.ServerTLS())
		br = bufio.NewReader(tc)
		l, _ := br.ReadString('\n')
		if l == "CAPA\r\n" {
			io.WriteString(tc, "+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n")
		}
		br.ReadString('\n')
	}()
	ctx := ctxT(t)
	c, err := DialStartTLS(ctx, ln.Addr().String(), &Options{TLSConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: "pop.example.test"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.IsTLS() {
		t.Fatal("IsTLS = false after STLS")
	}
	caps, err := c.Capabilities(ctx)
	if err != nil || caps.Has("STLS") || !caps.Has("SASL") {
		t.Fatalf("capabilities after TLS = %v, %v; want them asked again", caps, err)
	}
}

func TestRetrUnstuffs(t *testing.T) {
	conn, done := serve(t, script{"S: +OK", "C: RETR 1", "S: +OK 40 octets", "S: Subject: x", "S: ", "S: ..leading dot", "S: body", "S: .", "C: DELE 1", "S: +OK"})
	c := New(conn, nil)
	ctx := ctxT(t)
	msg, err := c.Retr(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Subject: x\r\n\r\n.leading dot\r\nbody\r\n"; string(msg) != want {
		t.Errorf("Retr = %q; want %q", msg, want)
	}
	if err := c.Dele(ctx, 1); err != nil {
		t.Fatal(err)
	}
	wait(t, done)
}

func TestBounds(t *testing.T) {
	t.Run("line", func(t *testing.T) {
		conn, _ := serve(t, script{"S: +OK " + strings.Repeat("x", MaxLineLength)})
		_, err := New(conn, nil).Greeting(ctxT(t))
		if !errors.Is(err, ErrLineTooLong) {
			t.Fatalf("Greeting = %v; want ErrLineTooLong", err)
		}
	})
	t.Run("multiline", func(t *testing.T) {
		s := script{"S: +OK", "C: RETR 1", "S: +OK"}
		for i := 0; i < 100; i++ {
			s = append(s, "S: "+strings.Repeat("y", 100))
		}
		conn, _ := serve(t, s)
		c := New(conn, &Options{MaxResponseSize: 2000})
		_, err := c.Retr(ctxT(t), 1)
		if !errors.Is(err, ErrResponseTooLarge) {
			t.Fatalf("Retr = %v; want ErrResponseTooLarge", err)
		}
	})
	t.Run("not pop3", func(t *testing.T) {
		conn, _ := serve(t, script{"S: * OK IMAP4rev1 ready"})
		_, err := New(conn, nil).Greeting(ctxT(t))
		var perr *ProtocolError
		if !errors.As(err, &perr) {
			t.Fatalf("Greeting = %v; want *ProtocolError", err)
		}
	})
	t.Run("bad argument", func(t *testing.T) {
		conn, _ := serve(t, script{"S: +OK"})
		err := New(conn, nil).Login(ctxT(t), "u", "p\r\nDELE 1")
		if err == nil || strings.Contains(err.Error(), "DELE") {
			t.Fatalf("Login with a CRLF in the password = %v; want a refusal that does not echo it", err)
		}
	})
}

// A server that never speaks must not hold the client past its context.
func TestCancelUnblocks(t *testing.T) {
	conn, _ := serve(t, script{"C: nothing ever"}) // never writes
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := New(conn, nil).Greeting(ctx)
		errc <- err
	}()
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Greeting = %v; want context.Canceled", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Greeting still blocked 2 s after the context was cancelled")
	}
}

func TestDeadline(t *testing.T) {
	conn, _ := serve(t, script{"C: nothing ever"})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := New(conn, nil).Greeting(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Greeting = %v; want context.DeadlineExceeded", err)
	}
}

func FuzzReadResponse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/responses/*.txt")
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReaderSize(bytes.NewReader(data), MaxLineLength)
		line, err := readLine(br)
		if err != nil {
			return
		}
		if bytes.ContainsAny(line, "\n") {
			t.Fatalf("readLine returned a line break: %q", line)
		}
		text, err := parseStatus(line, "X")
		var perr *Error
		var proto *ProtocolError
		switch {
		case err == nil:
			if !hasPrefixFold(string(line), "+OK") {
				t.Fatalf("%q accepted as +OK", line)
			}
			_ = text
		case errors.As(err, &perr):
			if strings.Contains(perr.Code, "]") {
				t.Fatalf("code %q holds a bracket", perr.Code)
			}
		case errors.As(err, &proto):
			if len(proto.Line) > 124 {
				t.Fatalf("protocol error quotes %d bytes", len(proto.Line))
			}
		default:
			t.Fatalf("unexpected error type %T", err)
		}
		var total int
		readMultiline(br, 1<<16, func(l []byte) error {
			total += len(l)
			if bytes.ContainsAny(l, "\n") {
				t.Fatalf("multiline returned a line break: %q", l)
			}
			return nil
		})
		if total > 1<<16 {
			t.Fatalf("read %d bytes past the limit", total)
		}
	})
}
