package probe

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

// TestJunkMailbox: the spam folder is found in the shapes real servers
// list it: marked \Junk (Gmail's "[Gmail]/Spam", Mail.ru's "Спам" in
// modified UTF-7), else by name under the server's delimiter (Cyrus's
// "INBOX.Spam"); a \Noselect one or a refused LIST gives none.
func TestJunkMailbox(t *testing.T) {
	for _, c := range []struct {
		name, caps string
		list       []string
		done       string
		want       string
	}{
		{"gmail", "IMAP4rev1 SPECIAL-USE", []string{
			`* LIST (\HasNoChildren) "/" "INBOX"`,
			`* LIST (\HasChildren \Noselect) "/" "[Gmail]"`,
			`* LIST (\HasNoChildren \Junk) "/" "[Gmail]/Spam"`,
		}, "OK LIST done", "[Gmail]/Spam"},
		{"mail.ru", "IMAP4rev1 SPECIAL-USE", []string{
			`* LIST (\HasNoChildren) "/" "INBOX"`,
			`* LIST (\HasNoChildren \Junk) "/" "&BCEEPwQwBDw-"`,
		}, "OK LIST done", "Спам"},
		{"cyrus without special-use", "IMAP4rev1", []string{
			`* LIST (\HasChildren) "." "INBOX"`,
			`* LIST (\HasNoChildren) "." "INBOX.Spam"`,
		}, "OK LIST done", "INBOX.Spam"},
		{"noselect", "IMAP4rev1", []string{`* LIST (\Noselect) "/" "Junk"`}, "OK LIST done", ""},
		{"refused", "IMAP4rev1", nil, "NO LIST not allowed", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			client, server := net.Pipe()
			defer client.Close()
			go func() {
				defer server.Close()
				server.SetDeadline(time.Now().Add(5 * time.Second)) //nolint:errcheck
				w := bufio.NewWriter(server)
				w.WriteString("* OK [CAPABILITY " + c.caps + "] ready\r\n") //nolint:errcheck
				w.Flush()                                                   //nolint:errcheck
				r := bufio.NewReader(server)
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				tag, _, _ := strings.Cut(line, " ")
				for _, l := range c.list {
					w.WriteString(l + "\r\n") //nolint:errcheck
				}
				w.WriteString(tag + " " + c.done + "\r\n") //nolint:errcheck
				w.Flush()                                  //nolint:errcheck
				r.ReadString('\n')                         //nolint:errcheck // until the client goes
			}()
			ic := imapclient.New(client, nil)
			defer ic.Close()
			if got := junkMailbox(ic); got != c.want {
				t.Errorf("junk mailbox %q; want %q", got, c.want)
			}
		})
	}
}
