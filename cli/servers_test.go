package cli_test

import (
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/cli"
)

func TestParseServerURL(t *testing.T) {
	pw := account.AuthPassword
	tests := []struct {
		in   string
		want account.Server
		err  string // in the error; "" for success
	}{
		{in: "imap://imap.example.com:993?security=ssl", want: account.Server{Protocol: account.IMAP, Host: "imap.example.com", Port: 993, Security: account.SSL, Auth: pw}},
		{in: "  IMAP://imap.example.com  ", want: account.Server{Protocol: account.IMAP, Host: "imap.example.com", Port: 993, Security: account.SSL, Auth: pw}},
		{in: "pop3://pop.example.com?security=STARTTLS", want: account.Server{Protocol: account.POP3, Host: "pop.example.com", Port: 110, Security: account.STARTTLS, Auth: pw}},
		{in: "smtp://smtp.example.com?security=starttls", want: account.Server{Protocol: account.SMTP, Host: "smtp.example.com", Port: 587, Security: account.STARTTLS, Auth: pw}},
		{in: "smtp://bob@smtp.example.com:2525/", want: account.Server{Protocol: account.SMTP, Host: "smtp.example.com", Port: 2525, Security: account.SSL, Username: "bob", Auth: pw}},
		{in: "imap://[::1]:1143?security=none", want: account.Server{Protocol: account.IMAP, Host: "::1", Port: 1143, Security: account.None, Auth: pw}},
		{in: "imap://outlook.office365.com?security=ssl&auth=oauth2", want: account.Server{Protocol: account.IMAP, Host: "outlook.office365.com", Port: 993, Security: account.SSL, Auth: account.AuthOAuth2}},
		{in: "smtp://smtp.example.com?auth=PASSWORD", want: account.Server{Protocol: account.SMTP, Host: "smtp.example.com", Port: 465, Security: account.SSL, Auth: pw}},
		{in: "imap://x.example?auth=ntlm", err: `auth "ntlm" is not password or oauth2`},
		{in: "imap://x.example?auth=oauth2&auth=password", err: "auth is given 2 times"},
		{in: "imap.example.com", err: "not a URL like"},
		{in: "ftp://x.example", err: `protocol "ftp"`},
		{in: "imap://x.example?security=tls", err: `security "tls"`},
		{in: "imap://x.example:0", err: "1 to 65535"},
		{in: "imap://x.example:99999", err: "1 to 65535"},
		{in: "imap://my host.example", err: "not a URL like"},
		{in: "imap://x.example?securty=none", err: `unknown parameter "securty"`},
		{in: "imap://x.example?security=ssl&security=none", err: "given 2 times"},
		{in: "imap://x.example/INBOX", err: `the path "/INBOX"`},
		{in: "imap://bob:hunter2@x.example", err: "holds a password"},
		// The password never reaches the message, whatever else is wrong.
		{in: "ftp://bob:hunter2@x.example", err: "holds a password"},
		{in: "imap://bob:hunter2@x.example?securty=none", err: "holds a password"},
		{in: "imap://bob:hunter2@x.example:99999", err: "holds a password"},
		{in: "imap://bob:hunter2 @x.example", err: "not a URL like"},
		{in: "imap://bob:hunter2@x y.example", err: "not a URL like"},
	}
	for _, tt := range tests {
		got, err := cli.ParseServerURL(tt.in)
		if tt.err == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseServerURL(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParseServerURL(%q) error %v; want one saying %q", tt.in, err, tt.err)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseServerURL(%q): the error shows the password: %v", tt.in, err)
		}
	}
}
