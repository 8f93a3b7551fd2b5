package testenv

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

// TestCyrus: a started Cyrus greets on all four ports, logs the users in
// over IMAPS and POP3S, refuses a wrong password, offers the mechanisms
// asked for, and leaves no process behind; another Cyrus running meanwhile
// keeps running.
func TestCyrus(t *testing.T) {
	ca := NewCA(t)
	other := StartCyrus(t, ca, CyrusOptions{})
	var c *Cyrus
	t.Run("run", func(t *testing.T) {
		c = StartCyrus(t, ca, CyrusOptions{
			Users:      []string{"bob@example.test:bobs password"},
			Mechanisms: []string{"PLAIN", "CRAM-MD5"},
		})
		if len(ProcessesIn(c.Dir)) == 0 {
			t.Fatal("no process found for cyrus while it runs: the check after the stop could not fail")
		}
		cfg := &tls.Config{RootCAs: ca.Pool(), ServerName: CyrusHost}
		ic, err := imapclient.DialTLS(Addr(c.IMAPS), &imapclient.Options{TLSConfig: cfg})
		if err != nil {
			t.Fatal(err)
		}
		defer ic.Close()
		caps := ic.Caps()
		if !caps.Has("AUTH=PLAIN") || !caps.Has("AUTH=CRAM-MD5") || caps.Has("AUTH=LOGIN") {
			t.Errorf("IMAPS capabilities %v; want AUTH=PLAIN and AUTH=CRAM-MD5 only", caps)
		}
		if err := ic.Login("bob@example.test", "wrong").Wait(); err == nil {
			t.Error("a wrong password logged in")
		}
		if err := ic.Login("bob@example.test", "bobs password").Wait(); err != nil {
			t.Errorf("bob: %v", err)
		}

		conn, err := tls.Dial("tcp", Addr(c.POP3S), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(5 * time.Second)) //nolint:errcheck
		r := bufio.NewReader(conn)
		say := func(cmd string) string {
			if cmd != "" {
				conn.Write([]byte(cmd + "\r\n")) //nolint:errcheck
			}
			l, _ := r.ReadString('\n')
			return strings.TrimSpace(l)
		}
		if g := say(""); !strings.Contains(g, "Cyrus POP3") {
			t.Errorf("POP3S greeting %q", g)
		}
		say("USER " + DovecotUser)
		if got := say("PASS " + DovecotPassword); !strings.HasPrefix(got, "+OK") {
			t.Errorf("POP3S login: %q", got)
		}
	})
	if c == nil {
		return
	}
	if left := ProcessesIn(c.Dir); len(left) > 0 {
		t.Errorf("processes %v still run for %s", left, c.Dir)
	}
	for _, port := range []int{c.IMAP, c.IMAPS, c.POP3, c.POP3S, c.LMTP} {
		if conn, err := net.DialTimeout("tcp", Addr(port), time.Second); err == nil {
			conn.Close()
			t.Errorf("port %d still accepts connections", port)
		}
	}
	// A master shutting down signals its process group: each Cyrus has
	// its own, or this one would have gone too.
	conn, err := net.DialTimeout("tcp", Addr(other.IMAP), time.Second)
	if err != nil {
		t.Fatalf("the other Cyrus stopped with this one: %v", err)
	}
	conn.Close()
}
