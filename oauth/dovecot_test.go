package oauth

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// login authenticates to one of Dovecot's implicit-TLS services with a
// token and returns the server's refusal text (nil error on success).
type login func(t *testing.T, d *testenv.Dovecot, tlsConf *tls.Config, c *SASLClient) (serverText string, err error)

func imapLogin(t *testing.T, d *testenv.Dovecot, tlsConf *tls.Config, c *SASLClient) (string, error) {
	ic, err := imapclient.DialTLS(testenv.Addr(d.IMAPS), &imapclient.Options{TLSConfig: tlsConf})
	if err != nil {
		t.Fatal(err)
	}
	defer ic.Close()
	err = ic.Authenticate(c)
	var ie *imap.Error
	if errors.As(err, &ie) {
		return ie.Text, err
	}
	return "", err
}

func smtpLogin(t *testing.T, d *testenv.Dovecot, tlsConf *tls.Config, c *SASLClient) (string, error) {
	sc, err := smtp.DialTLS(testenv.Addr(d.Submissions), tlsConf)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	if err := sc.Hello("mailwiz.test"); err != nil {
		t.Fatal(err)
	}
	err = sc.Auth(c)
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Message, err
	}
	return "", err
}

// pop3Login speaks RFC 5034's AUTH by hand: the probe's POP3 client is
// another package's.
func pop3Login(t *testing.T, d *testenv.Dovecot, tlsConf *tls.Config, c *SASLClient) (string, error) {
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", testenv.Addr(d.POP3S), tlsConf)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second)) //nolint:errcheck
	r := bufio.NewReader(conn)
	line := func() string {
		s, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimRight(s, "\r\n")
	}
	line() // greeting
	mech, ir, _ := c.Start()
	conn.Write([]byte("AUTH " + mech + " " + base64.StdEncoding.EncodeToString(ir) + "\r\n")) //nolint:errcheck
	for {
		l := line()
		switch {
		case strings.HasPrefix(l, "+OK"):
			return "", nil
		case strings.HasPrefix(l, "-ERR"):
			return strings.TrimSpace(strings.TrimPrefix(l, "-ERR")), errors.New(l)
		case strings.HasPrefix(l, "+ "):
			ch, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(l, "+ "))
			if err != nil {
				t.Fatalf("challenge %q: %v", l, err)
			}
			resp, err := c.Next(ch)
			if err != nil {
				t.Fatal(err)
			}
			conn.Write([]byte(base64.StdEncoding.EncodeToString(resp) + "\r\n")) //nolint:errcheck
		default:
			t.Fatalf("POP3 server said %q", l)
		}
	}
}

// TestDovecot signs in through the code flow (an HTTP client playing the
// browser), then logs in to a real Dovecot that checks the token by
// introspection at the test server: IMAP, POP3 and Submission, XOAUTH2 and
// OAUTHBEARER. Revoked and expired tokens are refused, and the refusal is
// explained as such.
func TestDovecot(t *testing.T) {
	e := newEnv(t)
	d := testenv.StartDovecotOAuth2(t, e.ca, e.as)
	tlsConf := &tls.Config{RootCAs: e.ca.Pool(), ServerName: testenv.DovecotHost}
	tok, err := e.flow().SignIn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	logins := map[string]login{"IMAP": imapLogin, "POP3": pop3Login, "Submission": smtpLogin}
	for _, name := range []string{"IMAP", "POP3", "Submission"} {
		for _, mech := range []string{XOAUTH2, OAUTHBEARER} {
			c, err := NewSASL(mech, testenv.DovecotUser, tok.AccessToken, testenv.DovecotHost, 993)
			if err != nil {
				t.Fatal(err)
			}
			if text, err := logins[name](t, d, tlsConf, c); err != nil {
				t.Errorf("%s %s with a fresh token: %v (%s)\nlog:\n%s", name, mech, err, text, d.LogText())
			}
		}
	}
	if n := e.as.Requests("/introspect"); n < 6 {
		t.Errorf("Dovecot introspected %d times for 6 logins", n)
	}

	// Another user's token does not open this mailbox.
	c, _ := NewSASL(XOAUTH2, "bob@example.test", tok.AccessToken, "", 0)
	if _, err := imapLogin(t, d, tlsConf, c); err == nil {
		t.Error("alice's token logged bob in")
	}

	// Revoked: refused with the mechanism's challenge, explained as revoked.
	e.as.RevokeAll()
	for _, name := range []string{"IMAP", "POP3", "Submission"} {
		for _, mech := range []string{XOAUTH2, OAUTHBEARER} {
			c, _ := NewSASL(mech, testenv.DovecotUser, tok.AccessToken, testenv.DovecotHost, 993)
			text, err := logins[name](t, d, tlsConf, c)
			if err == nil {
				t.Errorf("%s %s with a revoked token succeeded", name, mech)
				continue
			}
			ch, ok := c.Challenge()
			if !ok {
				t.Errorf("%s %s: no error challenge before the refusal %q", name, mech, text)
			}
			want := "401"
			if mech == OAUTHBEARER {
				want = "invalid_token"
			}
			if ch.Status != want {
				t.Errorf("%s %s: challenge status %q, want %q", name, mech, ch.Status, want)
			}
			p := c.Problem("Test Mail", text, tok.Expiry)
			e.noteErr(p)
			if p == nil || p.Kind != KindRevoked {
				t.Errorf("%s %s: problem %v, want revoked", name, mech, p)
			}
		}
	}

	// Expired: the token's own expiry has passed.
	e.as.Set(testenv.AuthBehaviour{TokenPrefix: canary, AccessTTL: time.Second})
	tok, err = e.flow().SignIn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	c, _ = NewSASL(XOAUTH2, testenv.DovecotUser, tok.AccessToken, "", 0)
	text, err := imapLogin(t, d, tlsConf, c)
	if err == nil {
		t.Fatal("an expired token logged in")
	}
	p := c.Problem("Test Mail", text, tok.Expiry)
	e.noteErr(p)
	e.noteErr(err)
	if p == nil || p.Kind != KindExpired {
		t.Fatalf("problem %v, want expired", p)
	}
	// Dovecot's log holds no token.
	for _, issued := range e.as.Issued() {
		if strings.Contains(d.LogText(), issued) {
			t.Errorf("Dovecot logged a token")
			break
		}
	}
}
