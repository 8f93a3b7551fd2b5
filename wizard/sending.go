package wizard

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/safetext"
	"github.com/mailwiz/mailwiz/probe"
)

// SendingRequest is what the sending check for a mailing program needs:
// the tested account, and the sender address the program will put in
// From (the users' guide's "sender substitution").
type SendingRequest struct {
	Address  account.Address
	Config   account.Config // the chosen servers first
	Password string
	// OAuth2 is the test's sign-in, for an account that signs in through
	// its provider's page instead of a password.
	OAuth2 *probe.OAuth2Login
	// From is the sender the mailing program will use; the account's own
	// address when empty.
	From string
	// Bounce is the mailbox that will receive delivery reports ("Mail
	// Delivery System"); the account's own when empty.
	Bounce string
	// BounceTest is the person's consent to the bounce test: one letter
	// to a made-up address at a reserved .invalid domain (nobody receives
	// it), then a wait for the delivery report in the account's inbox.
	BounceTest bool
	// TrustedCerts are the certificate exceptions the person accepted.
	TrustedCerts []string
	// Lang is the language of the findings' texts.
	Lang string
}

// SenderWarnings are what the provider database says against a mailing
// program sending as from through addr's account (cfg's
// from-must-match-login hints), in lang and made safe to show; none when
// from is empty or the account's own address. Both faces show them before
// anything is sent: the CLI above its consent question, the window under
// the sender field.
func SenderWarnings(cfg account.Config, addr account.Address, from, lang string) []string {
	from = strings.TrimSpace(from)
	if from == "" || strings.EqualFold(from, addr.String()) {
		return nil
	}
	var out []string
	for _, h := range cfg.Hints {
		if h.Kind == account.HintFromMustMatch {
			out = append(out, safetext.Show(h.In(lang)))
		}
	}
	return out
}

// SenderWarnings are SenderWarnings for the account as it stands.
func (w *Wizard) SenderWarnings(from, lang string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return SenderWarnings(w.cfg, w.addr, from, lang)
}

// SendingLevel rates one finding of the sending check.
type SendingLevel string

// The levels, from good to bad.
const (
	SendingOK   SendingLevel = "ok"
	SendingInfo SendingLevel = "info"
	SendingWarn SendingLevel = "warn"
	SendingFail SendingLevel = "fail"
)

// SendingFinding is one thing the sending check found, in the request's
// language.
type SendingFinding struct {
	Level SendingLevel
	// Title is a short heading ("Sender substitution"), Text the finding
	// and what to do.
	Title, Text string
	// ServerWords are the server's own words, made safe for display, when
	// it answered something worth reading.
	ServerWords string
	// Record is a DNS record for the sender domain's owner to add or
	// change, as a zone file line.
	Record string
}

// SendingReport is the sending check's outcome.
type SendingReport struct {
	Findings []SendingFinding
}

// Worst is the worst level among the findings (SendingOK for none).
func (r SendingReport) Worst() SendingLevel {
	order := []SendingLevel{SendingOK, SendingInfo, SendingWarn, SendingFail}
	worst := 0
	for _, f := range r.Findings {
		for i, l := range order {
			if l == f.Level && i > worst {
				worst = i
			}
		}
	}
	return order[worst]
}

// SendingState is a snapshot of the sending check.
type SendingState struct {
	Running bool
	Done    bool
	Report  SendingReport
	Err     error
}

// SendingFinished reports the end of a sending check.
type SendingFinished struct{ State SendingState }

// ErrNoSendingCheck: this build has no sending check wired in.
var ErrNoSendingCheck = errors.New("wizard: the sending check is not available in this build")

// ErrNotTested: the sending check needs the login test to have passed,
// for the password and the servers it proved.
var ErrNotTested = errors.New("wizard: test the account first")

type sendingState struct {
	running, done bool
	report        SendingReport
	err           error
}

// CanCheckSending reports whether the sending check is available.
func (w *Wizard) CanCheckSending() bool { return w.deps.CheckSending != nil }

// SendingOptions are what the person chose for the sending check.
type SendingOptions struct {
	// From is the sender the mailing program will use (the account's
	// address when empty); Bounce the mailbox for delivery reports (the
	// account's own when empty).
	From, Bounce string
	// BounceTest adds the bounce test (SendingRequest.BounceTest).
	BounceTest bool
	Lang       string
}

// SendingLimit bounds a sending check: two round trips of a letter (the
// test letter's and, with the bounce test, the report's) and DNS
// lookups, longer than a login.
func SendingLimit(bounceTest bool) time.Duration {
	if bounceTest {
		return 5 * time.Minute
	}
	return 3 * time.Minute
}

// CheckSending starts the sending check for a mailing program;
// SendingFinished reports its end. It sends one message to the account's
// own address and, with o.BounceTest, one to a made-up address nobody
// receives: the person's consent is the caller's to ask before.
func (w *Wizard) CheckSending(o SendingOptions) error {
	if w.deps.CheckSending == nil {
		return ErrNoSendingCheck
	}
	w.mu.Lock()
	if w.test.password == "" && w.test.signin == nil || w.test.report == nil || !w.test.report.OK {
		w.mu.Unlock()
		return ErrNotTested
	}
	req := SendingRequest{Address: w.addr, Config: cloneConfig(w.cfg), Password: w.test.password,
		From: strings.TrimSpace(o.From), Bounce: strings.TrimSpace(o.Bounce), BounceTest: o.BounceTest, TrustedCerts: w.trustedLocked(), Lang: o.Lang}
	if si := w.test.signin; si != nil {
		login := si.Login
		req.OAuth2 = &login
	}
	w.sending = sendingState{running: true}
	w.mu.Unlock()
	w.run(func(ctx context.Context, gen uint64) {
		ctx, cancel := context.WithTimeout(ctx, SendingLimit(req.BounceTest))
		defer cancel()
		rep, err := w.deps.CheckSending(ctx, req)
		if !w.lockCurrent(gen) {
			return
		}
		w.sending = sendingState{done: true, report: rep, err: err}
		st := w.sendingLocked()
		w.mu.Unlock()
		w.notify(SendingFinished{State: st})
	})
	return nil
}

// Sending returns the sending check's state.
func (w *Wizard) Sending() SendingState {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sendingLocked()
}

func (w *Wizard) sendingLocked() SendingState {
	s := w.sending
	return SendingState{Running: s.running, Done: s.done, Report: s.report, Err: s.err}
}
