package probe

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
)

// Fallback to another port, as Thunderbird's guesser does, but honestly.
//
// Networks block outgoing ports: 25 nearly everywhere, sometimes 465 or
// 993/995 too. A provider offers others (Gmail SMTP 465 SSL or 587
// STARTTLS; Mail.ru 465, 587 and 2525). When the preferred server has not
// said a word, its alternatives are tried, but only then:
//
//   - A server that has sent even one byte has answered: whatever follows
//     (a refused password, a certificate this computer does not trust,
//     STARTTLS missing, a plaintext login refused) is about the account
//     and is reported as it is. A certificate problem never leads to
//     another port, so it can never lead to a weaker one.
//   - A name that does not resolve is no reason either: the host is the
//     same, so is the answer.
//   - An alternative has the same protocol and sign-in method; SSL and
//     STARTTLS stand in for each other. A server without encryption stands
//     in only for a preferred server without encryption, and only with the
//     user's consent (Request.AllowPlaintext): silence on an encrypted port
//     is exactly what a network that strips encryption arranges, so it
//     must never lead to a plaintext login, whatever was consented to.
//
// Timing, Happy-Eyeballs style (RFC 8305): the preferred server gets a
// head start (Request.FallbackDelay, counted from the resolved name). If it
// is still silent then, or fails without an answer sooner, every
// alternative starts at once. The preferred keeps going: if it answers
// before an alternative has logged in, it is the one, and the alternatives
// stop. Otherwise the first alternative to log in is taken and the rest
// stop. Every attempt's stages keep Request.Timeout, so the slowest
// outcome is the preferred's timeout plus the alternatives' own test.

// DefaultFallbackDelay is the preferred server's head start: a mail server
// greets, or answers a TLS hello, within a round trip or two, so two
// seconds of silence is a port that does not answer, not a slow server.
const DefaultFallbackDelay = 2 * time.Second

// Alternatives returns the servers of list that may stand in for preferred
// when it does not answer from this network: the same protocol and
// sign-in method on another host:port, in list order (the provider's
// preference), each host:port once. Which of them may carry the password
// unencrypted is decided by Run (see usableAlternatives).
func Alternatives(preferred account.Server, list []account.Server) []account.Server {
	var out []account.Server
	seen := map[string]bool{hostPort(preferred): true}
	for _, s := range list {
		if s.Protocol != preferred.Protocol || s.Auth != preferred.Auth || seen[hostPort(s)] {
			continue
		}
		seen[hostPort(s)] = true
		out = append(out, s)
	}
	return out
}

func hostPort(s account.Server) string {
	return fmt.Sprintf("%s:%d", strings.ToLower(s.Host), s.Port)
}

// usableAlternatives are Alternatives[i] that Run may try: filtered again
// (a caller may have built the list by hand), without a plaintext one
// unless the preferred is itself plaintext and the user consented, with
// the preferred's user name where none is set.
func (req *Request) usableAlternatives(i int) []account.Server {
	if i >= len(req.Alternatives) {
		return nil
	}
	pref := req.Servers[i]
	var out []account.Server
	for _, s := range Alternatives(pref, req.Alternatives[i]) {
		if s.Security == account.None && (pref.Security != account.None || !req.AllowPlaintext) {
			continue
		}
		if !s.Security.Valid() {
			continue
		}
		if s.Username == "" {
			s.Username = pref.Username
		}
		out = append(out, s)
	}
	return out
}

// errStopped is the cause an attempt is cancelled with once another one
// decided the outcome.
var errStopped = errors.New("probe: another server of this account answered first")

// NoAnswerError is the preferred server's failure when an alternative
// logged in while it had not said a word yet: the test stopped waiting
// for it. It wraps a *StageTimeoutError, so it reads as timeout (or
// port-blocked on port 25).
type NoAnswerError struct {
	Stage Stage
	After time.Duration // from the start of its test
	Err   error
}

func (e *NoAnswerError) Error() string {
	return fmt.Sprintf("probe: no answer within %s in the %s stage, while another port of the same server logged in", e.After.Round(10*time.Millisecond), e.Stage)
}

func (e *NoAnswerError) Unwrap() error { return e.Err }

// attempt is one server tried in one place of Request.Servers.
type attempt struct {
	r       *runner
	cancel  context.CancelCauseFunc
	done    chan struct{}
	res     Result
	stopped bool // cancelled by the coordinator, not failed on its own
}

// stop cancels an attempt still running; one that has ended keeps its
// own outcome. Called with fallback.mu held.
func (a *attempt) stop() {
	select {
	case <-a.done:
	default:
		a.stopped = true
		a.cancel(errStopped)
	}
}

// fallback coordinates the preferred server and its alternatives.
type fallback struct {
	ctx   context.Context
	req   *Request
	index int
	em    *emitter

	mu           sync.Mutex
	pref         *attempt
	alts         []*attempt
	altsStarted  bool
	prefDone     bool
	prefAnswered bool
	winner       *attempt
	timer        *time.Timer
	wg           sync.WaitGroup // the alternatives
}

func (f *fallback) newAttempt(srv account.Server, alt bool) *attempt {
	ctx, cancel := context.WithCancelCause(f.ctx)
	a := &attempt{r: &runner{req: f.req, srv: srv, index: f.index, em: f.em, alt: alt}, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(a.done)
		defer cancel(nil)
		a.res = a.r.run(ctx)
	}()
	return a
}

// runWithFallback tests Request.Servers[index], and alts when it does not
// answer, and returns the result for that place.
func runWithFallback(ctx context.Context, req *Request, index int, alts []account.Server, em *emitter) Result {
	f := &fallback{ctx: ctx, req: req, index: index, em: em}
	delay := req.FallbackDelay
	if delay == 0 {
		delay = DefaultFallbackDelay
	}
	// The hooks run on the preferred's goroutine, so they are set before
	// it starts; newAttempt is inlined here for that reason.
	pctx, pcancel := context.WithCancelCause(ctx)
	pr := &runner{req: req, srv: req.Servers[index], index: index, em: em}
	f.pref = &attempt{r: pr, cancel: pcancel, done: make(chan struct{})}
	pr.connecting = func() {
		if delay < 0 {
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.timer == nil && !f.prefDone {
			f.timer = time.AfterFunc(delay, func() { f.headStartOver(alts) })
		}
	}
	pr.onHeard = f.preferredAnswered
	go func() {
		defer close(f.pref.done)
		defer pcancel(nil)
		f.pref.res = pr.run(pctx)
	}()
	<-f.pref.done

	f.mu.Lock()
	f.prefDone = true
	if f.timer != nil {
		f.timer.Stop()
	}
	if !f.altsStarted && !pr.heard.Load() && noAnswer(f.pref.res) && ctx.Err() == nil && !f.pref.stopped {
		f.startAltsLocked(alts)
	}
	started := f.altsStarted
	f.mu.Unlock()
	if !started {
		return f.pref.res
	}
	f.wg.Wait()
	return f.outcome()
}

// headStartOver starts the alternatives when the preferred server is still
// silent at the end of its head start.
func (f *fallback) headStartOver(alts []account.Server) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.prefDone || f.prefAnswered || f.altsStarted || f.ctx.Err() != nil {
		return
	}
	f.startAltsLocked(alts)
}

func (f *fallback) startAltsLocked(alts []account.Server) {
	f.altsStarted = true
	for _, s := range alts {
		a := f.newAttempt(s, true)
		f.alts = append(f.alts, a)
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			<-a.done
			if a.res.OK {
				f.altLoggedIn(a)
			}
		}()
	}
}

// preferredAnswered: the preferred server spoke, so it is the one; the
// alternatives stop (unless one has already logged in and stopped it).
func (f *fallback) preferredAnswered() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.winner != nil {
		return
	}
	f.prefAnswered = true
	for _, a := range f.alts {
		a.stop()
	}
}

// altLoggedIn: an alternative logged in while the preferred had not said
// a word, so it is taken, and every other attempt stops.
func (f *fallback) altLoggedIn(w *attempt) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.winner != nil || f.prefAnswered {
		return
	}
	f.winner = w
	for _, a := range append([]*attempt{f.pref}, f.alts...) {
		if a != w {
			a.stop()
		}
	}
}

// noAnswer reports whether a failed result is the network's doing: the
// server never got as far as a word (the caller checks runner.heard), and
// the failure was not in resolving the name.
func noAnswer(r Result) bool {
	if r.OK {
		return false
	}
	switch r.Stage {
	case StageConnect, StageTLS, StageGreeting, StageSTARTTLS:
		return true
	}
	return false
}

// outcome picks the result for the place once every attempt has ended.
func (f *fallback) outcome() Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	pref := f.pref.res
	if f.prefAnswered || pref.OK || f.ctx.Err() != nil && f.winner == nil {
		// The preferred answered, or the whole test was cancelled or ran
		// out of time: the alternatives' silence means nothing then.
		return pref
	}
	if f.pref.stopped {
		// Cut short while silent: say so, not "cancelled".
		err := &NoAnswerError{Stage: pref.Stage, After: pref.Duration,
			Err: &StageTimeoutError{Stage: pref.Stage, Limit: pref.Duration.Round(10 * time.Millisecond).String(), Err: pref.Err}}
		pref.Err = err
		pref.Error = err.Error()
		pref.Diagnosis = diagnose(err, pref.Server, pref.Stage, f.req.Provider)
	}
	chosen := f.winner
	if chosen == nil {
		// No login: an alternative that answered (a refused password, a
		// certificate) says more about the account than silence does.
		for _, a := range f.alts {
			if !a.stopped && a.r.heard.Load() {
				chosen = a
				break
			}
		}
	}
	if chosen == nil {
		for _, a := range f.alts {
			if !a.stopped {
				pref.Tried = append(pref.Tried, a.res)
			}
		}
		if pref.Diagnosis != nil && len(pref.Tried) > 0 {
			for _, lang := range []string{"en", "ru"} {
				pref.Diagnosis.Text[lang] += " " + fmt.Sprintf(catalog.T(lang, alsoSilentText), serverList(pref.Tried, lang))
			}
		}
		return pref
	}
	res := chosen.res
	from := f.pref.r.srv
	res.FallbackFrom = &from
	res.Tried = []Result{pref}
	for _, a := range f.alts {
		if a != chosen && !a.stopped {
			res.Tried = append(res.Tried, a.res)
		}
	}
	res.FallbackText = map[string]string{}
	for _, lang := range []string{"en", "ru"} {
		t := fallbackWorksText
		if !res.OK {
			t = fallbackAnsweredText
		}
		res.FallbackText[lang] = fmt.Sprintf(catalog.T(lang, t), from.Port, serverLabel(res.Server, lang))
	}
	return res
}

// serverLabel names a server in a sentence: "smtp.gmail.com:587 STARTTLS".
func serverLabel(s account.Server, lang string) string {
	return fmt.Sprintf("%s:%d %s", s.Host, s.Port, securityName(s.Security, lang))
}

func securityName(s account.Security, lang string) string {
	return account.BySecurity(s, "SSL", "STARTTLS", catalog.T(lang, noEncryptionText))
}

// serverList names the servers of results: "587 STARTTLS, 2525 STARTTLS"
// when they share the first one's host, else with their hosts.
func serverList(rs []Result, lang string) string {
	var parts []string
	for _, r := range rs {
		if strings.EqualFold(r.Server.Host, rs[0].Server.Host) && len(parts) > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", r.Server.Port, securityName(r.Server.Security, lang)))
			continue
		}
		parts = append(parts, serverLabel(r.Server, lang))
	}
	return strings.Join(parts, ", ")
}
