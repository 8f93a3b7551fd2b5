package wizard

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe"
)

// TestPortFallback walks the wizard against a real Dovecot with a provider
// config whose preferred SMTP port does not answer: the test passes through
// the alternative, which becomes the chosen server (what Save and exports
// use), the report says so in en and ru; a server the user types is then
// tested exactly, without fallback.
func TestPortFallback(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	silent := testenv.StartSilent(t)
	closed := testenv.ClosedPort(t)
	srv := func(p account.Protocol, port int, sec account.Security) account.Server {
		return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: sec, Username: "%EMAILADDRESS%", Auth: account.AuthPassword}
	}
	blocked := srv(account.SMTP, silent, account.SSL)
	works := srv(account.SMTP, d.Submission, account.STARTTLS)
	cfg := account.Config{
		Provider: &account.Provider{ID: "example", Name: "Example"},
		Incoming: []account.Server{srv(account.IMAP, d.IMAPS, account.SSL)},
		Outgoing: []account.Server{blocked, works},
		Source:   account.SourceBuiltin, SecureSource: true,
	}
	var saved account.Config
	deps := Deps{
		Lookup: func(domain string) (account.Config, bool) { return cfg, domain == "example.test" },
		Test:   Probe(probe.Request{RootCAs: ca.Pool(), Timeout: 5 * time.Second, FallbackDelay: 100 * time.Millisecond}),
		Save: func(_ context.Context, req SaveRequest) error {
			saved = req.Config
			return nil
		},
		Export: Export,
	}
	r := newRecorder()
	w := New(deps, r.listen)
	defer w.Close()
	toTestStep(t, w, r, testenv.DovecotUser, testenv.DovecotPassword)

	rep := runTest(t, w, r)
	if !rep.OK {
		t.Fatalf("test: %+v; want a pass through the alternative\n%s", rep, d.LogText())
	}
	out := rep.Results[1]
	if out.Server.Port != d.Submission || out.FallbackFrom == nil || out.FallbackFrom.Port != silent {
		t.Fatalf("outgoing result %s from %v; want %s standing in for port %d", out.Server, out.FallbackFrom, works, silent)
	}
	if rep.Results[0].FallbackFrom != nil {
		t.Errorf("the incoming server answered, yet FallbackFrom = %v", rep.Results[0].FallbackFrom)
	}
	for lang, want := range map[string]string{"en": "Port " + strconv.Itoa(silent) + " did not answer", "ru": "Порт " + strconv.Itoa(silent) + " не ответил"} {
		if notes := rep.FallbackNotes(lang); len(notes) != 1 || !strings.HasPrefix(notes[0], want) {
			t.Errorf("FallbackNotes(%s) = %q; want one starting %q", lang, notes, want)
		}
	}
	// The working server is the chosen one now; the blocked one stays in
	// the list behind it.
	if got := w.Outgoing(); got.Port != d.Submission || got.Security != account.STARTTLS {
		t.Fatalf("chosen outgoing = %s; want the alternative", got)
	}
	if c := w.Config(); len(c.Outgoing) != 2 || c.Outgoing[1].Port != silent {
		t.Errorf("outgoing list = %v; want the blocked server kept second", c.Outgoing)
	}
	var exp bytes.Buffer
	if err := w.Export(&exp, "json", "en"); err != nil {
		t.Fatal(err)
	}
	// The JSON export lists every server, the chosen one first.
	if i, j := strings.Index(exp.String(), `"port": `+strconv.Itoa(d.Submission)), strings.Index(exp.String(), `"port": `+strconv.Itoa(silent)); i < 0 || j >= 0 && j < i {
		t.Errorf("the export does not put the working server first:\n%s", exp.String())
	}
	if err := w.Next(); err != nil {
		t.Fatal(err)
	}
	w.Save()
	if e := r.waitFor(t, "save", isSaved).(Saved); e.Err != nil {
		t.Fatal(e.Err)
	}
	if len(saved.Outgoing) == 0 || saved.Outgoing[0].Port != d.Submission {
		t.Errorf("saved outgoing %v; want the working server first", saved.Outgoing)
	}

	// A retest starts from the working server: no fallback now.
	if err := w.GoTo(StepTest); err != nil {
		t.Fatal(err)
	}
	if rep = runTest(t, w, r); !rep.OK || rep.Results[1].FallbackFrom != nil {
		t.Errorf("retest: ok=%v fallback=%v; want a plain pass", rep.OK, rep.Results[1].FallbackFrom)
	}

	// A server the user typed is tested exactly as typed.
	if err := w.GoTo(StepServers); err != nil {
		t.Fatal(err)
	}
	w.SetIncoming(w.Incoming()) // unchanged: still the provider's
	w.SetOutgoing(srv(account.SMTP, closed, account.SSL))
	w.Next() // before-login
	w.Next() // test
	rep = runTest(t, w, r)
	if out := rep.Results[1]; out.OK || out.FallbackFrom != nil || out.Diagnosis.Kind != "refused" || out.Server.Port != closed {
		t.Errorf("typed server: %s ok=%v fallback=%v kind=%s; want refused, no fallback", out.Server, out.OK, out.FallbackFrom, out.Diagnosis.Kind)
	}
	if w.Outgoing().Port != closed {
		t.Errorf("chosen outgoing = %s; want the typed one kept", w.Outgoing())
	}
}

// TestLiveRowFollowsStandIn: while the chosen SMTP port stays silent and
// the provider's other port moves on, the live row for the outgoing side
// shows the port that moves on (the furthest stage), not the silent one
// stuck at "connecting"; the incoming row stays its own.
func TestLiveRowFollowsStandIn(t *testing.T) {
	cfg := exampleConfig()
	preferred := cfg.Outgoing[0]
	alt := account.Server{Protocol: account.SMTP, Host: "smtp.example.com", Port: 587, Security: account.STARTTLS, Username: "%EMAILADDRESS%", Auth: account.AuthPassword}
	cfg.Outgoing = append(cfg.Outgoing, alt)
	release := make(chan struct{})
	deps := Deps{
		Lookup: func(d string) (account.Config, bool) { return cfg, d == "example.com" },
		Test: func(ctx context.Context, req TestRequest, progress func(StageProgress)) TestReport {
			progress(StageProgress{Server: req.Incoming, Stage: StageAuth, Elapsed: 300 * time.Millisecond})
			progress(StageProgress{Server: req.Outgoing, Stage: StageConnect, Elapsed: 100 * time.Millisecond})
			progress(StageProgress{Server: req.OutgoingAlternatives[0], Stage: StageGreeting, Elapsed: 2100 * time.Millisecond})
			progress(StageProgress{Server: req.OutgoingAlternatives[0], Stage: StageAuth, Elapsed: 2300 * time.Millisecond})
			select {
			case <-release:
			case <-ctx.Done():
			}
			return TestReport{}
		},
	}
	r := newRecorder()
	w := New(deps, r.listen)
	defer w.Close()
	toServers(t, w, r, "gus@example.com")
	w.Next() // before-login
	w.Next() // test
	w.SetPassword("pw")
	if err := w.StartTest(false); err != nil {
		t.Fatal(err)
	}
	r.waitFor(t, "the stand-in's login", func(e Event) bool {
		p, ok := e.(StageProgress)
		return ok && p.Server.Port == alt.Port && p.Stage == StageAuth
	})
	st := w.Testing()
	close(release)
	if len(st.Stages) != 2 || st.Stages[0].Server.Protocol != account.IMAP || st.Stages[0].Stage != StageAuth {
		t.Fatalf("stages %+v; want the incoming row, then the outgoing", st.Stages)
	}
	if out := st.Stages[1]; out.Server.Port != alt.Port || out.Stage != StageAuth {
		t.Errorf("outgoing row %s at %s; want the stand-in %d at auth, not the silent %d", out.Server, out.Stage, alt.Port, preferred.Port)
	}
}
