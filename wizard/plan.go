package wizard

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/store"
)

// The decisions both faces take, as plain functions with explicit inputs:
// which servers an account uses (Resolve), where its password may go (the
// trust gate, Resolved.Check), what a connection test tries (PlanTest) and
// what a save keeps (SaveRequest, Resolved.Record). The window's Wizard and
// the CLI call these; neither decides on its own.

// Choice is what decides an account's servers. Each side comes from the
// first that has it: a server the person named, the saved account, the
// built-in database, discovery on the network.
type Choice struct {
	Address account.Address
	// Incoming and Outgoing are servers the person named (the CLI's
	// --incoming/--outgoing); nil where not named.
	Incoming, Outgoing *account.Server
	// Saved is the account saved for the address; nil when none.
	Saved *store.Account
	// Lookup is the built-in database (providers.Lookup); nil: none.
	Lookup func(domain string) (account.Config, bool)
	// Discover asks the network; nil means offline.
	Discover func(ctx context.Context, addr account.Address) (account.Config, error)
}

// Resolved is an account's servers and what vouches for each.
type Resolved struct {
	// Config is expanded for the address, the chosen server of each side
	// first.
	Config account.Config
	// Named: the person named the incoming [0] or outgoing [1] server. It
	// is tested exactly as named, without fallback.
	Named [2]bool
	// FromSaved: servers came from the saved account.
	FromSaved bool
	// SignIn is the browser sign-in kept for that saved account (its
	// refresh token in the keychain), nil when none.
	SignIn *store.OAuth2Ref
	// Name is the saved account's name for the From line ("" when none).
	Name string
	// Vouching is what vouches for the servers.
	Vouching Vouching
}

// Vouching is what vouches for an account's servers: a password goes only
// to a host it covers.
type Vouching struct {
	// All: a source that vouches for its answer supplied every server
	// (the built-in database; over https, the domain's own autoconfig, the
	// ISPDB, the MX match).
	All bool
	// Hosts are vouched for one by one: named by the person, saved with a
	// vouch, or confirmed (lower case).
	Hosts []string
	// Confirmed are the Hosts the person confirmed although nothing vouched
	// for them, and ConfirmedAt when (kept with a save).
	Confirmed   []string
	ConfirmedAt time.Time
}

// Covers reports whether host may receive the password.
func (v Vouching) Covers(host string) bool {
	return v.All || slices.Contains(v.Hosts, strings.ToLower(host))
}

// add vouches for hosts one by one.
func (v *Vouching) add(hosts ...string) {
	for _, h := range hosts {
		h = strings.ToLower(h)
		if h != "" && !slices.Contains(v.Hosts, h) {
			v.Hosts = append(v.Hosts, h)
		}
	}
}

// Confirm records that the person checked hosts that nothing vouched for
// and wants to use them (the window's dialog, --accept-unverified).
func (v *Vouching) Confirm(at time.Time, hosts ...string) {
	for _, h := range hosts {
		h = strings.ToLower(h)
		if h == "" || v.Covers(h) {
			continue
		}
		v.add(h)
		v.Confirmed = append(v.Confirmed, h)
		v.ConfirmedAt = at
	}
}

// NotKnownError: offline, the built-in database does not know the domain
// and no servers were named.
type NotKnownError struct{ Domain string }

func (e *NotKnownError) Error() string {
	return fmt.Sprintf("wizard: %s is not in the built-in database", e.Domain)
}

// DiscoveryError: discovery on the network found nothing usable; Err says
// why (a *discover.NotFoundError with each source's reason, or the
// context's error).
type DiscoveryError struct{ Err error }

func (e *DiscoveryError) Error() string { return "wizard: " + e.Err.Error() }
func (e *DiscoveryError) Unwrap() error { return e.Err }

// Resolve decides an account's servers, each side from the first that has
// it: the servers named in c, the saved account, the built-in database or
// discovery. A saved server the database also lists goes first in the
// database's list (a test may still fall back to the provider's other
// ports); one the person typed stands alone.
func Resolve(ctx context.Context, c Choice) (Resolved, error) {
	addr := c.Address
	var r Resolved
	var builtin account.Config
	known := false
	if c.Lookup != nil {
		builtin, known = c.Lookup(addr.Domain)
		if known {
			builtin.Source, builtin.SecureSource = account.SourceBuiltin, true
		}
		builtin = builtin.For(addr)
	}
	var cfg account.Config
	switch {
	case c.Saved != nil:
		saved := c.Saved.Config().For(addr)
		cfg = mergeSaved(builtin, known, saved)
		r.FromSaved = c.Incoming == nil || c.Outgoing == nil
		r.Name = c.Saved.Name
		if r.FromSaved && c.Saved.OAuth2 != nil {
			ref := *c.Saved.OAuth2
			r.SignIn = &ref
		}
		if known {
			r.Vouching.add(hostsOf(builtin)...)
		}
		r.Vouching.add(savedVouched(c.Saved)...)
		if v := c.Saved.Vouched; v != nil && v.By == store.VouchConfirmed {
			r.Vouching.Confirmed = slices.Clone(v.Hosts)
			r.Vouching.ConfirmedAt = v.At
		}
	case known:
		cfg = builtin
		r.Vouching.All = true
	case c.Incoming != nil && c.Outgoing != nil:
		cfg = account.Config{Source: account.SourceManual, SecureSource: true}
	case c.Discover == nil:
		return Resolved{}, &NotKnownError{Domain: addr.DomainUnicode}
	default:
		found, err := c.Discover(ctx, addr)
		if err == nil && len(found.Incoming) == 0 && len(found.Outgoing) == 0 {
			err = fmt.Errorf("%w: %s", ErrNothingFound, addr.DomainUnicode)
		}
		if err != nil {
			return Resolved{}, &DiscoveryError{Err: err}
		}
		cfg = found.For(addr)
		r.Vouching.All = cfg.SecureSource
	}
	// A server given by URL takes the login and sign-in method known for
	// the same host, else the address's login and a password.
	if c.Incoming != nil {
		s := fillServer(*c.Incoming, cfg.Incoming, addr)
		cfg.Incoming = append([]account.Server{s}, cfg.Incoming...)
		r.Named[0] = true
		r.Vouching.add(s.Host)
	}
	if c.Outgoing != nil {
		s := fillServer(*c.Outgoing, cfg.Outgoing, addr)
		cfg.Outgoing = append([]account.Server{s}, cfg.Outgoing...)
		r.Named[1] = true
		r.Vouching.add(s.Host)
	}
	r.Config = cfg
	r.Config.SecureSource = len(r.Unvouched()) == 0
	return r, nil
}

// hostsOf lists every host of cfg's servers.
func hostsOf(cfg account.Config) []string {
	var out []string
	for _, l := range [][]account.Server{cfg.Incoming, cfg.Outgoing} {
		for _, s := range l {
			out = append(out, s.Host)
		}
	}
	return out
}

// savedVouched are the hosts of a saved account that its record vouches
// for. A file from before the record existed is vouched for only when its
// servers came from the built-in database or were typed: its source alone
// cannot tell an https answer from a plain-http one, so such servers are
// confirmed again once rather than trusted silently.
func savedVouched(a *store.Account) []string {
	hosts := []string{a.Incoming.Host, a.Outgoing.Host}
	v := a.Vouched
	switch {
	case v == nil:
		if a.Source == account.SourceBuiltin || a.Source == account.SourceManual {
			return hosts
		}
		return nil
	case v.By == store.VouchSource || v.By == store.VouchNamed:
		return hosts
	case v.By == store.VouchConfirmed:
		var out []string
		for _, h := range hosts {
			if slices.ContainsFunc(v.Hosts, func(c string) bool { return strings.EqualFold(c, h) }) {
				out = append(out, h)
			}
		}
		return out
	}
	return nil
}

// mergeSaved is the config of a saved account: its chosen servers and
// POP3 choices and, from the built-in database when it knows the domain,
// the provider's hints, limits and other servers.
func mergeSaved(builtin account.Config, known bool, saved account.Config) account.Config {
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
	cfg.Incoming = savedFirst(saved.Incoming, cfg.Incoming, known)
	cfg.Outgoing = savedFirst(saved.Outgoing, cfg.Outgoing, known)
	return cfg
}

// savedFirst is list with the saved server (zero or one) first: list's
// own entry for it moved to the front, or the saved server alone when list
// does not have it.
func savedFirst(saved, list []account.Server, known bool) []account.Server {
	if len(saved) == 0 {
		if known {
			return list
		}
		return nil
	}
	s := saved[0]
	for i, l := range list {
		if known && sameEndpoint(l, s) {
			return append([]account.Server{s}, append(slices.Clone(list[:i]), list[i+1:]...)...)
		}
	}
	return []account.Server{s}
}

// fillServer completes a server given by URL from what is known of the
// same host: its login and sign-in method, else the address's login.
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

// Chosen returns the chosen incoming and outgoing servers that exist.
func (r Resolved) Chosen() []account.Server {
	var out []account.Server
	for _, l := range [][]account.Server{r.Config.Incoming, r.Config.Outgoing} {
		if len(l) > 0 {
			out = append(out, l[0])
		}
	}
	return out
}

// Unvouched lists the hosts of the chosen servers that nothing vouches
// for, in order, each once.
func (r Resolved) Unvouched() []string {
	var out []string
	for _, s := range r.Chosen() {
		h := strings.ToLower(s.Host)
		if !r.Vouching.Covers(h) && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// UnverifiedError is the trust gate's refusal: nothing vouches for Hosts
// and the person has not confirmed them, so no password goes there. Source
// is where the servers came from.
type UnverifiedError struct {
	Hosts  []string
	Source account.Source
}

func (e *UnverifiedError) Error() string {
	return fmt.Sprintf("wizard: nothing vouches for %s (from %s): confirm these hosts before a password goes to them",
		strings.Join(e.Hosts, ", "), e.Source)
}

// Is makes an UnverifiedError match ErrUnconfirmedSource.
func (e *UnverifiedError) Is(target error) bool { return target == ErrUnconfirmedSource }

// Check is the trust gate: nil when every chosen server is vouched for,
// else an *UnverifiedError naming the hosts to confirm.
func (r Resolved) Check() error {
	if h := r.Unvouched(); len(h) > 0 {
		return &UnverifiedError{Hosts: h, Source: r.Config.Source}
	}
	return nil
}

// TestOptions are the person's choices for a connection test.
type TestOptions struct {
	// Username, if set, is the login on both servers.
	Username string
	// NoFallback tests exactly the chosen servers.
	NoFallback bool
	// PasswordForOAuth2 tests a server that signs in through the
	// provider's page with the password anyway (an app password may work;
	// the server's refusal is explained). Without it such a server that
	// the person did not name is an *OAuth2Error.
	PasswordForOAuth2 bool
	// SignedIn: a browser sign-in is at hand, so a server that signs in
	// with OAuth2 is tested with it (named or not).
	SignedIn bool
}

// TestPlan is what a connection test tries: the chosen servers and, for
// each, those that may stand in for it when it does not answer from this
// network.
type TestPlan struct {
	Servers      []account.Server
	Alternatives [][]account.Server
}

// ErrNoServers: the account has neither an incoming nor an outgoing server.
var ErrNoServers = errors.New("wizard: no servers are known for this account")

// OAuth2Error: the provider's server lets mail programs in only through
// its sign-in page, so a password test cannot log in.
type OAuth2Error struct {
	Server   account.Server
	Outgoing bool
}

func (e *OAuth2Error) Error() string {
	return fmt.Sprintf("wizard: %s signs in through the provider's page (OAuth2), not with a password", e.Server)
}

// PlanTest decides what a test tries, after the trust gate. Alternatives
// are the config's other servers of the same protocol and sign-in method
// on hosts that are vouched for, none for a side the person named (it
// means exactly that server) or with NoFallback. probe.Run applies the
// plaintext rule to them (an encrypted server never falls back to one
// without encryption).
func (r Resolved) PlanTest(o TestOptions) (TestPlan, error) {
	if err := r.Check(); err != nil {
		return TestPlan{}, err
	}
	var p TestPlan
	for i, list := range [][]account.Server{r.Config.Incoming, r.Config.Outgoing} {
		if len(list) == 0 {
			continue
		}
		s := list[0]
		if o.Username != "" {
			s.Username = o.Username
		}
		if s.Auth == account.AuthOAuth2 && !o.SignedIn {
			switch {
			case r.Named[i]:
				// Named by the person, the server is tested as asked: with
				// the password given (an app password, say). A server that
				// insists on OAuth2 refuses, and the diagnosis says so.
				s.Auth = account.AuthPassword
			case !o.PasswordForOAuth2:
				return TestPlan{}, &OAuth2Error{Server: s, Outgoing: i == 1}
			}
		}
		p.Servers = append(p.Servers, s)
		var alts []account.Server
		if !r.Named[i] && !o.NoFallback {
			for _, a := range probe.Alternatives(s, list[1:]) {
				if !r.Vouching.Covers(a.Host) {
					continue
				}
				if o.Username != "" {
					a.Username = o.Username
				}
				alts = append(alts, a)
			}
		}
		p.Alternatives = append(p.Alternatives, alts)
	}
	if len(p.Servers) == 0 {
		return TestPlan{}, ErrNoServers
	}
	return p, nil
}

// Record is how the chosen servers were vouched for, as a save keeps it:
// the source when a source that vouches supplied them, the person's
// confirmation of exactly these hosts when any needed one, else the
// person's naming them.
func (r Resolved) Record() store.Vouch {
	var confirmed []string
	for _, s := range r.Chosen() {
		h := strings.ToLower(s.Host)
		if slices.Contains(r.Vouching.Confirmed, h) && !slices.Contains(confirmed, h) {
			confirmed = append(confirmed, h)
		}
	}
	switch {
	case len(confirmed) > 0:
		return store.Vouch{By: store.VouchConfirmed, Source: r.Config.Source, Hosts: confirmed, At: r.Vouching.ConfirmedAt.UTC().Truncate(time.Second)}
	case r.Vouching.All || r.Config.Source == account.SourceBuiltin:
		return store.Vouch{By: store.VouchSource, Source: r.Config.Source}
	}
	return store.Vouch{By: store.VouchNamed, Source: r.Config.Source}
}
