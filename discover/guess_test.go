package discover

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
)

// converseWith plays server bytes to converse over a real loopback TCP
// connection: the server writes them, half-closes, and swallows commands.
func converseWith(t testing.TB, proto account.Protocol, askCaps bool, server []byte) (bool, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write(server)
		c.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, c)
	}()
	client, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	client.SetDeadline(time.Now().Add(5 * time.Second))
	c := &lineConn{r: bufio.NewReaderSize(client, maxLine), w: client}
	return c.converse(proto, askCaps)
}

func TestConverse(t *testing.T) {
	tests := []struct {
		name     string
		proto    account.Protocol
		server   string
		starttls bool
		ok       bool
	}{
		{"imap caps in greeting", account.IMAP, "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n", true, true},
		{"imap caps asked", account.IMAP, "* OK hi\r\n* CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK done\r\n", true, true},
		{"imap no starttls", account.IMAP, "* OK hi\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na1 OK done\r\n", false, true},
		{"imap word inside another", account.IMAP, "* OK hi\r\n* CAPABILITY IMAP4rev1 XSTARTTLSX\r\na1 OK done\r\n", false, true},
		{"imap bye", account.IMAP, "* BYE go away\r\n", false, false},
		{"pop stls", account.POP3, "+OK hi\r\n+OK caps\r\nUSER\r\nSTLS\r\n.\r\n", true, true},
		{"pop no capa", account.POP3, "+OK hi\r\n-ERR what\r\n", false, true},
		{"pop not pop", account.POP3, "220 smtp here\r\n", false, false},
		{"smtp starttls", account.SMTP, "220-a\r\n220 b\r\n250-x.example\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n", true, true},
		{"smtp no starttls", account.SMTP, "220 a\r\n250-x.example\r\n250 AUTH PLAIN\r\n", false, true},
		{"smtp busy", account.SMTP, "554 no service\r\n", false, false},
		{"smtp malformed", account.SMTP, "220xbad\r\n", false, false},
		{"cut off", account.IMAP, "* OK hi\r\n* CAPABILITY IMAP4rev1", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			starttls, err := converseWith(t, tt.proto, true, []byte(tt.server))
			if (err == nil) != tt.ok || starttls != tt.starttls {
				t.Errorf("starttls %v err %v; want starttls %v ok %v", starttls, err, tt.starttls, tt.ok)
			}
		})
	}
}

// FuzzConverse: whatever a guessed server sends, reading it ends (bounded
// lines, bounded length) without a panic.
func FuzzConverse(f *testing.F) {
	for _, s := range []string{
		"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n",
		"* OK hi\r\n* CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK done\r\n",
		"+OK hi\r\n+OK caps\r\nUSER\r\nSTLS\r\n.\r\n",
		"220-a\r\n220 b\r\n250-x\r\n250-STARTTLS\r\n250 OK\r\n",
	} {
		for p := range 3 {
			f.Add(uint8(p), true, []byte(s))
		}
	}
	protos := []account.Protocol{account.IMAP, account.POP3, account.SMTP}
	f.Fuzz(func(t *testing.T, p uint8, askCaps bool, server []byte) {
		starttls, err := converseWith(t, protos[int(p)%3], askCaps, server)
		if err != nil && starttls {
			t.Fatal("STARTTLS reported along with an error")
		}
	})
}
