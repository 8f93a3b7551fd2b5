package wizard

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/mailwiz/mailwiz/account"
)

// finding is the state of discovery for the current address.
type finding struct {
	running     bool
	sources     []SourceProgress // in the order first reported
	provisional *account.Config
	final       *account.Config
	err         error // why nothing was found
	// redirects are the redirects to another domain discovery did not
	// follow, each once.
	redirects []RedirectRefused
}

// ErrNothingFound is reported (wrapped, in NotFound) when no source knew
// the domain.
var ErrNothingFound = errors.New("wizard: no settings found for this domain")

// FindingState is a snapshot of discovery for the Finding page.
type FindingState struct {
	Running     bool
	Sources     []SourceProgress
	Provisional *account.Config // nil when none yet
	Final       *account.Config // nil until discovery ends with an answer
	Err         error           // set when discovery ended without one
	// Redirects to another domain that were not followed (FollowRedirect).
	Redirects []RedirectRefused
}

// Finding returns a snapshot of discovery.
func (w *Wizard) Finding() FindingState {
	w.mu.Lock()
	defer w.mu.Unlock()
	return FindingState{
		Running:     w.find.running,
		Sources:     append([]SourceProgress(nil), w.find.sources...),
		Provisional: w.find.provisional,
		Final:       w.find.final,
		Err:         w.find.err,
		Redirects:   append([]RedirectRefused(nil), w.find.redirects...),
	}
}

// Retry restarts discovery from the Finding step.
func (w *Wizard) Retry() {
	if w.Step() == StepFinding {
		w.startFinding()
	}
}

// startFinding begins discovery: the built-in database first (offline,
// microseconds), then the network if the domain is unknown. A config found
// earlier for the same address is reused, so Back then Next is instant.
func (w *Wizard) startFinding() {
	w.mu.Lock()
	addr := w.addr
	if w.have && w.find.final != nil {
		final := *w.find.final
		w.mu.Unlock()
		w.notify(Found{Config: final})
		return
	}
	w.find = finding{running: true}
	w.mu.Unlock()

	w.run(func(ctx context.Context, gen uint64) {
		r, err := Resolve(ctx, w.choice(gen, addr))
		var nk *NotKnownError
		if errors.As(err, &nk) {
			err = fmt.Errorf("%w: %s is not in the built-in database", ErrNothingFound, addr.DomainUnicode)
		}
		w.finish(gen, r, err)
	})
}

// SourceSaved names the account saved for the address among the sources
// the Finding step lists (never in the detect JSON: a saved file keeps the
// source its servers were found by).
const SourceSaved account.Source = "saved"

// choice is what the Finding step resolves from: the saved account for
// addr, the built-in database, then discovery, each reporting its progress.
func (w *Wizard) choice(gen uint64, addr account.Address) Choice {
	c := Choice{Address: addr}
	if w.deps.Saved != nil {
		// A saved file that cannot be used is passed over here: the window
		// finds the servers afresh, and saving replaces the file.
		if a, err := w.deps.Saved(addr); err == nil && a != nil {
			c.Saved = a
			w.progress(gen, SourceProgress{Source: SourceSaved, Status: SourceFound})
		}
	}
	if w.deps.Lookup != nil {
		c.Lookup = func(domain string) (account.Config, bool) {
			w.progress(gen, SourceProgress{Source: account.SourceBuiltin, Status: SourceAsking})
			cfg, ok := w.deps.Lookup(domain)
			st := SourceNothing
			if ok {
				st = SourceFound
			}
			w.progress(gen, SourceProgress{Source: account.SourceBuiltin, Status: st})
			return cfg, ok
		}
	}
	if w.deps.Discover != nil {
		c.Discover = func(ctx context.Context, addr account.Address) (account.Config, error) {
			ctx, cancel := context.WithTimeout(ctx, w.deps.DiscoverTimeout)
			defer cancel()
			w.mu.Lock()
			allow := slices.Clone(w.allowRedirect)
			w.mu.Unlock()
			return w.deps.Discover(ctx, addr, allow, func(e Event) { w.discoverEvent(gen, addr, e) })
		}
	}
	return c
}

// progress records and reports a source's state.
func (w *Wizard) progress(gen uint64, p SourceProgress) {
	if !w.lockCurrent(gen) {
		return
	}
	replaced := false
	for i, s := range w.find.sources {
		if s.Source == p.Source {
			w.find.sources[i] = p
			replaced = true
		}
	}
	if !replaced {
		w.find.sources = append(w.find.sources, p)
	}
	w.mu.Unlock()
	w.notify(p)
}

// discoverEvent takes Discover's progress reports: source states and
// provisional answers. Anything else is ignored.
func (w *Wizard) discoverEvent(gen uint64, addr account.Address, e Event) {
	switch e := e.(type) {
	case SourceProgress:
		w.progress(gen, e)
	case RedirectRefused:
		w.mu.Lock()
		if !w.current(gen) || slices.Contains(w.find.redirects, e) {
			w.mu.Unlock()
			return
		}
		w.find.redirects = append(w.find.redirects, e)
		w.mu.Unlock()
		w.notify(e)
	case Provisional:
		cfg := e.Config.For(addr)
		if !w.lockCurrent(gen) {
			return
		}
		w.find.provisional = &cfg
		w.mu.Unlock()
		w.notify(Provisional{Config: cfg})
	}
}

// finish records discovery's end and reports Found or NotFound.
func (w *Wizard) finish(gen uint64, r Resolved, err error) {
	if !w.lockCurrent(gen) {
		return
	}
	w.find.running = false
	if err != nil {
		if !errors.Is(err, ErrNothingFound) && !errors.Is(err, context.Canceled) {
			err = fmt.Errorf("%w: %w", ErrNothingFound, err)
		}
		w.find.err = err
		// Manual entry starts from the usual IMAP+SMTP pair on the domain,
		// shown on the Servers step for the person to check and type over:
		// what they go on with are servers they named.
		w.setResolvedLocked(Resolved{Config: manualConfig(w.addr), Named: [2]bool{true, true}, Vouching: Vouching{All: true}})
		w.mu.Unlock()
		w.notify(NotFound{Err: err})
		return
	}
	cfg := r.Config
	w.find.final = &cfg
	w.setResolvedLocked(r)
	w.mu.Unlock()
	w.notify(Found{Config: cfg})
}

// manualConfig is the starting point for typing servers by hand: the usual
// names on the address's domain, the RFC 8314 ports, the address as login.
func manualConfig(addr account.Address) account.Config {
	user := addr.Login()
	return account.Config{
		Incoming: []account.Server{{Protocol: account.IMAP, Host: "imap." + addr.Domain, Port: 993,
			Security: account.SSL, Username: user, Auth: account.AuthPassword}},
		Outgoing: []account.Server{{Protocol: account.SMTP, Host: "smtp." + addr.Domain, Port: 465,
			Security: account.SSL, Username: user, Auth: account.AuthPassword}},
		Source:        account.SourceManual,
		SecureSource:  true, // the person typed it: nothing to vouch for but them
		LeaveOnServer: true,
	}
}

// FollowRedirect records that the person agreed to send the address to
// host, a domain a discovery source redirected to, and finds the servers
// again, following it. Only a host discovery reported refusing is taken.
func (w *Wizard) FollowRedirect(host string) error {
	w.mu.Lock()
	if !slices.ContainsFunc(w.find.redirects, func(r RedirectRefused) bool { return r.To == host }) {
		w.mu.Unlock()
		return fmt.Errorf("wizard: no redirect to %s was refused", host)
	}
	if !slices.Contains(w.allowRedirect, host) {
		w.allowRedirect = append(w.allowRedirect, host)
	}
	w.have = false
	w.find = finding{}
	w.step = StepFinding
	w.mu.Unlock()
	w.Cancel()
	w.notify(StepChanged{Step: StepFinding})
	w.startFinding()
	return nil
}
