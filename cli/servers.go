package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/providers"
	"github.com/mailwiz/mailwiz/store"
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
// line: --incoming, --outgoing and whether it may ask the network. saved
// lets the settings saved for the address (mailwiz save, the wizard) stand
// in for the command line; warn, if set, hears of a saved file that had to
// be passed over.
type serverChoice struct {
	incoming, outgoing string
	offline            bool
	saved              bool
	warn               func(string)
}

// resolveConfig is the account config a command works on, each side from
// the first that has it: the servers given on the command line, the
// account saved for addr (with sc.saved), the built-in database or, unless
// offline, discovery on the network. The config comes expanded for addr.
// from is the saved account's file when servers came from it, else "".
// The int is the exit code for an error.
func resolveConfig(ctx context.Context, addr account.Address, sc serverChoice) (cfg account.Config, from string, code int, err error) {
	in, out, err := sc.parse()
	if err != nil {
		return account.Config{}, "", ExitUsage, err
	}
	var saved *store.Account
	if sc.saved {
		a, path, err := loadSaved(addr)
		switch {
		case err == nil:
			saved = a
			if in == nil || out == nil {
				from = path
			}
		case errors.Is(err, store.ErrNotFound):
		case in != nil || out != nil:
			// The servers given are what the command needs; the broken
			// file can wait, but the person should hear of it.
			if sc.warn != nil {
				sc.warn(err.Error() + "; going on with the servers given")
			}
		default:
			return account.Config{}, "", ExitUsage, err
		}
	}
	cfg, known := providers.Lookup(addr.Domain)
	switch {
	case saved != nil:
		cfg = withSaved(cfg.For(addr), known, saved.Config().For(addr))
	case known:
	case in != nil && out != nil:
		cfg = account.Config{Source: account.SourceManual}
	case sc.offline:
		return account.Config{}, "", ExitFailed, fmt.Errorf("%s is not in the built-in database: give both servers, e.g. --incoming imap://imap.%s:993 --outgoing smtp://smtp.%s:465, or drop --offline to look on the network",
			addr.DomainUnicode, addr.Domain, addr.Domain)
	default:
		c, err := detectConfig(ctx, addr)
		if err != nil {
			return account.Config{}, "", ExitFailed, &detectFailure{err}
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
	return cfg, from, ExitOK, nil
}

// loadSaved reads the account saved for addr and the file it is in. An
// error other than store.ErrNotFound is one line naming the file and the
// way out.
func loadSaved(addr account.Address) (*store.Account, string, error) {
	st, err := openStore()
	if err != nil {
		// No configuration directory: nothing can have been saved.
		return nil, "", store.ErrNotFound
	}
	path := st.Path(addr.String())
	a, err := st.Load(addr.String())
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, path, err
		}
		why := strings.TrimPrefix(err.Error(), "store: ")
		if strings.Contains(why, path) {
			return nil, path, fmt.Errorf("the settings saved for %s cannot be used: %s (mailwiz forget %s removes them)", addr.Display(), why, addr.Display())
		}
		return nil, path, fmt.Errorf("the settings saved for %s in %s cannot be used (%s): run mailwiz forget %s, or delete the file, and save the account again", addr.Display(), path, why, addr.Display())
	}
	return &a, path, nil
}

// withSaved is the config of a saved account: its chosen servers and POP3
// choices, and from the built-in database (when known) the provider's
// hints, limits and other servers. A saved server the database also lists
// comes first in that list, so a test may still fall back to the
// provider's other ports; one the person typed stands alone, meaning
// exactly that server.
func withSaved(builtin account.Config, known bool, saved account.Config) account.Config {
	cfg := saved
	if known {
		cfg = builtin
		if saved.Source != "" {
			cfg.Source = saved.Source
		}
		if saved.Provider != nil {
			cfg.Provider = saved.Provider
		}
		cfg.LeaveOnServer, cfg.DaysOnServer = saved.LeaveOnServer, saved.DaysOnServer
	}
	// The person saved these servers, having seen and confirmed them.
	cfg.SecureSource = true
	cfg.Incoming = savedFirst(saved.Incoming, cfg.Incoming, known)
	cfg.Outgoing = savedFirst(saved.Outgoing, cfg.Outgoing, known)
	return cfg
}

// savedFirst is list with the saved server (zero or one) first: list's
// own entry for it moved to the front, or the saved server alone when list
// does not have it. No saved server leaves list as it is.
func savedFirst(saved, list []account.Server, known bool) []account.Server {
	if len(saved) == 0 {
		if known {
			return list
		}
		return nil
	}
	s := saved[0]
	for i, l := range list {
		if known && l.Protocol == s.Protocol && strings.EqualFold(l.Host, s.Host) && l.Port == s.Port && l.Security == s.Security {
			return append([]account.Server{s}, append(slices.Clone(list[:i]), list[i+1:]...)...)
		}
	}
	return []account.Server{s}
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
