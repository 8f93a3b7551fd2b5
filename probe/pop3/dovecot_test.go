package pop3

import (
	"context"
	"crypto/tls"
	"errors"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// The same client against a real Dovecot: implicit TLS, STLS, USER/PASS,
// AUTH PLAIN, and Dovecot's RFC 3206 codes.
func TestDovecot(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	opts := &Options{TLSConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: testenv.DovecotHost}}
	// One bound on the whole conversation: two connections, four logins,
	// each a process Dovecot starts. A bound on a hang, not a speed goal:
	// the scripted tests' 5 s failed here 3 runs in 6 on a loaded machine
	// (Dovecot's auth penalty, since removed, took 4 s of it).
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	c, err := DialTLS(ctx, testenv.Addr(d.POP3S), opts)
	if err != nil {
		t.Fatal(err)
	}
	caps, err := c.Capabilities(ctx)
	if err != nil || !caps.Has("USER") || !caps.Has("RESP-CODES") {
		t.Fatalf("CAPA = %v, %v; want USER and RESP-CODES", caps, err)
	}
	if err := c.Login(ctx, testenv.DovecotUser, testenv.DovecotPassword); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Stat(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(ctx); err != nil {
		t.Fatal(err)
	}

	c, err = DialStartTLS(ctx, testenv.Addr(d.POP3), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.IsTLS() {
		t.Fatal("not encrypted after STLS")
	}
	err = c.Authenticate(ctx, sasl.NewPlainClient("", testenv.DovecotUser, "wrong"))
	var perr *Error
	if !errors.As(err, &perr) || perr.Code != CodeAuth {
		t.Fatalf("AUTH with a wrong password = %v; want -ERR [AUTH]", err)
	}
	if err := c.Authenticate(ctx, sasl.NewPlainClient("", testenv.DovecotUser, testenv.DovecotPassword)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.List(ctx); err != nil {
		t.Fatal(err)
	}
}
