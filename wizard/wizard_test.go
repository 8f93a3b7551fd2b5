package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mailwiz/mailwiz/account"
)

// recorder collects events from the wizard's goroutines.
type recorder struct {
	mu     sync.Mutex
	events []Event
	ch     chan Event
}

func newRecorder() *recorder { return &recorder{ch: make(chan Event, 256)} }

func (r *recorder) listen(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	r.ch <- e
}

// waitFor returns the first event for which match is true, failing after a
// bound.
func (r *recorder) waitFor(t *testing.T, what string, match func(Event) bool) Event {
	t.Helper()
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	for {
		select {
		case e := <-r.ch:
			if match(e) {
				return e
			}
		case <-timer.C:
			t.Fatalf("timed out waiting for %s", what)
			return nil
		}
	}
}

func isFound(e Event) bool    { _, ok := e.(Found); return ok }
func isNotFound(e Event) bool { _, ok := e.(NotFound); return ok }
func isTestDone(e Event) bool { _, ok := e.(TestFinished); return ok }
func isSaved(e Event) bool    { _, ok := e.(Saved); return ok }

func exampleConfig() account.Config {
	return account.Config{
		Provider: &account.Provider{ID: "example", Name: "Example"},
		Incoming: []account.Server{
			{Protocol: account.IMAP, Host: "imap.example.com", Port: 993, Security: account.SSL, Username: "%EMAILADDRESS%", Auth: account.AuthPassword},
			{Protocol: account.POP3, Host: "pop.example.com", Port: 995, Security: account.SSL, Username: "%EMAILLOCALPART%", Auth: account.AuthPassword},
		},
		Outgoing: []account.Server{
			{Protocol: account.SMTP, Host: "smtp.example.com", Port: 465, Security: account.SSL, Username: "%EMAILADDRESS%", Auth: account.AuthPassword},
		},
	}
}

func lookup(domain string) (account.Config, bool) {
	if domain == "example.com" {
		return exampleConfig(), true
	}
	return account.Config{}, false
}

// toServers walks a wizard from an address to the Servers step.
func toServers(t *testing.T, w *Wizard, r *recorder, address string) {
	t.Helper()
	if err := w.SetAddress(address); err != nil {
		t.Fatal(err)
	}
	if err := w.Next(); err != nil {
		t.Fatal(err)
	}
	r.waitFor(t, "discovery's end", func(e Event) bool { return isFound(e) || isNotFound(e) })
	if err := w.Next(); err != nil {
		t.Fatal(err)
	}
}

// toTestStep walks a wizard from an address to the Test step, the
// password typed.
func toTestStep(t *testing.T, w *Wizard, r *recorder, address, password string) {
	t.Helper()
	toServers(t, w, r, address)
	w.Next() // before-login
	if err := w.Next(); err != nil {
		t.Fatal(err)
	}
	w.SetPassword(password)
}

// runTest runs the connection test and returns its report.
func runTest(t *testing.T, w *Wizard, r *recorder) TestReport {
	t.Helper()
	if err := w.StartTest(false); err != nil {
		t.Fatal(err)
	}
	return r.waitFor(t, "the test's end", isTestDone).(TestFinished).Report
}

func TestAddressStep(t *testing.T) {
	for _, c := range []struct {
		in   string
		code string // "" = accepted
	}{
		{"", "empty"},
		{"alice", "no-at"},
		{"alice@localhost", "single-label"},
		{" Alice+tag@Example.COM ", ""},
		{"алиса@почта.рф", ""},
	} {
		w := New(Deps{}, nil)
		err := w.SetAddress(c.in)
		var ae *account.AddressError
		switch {
		case c.code == "" && err != nil:
			t.Errorf("%q refused: %v", c.in, err)
		case c.code != "" && (!errors.As(err, &ae) || ae.Code != c.code):
			t.Errorf("%q: error %v, want code %s", c.in, err, c.code)
		}
		nextErr := w.Next()
		if (nextErr == nil) != (c.code == "") {
			t.Errorf("%q: Next = %v", c.in, nextErr)
		}
		if c.code != "" && !errors.Is(nextErr, ErrNotReady) {
			t.Errorf("%q: Next error %v does not wrap ErrNotReady", c.in, nextErr)
		}
		w.Close()
	}
}

func TestKnownProviderFlow(t *testing.T) {
	r := newRecorder()
	w := New(Deps{Lookup: lookup}, r.listen)
	defer w.Close()
	toServers(t, w, r, "bob+lists@Example.com")
	if s := w.Step(); s != StepServers {
		t.Fatalf("step = %s", s)
	}
	in, out := w.Incoming(), w.Outgoing()
	if in.Host != "imap.example.com" || in.Username != "bob@example.com" || out.Host != "smtp.example.com" {
		t.Fatalf("servers: %+v %+v", in, out)
	}
	cfg := w.Config()
	if cfg.Source != account.SourceBuiltin || !cfg.SecureSource || !cfg.LeaveOnServer {
		t.Fatalf("config source %s secure %v leave %v", cfg.Source, cfg.SecureSource, cfg.LeaveOnServer)
	}
	w.ChooseProtocol(account.POP3)
	if in := w.Incoming(); in.Protocol != account.POP3 || in.Username != "bob" {
		t.Fatalf("after choosing POP3: %+v", in)
	}
	w.ChooseProtocol(account.IMAP)
	if in := w.Incoming(); in.Host != "imap.example.com" {
		t.Fatalf("after choosing IMAP again: %+v", in)
	}
}

func TestBackKeepsWhatWasTyped(t *testing.T) {
	r := newRecorder()
	w := New(Deps{Lookup: lookup}, r.listen)
	defer w.Close()
	w.SetName("Bob")
	toServers(t, w, r, "bob@example.com")
	in := w.Incoming()
	in.Port = 1993
	w.SetIncoming(in)
	if err := w.Next(); err != nil {
		t.Fatal(err)
	}
	if !w.Back() || w.Step() != StepServers {
		t.Fatalf("Back from before-login went to %s", w.Step())
	}
	if got := w.Incoming().Port; got != 1993 {
		t.Errorf("edited port after Back = %d", got)
	}
	if !w.Back() || w.Step() != StepAddress {
		t.Fatalf("Back from servers went to %s, want address (Finding is skipped)", w.Step())
	}
	if w.AddressText() != "bob@example.com" || w.Name() != "Bob" {
		t.Errorf("typed values lost: %q %q", w.AddressText(), w.Name())
	}
	// Same address again: the edited servers survive.
	w.SetAddress("bob@example.com")
	if err := w.Next(); err != nil {
		t.Fatal(err)
	}
	r.waitFor(t, "found again", isFound)
	if got := w.Incoming().Port; got != 1993 {
		t.Errorf("edited port after Next with the same address = %d", got)
	}
	if w.Back(); w.Back() {
		t.Error("Back at the first step reported true")
	}
}

func TestUnknownDomainManualEntry(t *testing.T) {
	r := newRecorder()
	w := New(Deps{Lookup: lookup}, r.listen)
	defer w.Close()
	toServers(t, w, r, "carol@unknown.test")
	st := w.Finding()
	if !errors.Is(st.Err, ErrNothingFound) {
		t.Fatalf("finding error = %v", st.Err)
	}
	in := w.Incoming()
	if in.Host != "imap.unknown.test" || in.Port != 993 || w.Config().Source != account.SourceManual {
		t.Fatalf("manual start: %+v source %s", in, w.Config().Source)
	}
	in.Host = ""
	w.SetIncoming(in)
	err := w.Next()
	var se *ServerError
	if !errors.As(err, &se) || se.Field != "host" || se.Outgoing {
		t.Fatalf("Next with an empty host: %v", err)
	}
}

func TestCheckServer(t *testing.T) {
	ok := account.Server{Protocol: account.IMAP, Host: "mail.example.com", Port: 993, Security: account.SSL, Username: "u", Auth: account.AuthPassword}
	for _, c := range []struct {
		name  string
		edit  func(*account.Server)
		field string
	}{
		{"good", func(*account.Server) {}, ""},
		{"ipv6", func(s *account.Server) { s.Host = "[::1]" }, ""},
		{"empty host", func(s *account.Server) { s.Host = " " }, "host"},
		{"url", func(s *account.Server) { s.Host = "https://mail.example.com" }, "host"},
		{"space", func(s *account.Server) { s.Host = "mail example.com" }, "host"},
		{"idn", func(s *account.Server) { s.Host = "почта.рф" }, ""},
		{"ipv4", func(s *account.Server) { s.Host = "127.0.0.1" }, ""},
		{"bad ipv6", func(s *account.Server) { s.Host = "[::g]" }, "host"},
		{"colons", func(s *account.Server) { s.Host = "::::" }, "host"},
		{"hyphen", func(s *account.Server) { s.Host = "-mail.example.com" }, "host"},
		{"double dot", func(s *account.Server) { s.Host = "mail..example.com" }, "host"},
		{"path", func(s *account.Server) { s.Host = "mail.example.com/imap" }, "host"},
		{"port 0", func(s *account.Server) { s.Port = 0 }, "port"},
		{"port 70000", func(s *account.Server) { s.Port = 70000 }, "port"},
		{"security", func(s *account.Server) { s.Security = "tls" }, "security"},
		{"username", func(s *account.Server) { s.Username = "" }, "username"},
		{"no auth needs no username", func(s *account.Server) { s.Username = ""; s.Auth = account.AuthNone }, ""},
	} {
		s := ok
		c.edit(&s)
		err := CheckServer(s, false)
		var se *ServerError
		if c.field == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if !errors.As(err, &se) || se.Field != c.field {
			t.Errorf("%s: %v, want a %s error", c.name, err, c.field)
		}
	}
}

// slowDiscover answers only when its context ends, like a network that
// does not respond; it reports a provisional answer first.
func slowDiscover(started chan<- struct{}) func(context.Context, account.Address, []string, func(Event)) (account.Config, error) {
	return func(ctx context.Context, addr account.Address, allow []string, progress func(Event)) (account.Config, error) {
		progress(SourceProgress{Source: account.SourceAutoconfig, Status: SourceAsking})
		prov := exampleConfig()
		prov.Source = account.SourceGuess
		progress(Provisional{Config: prov})
		close(started)
		<-ctx.Done()
		return account.Config{}, ctx.Err()
	}
}

// TestCancelStopsDiscoveryPromptly: Cancel stops discovery within the
// 100 ms the design promises. In a synctest bubble time moves only when
// every goroutine waits, so the elapsed time is exactly what the code
// waited for (a timer, a poll), never the machine's load.
func TestCancelStopsDiscoveryPromptly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRecorder()
		started := make(chan struct{})
		w := New(Deps{Lookup: lookup, Discover: slowDiscover(started)}, r.listen)
		w.SetAddress("dave@slow.test")
		if err := w.Next(); err != nil {
			t.Fatal(err)
		}
		<-started
		st := w.Finding()
		if !st.Running || st.Provisional == nil || st.Provisional.Incoming[0].Username != "dave@slow.test" {
			t.Fatalf("before cancel: %+v", st)
		}
		begin := time.Now()
		w.Cancel()
		w.Close() // waits for the discovery goroutine to return
		if took := time.Since(begin); took > 100*time.Millisecond {
			t.Errorf("discovery returned %v after Cancel; the bound is 100 ms", took)
		}
		if w.Finding().Running {
			t.Error("discovery still marked running after Cancel")
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, e := range r.events {
			if isNotFound(e) || isFound(e) {
				t.Errorf("a cancelled discovery reported %T", e)
			}
		}
	})
}

// TestCancelStopsTestPromptly: the same bound for a connection test
// whose servers never answer.
func TestCancelStopsTestPromptly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		started := make(chan struct{})
		hang := func(ctx context.Context, _ TestRequest, _ func(StageProgress)) TestReport {
			close(started)
			<-ctx.Done()
			return TestReport{}
		}
		r := newRecorder()
		w := New(Deps{Lookup: lookup, Test: hang}, r.listen)
		defer w.Close()
		toServers(t, w, r, "gus@example.com")
		w.Next() // before-login
		if err := w.Next(); err != nil {
			t.Fatal(err)
		}
		w.SetPassword("pw")
		if err := w.StartTest(false); err != nil {
			t.Fatal(err)
		}
		<-started
		begin := time.Now()
		w.Cancel()
		w.Wait()
		if took := time.Since(begin); took > 100*time.Millisecond {
			t.Errorf("the test returned %v after Cancel; the bound is 100 ms", took)
		}
		if st := w.Testing(); st.Running || !errors.Is(st.Err, context.Canceled) {
			t.Errorf("after Cancel: running %v, err %v", st.Running, st.Err)
		}
	})
}

func TestBackCancelsDiscovery(t *testing.T) {
	r := newRecorder()
	started := make(chan struct{})
	w := New(Deps{Discover: slowDiscover(started)}, r.listen)
	w.SetAddress("erin@slow.test")
	w.Next()
	<-started
	if !w.Back() || w.Step() != StepAddress {
		t.Fatalf("Back from finding: %s", w.Step())
	}
	w.Close()
}

func TestUnverifiedSourceNeedsConfirmation(t *testing.T) {
	r := newRecorder()
	guessed := func(ctx context.Context, addr account.Address, _ []string, _ func(Event)) (account.Config, error) {
		c := exampleConfig()
		c.Provider, c.Source, c.SecureSource = nil, account.SourceGuess, false
		return c, nil
	}
	w := New(Deps{Discover: guessed}, r.listen)
	defer w.Close()
	toServers(t, w, r, "fay@guess.test")
	if !w.NeedsSourceConfirmation() {
		t.Fatal("a guessed config needs no confirmation")
	}
	if err := w.Next(); !errors.Is(err, ErrUnconfirmedSource) {
		t.Fatalf("Next before confirming: %v", err)
	}
	if got := strings.Join(w.Hosts(), " "); got != "imap.example.com smtp.example.com" {
		t.Errorf("hosts to check = %q", got)
	}
	w.ConfirmSource()
	if err := w.Next(); err != nil {
		t.Fatalf("Next after confirming: %v", err)
	}
}

// fakeTest passes when the password is "right", reporting stages.
func fakeTest(ctx context.Context, req TestRequest, progress func(StageProgress)) TestReport {
	var rep TestReport
	rep.OK = true
	for _, s := range []account.Server{req.Incoming, req.Outgoing} {
		progress(StageProgress{Server: s, Stage: StageConnect})
		r := ServerResult{Server: s, OK: req.Password == "right", Stage: StageDone}
		if !r.OK {
			r.Stage, r.Error = StageAuth, "NO [AUTHENTICATIONFAILED] Authentication failed."
			r.Diagnosis = Diagnosis{Kind: "bad-credentials", Text: map[string]string{"en": "wrong password"}}
			rep.OK = false
		}
		rep.Results = append(rep.Results, r)
	}
	return rep
}

func TestPasswordTestAndSave(t *testing.T) {
	r := newRecorder()
	var saved []string
	save := func(ctx context.Context, req SaveRequest) error {
		saved = append(saved, req.Address.String()+" "+req.Password)
		return nil
	}
	w := New(Deps{Lookup: lookup, Test: fakeTest, Save: save}, r.listen)
	defer w.Close()
	toServers(t, w, r, "gus@example.com")
	w.Next() // before-login
	if err := w.Next(); err != nil {
		t.Fatal(err)
	}
	if err := w.Next(); !errors.Is(err, ErrNotReady) {
		t.Fatalf("Next before a test: %v", err)
	}
	w.SetPassword("wrong")
	if err := w.StartTest(false); err != nil {
		t.Fatal(err)
	}
	e := r.waitFor(t, "test result", isTestDone).(TestFinished)
	if e.Report.OK || e.Report.Results[0].Diagnosis.Kind != "bad-credentials" {
		t.Fatalf("wrong password: %+v", e.Report)
	}
	if err := w.Next(); err == nil {
		t.Fatal("Next after a failed test")
	}
	w.SetPassword("right")
	w.StartTest(false)
	r.waitFor(t, "test result", isTestDone)
	if err := w.Next(); err != nil {
		t.Fatalf("Next after a passed test: %v", err)
	}
	w.Save()
	if e := r.waitFor(t, "save", isSaved).(Saved); e.Err != nil {
		t.Fatal(e.Err)
	}
	if len(saved) != 1 || saved[0] != "gus@example.com right" {
		t.Errorf("saved %q", saved)
	}
}

func TestPlaintextNeedsConsent(t *testing.T) {
	r := newRecorder()
	var calls int
	counting := func(ctx context.Context, req TestRequest, p func(StageProgress)) TestReport {
		calls++
		if !req.AllowPlaintext {
			t.Error("a plaintext test ran without consent in the request")
		}
		return fakeTest(ctx, req, p)
	}
	w := New(Deps{Lookup: lookup, Test: counting}, r.listen)
	defer w.Close()
	toServers(t, w, r, "hal@example.com")
	in := w.Incoming()
	in.Security, in.Port = account.None, 143
	w.SetIncoming(in)
	w.Next()
	w.Next()
	w.SetPassword("right")
	if err := w.StartTest(false); !errors.Is(err, ErrPlaintextConsent) {
		t.Fatalf("StartTest without consent: %v", err)
	}
	if calls != 0 {
		t.Fatal("the test ran before consent")
	}
	w.ConsentPlaintext()
	if err := w.StartTest(false); err != nil {
		t.Fatal(err)
	}
	r.waitFor(t, "test result", isTestDone)
	if calls != 1 {
		t.Errorf("calls = %d", calls)
	}
}

func TestSaveWithoutKeychain(t *testing.T) {
	r := newRecorder()
	unavailable := errors.New("keychain: unavailable: no Secret Service on the session bus")
	w := New(Deps{Save: func(context.Context, SaveRequest) error { return unavailable }}, r.listen)
	defer w.Close()
	w.SetAddress("ida@example.com")
	w.SetPassword("pw")
	w.Save()
	e := r.waitFor(t, "save", isSaved).(Saved)
	if !errors.Is(e.Err, unavailable) || !w.Saving().Done {
		t.Fatalf("save: %v", e.Err)
	}
	if w.Password() != "pw" || w.AddressText() != "ida@example.com" {
		t.Error("a failed save lost what was typed")
	}
}

func TestRestartForgetsEverything(t *testing.T) {
	r := newRecorder()
	w := New(Deps{Lookup: lookup}, r.listen)
	defer w.Close()
	w.SetName("Jo")
	toServers(t, w, r, "jo@example.com")
	w.SetPassword("secret")
	w.Restart()
	if w.Step() != StepAddress || w.Name() != "" || w.AddressText() != "" || w.Password() != "" || len(w.Config().Incoming) != 0 {
		t.Fatalf("after Restart: step %s name %q addr %q", w.Step(), w.Name(), w.AddressText())
	}
}

func TestStepNames(t *testing.T) {
	for s, want := range map[Step]string{StepAddress: "address", StepBeforeLogin: "before-login", StepDone: "done", Step(9): "step(9)"} {
		if s.String() != want {
			t.Errorf("%d = %q", s, s.String())
		}
	}
}

func TestSkipTestOnlyForOAuth2(t *testing.T) {
	r := newRecorder()
	w := New(Deps{Lookup: lookup}, r.listen)
	defer w.Close()
	toServers(t, w, r, "max@example.com")
	w.Next()
	w.Next()
	if err := w.SkipTest(); !errors.Is(err, ErrTestNeeded) {
		t.Fatalf("SkipTest for a password account: %v", err)
	}
	in := w.Incoming()
	in.Auth = account.AuthOAuth2
	w.SetIncoming(in)
	if err := w.SkipTest(); err != nil {
		t.Fatal(err)
	}
	if err := w.Next(); err != nil || !w.TestSkipped() {
		t.Fatalf("Next after SkipTest: %v", err)
	}
}

func TestPortChoices(t *testing.T) {
	w := New(Deps{}, nil)
	w.cfg = account.Config{Outgoing: []account.Server{
		{Protocol: account.SMTP, Port: 465}, {Protocol: account.SMTP, Port: 2525}}}
	if got := fmt.Sprint(w.PortChoices(account.SMTP)); got != "[465 587 25 2525]" {
		t.Errorf("SMTP ports %s", got)
	}
	if got := fmt.Sprint(w.PortChoices(account.IMAP)); got != "[993 143]" {
		t.Errorf("IMAP ports %s", got)
	}
}
