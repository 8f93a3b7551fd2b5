package wizard

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/probe"
)

// TestRequest is one connection test: the chosen servers and the password.
type TestRequest struct {
	Address  account.Address
	Incoming account.Server
	Outgoing account.Server
	Password string
	// AllowPlaintext is the user's consent to log in without encryption.
	AllowPlaintext bool
	// SendTest asks for a round trip: send a message to the address over
	// SMTP and look for it over IMAP/POP3.
	SendTest bool
	// Config is the whole account, for the provider's hints and links in
	// the diagnosis.
	Config account.Config
	// TrustedCerts are the certificate exceptions the user confirmed
	// (SHA-256 fingerprints, see TrustCert).
	TrustedCerts []string
	// OAuth2 is the browser sign-in's token, for the servers that sign in
	// with OAuth2 (nil: they are tried with the password).
	OAuth2 *probe.OAuth2Login
	// IncomingAlternatives and OutgoingAlternatives may stand in for
	// Incoming and Outgoing when those do not answer from this network
	// (a blocked port): the config's other servers of the same protocol,
	// preferred first. Empty for a server the user typed (fallback.go).
	IncomingAlternatives, OutgoingAlternatives []account.Server
	// Lang is the language of the test letter ("en", "ru").
	Lang string
}

// TestReport is the result of a connection test, as in `test --json`.
type TestReport struct {
	OK      bool
	Results []ServerResult
	// SendTest is the round trip's result; nil when none was asked for.
	SendTest *ServerResult
}

// ServerResult is one server's test result.
type ServerResult struct {
	Server   account.Server
	OK       bool
	Stage    Stage         // the last stage reached
	Duration time.Duration // the whole test of this server
	// Error holds the server's own words (or the system's), never a password.
	Error     string
	Diagnosis Diagnosis
	TLS       *TLSInfo // nil when no TLS handshake happened
	// FallbackFrom is the chosen server when Server stands in for it
	// because it did not answer from this network; FallbackText says so
	// by language ("en", "ru"). When such a server logged in, the wizard
	// makes it the chosen one (fallback.go).
	FallbackFrom *account.Server
	FallbackText map[string]string
	// JunkFolder names the spam folder the send test's message arrived
	// in (safe to show); "" for the inbox.
	JunkFolder string
	// Tried are the other servers tried in this place when the chosen one
	// did not answer, each as it ended (the test page lists them).
	Tried []ServerResult
}

// Diagnosis is a failure explained: Kind from the contract's list
// (bad-credentials, tls-untrusted, app-password...), Text in plain words
// by language ("en", "ru"), URL the provider's page for the fix if known.
// CertSHA256 names a refused certificate the user may accept (CertOffers).
type Diagnosis struct {
	Kind       string
	Text       map[string]string
	URL        string
	CertSHA256 string
}

// In returns the diagnosis text in lang, falling back to English, or "".
func (d Diagnosis) In(lang string) string {
	if t := d.Text[lang]; t != "" {
		return t
	}
	return d.Text["en"]
}

// TLSInfo describes the certificate a server presented.
type TLSInfo struct {
	Version  string
	Verified bool
	// Exception: not verified, but accepted by the user (TrustCert).
	Exception bool
	Subject   string
	Issuer    string
	NotAfter  time.Time
	SHA256    string
}

type testState struct {
	running  bool
	stages   map[string]StageProgress // by server URL
	report   *TestReport
	err      error
	plainOK  bool // consent to a plaintext login, for these servers
	password string
	skipped  bool // an OAuth2-only account goes on untested
	// signin is the browser sign-in the test logs in with (signin.go);
	// signingIn while it waits for the browser.
	signin    *SignedIn
	signingIn bool
	// trusted are the certificate exceptions the user confirmed, each for
	// the server that showed the certificate (trust.go).
	trusted []exception
	// typed: the chosen incoming [0] or outgoing [1] server is one the user
	// edited, which is tested exactly, without fallback (fallback.go).
	typed [2]bool
}

func (t testState) passed() bool { return t.report != nil && t.report.OK || t.skipped }

// NeedsOAuth2 reports whether the provider lets mail programs in only
// through its own sign-in page, so a password test cannot pass.
func (w *Wizard) NeedsOAuth2() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cfg.HasHint(account.HintOAuth2Required) {
		return true
	}
	for _, l := range [][]account.Server{w.cfg.Incoming, w.cfg.Outgoing} {
		if len(l) > 0 && l[0].Auth == account.AuthOAuth2 {
			return true
		}
	}
	return false
}

// ErrTestNeeded is returned by SkipTest for an account a password can log
// in to: its test must pass.
var ErrTestNeeded = errors.New("wizard: only an account that signs in through the provider's page may skip the test")

// SkipTest lets an OAuth2-only account go on to Done untested, to export
// its settings to a program that can sign in. Nothing is saved in the
// keychain for it.
func (w *Wizard) SkipTest() error {
	if !w.NeedsOAuth2() {
		return ErrTestNeeded
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.test.skipped = true
	return nil
}

// TestSkipped reports whether the account went on untested (SkipTest).
func (w *Wizard) TestSkipped() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.test.skipped
}

// ErrPlaintextConsent is returned by StartTest when a chosen server is not
// encrypted and the user has not consented to sending the password in the
// clear. Ask, then call ConsentPlaintext.
var ErrPlaintextConsent = errors.New("wizard: the password would cross the network unencrypted; ask for consent first")

// sendTestAllowance is added to the test's time limit for the round trip:
// a message can take a while to arrive (probe waits up to two minutes).
const sendTestAllowance = 2 * time.Minute

// ErrNoTester is reported when no connection test is wired in.
var ErrNoTester = errors.New("wizard: connection testing is not available in this build")

// NeedsPlaintextConsent reports whether a chosen server sends the password
// unencrypted and the user has not yet agreed to it.
func (w *Wizard) NeedsPlaintextConsent() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.plaintextLocked() && !w.test.plainOK
}

func (w *Wizard) plaintextLocked() bool {
	for _, l := range [][]account.Server{w.cfg.Incoming, w.cfg.Outgoing} {
		if len(l) > 0 && l[0].Security == account.None && l[0].Auth != account.AuthNone {
			return true
		}
	}
	return false
}

// ConsentPlaintext records the user's consent to a plaintext login.
func (w *Wizard) ConsentPlaintext() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.test.plainOK = true
}

// Password returns the password typed on the Test step (kept in memory only,
// so Back and Retry do not lose it).
func (w *Wizard) Password() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.test.password
}

// SetPassword records the password typed. It lives in memory only.
func (w *Wizard) SetPassword(p string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if p != w.test.password {
		w.test.report = nil // a test of another password says nothing about this one
	}
	w.test.password = p
}

// TestState is a snapshot of the connection test.
type TestState struct {
	Running bool
	Stages  []StageProgress // the last stage of each server, incoming first
	Report  *TestReport     // nil until the test ends
	Err     error           // the test could not run (not: a server refused)
}

// Testing returns a snapshot of the connection test.
func (w *Wizard) Testing() TestState {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := TestState{Running: w.test.running, Report: w.test.report, Err: w.test.err}
	for side, l := range [][]account.Server{w.cfg.Incoming, w.cfg.Outgoing} {
		if len(l) == 0 {
			continue
		}
		// The side's server that got furthest: during a port fallback the
		// provider's other port may be the one moving on while the chosen
		// one stays silent.
		var best *StageProgress
		for _, p := range w.test.stages {
			if (p.Server.Protocol == account.SMTP) != (side == 1) {
				continue
			}
			if best == nil || stageRank(p.Stage) > stageRank(best.Stage) ||
				stageRank(p.Stage) == stageRank(best.Stage) && p.Elapsed > best.Elapsed {
				best = &p
			}
		}
		if best != nil {
			st.Stages = append(st.Stages, *best)
		}
	}
	return st
}

// StartTest runs the connection test of the chosen servers with the password
// set by SetPassword. It returns ErrPlaintextConsent before any network work
// if consent is needed, and an error if the test cannot start; otherwise the
// result arrives as a TestFinished event.
func (w *Wizard) StartTest(sendTest bool) error {
	w.mu.Lock()
	if w.step != StepTest {
		w.mu.Unlock()
		return fmt.Errorf("wizard: the test runs on the test step, not on %s", w.step)
	}
	if len(w.cfg.Incoming) == 0 || len(w.cfg.Outgoing) == 0 {
		w.mu.Unlock()
		return fmt.Errorf("%w: an incoming and an outgoing server are needed", ErrNotReady)
	}
	// The window tests an OAuth2 server with the password too: a person
	// may have an app password, and the server's refusal is explained.
	kept := w.keptLocked()
	plan, err := w.resolvedLocked().PlanTest(TestOptions{PasswordForOAuth2: true, SignedIn: w.test.signin != nil || kept != nil})
	if err != nil {
		w.mu.Unlock()
		return err
	}
	if w.plaintextLocked() && !w.test.plainOK {
		w.mu.Unlock()
		return ErrPlaintextConsent
	}
	w.pruneTrustLocked()
	req := TestRequest{Address: w.addr, Incoming: plan.Servers[0], Outgoing: plan.Servers[1],
		Password: w.test.password, AllowPlaintext: w.test.plainOK, SendTest: sendTest, Config: cloneConfig(w.cfg),
		TrustedCerts: w.trustedLocked(), IncomingAlternatives: plan.Alternatives[0], OutgoingAlternatives: plan.Alternatives[1], Lang: w.lang}
	if si := w.test.signin; si != nil {
		login := si.Login
		req.OAuth2 = &login
	}
	w.test.running, w.test.report, w.test.err = true, nil, nil
	w.test.stages = map[string]StageProgress{}
	w.mu.Unlock()

	w.run(func(ctx context.Context, gen uint64) {
		if kept != nil {
			// The saved account's sign-in, as `mailwiz test` uses it: a
			// fresh access token from the kept refresh token. Save keeps
			// the sign-in as it is (no new refresh token to store).
			login, err := w.deps.KeptSignIn(ctx, kept, req.Config.For(req.Address))
			if err == nil && login == nil {
				err = errors.New("no access token")
			}
			if !w.lockCurrent(gen) {
				return
			}
			if err != nil {
				w.test.running, w.test.err = false, &KeptSignInError{Err: err}
				w.mu.Unlock()
				w.notify(TestFinished{})
				return
			}
			w.test.signin = &SignedIn{ProviderID: kept.Provider, Tenant: kept.Tenant, Login: *login}
			w.mu.Unlock()
			req.OAuth2 = login
		}
		var rep TestReport
		err := ErrNoTester
		if w.deps.Test != nil {
			limit := w.deps.TestTimeout
			if req.SendTest {
				limit += sendTestAllowance // the message has to arrive, too
			}
			ctx, cancel := context.WithTimeout(ctx, limit)
			defer cancel()
			rep, err = w.deps.Test(ctx, req, func(p StageProgress) { w.stage(gen, p) }), nil
		}
		if !w.lockCurrent(gen) {
			return
		}
		w.test.running = false
		if err != nil {
			w.test.err = err
		} else {
			w.test.report = &rep
			w.adoptFallbackLocked(rep)
		}
		w.mu.Unlock()
		w.notify(TestFinished{Report: rep})
	})
	return nil
}

// stageRank orders the stages as a test passes them (a TLS port skips
// starttls, a STARTTLS one tls); the send test's come after done.
func stageRank(s Stage) int {
	return slices.Index([]Stage{StageDNS, StageConnect, StageTLS, StageGreeting, StageSTARTTLS, StageAuth, StageDone,
		StageSend, StageDeliver, StageCleanup}, s)
}

func (w *Wizard) stage(gen uint64, p StageProgress) {
	if !w.lockCurrent(gen) {
		return
	}
	w.test.stages[p.Server.String()] = p
	w.mu.Unlock()
	w.notify(p)
}
