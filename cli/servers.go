package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/providers"
	"github.com/mailwiz/mailwiz/store"
	"github.com/mailwiz/mailwiz/wizard"
)

// ParseServerURL reads the server form of the CLI contract:
// "imap://host:993?security=ssl", "pop3://host:110?security=starttls",
// "smtp://host:587?security=starttls". The port defaults to the standard one
// for the protocol and security; security defaults to ssl. A username in the
// URL ("imap://bob@host") overrides the derived login.
func ParseServerURL(s string) (account.Server, error) { return parseServerURL(s, "en") }

// parseServerURL is ParseServerURL with its errors in lang.
func parseServerURL(s, lang string) (account.Server, error) {
	s = strings.TrimSpace(s)
	// Every message quotes the input without a password typed into it.
	shown := strconv.Quote(redactInput(s))
	bad := func(key string, args ...any) error {
		return errors.New(catalog.T(lang, key, append([]any{"Server", shown}, args...)...))
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return account.Server{}, bad(catalog.Key("server {{.Server}} is not a URL like imap://imap.example.com:993?security=ssl"))
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			return account.Server{}, bad(catalog.Key("server {{.Server}} holds a password: remove it and use --password-stdin"))
		}
	}
	srv := account.Server{Protocol: account.Protocol(strings.ToLower(u.Scheme)), Auth: account.AuthPassword}
	if !srv.Protocol.Valid() {
		return account.Server{}, bad(catalog.Key("server {{.Server}}: protocol {{.Value}} is not imap, pop3 or smtp"), "Value", strconv.Quote(u.Scheme))
	}
	if u.User != nil {
		srv.Username = u.User.Username()
	}
	// A typo such as ?securty=none or a path would otherwise be dropped in
	// silence, and the server tested with security=ssl the person did not ask for.
	q := u.Query()
	for k := range q {
		if k != "security" && k != "auth" {
			return account.Server{}, bad(catalog.Key("server {{.Server}}: unknown parameter {{.Value}}; only ?security=ssl, starttls or none and &auth=password or oauth2 are understood"), "Value", strconv.Quote(k))
		}
		if len(q[k]) > 1 {
			return account.Server{}, bad(catalog.Key("server {{.Server}}: {{.Name}} is given {{.N}} times; give it once"), "Name", k, "N", len(q[k]))
		}
	}
	switch a := strings.ToLower(q.Get("auth")); a {
	case "", string(account.AuthPassword):
	case string(account.AuthOAuth2):
		// The browser sign-in (mailwiz signin) logs in to it.
		srv.Auth = account.AuthOAuth2
	default:
		return account.Server{}, bad(catalog.Key("server {{.Server}}: auth {{.Value}} is not password or oauth2"), "Value", strconv.Quote(a))
	}
	if u.Path != "" && u.Path != "/" {
		return account.Server{}, bad(catalog.Key("server {{.Server}}: the path {{.Value}} means nothing to a mail server; write only protocol://host:port?security=..."), "Value", strconv.Quote(u.Path))
	}
	sec := q.Get("security")
	if sec == "" {
		sec = string(account.SSL)
	}
	srv.Security = account.Security(strings.ToLower(sec))
	if !srv.Security.Valid() {
		return account.Server{}, bad(catalog.Key("server {{.Server}}: security {{.Value}} is not ssl, starttls or none"), "Value", strconv.Quote(sec))
	}
	srv.Host = u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return account.Server{}, bad(catalog.Key("server {{.Server}}: port {{.Value}} is not a number from 1 to 65535"), "Value", strconv.Quote(p))
		}
		srv.Port = n
	} else {
		srv.Port = account.DefaultPort(srv.Protocol, srv.Security)
	}
	if net.ParseIP(srv.Host) == nil && strings.ContainsAny(srv.Host, " _/") {
		return account.Server{}, bad(catalog.Key("server {{.Server}}: {{.Value}} is not a host name"), "Value", strconv.Quote(srv.Host))
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
	allowRedirect      []string // --allow-redirect
	lang               string   // for discovery's notes
}

// serverFlags are the flags of every command that resolves an account:
// --incoming and --outgoing (each command says what they are for there)
// and --allow-redirect.
type serverFlags struct {
	incoming, outgoing string
	allowRedirect      hostList
}

// incomingUsage and outgoingUsage are --incoming's and --outgoing's text
// where the servers are tested and kept (test, save).
var (
	incomingUsage = catalog.Key("incoming server, e.g. imap://imap.example.com:993?security=ssl (default: the saved account's, else what detect finds)")
	outgoingUsage = catalog.Key("outgoing server, e.g. smtp://smtp.example.com:465?security=ssl (default: the saved account's, else what detect finds)")
)

func (s *serverFlags) define(fs *flag.FlagSet, incoming, outgoing string) {
	fs.StringVar(&s.incoming, "incoming", "", incoming)
	fs.StringVar(&s.outgoing, "outgoing", "", outgoing)
	fs.Var(&s.allowRedirect, "allow-redirect", allowRedirectUsage)
}

// choice is what the flags choose: the servers given, else the saved
// account's, else the database's or discovery's (none when offline).
func (s *serverFlags) choice(env *Env, lang string, offline bool) serverChoice {
	return serverChoice{incoming: s.incoming, outgoing: s.outgoing, offline: offline, saved: true,
		warn: warner(env), allowRedirect: s.allowRedirect.hosts, lang: lang}
}

// resolveConfig is the account a command works on, decided as the window
// decides it (wizard.Resolve): each side from the first that has it, the
// servers given on the command line, the account saved for addr (with
// sc.saved), the built-in database or, unless offline, discovery on the
// network. from is the saved account's file when servers came from it,
// else "". The int is the exit code for an error.
func resolveConfig(ctx context.Context, env *Env, addr account.Address, sc serverChoice) (r wizard.Resolved, from string, code int, err error) {
	if sc.lang == "" {
		sc.lang = env.lang
	}
	in, out, err := sc.parse()
	if err != nil {
		return wizard.Resolved{}, "", ExitUsage, err
	}
	c := wizard.Choice{Address: addr, Incoming: in, Outgoing: out, Lookup: providers.Lookup}
	if sc.saved {
		a, path, err := loadSaved(env, addr)
		switch {
		case err == nil:
			c.Saved, from = a, path
		case errors.Is(err, store.ErrNotFound):
		case in != nil || out != nil:
			// The servers given are what the command needs; the broken
			// file can wait, but the person should hear of it.
			if sc.warn != nil {
				sc.warn(err.Error() + "; going on with the servers given")
			}
		default:
			return wizard.Resolved{}, "", ExitUsage, err
		}
	}
	if !sc.offline {
		c.Discover = func(ctx context.Context, addr account.Address) (account.Config, error) {
			return env.detect(ctx, addr, sc.allowRedirect, sc.lang)
		}
	}
	r, err = wizard.Resolve(ctx, c)
	var nk *wizard.NotKnownError
	var de *wizard.DiscoveryError
	switch {
	case errors.As(err, &nk):
		return wizard.Resolved{}, "", ExitFailed, fmt.Errorf("%s is not in the built-in database: give both servers, e.g. --incoming imap://imap.%s:993 --outgoing smtp://smtp.%s:465, or drop --offline to look on the network",
			addr.DomainUnicode, addr.Domain, addr.Domain)
	case errors.As(err, &de):
		return wizard.Resolved{}, "", ExitFailed, &detectFailure{de.Err}
	case err != nil:
		return wizard.Resolved{}, "", ExitFailed, err
	}
	if !r.FromSaved {
		from = ""
	}
	return r, from, ExitOK, nil
}

// loadSaved reads the account saved for addr and the file it is in. An
// error other than store.ErrNotFound is one line naming the file and the
// way out.
func loadSaved(env *Env, addr account.Address) (*store.Account, string, error) {
	st, err := env.store()
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
		return nil, path, &savedFileError{addr: addr, path: path, err: err, lang: env.lang}
	}
	return &a, path, nil
}

// savedFileError is a saved settings file that cannot be used.
type savedFileError struct {
	addr account.Address
	path string
	err  error
	lang string
}

func (e *savedFileError) Error() string {
	var de *store.DirError
	if errors.As(e.err, &de) {
		return de.Message()
	}
	return catalog.T(e.lang, "the settings saved for {{.Address}} in {{.Path}} cannot be used: run mailwiz forget {{.Address}}, or delete the file, and save the account again",
		"Address", e.addr.Display(), "Path", e.path) + " (" + e.err.Error() + ")"
}

func (e *savedFileError) Unwrap() error { return e.err }

// parse reads the --incoming and --outgoing URLs; nil where not given.
func (sc serverChoice) parse() (in, out *account.Server, err error) {
	if sc.incoming != "" {
		s, err := parseServerURL(sc.incoming, sc.lang)
		if err != nil {
			return nil, nil, fmt.Errorf("--incoming: %w", err)
		}
		if !s.Protocol.Incoming() {
			return nil, nil, errors.New(catalog.T(sc.lang, "--incoming {{.URL}}: use imap:// or pop3://", "URL", sc.incoming))
		}
		in = &s
	}
	if sc.outgoing != "" {
		s, err := parseServerURL(sc.outgoing, sc.lang)
		if err != nil {
			return nil, nil, fmt.Errorf("--outgoing: %w", err)
		}
		if s.Protocol != account.SMTP {
			return nil, nil, errors.New(catalog.T(sc.lang, "--outgoing {{.URL}}: use smtp://", "URL", sc.outgoing))
		}
		out = &s
	}
	return in, out, nil
}
