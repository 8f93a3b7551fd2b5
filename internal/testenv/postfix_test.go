package testenv

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// A message sent through Postfix's submission port (STARTTLS, AUTH checked
// by Dovecot) reaches the INBOX over LMTP; a message for another domain
// is refused for delivery instead of leaving loopback.
func TestPostfixDelivers(t *testing.T) {
	ca := NewCA(t)
	p := StartPostfix(t, ca, PostfixOptions{})
	cfg := &tls.Config{RootCAs: ca.Pool(), ServerName: PostfixHost}
	c, err := smtp.DialStartTLS(Addr(p.Submission), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(sasl.NewPlainClient("", DovecotUser, DovecotPassword)); err != nil {
		t.Fatalf("auth: %v\n%s", err, p.LogText())
	}
	msg := "From: " + DovecotUser + "\r\nTo: " + DovecotUser + "\r\nSubject: postfix\r\nMessage-ID: <postfix@example.test>\r\n\r\nhello\r\n"
	if err := c.SendMail(DovecotUser, []string{DovecotUser}, strings.NewReader(msg)); err != nil {
		t.Fatalf("send: %v\n%s", err, p.LogText())
	}
	c.Quit()

	ic, err := imapclient.DialTLS(Addr(p.Dovecot.IMAPS), &imapclient.Options{
		TLSConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: DovecotHost},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ic.Close()
	if err := ic.Login(DovecotUser, DovecotPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mb, err := ic.Select("INBOX", nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if mb.NumMessages == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("INBOX has %d messages after 10 s; want 1\npostfix:\n%s\ndovecot:\n%s", mb.NumMessages, p.LogText(), p.Dovecot.LogText())
		}
		time.Sleep(50 * time.Millisecond) // poll interval, bounded above
	}
}

// TestPostfixOptions: mechanisms restricted per listener, no AUTH before
// STARTTLS, and a sender the login does not own refused with Postfix's own
// words.
func TestPostfixOptions(t *testing.T) {
	ca := NewCA(t)
	p := StartPostfix(t, ca, PostfixOptions{
		Users:                 []string{"bob@example.test:bobs password"},
		Mechanisms:            []string{"CRAM-MD5"},
		SubmissionsMechanisms: []string{"PLAIN", "SCRAM-SHA-256"},
		SenderLogins:          map[string]string{"shared@example.test": "alice@example.test"},
		MainCF:                []string{"smtpd_banner = $myhostname ESMTP testenv"},
	})
	cfg := &tls.Config{RootCAs: ca.Pool(), ServerName: PostfixHost}
	authLine := func(ehlo string) string {
		for _, l := range strings.Split(ehlo, "\n") {
			if strings.HasPrefix(l, "250-AUTH ") || strings.HasPrefix(l, "250 AUTH ") {
				return l[len("250-"):]
			}
		}
		return ""
	}
	// MainCF lines reach main.cf: the greeting is the one set there.
	raw, err := net.DialTimeout("tcp", Addr(p.Submission), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	raw.SetDeadline(time.Now().Add(3 * time.Second)) //nolint:errcheck
	greeting := make([]byte, 100)
	n, _ := raw.Read(greeting)
	raw.Close()
	if got := string(greeting[:n]); got != "220 "+PostfixHost+" ESMTP testenv\r\n" {
		t.Errorf("greeting %q; want the smtpd_banner from MainCF", got)
	}
	ehlo, err := smtpEHLO(Addr(p.Submission), cfg, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := authLine(ehlo); got != "AUTH CRAM-MD5" {
		t.Errorf("submission after STARTTLS offers %q; want AUTH CRAM-MD5", got)
	}
	ehlo, err = smtpEHLO(Addr(p.Submissions), cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := authLine(ehlo); got != "AUTH PLAIN SCRAM-SHA-256" {
		t.Errorf("submissions offers %q; want AUTH PLAIN SCRAM-SHA-256", got)
	}
	// Before STARTTLS: no AUTH at all.
	c, err := smtp.Dial(Addr(p.Submission))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Hello("client.example.test"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Extension("AUTH"); ok {
		t.Error("submission offers AUTH before STARTTLS")
	}
	c.Close()

	// CRAM-MD5 through Dovecot's auth works on 587.
	c, err = smtp.DialStartTLS(Addr(p.Submission), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(cramMD5{DovecotUser, DovecotPassword}); err != nil {
		t.Fatalf("CRAM-MD5: %v\n%s", err, p.LogText())
	}
	c.Close()

	c, err = smtp.DialTLS(Addr(p.Submissions), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Auth(sasl.NewPlainClient("", "bob@example.test", "bobs password")); err != nil {
		t.Fatalf("auth: %v\n%s", err, p.LogText())
	}
	err = c.SendMail("shared@example.test", []string{DovecotUser}, strings.NewReader("Subject: x\r\n\r\nx\r\n"))
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 553 || !strings.Contains(se.Message, "not owned by user bob@example.test") {
		t.Errorf("bob sending as shared@example.test: %v; want 553 ... not owned by user bob@example.test", err)
	}
	if err := c.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := c.SendMail("bob@example.test", []string{DovecotUser}, strings.NewReader("Subject: x\r\n\r\nx\r\n")); err != nil {
		t.Errorf("bob sending as himself: %v", err)
	}
	// Nothing leaves loopback: another domain is refused at RCPT.
	err = c.SendMail("bob@example.test", []string{"someone@elsewhere.example"}, strings.NewReader("Subject: x\r\n\r\nx\r\n"))
	if !errors.As(err, &se) || se.Code != 550 || !strings.Contains(se.Message, "delivers only to example.test") {
		t.Errorf("mail for another domain: %v; want 550 ... delivers only to example.test", err)
	}
}

// TestPostfixStops: after the test's cleanup no Postfix process is left
// and the ports are closed; another Postfix running meanwhile keeps
// running.
func TestPostfixStops(t *testing.T) {
	ca := NewCA(t)
	other := StartPostfix(t, ca, PostfixOptions{})
	var p *Postfix
	t.Run("run", func(t *testing.T) {
		p = StartPostfix(t, ca, PostfixOptions{})
		if len(ProcessesIn(p.Dir)) == 0 {
			t.Fatal("no process found working in postfix's directory while it runs: the check below could not fail")
		}
	})
	if p == nil {
		return // skipped
	}
	if left := ProcessesIn(p.Dir); len(left) > 0 {
		t.Errorf("processes %v still run in %s", left, p.Dir)
	}
	for _, port := range []int{p.Submission, p.Submissions} {
		if c, err := net.DialTimeout("tcp", Addr(port), time.Second); err == nil {
			c.Close()
			t.Errorf("port %d still accepts connections", port)
		}
	}
	if err := other.offersAuth(ca); err != nil {
		t.Errorf("the other Postfix stopped with this one: %v", err)
	}
}

// cramMD5 is an RFC 2195 client for this test: go-sasl has none.
type cramMD5 struct{ user, pass string }

func (c cramMD5) Start() (string, []byte, error) { return "CRAM-MD5", nil, nil }

func (c cramMD5) Next(challenge []byte) ([]byte, error) {
	m := hmac.New(md5.New, []byte(c.pass))
	m.Write(challenge)
	return []byte(c.user + " " + hex.EncodeToString(m.Sum(nil))), nil
}
