package wizard

import (
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/probe"
)

// Event is something the wizard reports to its listener: one of the types
// below. Events from network work arrive on the work's goroutine.
type Event interface{ event() }

// StepChanged reports that the wizard moved to Step.
type StepChanged struct{ Step Step }

// SourceStatus is where one discovery source stands.
type SourceStatus string

// Source states, in the order a source moves through them.
const (
	SourceAsking  SourceStatus = "asking"  // the question is out
	SourceFound   SourceStatus = "found"   // it answered with servers
	SourceNothing SourceStatus = "nothing" // it answered: nothing for this domain
	SourceFailed  SourceStatus = "failed"  // it could not be asked (timeout, network)
	SourceSkipped SourceStatus = "skipped" // not asked: a better source already answered
)

// SourceProgress reports one discovery source's state. Detail is a short
// technical note (the URL asked, the error) for a details view.
type SourceProgress struct {
	Source account.Source
	Status SourceStatus
	Detail string
}

// Provisional carries an answer from a lower-ranked source while better
// ones are still being asked; a later Provisional or Found replaces it.
type Provisional struct{ Config account.Config }

// Found carries discovery's final answer; the wizard stays at Finding until
// the user moves on (the GUI may move on at once).
type Found struct{ Config account.Config }

// NotFound reports that discovery ended without servers; Err says why.
// The Servers step then offers manual entry.
type NotFound struct{ Err error }

// RedirectRefused reports that a discovery source was redirected to
// another domain, To, and did not follow: the address was not sent there.
// The person may agree with FollowRedirect.
type RedirectRefused struct{ From, To string }

// Stage is how far a connection test got: probe's stages, the words of the
// test --json contract, so the two can never drift apart.
type Stage = probe.Stage

// The stages of a connection test, in order.
const (
	StageDNS      = probe.StageDNS
	StageConnect  = probe.StageConnect
	StageTLS      = probe.StageTLS
	StageGreeting = probe.StageGreeting
	StageSTARTTLS = probe.StageSTARTTLS
	StageAuth     = probe.StageAuth
	StageDone     = probe.StageDone
	// The send test's stages, after the logins.
	StageSend    = probe.StageSend
	StageDeliver = probe.StageDeliver
	StageCleanup = probe.StageCleanup
)

// SendTestWait is how long the send test waits for its message.
const SendTestWait = probe.DefaultDeliveryTimeout

// StageProgress reports that the test of Server reached Stage after Elapsed.
type StageProgress struct {
	Server  account.Server
	Stage   Stage
	Elapsed time.Duration
}

// TestFinished carries the connection test's report.
type TestFinished struct{ Report TestReport }

// Saved reports the end of a keychain save: Err is nil on success, or wraps
// the keychain's error (e.g. no keyring available).
type Saved struct{ Err error }

func (StepChanged) event()     {}
func (SourceProgress) event()  {}
func (Provisional) event()     {}
func (Found) event()           {}
func (NotFound) event()        {}
func (StageProgress) event()   {}
func (TestFinished) event()    {}
func (Saved) event()           {}
func (RedirectRefused) event() {}
func (SendingFinished) event() {}
