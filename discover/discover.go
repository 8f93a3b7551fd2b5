// Package discover finds the IMAP, POP3 and SMTP servers for an email
// address on the network, the way Thunderbird, Evolution and K-9 do, but
// asking every source at once and recording where each answer came from.
//
// # Order and ranking
//
// [Run] first asks the built-in database ([providers.Lookup]); a hit ends
// discovery without a network. Otherwise it starts every source at once,
// each under its own timeout ([Options.SourceTimeout]) and all under one
// overall deadline ([Options.Timeout]). Best first:
//
//  1. the domain's own autoconfig over HTTPS (autoconfig.<domain>);
//  2. its well-known URL (https://<domain>/.well-known/autoconfig/...);
//  3. the same autoconfig URL over plain HTTP;
//  4. the ISPDB ([Options.ISPDBURL]);
//  5. MX: the built-in database by MX host, else the ISPDB for the MX host's
//     domain (public-suffix aware);
//  6. SRV records (RFC 6186, RFC 8314);
//  7. Exchange Autodiscover (POX);
//  8. guessing: connecting to imap., mail., pop., pop3., smtp. and the bare
//     domain on the standard ports, reading greetings and capabilities.
//
// An answer from a source is final as soon as every better source has
// answered or failed; until then it is reported as provisional through
// [Options.Events]. At the deadline the best answer so far is final.
//
// # Trust
//
// A config that came over plain HTTP, from guessing or from SRV records, or
// that names hosts outside the address's registrable domain without coming
// from the built-in database, the ISPDB or the MX match, has SecureSource
// false and an unverified-source hint naming the hosts: a client asks the
// person before it sends a password there.
//
// # Hostile input
//
// Every response body is capped at 1 MiB and read under the source's
// deadline; at most 3 HTTP redirects are followed and never from https to
// http; XML is read without a DTD or entity expansion; a config naming no
// usable server is ignored. Whatever a server sends fails only its own
// source.
package discover

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/providers"
)

// Defaults for [Options].
const (
	DefaultISPDBURL      = "https://autoconfig.thunderbird.net/v1.1/"
	DefaultTimeout       = 10 * time.Second
	DefaultSourceTimeout = 5 * time.Second
	// MaxBody caps every response body read from the network.
	MaxBody = 1 << 20
	// maxRedirects bounds HTTP redirects per request.
	maxRedirects = 3
)

// Options configure [Run]. The zero value asks the system resolver, trusts
// the system CA pool and uses the defaults above.
type Options struct {
	// Resolver answers every DNS question. Nil means net.DefaultResolver.
	// `mailwiz detect --dns HOST:PORT` passes [NewResolver].
	Resolver *net.Resolver
	// ISPDBURL is the ISPDB base; the domain is appended, or replaces
	// "{{domain}}" when the URL holds it. Empty means [DefaultISPDBURL].
	ISPDBURL string
	// RootCAs verifies every TLS certificate (HTTPS and guessed servers).
	// Nil means the system pool (on Linux SSL_CERT_FILE adds a CA).
	RootCAs *x509.CertPool
	// Timeout is the overall deadline; zero means [DefaultTimeout].
	Timeout time.Duration
	// SourceTimeout bounds each source (and each guessed connection) on its
	// own; zero means [DefaultSourceTimeout].
	SourceTimeout time.Duration
	// Events, when set, is called for each step: a source asking, found,
	// failed or skipped. Calls come from one goroutine, in order; the
	// function must not block for long.
	Events func(Event)
	// AllowRedirect are hosts the person agreed to follow a redirect to
	// (the CLI's --allow-redirect, the window's question). A redirect that
	// leaves the domain that was asked (an HTTP redirect, an Autodiscover
	// redirectUrl or redirectAddr) is not followed to any other host: the
	// source fails with a *RedirectError, and the address never reaches
	// that host.
	AllowRedirect []string
	// Ports is a test seam: a connection to port p goes to Ports[p]
	// instead, after the host name was resolved as usual (and TLS still
	// verifies the name). Tests map 443 and 80 to their loopback web
	// servers and the mail ports to their greeting servers. Nil in
	// production.
	Ports map[int]int
}

func (o *Options) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultTimeout
}

func (o *Options) sourceTimeout() time.Duration {
	if o.SourceTimeout > 0 {
		return o.SourceTimeout
	}
	return DefaultSourceTimeout
}

func (o *Options) resolver() *net.Resolver {
	if o.Resolver != nil {
		return o.Resolver
	}
	return net.DefaultResolver
}

// NewResolver returns a resolver that sends every DNS question to server
// ("HOST:PORT", UDP with TCP for long answers), ignoring the system's
// configured name servers.
func NewResolver(server string) (*net.Resolver, error) {
	host, port, err := net.SplitHostPort(server)
	if err != nil || host == "" {
		return nil, fmt.Errorf("discover: DNS server %q is not HOST:PORT, e.g. 127.0.0.1:53", server)
	}
	// A bad port would otherwise surface only as a failed lookup per name.
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("discover: DNS server %q: port %q is not a number from 1 to 65535, e.g. 127.0.0.1:53", server, port)
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, server)
	}}, nil
}

// State is what a source is doing, in an [Event].
type State string

// Source states.
const (
	Asking  State = "asking"  // the source has started
	Found   State = "found"   // it answered with a usable config
	Failed  State = "failed"  // it answered nothing usable, or timed out
	Skipped State = "skipped" // a better source answered first, or it does not apply
)

// Event is one step of discovery, for a user interface to show ("found via
// MX, still asking the domain…").
type Event struct {
	Source account.Source
	State  State
	// Detail says what was asked or why it failed, in English, e.g.
	// "https://autoconfig.example.com/mail/config-v1.1.xml: HTTP 404".
	Detail string
	// Config is the source's answer when State is Found.
	Config *account.Config
	// Provisional is true on a Found event whose config is the best so far
	// while a better source is still asking; false on the final answer's
	// Found event and on a Found that a better answer already beats.
	Provisional bool
	// Final is true on the Found event of the config [Run] returns.
	Final bool
	// Err is why a source failed (State Failed), for errors.As: a
	// *RedirectError names a host the person may agree to follow.
	Err error
}

// NotFoundError says that no source found a usable config, and why each
// failed. [Run] returns it as its error; test with errors.As.
type NotFoundError struct {
	Domain   string
	Failures []SourceError
	// TimedOut is true when the overall deadline ended the search.
	TimedOut bool
}

// SourceError is why one source found nothing.
type SourceError struct {
	Source account.Source
	Err    error
	rank   int
}

func (e *NotFoundError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "discover: no mail settings found for %s", e.Domain)
	if e.TimedOut {
		b.WriteString(" before the deadline")
	}
	if len(e.Failures) > 0 {
		b.WriteString(" (")
		for i, f := range e.Failures {
			if i > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "%s: %v", f.Source, f.Err)
		}
		b.WriteString(")")
	}
	return b.String()
}

// source is one way to find a config, with its rank (lower is better).
type source struct {
	name account.Source
	// label tells sources with the same name apart in events (autoconfig
	// over https and over http).
	label string
	run   func(r *runner, ctx context.Context) (account.Config, error)
}

// sources in rank order: the order is the ranking.
var sources = []source{
	{account.SourceAutoconfig, "https", (*runner).autoconfigHTTPS},
	{account.SourceWellKnown, "", (*runner).wellKnown},
	{account.SourceAutoconfig, "http", (*runner).autoconfigHTTP},
	{account.SourceISPDB, "", (*runner).ispdb},
	{account.SourceMX, "", (*runner).mx},
	{account.SourceSRV, "", (*runner).srv},
	{account.SourceAutodiscover, "", (*runner).autodiscover},
	{account.SourceGuess, "", (*runner).guess},
}

type result struct {
	rank int
	cfg  account.Config
	err  error
}

// Run finds the settings for addr. The returned config is a template whose
// usernames may hold clientConfig placeholders: call Config.For(addr) or
// Config.View. Its Source names where it came from and SecureSource says
// whether anything vouches for it. When nothing is found the error is a
// *[NotFoundError]. Cancelling ctx ends Run at once with an error wrapping
// ctx's.
func Run(ctx context.Context, addr account.Address, opts Options) (account.Config, error) {
	if addr.Domain == "" {
		return account.Config{}, errors.New("discover: the address has no domain; parse it with account.ParseAddress first")
	}
	emit := func(e Event) {
		if opts.Events != nil {
			opts.Events(e)
		}
	}
	if cfg, ok := providers.Lookup(addr.Domain); ok {
		cfg.Source, cfg.SecureSource = account.SourceBuiltin, true
		c := cfg
		emit(Event{Source: account.SourceBuiltin, State: Found, Detail: "built-in database", Config: &c, Final: true})
		return cfg, nil
	}
	emit(Event{Source: account.SourceBuiltin, State: Failed, Detail: addr.Domain + " is not in the built-in database"})
	cfg, err := runNetwork(ctx, addr, &opts, sources, emit)
	if known, ok := providers.LookAlike(addr.Domain); ok && err == nil {
		cfg.Hints = append([]account.Hint{lookAlikeHint(addr, known)}, cfg.Hints...)
	}
	return cfg, err
}

// lookAlikeHint warns that the address's domain only looks like a known
// provider's (providers.LookAlike).
func lookAlikeHint(addr account.Address, known string) account.Hint {
	return account.Hint{Kind: account.HintLookAlike, Text: catalog.All("{{.Domain}} only looks like {{.Known}}: it is written with other characters and belongs to someone else. Check the address letter by letter, and never enter your {{.Known}} password for it.",
		"Domain", addr.DomainUnicode, "Known", known)}
}

// runNetwork races srcs (in rank order) and applies the ranking rule.
func runNetwork(ctx context.Context, addr account.Address, opts *Options, srcs []source, emit func(Event)) (account.Config, error) {
	overall, cancelOverall := context.WithTimeout(ctx, opts.timeout())
	r := newRunner(overall, addr, opts)
	var wg sync.WaitGroup
	// Shut down in order: stop the sources still asking, wait until each
	// has returned, then close the idle connections, so no goroutine and
	// no connection outlives Run.
	defer func() {
		cancelOverall()
		wg.Wait()
		r.close()
	}()
	results := make(chan result, len(srcs))
	for i, s := range srcs {
		emit(Event{Source: s.name, State: Asking, Detail: r.describe(s)})
		wg.Add(1)
		go func() {
			defer wg.Done()
			sctx, cancel := context.WithTimeout(overall, opts.sourceTimeout())
			defer cancel()
			cfg, err := safeRun(sctx, r, s)
			if err == nil {
				cfg, err = r.accept(s, cfg)
			}
			if err != nil && sctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
				err = timeoutError(opts, err)
			}
			results <- result{rank: i, cfg: cfg, err: err}
		}()
	}
	done := make([]bool, len(srcs))
	var failures []SourceError
	best := -1
	var bestCfg account.Config
	// final reports whether the best answer can no longer be beaten.
	final := func() bool {
		if best < 0 {
			return false
		}
		for i := 0; i < best; i++ {
			if !done[i] {
				return false
			}
		}
		return true
	}
	finish := func() (account.Config, error) {
		for i, s := range srcs {
			if !done[i] {
				emit(Event{Source: s.name, State: Skipped, Detail: "a better source answered first"})
			}
		}
		return bestCfg, nil
	}
	for pending := len(srcs); pending > 0; pending-- {
		select {
		case res := <-results:
			done[res.rank] = true
			s := srcs[res.rank]
			if res.err != nil {
				failures = append(failures, SourceError{Source: s.name, Err: res.err, rank: res.rank})
				emit(Event{Source: s.name, State: Failed, Detail: res.err.Error(), Err: res.err})
			} else {
				c := res.cfg
				if best < 0 || res.rank < best {
					best, bestCfg = res.rank, res.cfg
					isFinal := final()
					emit(Event{Source: s.name, State: Found, Detail: describeConfig(c), Config: &c,
						Provisional: !isFinal, Final: isFinal})
				} else {
					emit(Event{Source: s.name, State: Found, Detail: describeConfig(c) + " (a better source answered)", Config: &c})
				}
			}
			if final() {
				if !lastFoundWasFinal(res, best) {
					c := bestCfg
					emit(Event{Source: bestCfg.Source, State: Found, Detail: describeConfig(c), Config: &c, Final: true})
				}
				return finish()
			}
		case <-overall.Done():
			if ctx.Err() != nil {
				return account.Config{}, fmt.Errorf("discover: %w", ctx.Err())
			}
			for i, s := range srcs {
				if !done[i] {
					failures = append(failures, SourceError{Source: s.name, rank: i,
						Err: fmt.Errorf("no answer within the overall deadline of %v", opts.timeout())})
				}
			}
			for i, s := range srcs {
				if !done[i] {
					emit(Event{Source: s.name, State: Failed, Detail: "no answer before the deadline"})
				}
			}
			if best >= 0 {
				c := bestCfg
				emit(Event{Source: bestCfg.Source, State: Found, Detail: describeConfig(c) + " (the deadline ended the search)", Config: &c, Final: true})
				return bestCfg, nil
			}
			return account.Config{}, &NotFoundError{Domain: addr.DomainUnicode, Failures: sortFailures(failures), TimedOut: true}
		}
	}
	if best >= 0 {
		return finish()
	}
	return account.Config{}, &NotFoundError{Domain: addr.DomainUnicode, Failures: sortFailures(failures)}
}

// lastFoundWasFinal reports whether the Found event just sent for res was
// already marked final, so the final answer is not announced twice.
func lastFoundWasFinal(res result, best int) bool { return res.err == nil && res.rank == best }

// sortFailures orders failures by rank so the message reads best source first.
func sortFailures(f []SourceError) []SourceError {
	sort.SliceStable(f, func(i, j int) bool { return f[i].rank < f[j].rank })
	return f
}

// safeRun runs a source and turns a panic into that source's failure: a
// bug in one source must not take discovery down.
func safeRun(ctx context.Context, r *runner, s source) (cfg account.Config, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error (please report it): %v", p)
		}
	}()
	return s.run(r, ctx)
}

func timeoutError(opts *Options, err error) error {
	var na *noAnswerError
	if errors.As(err, &na) {
		return err // worded already
	}
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		return fmt.Errorf("no answer within %v: %w", opts.sourceTimeout(), err)
	}
	return err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func describeConfig(c account.Config) string {
	var hosts []string
	for _, s := range append(append([]account.Server(nil), c.Incoming...), c.Outgoing...) {
		hosts = append(hosts, s.String())
	}
	return fmt.Sprintf("via %s: %s", c.Source, strings.Join(hosts, ", "))
}
