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
	toServers(t, w, r, testenv.DovecotUser)
	w.Next() // before-login
	if err := w.Next(); err != nil {
		t.Fatal(err)
	}
	w.SetPassword(testenv.DovecotPassword)
	test := func() TestReport {
		t.Helper()
		if err := w.StartTest(false); err != nil {
			t.Fatal(err)
		}
		return r.waitFor(t, "the test's end", isTestDone).(TestFinished).Report
	}

	rep := test()
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
	if rep = test(); !rep.OK || rep.Results[1].FallbackFrom != nil {
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
	rep = test()
	if out := rep.Results[1]; out.OK || out.FallbackFrom != nil || out.Diagnosis.Kind != "refused" || out.Server.Port != closed {
		t.Errorf("typed server: %s ok=%v fallback=%v kind=%s; want refused, no fallback", out.Server, out.OK, out.FallbackFrom, out.Diagnosis.Kind)
	}
	if w.Outgoing().Port != closed {
		t.Errorf("chosen outgoing = %s; want the typed one kept", w.Outgoing())
	}
}
