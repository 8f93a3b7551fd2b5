package probe

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// TestServerEchoesEncodedPassword: a server that echoes what the client
// sent, in the encodings SASL uses, gets none of them into any text Run
// hands out (Result.Error, Result.Err, every Event's error, the
// diagnosis), nor the JSON view.
func TestServerEchoesEncodedPassword(t *testing.T) {
	const user, canary = "ann@example.test", "Canary-Pw-7f3e9!"
	plain := base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + canary))
	plainAuthz := base64.StdEncoding.EncodeToString([]byte(user + "\x00" + user + "\x00" + canary))
	forms := []string{
		plain, plainAuthz,
		base64.StdEncoding.EncodeToString([]byte(canary)),                                                       // LOGIN's password
		base64.RawURLEncoding.EncodeToString([]byte("user=" + user + "\x01auth=Bearer " + canary + "\x01\x01")), // XOAUTH2
		hex.EncodeToString([]byte(canary)),
		"user%3A" + strings.ReplaceAll(canary, "!", "%21"),
		plain[:len(plain)-6], // a blob cut short
	}
	ca := testenv.NewCA(t)
	leaf := ca.Issue(t, "127.0.0.1")
	for _, form := range forms {
		var servers []account.Server
		for _, s := range []struct {
			proto account.Protocol
			login string
		}{
			{account.IMAP, "NO [AUTHENTICATIONFAILED] you sent " + form},
			{account.POP3, "-ERR [AUTH] you sent " + form},
			{account.SMTP, "535 5.7.8 you sent " + form},
		} {
			port := testenv.StartScripted(t, testenv.Scripted{Protocol: string(s.proto), TLS: leaf, Login: []string{s.login}})
			servers = append(servers, account.Server{Protocol: s.proto, Host: "127.0.0.1", Port: port, Security: account.SSL, Username: user})
		}
		var mu sync.Mutex
		var texts []string
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		rep := Run(ctx, Request{Servers: servers, Password: canary, RootCAs: ca.Pool(), Timeout: 5 * time.Second,
			Events: func(e Event) {
				if e.Err != nil {
					mu.Lock()
					texts = append(texts, e.Err.Error())
					mu.Unlock()
				}
			}})
		cancel()
		for _, r := range rep.Results {
			if r.OK || r.Err == nil {
				t.Fatalf("%s: ok=%v err=%v; want a refused login", r.Server, r.OK, r.Err)
			}
			texts = append(texts, r.Error, r.Err.Error())
			if r.Diagnosis != nil {
				for _, s := range r.Diagnosis.Text {
					texts = append(texts, s)
				}
			}
		}
		v := rep.View("en")
		for _, r := range v.Results {
			texts = append(texts, r.Error)
		}
		for _, s := range texts {
			for _, leaked := range []string{canary, form} {
				if strings.Contains(s, leaked) {
					t.Errorf("form %q: %q reached an error text: %q", form, leaked, s)
				}
			}
		}
	}
}

// TestServerWordsEscaped: escape sequences, a bell, a bidi override and
// invalid UTF-8 in a refusal reach Result.Error only as visible escapes.
func TestServerWordsEscaped(t *testing.T) {
	ca := testenv.NewCA(t)
	leaf := ca.Issue(t, "127.0.0.1")
	const hostile = "wrong \x1b[2J\x1b]0;pwned\x07 \u202egnp.exe \xff"
	var servers []account.Server
	for _, s := range []struct {
		proto account.Protocol
		login string
	}{
		{account.IMAP, "NO [AUTHENTICATIONFAILED] " + hostile},
		{account.POP3, "-ERR [AUTH] " + hostile},
		{account.SMTP, "535 5.7.8 " + hostile},
	} {
		port := testenv.StartScripted(t, testenv.Scripted{Protocol: string(s.proto), TLS: leaf, Login: []string{s.login}})
		servers = append(servers, account.Server{Protocol: s.proto, Host: "127.0.0.1", Port: port, Security: account.SSL, Username: "u"})
	}
	rep := Run(context.Background(), Request{Servers: servers, Password: "pw-secret", RootCAs: ca.Pool(), Timeout: 5 * time.Second})
	for _, r := range rep.Results {
		if !strings.Contains(r.Error, `\x1b[2J`) {
			t.Errorf("%s: %q does not show the escape sequence as text", r.Server, r.Error)
		}
		for _, c := range r.Error {
			if c == 0x1b || c == 0x07 || c == 0x202e || c == 0xfffd {
				t.Errorf("%s: %U reached Result.Error: %q", r.Server, c, r.Error)
			}
		}
	}
}

// endless serves a greeting that never ends: the protocol's greeting
// start, then 'A' for ever (until the client goes); with lines, short
// continuation lines for ever instead (a multi-line reply without end).
func endless(t *testing.T, proto account.Protocol, cfg *tls.Config, lines bool) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if cfg != nil {
					tc := tls.Server(c, cfg)
					if tc.Handshake() != nil {
						return
					}
					c = tc
				}
				start := map[account.Protocol]string{account.IMAP: "* OK ", account.POP3: "+OK ", account.SMTP: "220-"}[proto]
				chunk := []byte(strings.Repeat("A", 32<<10))
				if lines {
					line := map[account.Protocol]string{account.IMAP: "* OK AAAA\r\n", account.POP3: "+OK AAAA\r\n", account.SMTP: "220-AAAA\r\n"}[proto]
					chunk = []byte(strings.Repeat(line, 4<<10))
				}
				c.SetDeadline(time.Now().Add(20 * time.Second))
				if _, err := c.Write([]byte(start)); err != nil {
					return
				}
				for {
					if _, err := c.Write(chunk); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestEndlessGreeting: a greeting that never ends, over TLS with a valid
// certificate and without, fails the greeting stage as server-misbehaving
// as soon as the limit is reached, long before the stage's timeout, and
// memory stays bounded.
func TestEndlessGreeting(t *testing.T) {
	ca := testenv.NewCA(t)
	leaf := ca.Issue(t, "127.0.0.1")
	for _, tc := range []struct {
		proto account.Protocol
		lines bool
	}{{account.IMAP, false}, {account.POP3, false}, {account.SMTP, false}, {account.IMAP, true}, {account.SMTP, true}} {
		proto := tc.proto
		for _, sec := range []account.Security{account.SSL, account.None} {
			t.Run(fmt.Sprintf("%s/%s/lines=%v", proto, sec, tc.lines), func(t *testing.T) {
				var cfg *tls.Config
				if sec == account.SSL {
					cfg = leaf.ServerTLS()
				}
				port := endless(t, proto, cfg, tc.lines)
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				start := time.Now()
				rep := Run(context.Background(), Request{Servers: []account.Server{{Protocol: proto, Host: "127.0.0.1", Port: port, Security: sec, Username: "u"}},
					Password: "pw-secret", AllowPlaintext: true, RootCAs: ca.Pool(), Timeout: 15 * time.Second})
				took := time.Since(start)
				runtime.ReadMemStats(&after)
				r := rep.Results[0]
				grew := int64(after.TotalAlloc - before.TotalAlloc)
				t.Logf("%s %s: failed at %s after %v; allocated %.1f MiB in all, heap in use %.1f MiB", proto, sec, r.Stage, took.Round(time.Millisecond),
					float64(grew)/(1<<20), float64(after.HeapInuse)/(1<<20))
				if r.OK || r.Diagnosis == nil || r.Diagnosis.Kind != KindServerMisbehaving {
					t.Fatalf("ok=%v diagnosis=%+v err=%v; want server-misbehaving", r.OK, r.Diagnosis, r.Err)
				}
				if !errors.As(r.Err, new(*MisbehavingError)) {
					t.Errorf("Result.Err %v does not match *MisbehavingError", r.Err)
				}
				if took > 10*time.Second {
					t.Errorf("the stage ran %v; the limit should end it long before the 15 s timeout", took)
				}
				if grew > 64<<20 {
					t.Errorf("%d MiB allocated for one endless greeting; the bound is %d KiB", grew>>20, MaxBeforeLogin>>10)
				}
				if r.Diagnosis.In("ru") == r.Diagnosis.In("en") || r.Diagnosis.In("ru") == "" {
					t.Errorf("no Russian text: %+v", r.Diagnosis.Text)
				}
			})
		}
	}
}

// TestTLSTooOld: a server that offers only TLS 1.0/1.1 is refused and
// diagnosed tls-too-old, not "try again later".
func TestTLSTooOld(t *testing.T) {
	ca := testenv.NewCA(t)
	leaf := ca.Issue(t, "127.0.0.1")
	cfg := leaf.ServerTLS()
	cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.Write([]byte("* OK ready\r\n"))
				c.Read(make([]byte, 1))
			}()
		}
	}()
	rep := Run(context.Background(), Request{Servers: []account.Server{{Protocol: account.IMAP, Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, Security: account.SSL, Username: "u"}},
		Password: "pw-secret", RootCAs: ca.Pool(), Timeout: 5 * time.Second})
	r := rep.Results[0]
	if r.OK || r.Diagnosis == nil || r.Diagnosis.Kind != KindTLSTooOld || r.Stage != StageTLS {
		t.Fatalf("stage %s, diagnosis %+v, err %v; want tls-too-old at the tls stage", r.Stage, r.Diagnosis, r.Err)
	}
}
