package probe

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
)

// TestSTARTTLSInjection: a reply to STARTTLS with more behind it in the same
// plaintext packet (what a man in the middle injects, CVE-2011-0411) ends
// the test before the handshake, for IMAP and SMTP alike.
func TestSTARTTLSInjection(t *testing.T) {
	for _, tc := range []struct {
		proto    account.Protocol
		greeting string
		answers  map[string]string // command prefix -> reply
	}{
		{account.IMAP, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi",
			map[string]string{"m2 STARTTLS": "m2 OK go\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected"}},
		{account.SMTP, "220 hi",
			map[string]string{"EHLO": "250-hi\r\n250 STARTTLS", "STARTTLS": "220 go\r\n250 injected"}},
	} {
		t.Run(string(tc.proto), func(t *testing.T) {
			port := scriptedPlain(t, tc.greeting, tc.answers)
			srv := account.Server{Protocol: tc.proto, Host: "127.0.0.1", Port: port, Security: account.STARTTLS, Username: "u"}
			rep := Run(context.Background(), Request{Servers: []account.Server{srv}, Password: "canary-pw", Timeout: 5 * time.Second})
			r := rep.Results[0]
			if r.OK || r.Stage != StageSTARTTLS || !strings.Contains(r.Error, "sent data after STARTTLS before the TLS handshake") {
				t.Errorf("ok=%v stage=%s error=%q; want a refusal of the injected data at starttls", r.OK, r.Stage, r.Error)
			}
		})
	}
}

// scriptedPlain serves one plaintext conversation per connection: the
// greeting, then for each line the reply of the first matching prefix.
func scriptedPlain(t *testing.T, greeting string, answers map[string]string) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second)) //nolint:errcheck
		br := bufio.NewReader(c)
		c.Write([]byte(greeting + "\r\n")) //nolint:errcheck
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			for prefix, reply := range answers {
				if strings.HasPrefix(line, prefix) {
					c.Write([]byte(reply + "\r\n")) //nolint:errcheck
				}
			}
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}
