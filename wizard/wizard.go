// Package wizard is mailwiz's account-setup flow without a user interface:
// the steps, what was typed at each, the rules for moving between them, and
// the network work they start. The GUI (package app) and the CLI are faces
// on it; tests drive it directly.
//
// # Steps
//
//	Address → Finding → Servers → BeforeLogin → Test → Done
//
// [Wizard.Next] checks the current step and moves on; [Wizard.Back] returns
// to the previous step and keeps everything typed. Entering Finding starts
// discovery; [Wizard.StartTest] runs the connection test; [Wizard.Save]
// stores the password.
//
// # Concurrency
//
// Methods are meant to be called from one goroutine (the UI's). Network work
// runs on goroutines of its own under a context that [Wizard.Cancel], Back
// and [Wizard.Close] cancel; what it finds is reported to the listener given
// to [New] as [Event] values, from those goroutines. A GUI hops back to its
// own goroutine before touching widgets (fyne.Do). A result that arrives
// after its work was cancelled is dropped, never recorded. Its event may
// still be delivered once, when the work checked just before the cancel
// (events are sent outside the lock, so a listener never runs under it): a
// listener re-reads the wizard's state rather than trusting an event alone.
//
// # Certificate exceptions
//
// After a test fails on a certificate this computer does not trust (a
// self-hosted server, Proton Mail Bridge), [Wizard.CertOffers] lists it and
// [Wizard.TrustCert] accepts exactly that certificate for the servers that
// showed it; the next test passes it, Save keeps it, and changing such a
// server drops it (trust.go).
//
// # Dependencies
//
// The wizard calls the core packages through [Deps], a struct of functions,
// so tests can inject loopback-backed ones and a step works with whatever
// exists. [Default] wires the real packages.
package wizard

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/store"
)

// Step is one page of the wizard.
type Step int

// The steps, in order.
const (
	StepAddress     Step = iota // name and email address
	StepFinding                 // discovery of the servers
	StepServers                 // review and edit the servers
	StepBeforeLogin             // the provider's hints and limits
	StepTest                    // password and connection test
	StepDone                    // save, export, set up another
)

var stepNames = [...]string{"address", "finding", "servers", "before-login", "test", "done"}

// String returns the step's stable name, e.g. "before-login".
func (s Step) String() string {
	if s < 0 || int(s) >= len(stepNames) {
		return fmt.Sprintf("step(%d)", int(s))
	}
	return stepNames[s]
}

// Wizard is the state of one account setup. Create it with [New].
type Wizard struct {
	deps   Deps
	notify func(Event)

	// mu guards everything below: workers write results while the UI reads.
	mu   sync.Mutex
	step Step

	lang        string // of what the wizard writes for the person: the test letter
	name        string
	addressText string
	addr        account.Address
	addrErr     error

	find finding
	cfg  account.Config // what the Servers step shows and edits
	have bool           // cfg holds a usable answer (found or typed)

	// vouch is what vouches for the servers (plan.go); fromSaved: they
	// came from the account saved for the address.
	vouch     Vouching
	fromSaved bool
	// kept is the browser sign-in kept for the saved account the servers
	// came from (Resolved.SignIn).
	kept *store.OAuth2Ref
	// allowRedirect are the hosts the person agreed discovery may follow a
	// redirect to (FollowRedirect).
	allowRedirect []string

	gen    uint64             // bumped on every start and cancel; stale results carry an old one
	cancel context.CancelFunc // cancels the running work, nil when idle
	wg     sync.WaitGroup     // running workers, for Close

	test    testState
	save    saveState
	sending sendingState
}

// ErrNotReady is returned by Next when the current step is incomplete; the
// wrapped error says what is missing.
var ErrNotReady = errors.New("wizard: step not complete")

// New returns a wizard at the Address step. listener receives every event,
// on whatever goroutine produced it; it may be nil.
func New(deps Deps, listener func(Event)) *Wizard {
	if listener == nil {
		listener = func(Event) {}
	}
	w := &Wizard{deps: deps.withDefaults(), notify: listener}
	w.addrErr = errEmptyAddress
	return w
}

var errEmptyAddress = &account.AddressError{Code: "empty", Problem: "the address is empty", Fix: "type it as name@example.com"}

// Step returns the current step.
func (w *Wizard) Step() Step {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.step
}

// Name returns the person's name as typed.
func (w *Wizard) Name() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.name
}

// SetLanguage records the person's language ("en", "ru"), for what the
// wizard writes for them (the test letter's words).
func (w *Wizard) SetLanguage(lang string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lang = lang
}

// SetName records the person's name (shown to recipients; may be empty).
func (w *Wizard) SetName(name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.name = name
}

// AddressText returns the address exactly as typed.
func (w *Wizard) AddressText() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.addressText
}

// SetAddress records the address as typed and validates it. It returns the
// parser's error (an *account.AddressError) or nil; the text is kept either
// way so Back shows it again.
func (w *Wizard) SetAddress(text string) error {
	addr, err := account.ParseAddress(text)
	w.mu.Lock()
	defer w.mu.Unlock()
	if text != w.addressText && err == nil && addr != w.addr {
		// A new address makes what was found for the old one stale.
		w.have = false
		w.cfg = account.Config{}
		w.find = finding{}
		w.vouch, w.fromSaved, w.kept, w.allowRedirect = Vouching{}, false, nil, nil
		w.test = testState{}
		w.save = saveState{}
	}
	w.addressText = text
	w.addr, w.addrErr = addr, err
	return err
}

// Address returns the parsed address and the parser's verdict.
func (w *Wizard) Address() (account.Address, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.addr, w.addrErr
}

// Next checks the current step and moves to the next one, starting the
// work the next step needs (discovery on entering Finding). It returns an
// error wrapping ErrNotReady, with the reason, when the step is incomplete.
func (w *Wizard) Next() error {
	w.mu.Lock()
	step := w.step
	var err error
	switch step {
	case StepAddress:
		if w.addrErr != nil {
			err = fmt.Errorf("%w: %w", ErrNotReady, w.addrErr)
		}
	case StepFinding:
		if !w.have {
			err = fmt.Errorf("%w: the servers are not known yet", ErrNotReady)
		}
	case StepServers:
		err = w.checkServersLocked()
	case StepBeforeLogin:
	case StepTest:
		if !w.test.passed() {
			err = fmt.Errorf("%w: the connection test has not passed", ErrNotReady)
		}
	case StepDone:
		err = fmt.Errorf("%w: this is the last step", ErrNotReady)
	}
	if err != nil {
		w.mu.Unlock()
		return err
	}
	w.step++
	next := w.step
	w.mu.Unlock()

	w.notify(StepChanged{Step: next})
	if next == StepFinding {
		w.startFinding()
	}
	return nil
}

// Back cancels the current step's network work and returns to the previous
// step, keeping everything typed. From Finding it returns to Address. It
// reports false at the first step.
func (w *Wizard) Back() bool {
	w.Cancel()
	w.mu.Lock()
	if w.step == StepAddress {
		w.mu.Unlock()
		return false
	}
	w.step--
	if w.step == StepFinding {
		// Finding is a waiting room, not a place to go back to.
		w.step = StepAddress
	}
	s := w.step
	w.mu.Unlock()
	w.notify(StepChanged{Step: s})
	return true
}

// GoTo jumps back to an earlier step (e.g. "Edit settings" from the test
// step), cancelling running work. Forward jumps are refused: they would skip
// the checks of Next.
func (w *Wizard) GoTo(s Step) error {
	w.mu.Lock()
	if s > w.step || s < StepAddress || s == StepFinding {
		cur := w.step
		w.mu.Unlock()
		return fmt.Errorf("wizard: cannot jump from %s to %s", cur, s)
	}
	w.mu.Unlock()
	w.Cancel()
	w.mu.Lock()
	w.step = s
	w.mu.Unlock()
	w.notify(StepChanged{Step: s})
	return nil
}

// Restart forgets everything and returns to an empty Address step ("Set up
// another account").
func (w *Wizard) Restart() {
	w.Cancel()
	w.wg.Wait()
	w.mu.Lock()
	w.step, w.name, w.addressText, w.addr, w.addrErr = StepAddress, "", "", account.Address{}, errEmptyAddress
	w.find, w.cfg, w.have, w.vouch, w.fromSaved, w.kept, w.allowRedirect = finding{}, account.Config{}, false, Vouching{}, false, nil, nil
	w.test, w.save = testState{}, saveState{}
	w.mu.Unlock()
	w.notify(StepChanged{Step: StepAddress})
}

// Cancel stops the running network work, if any. The work's goroutines see
// their context cancelled at once; their late results are dropped.
func (w *Wizard) Cancel() {
	w.mu.Lock()
	cancel := w.cancel
	w.cancel = nil
	w.gen++
	// What was stopped says so: the pages show "stopped", not a blank.
	if w.test.running {
		w.test.running, w.test.err = false, context.Canceled
	}
	if w.find.running {
		w.find.running, w.find.err = false, context.Canceled
	}
	if w.save.running {
		w.save = saveState{done: true, err: context.Canceled}
	}
	w.test.signingIn = false
	if w.sending.running {
		w.sending = sendingState{done: true, err: context.Canceled}
	}
	w.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// Close cancels all work and waits until every goroutine the wizard started
// has returned, so a closed window leaves nothing running.
func (w *Wizard) Close() {
	w.Cancel()
	w.wg.Wait()
}

// Wait blocks until the network work started so far has returned and
// reported its events, without cancelling it.
func (w *Wizard) Wait() { w.wg.Wait() }

// run starts fn on a goroutine under a fresh cancellable context and returns
// the generation that fn's results must carry to be accepted.
func (w *Wizard) run(fn func(ctx context.Context, gen uint64)) {
	w.mu.Lock()
	if w.cancel != nil {
		w.cancel()
	}
	w.gen++
	gen := w.gen
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	w.wg.Add(1)
	w.mu.Unlock()
	go func() {
		defer w.wg.Done()
		defer cancel()
		fn(ctx, gen)
	}()
}

// current reports, with w.mu held, whether results of generation gen are
// still wanted.
func (w *Wizard) current(gen uint64) bool { return gen == w.gen }

// Busy reports whether work that Cancel stops is running: finding the
// servers, the test, a save, a browser sign-in or the sending check.
func (w *Wizard) Busy() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.find.running || w.test.running || w.save.running || w.test.signingIn || w.sending.running
}

// locked returns get's result read with w.mu held, for the accessors
// whose work is a method that needs the lock.
func locked[T any](w *Wizard, get func() T) T {
	w.mu.Lock()
	defer w.mu.Unlock()
	return get()
}

// lockCurrent locks w.mu when gen is still the current generation and
// reports whether it did: a callback of an abandoned run returns at once,
// with the lock not held.
func (w *Wizard) lockCurrent(gen uint64) bool {
	w.mu.Lock()
	if !w.current(gen) {
		w.mu.Unlock()
		return false
	}
	return true
}
