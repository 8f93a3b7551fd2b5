package cli

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/providers"
)

// ParseServerURL reads the server form of the CLI contract:
// "imap://host:993?security=ssl", "pop3://host:110?security=starttls",
// "smtp://host:587?security=starttls". The port defaults to the standard one
// for the protocol and security; security defaults to ssl. A username in the
// URL ("imap://bob@host") overrides the derived login.
func ParseServerURL(s string) (account.Server, error) {
	s = strings.TrimSpace(s)
	// Every message quotes the input without a password typed into it.
	shown := redactInput(s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return account.Server{}, fmt.Errorf("server %q is not a URL like imap://imap.example.com:993?security=ssl", shown)
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			return account.Server{}, fmt.Errorf("server %q holds a password: remove it and use --password-stdin", shown)
		}
	}
	srv := account.Server{Protocol: account.Protocol(strings.ToLower(u.Scheme)), Auth: account.AuthPassword}
	if !srv.Protocol.Valid() {
		return account.Server{}, fmt.Errorf("server %q: protocol %q is not imap, pop3 or smtp", shown, u.Scheme)
	}
	if u.User != nil {
		srv.Username = u.User.Username()
	}
	// A typo such as ?securty=none or a path would otherwise be dropped in
	// silence, and the server tested with security=ssl the person did not ask for.
	q := u.Query()
	for k := range q {
		if k != "security" {
			return account.Server{}, fmt.Errorf("server %q: unknown parameter %q; only ?security=ssl, starttls or none is understood", shown, k)
		}
	}
	if len(q["security"]) > 1 {
		return account.Server{}, fmt.Errorf("server %q: security is given %d times; give it once", shown, len(q["security"]))
	}
	if u.Path != "" && u.Path != "/" {
		return account.Server{}, fmt.Errorf("server %q: the path %q means nothing to a mail server; write only protocol://host:port?security=...", shown, u.Path)
	}
	sec := q.Get("security")
	if sec == "" {
		sec = string(account.SSL)
	}
	srv.Security = account.Security(strings.ToLower(sec))
	if !srv.Security.Valid() {
		return account.Server{}, fmt.Errorf("server %q: security %q is not ssl, starttls or none", shown, sec)
	}
	srv.Host = u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return account.Server{}, fmt.Errorf("server %q: port %q is not a number from 1 to 65535", shown, p)
		}
		srv.Port = n
	} else {
		srv.Port = account.DefaultPort(srv.Protocol, srv.Security)
	}
	if net.ParseIP(srv.Host) == nil && strings.ContainsAny(srv.Host, " _/") {
		return account.Server{}, fmt.Errorf("server %q: %q is not a host name", shown, srv.Host)
	}
	return srv, nil
}

// redactInput is s fit to quote in an error: a password in its user part
// becomes "xxxxx". What does not parse as a URL loses everything between
// "://" and the last "@", where a password would stand.
func redactInput(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	if i := strings.Index(s, "://"); i >= 0 {
		if j := strings.LastIndexByte(s[i+3:], '@'); j >= 0 {
			return s[:i+3] + "xxxxx@" + s[i+3+j+1:]
		}
	}
	return s
}

// serverChoice is what a command was told about servers on its command
// line: --incoming, --outgoing and whether it may ask the network.
type serverChoice struct {
	incoming, outgoing string
	offline            bool
}

// resolveConfig is the account config a command works on: the servers given
// on the command line first, and for what they leave out the built-in
// database or, unless offline, discovery on the network. The config comes
// expanded for addr. The int is the exit code for an error.
func resolveConfig(ctx context.Context, addr account.Address, sc serverChoice) (account.Config, int, error) {
	in, out, err := sc.parse()
	if err != nil {
		return account.Config{}, ExitUsage, err
	}
	cfg, known := providers.Lookup(addr.Domain)
	switch {
	case known:
	case in != nil && out != nil:
		cfg = account.Config{Source: account.SourceManual}
	case sc.offline:
		return account.Config{}, ExitFailed, fmt.Errorf("%s is not in the built-in database: give both servers, e.g. --incoming imap://imap.%s:993 --outgoing smtp://smtp.%s:465, or drop --offline to look on the network",
			addr.DomainUnicode, addr.Domain, addr.Domain)
	default:
		c, err := detectConfig(ctx, addr)
		if err != nil {
			return account.Config{}, ExitFailed, &detectFailure{err}
		}
		cfg = c
	}
	cfg = cfg.For(addr)
	// A server given by URL takes the login and sign-in method known for the
	// same host, else the address's login and a password.
	if in != nil {
		cfg.Incoming = append([]account.Server{fillServer(*in, cfg.Incoming, addr)}, cfg.Incoming...)
	}
	if out != nil {
		cfg.Outgoing = append([]account.Server{fillServer(*out, cfg.Outgoing, addr)}, cfg.Outgoing...)
	}
	return cfg, ExitOK, nil
}

// parse reads the --incoming and --outgoing URLs; nil where not given.
func (sc serverChoice) parse() (in, out *account.Server, err error) {
	if sc.incoming != "" {
		s, err := ParseServerURL(sc.incoming)
		if err != nil {
			return nil, nil, fmt.Errorf("--incoming: %w", err)
		}
		if !s.Protocol.Incoming() {
			return nil, nil, fmt.Errorf("--incoming %s: use imap:// or pop3://", sc.incoming)
		}
		in = &s
	}
	if sc.outgoing != "" {
		s, err := ParseServerURL(sc.outgoing)
		if err != nil {
			return nil, nil, fmt.Errorf("--outgoing: %w", err)
		}
		if s.Protocol != account.SMTP {
			return nil, nil, fmt.Errorf("--outgoing %s: use smtp://", sc.outgoing)
		}
		out = &s
	}
	return in, out, nil
}

// fillServer completes a server given by URL from what is known of the same
// host: its login and sign-in method, else the address's login.
func fillServer(s account.Server, known []account.Server, addr account.Address) account.Server {
	userGiven := s.Username != ""
	for _, k := range known {
		if k.Protocol == s.Protocol && strings.EqualFold(k.Host, s.Host) {
			if !userGiven {
				s.Username = k.Username
			}
			s.Auth = k.Auth
			return s
		}
	}
	if !userGiven {
		s.Username = addr.Login()
	}
	return s
}
