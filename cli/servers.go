package cli

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/mailwiz/mailwiz/account"
)

// ParseServerURL reads the server form of the CLI contract:
// "imap://host:993?security=ssl", "pop3://host:110?security=starttls",
// "smtp://host:587?security=starttls". The port defaults to the standard one
// for the protocol and security; security defaults to ssl. A username in the
// URL ("imap://bob@host") overrides the derived login.
func ParseServerURL(s string) (account.Server, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" {
		return account.Server{}, fmt.Errorf("server %q is not a URL like imap://imap.example.com:993?security=ssl", s)
	}
	srv := account.Server{Protocol: account.Protocol(strings.ToLower(u.Scheme)), Auth: account.AuthPassword}
	if !srv.Protocol.Valid() {
		return account.Server{}, fmt.Errorf("server %q: protocol %q is not imap, pop3 or smtp", s, u.Scheme)
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			return account.Server{}, fmt.Errorf("server %q holds a password: remove it and use --password-stdin", redactURL(u))
		}
		srv.Username = u.User.Username()
	}
	sec := u.Query().Get("security")
	if sec == "" {
		sec = string(account.SSL)
	}
	srv.Security = account.Security(strings.ToLower(sec))
	if !srv.Security.Valid() {
		return account.Server{}, fmt.Errorf("server %q: security %q is not ssl, starttls or none", s, sec)
	}
	srv.Host = u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return account.Server{}, fmt.Errorf("server %q: port %q is not a number from 1 to 65535", s, p)
		}
		srv.Port = n
	} else {
		srv.Port = account.DefaultPort(srv.Protocol, srv.Security)
	}
	if net.ParseIP(srv.Host) == nil && strings.ContainsAny(srv.Host, " _/") {
		return account.Server{}, fmt.Errorf("server %q: %q is not a host name", s, srv.Host)
	}
	return srv, nil
}

func redactURL(u *url.URL) string {
	c := *u
	c.User = url.User(c.User.Username())
	return c.String()
}
