package testenv

import (
	"crypto/tls"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// A message sent through Submission must reach the INBOX: the relay hands it
// to dovecot-lda.
func TestDovecotDelivers(t *testing.T) {
	ca := NewCA(t)
	d := StartDovecot(t, ca)
	cfg := &tls.Config{RootCAs: ca.Pool(), ServerName: DovecotHost}
	c, err := smtp.DialTLS(Addr(d.Submissions), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(sasl.NewPlainClient("", DovecotUser, DovecotPassword)); err != nil {
		t.Fatalf("auth: %v\n%s", err, d.LogText())
	}
	msg := "From: " + DovecotUser + "\r\nTo: " + DovecotUser + "\r\nSubject: harness\r\nMessage-ID: <harness@example.test>\r\n\r\nhello\r\n"
	if err := c.SendMail(DovecotUser, []string{DovecotUser}, strings.NewReader(msg)); err != nil {
		t.Fatalf("send: %v\n%s", err, d.LogText())
	}
	c.Quit()
	if m := d.Relay.Messages(); len(m) != 1 || m[0].Err != nil {
		t.Fatalf("relay saw %+v; want one delivered message", m)
	}
	ic, err := imapclient.DialTLS(Addr(d.IMAPS), &imapclient.Options{TLSConfig: cfg})
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
			t.Fatalf("INBOX has %d messages after 10 s; want 1\n%s", mb.NumMessages, d.LogText())
		}
		time.Sleep(50 * time.Millisecond) // poll interval, bounded above
	}
}

// TestDovecotPortTaken: a port taken between choosing it and Dovecot
// binding it (another test, another process) costs a retry, not the test.
func TestDovecotPortTaken(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	taken := held.Addr().(*net.TCPAddr).Port
	calls := 0
	pickPorts = func(t testing.TB, n int) []int {
		calls++
		ports := freePorts(t, n)
		if calls == 1 {
			ports[2] = taken // POP3
		}
		return ports
	}
	defer func() { pickPorts = freePorts }()
	d := StartDovecot(t, NewCA(t))
	if calls != 2 || d.POP3 == taken {
		t.Errorf("ports chosen %d times, POP3 on %d (taken: %d); want a second choice", calls, d.POP3, taken)
	}
}

// TestDovecotNoPenalty: wrong passwords, which the tests send on purpose,
// earn 127.0.0.1 no authentication penalty. With one, Dovecot held each
// later failure for 4 s, close to the tests' 5 s stage timeouts.
func TestDovecotNoPenalty(t *testing.T) {
	doveadm := RequireCommand(t, "doveadm", "dovecot-core")
	ca := NewCA(t)
	d := StartDovecot(t, ca)
	cfg := &tls.Config{RootCAs: ca.Pool(), ServerName: DovecotHost}
	for range 2 {
		ic, err := imapclient.DialTLS(Addr(d.IMAPS), &imapclient.Options{TLSConfig: cfg})
		if err != nil {
			t.Fatal(err)
		}
		if err := ic.Login(DovecotUser, "wrong").Wait(); err == nil {
			t.Fatal("a wrong password logged in")
		}
		ic.Close()
	}
	out, err := exec.Command(doveadm, "-c", d.conf, "penalty").CombinedOutput()
	if err != nil {
		t.Fatalf("doveadm penalty: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "127.0.0.1") {
		t.Errorf("Dovecot keeps an authentication penalty for 127.0.0.1:\n%s", out)
	}
}
