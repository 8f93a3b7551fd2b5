package wizard

import (
	"errors"
	"testing"

	"github.com/mailwiz/mailwiz/account"
)

// FuzzCheckServer: any server as typed is accepted or refused with a
// ServerError naming a field; never a panic.
func FuzzCheckServer(f *testing.F) {
	f.Add("imap.example.com", 993, "ssl", "alice@example.com", "password")
	f.Add("[::1]", 143, "starttls", "", "none")
	f.Add("https://x", 0, "tls", " ", "oauth2")
	f.Add("mail..example.com", 70000, "", "u", "")
	f.Fuzz(func(t *testing.T, host string, port int, sec, user, auth string) {
		s := account.Server{Protocol: account.IMAP, Host: host, Port: port, Security: account.Security(sec),
			Username: user, Auth: account.Auth(auth)}
		err := CheckServer(s, false)
		var se *ServerError
		if err != nil && (!errors.As(err, &se) || se.Field == "" || se.Code == "") {
			t.Fatalf("%+v: %v is not a ServerError naming a field", s, err)
		}
	})
}
