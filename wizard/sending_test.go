package wizard

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/mailwiz/mailwiz/account"
)

// TestCheckSending: the sending check runs only for a tested account, with
// the tested password and servers and the sender typed (trimmed), and
// reports its findings.
func TestCheckSending(t *testing.T) {
	r := newRecorder()
	got := make(chan SendingRequest, 1)
	check := func(_ context.Context, req SendingRequest) (SendingReport, error) {
		got <- req
		return SendingReport{Findings: []SendingFinding{
			{Level: SendingOK, Title: "accepted"},
			{Level: SendingWarn, Title: "SPF", Record: "corp.test. TXT \"v=spf1 include:_spf.mail.ru ~all\""},
		}}, nil
	}
	if err := New(Deps{}, nil).CheckSending(SendingOptions{Lang: "en"}); !errors.Is(err, ErrNoSendingCheck) {
		t.Errorf("without the check: %v", err)
	}
	w := New(Deps{Lookup: lookup, Test: fakeTest, CheckSending: check}, r.listen)
	defer w.Close()
	if !w.CanCheckSending() {
		t.Fatal("CanCheckSending = false with the check wired in")
	}
	toServers(t, w, r, "gus@example.com")
	w.Next() // before-login
	w.Next() // test
	if err := w.CheckSending(SendingOptions{From: "ceo@corp.test", Lang: "en"}); !errors.Is(err, ErrNotTested) {
		t.Fatalf("before a test: %v", err)
	}
	w.SetPassword("right")
	w.StartTest(false)
	r.waitFor(t, "test result", isTestDone)
	if err := w.CheckSending(SendingOptions{From: "  ceo@corp.test ", Bounce: "bounces@corp.test", BounceTest: true, Lang: "ru"}); err != nil {
		t.Fatal(err)
	}
	e := r.waitFor(t, "sending check", func(e Event) bool { _, ok := e.(SendingFinished); return ok }).(SendingFinished)
	req := <-got
	w.Wait()
	if w.Busy() {
		t.Error("Busy after the check ended")
	}
	if req.From != "ceo@corp.test" || req.Bounce != "bounces@corp.test" || !req.BounceTest || req.Password != "right" || req.Lang != "ru" ||
		req.Address.String() != "gus@example.com" || len(req.Config.Outgoing) == 0 {
		t.Errorf("request %+v", req)
	}
	if !e.State.Done || len(e.State.Report.Findings) != 2 || e.State.Report.Worst() != SendingWarn || w.Sending().Report.Worst() != SendingWarn {
		t.Errorf("state %+v", e.State)
	}
}

// TestTestLetterLanguage: the send test's letter is written in the
// window's language, which the window sets and may change at any time.
func TestTestLetterLanguage(t *testing.T) {
	r := newRecorder()
	langs := make(chan string, 2)
	test := func(ctx context.Context, req TestRequest, progress func(StageProgress)) TestReport {
		langs <- req.Lang
		return fakeTest(ctx, req, progress)
	}
	w := New(Deps{Lookup: lookup, Test: test}, r.listen)
	defer w.Close()
	w.SetLanguage("ru")
	toServers(t, w, r, "gus@example.com")
	w.Next() // before-login
	w.Next() // test
	w.SetPassword("right")
	for _, want := range []string{"ru", "en"} {
		if err := w.StartTest(true); err != nil {
			t.Fatal(err)
		}
		r.waitFor(t, "test result", isTestDone)
		if got := <-langs; got != want {
			t.Errorf("test letter language %q; want %q", got, want)
		}
		w.SetLanguage("en")
	}
}

// TestSenderWarnings: the database's from-must-match-login hint is said
// for another sender only, in the language asked for, made safe.
func TestSenderWarnings(t *testing.T) {
	addr, _ := account.ParseAddress("gus@example.com")
	cfg := account.Config{Hints: []account.Hint{
		{Kind: account.HintAppPassword, Text: map[string]string{"en": "Use an app password."}},
		{Kind: account.HintFromMustMatch, Text: map[string]string{"en": "Sends only as the login.\x1b[2J", "ru": "Отправляет только от имени логина."}},
	}}
	for _, c := range []struct {
		from, lang string
		want       []string
	}{
		{"", "en", nil},
		{"gus@example.com", "en", nil},
		{" GUS@Example.com ", "en", nil},
		{"news@corp.test", "en", []string{`Sends only as the login.\x1b[2J`}},
		{"news@corp.test", "ru", []string{"Отправляет только от имени логина."}},
	} {
		got := SenderWarnings(cfg, addr, c.from, c.lang)
		if !slices.Equal(got, c.want) {
			t.Errorf("%q/%s: %q; want %q", c.from, c.lang, got, c.want)
		}
	}
	if got := SenderWarnings(account.Config{}, addr, "news@corp.test", "en"); got != nil {
		t.Errorf("no hint: %q", got)
	}
}
