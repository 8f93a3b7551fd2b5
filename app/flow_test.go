package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/wizard"
)

// browser is a fyne.App that records the pages it was asked to open.
type browser struct {
	fyne.App
	mu     sync.Mutex
	opened []string
}

func (b *browser) OpenURL(u *url.URL) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.opened = append(b.opened, u.String())
	return nil
}

// badCredentialsText is the probe's explanation of KindBadCredentials.
const badCredentialsText = "%[1]s did not accept the user name or password. Check both (the user name is usually the full address)."

// fakeProbe passes for the password "right" and otherwise diagnoses bad
// credentials the way the probe package does, with the server's words.
func fakeProbe(ctx context.Context, req wizard.TestRequest, progress func(wizard.StageProgress)) wizard.TestReport {
	rep := wizard.TestReport{OK: true}
	for _, s := range []account.Server{req.Incoming, req.Outgoing} {
		progress(wizard.StageProgress{Server: s, Stage: wizard.StageAuth})
		r := wizard.ServerResult{Server: s, OK: true, Stage: wizard.StageDone}
		if req.Password != "right" && (req.OAuth2 == nil || req.OAuth2.AccessToken == "") {
			r.OK, r.Stage = false, wizard.StageAuth
			r.Error = "NO [AUTHENTICATIONFAILED] Authentication failed."
			r.Diagnosis = wizard.Diagnosis{Kind: "bad-credentials", Text: map[string]string{}}
			for _, l := range []string{"en", "ru"} {
				r.Diagnosis.Text[l] = fmt.Sprintf(catalog.T(l, badCredentialsText), s.Host)
			}
			rep.OK = false
		}
		rep.Results = append(rep.Results, r)
	}
	return rep
}

func (h *harness) tap(b *button) {
	h.t.Helper()
	if b.Disabled() {
		h.t.Fatalf("button %q is disabled", b.Text)
	}
	test.Tap(b)
	h.drain()
}

// A known provider, from the address to a saved account, by keyboard where
// a person would use it.
func TestFlowKnownProvider(t *testing.T) {
	var saved []string
	save := func(_ context.Context, req wizard.SaveRequest) error {
		saved = append(saved, req.Address.String()+":"+req.Password)
		return nil
	}
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Test: fakeProbe, Save: save})
	br := &browser{App: h.ui.app}
	h.ui.app = br

	test.Type(h.ui.address.name, "Alice Smith")
	test.Type(h.ui.address.address, "alice@example.com")
	enter(h.ui.address.address)
	h.atStep(wizard.StepServers)

	// Servers → Before you log in, with the app-password hint and its button.
	enter(h.ui.servers.out.username)
	h.atStep(wizard.StepBeforeLogin)
	if len(h.ui.before.buttons) != 1 {
		t.Fatalf("%d hint buttons, want 1", len(h.ui.before.buttons))
	}
	if f := h.w.Canvas().Focused(); f != h.ui.before.buttons[0] {
		t.Errorf("focus on %T, want the hint's button", f)
	}
	h.tap(h.ui.before.buttons[0])
	if len(br.opened) != 1 || br.opened[0] != "https://example.com/app-passwords" {
		t.Errorf("opened %q", br.opened)
	}
	h.tap(h.ui.next)
	h.atStep(wizard.StepTest)

	// A wrong password: the diagnosis in words, the server's words in details.
	p := h.ui.testing
	if f := h.w.Canvas().Focused(); f != p.password {
		t.Errorf("focus on %T, want the password", f)
	}
	test.Type(p.password, "wrong")
	enter(p.password)
	h.waitFor("the test result", func() bool { return h.ui.wiz.Testing().Report != nil })
	if want := "imap.example.com did not accept the user name or password."; !strings.HasPrefix(p.status.Text, want) {
		t.Errorf("status = %q", p.status.Text)
	}
	if len(p.details.Items) != 2 || !strings.Contains(p.details.Items[0].Title, "IMAP imap.example.com:993") {
		t.Fatalf("details: %d items", len(p.details.Items))
	}
	if !h.ui.next.Disabled() {
		t.Error("Next is enabled after a failed test")
	}
	if p.start.Text != "Retry" {
		t.Errorf("the test button says %q after a failure", p.start.Text)
	}

	// The right one.
	p.password.SetText("")
	test.Type(p.password, "right")
	enter(p.password)
	h.waitFor("a passing test", func() bool { r := h.ui.wiz.Testing().Report; return r != nil && r.OK })
	if p.status.Importance != widget.SuccessImportance {
		t.Errorf("status importance %v: %q", p.status.Importance, p.status.Text)
	}
	h.tap(h.ui.next)
	h.atStep(wizard.StepDone)

	h.tap(h.ui.done.save)
	h.waitFor("the save", func() bool { return h.ui.wiz.Saving().Done })
	if h.ui.done.saved.Text != "Saved in the keychain." {
		t.Errorf("save message %q", h.ui.done.saved.Text)
	}
	if len(saved) != 1 || saved[0] != "alice@example.com:right" {
		t.Errorf("saved %q", saved)
	}

	// Set up another account: an empty first page.
	h.tap(h.ui.next)
	h.atStep(wizard.StepAddress)
	if h.ui.address.address.Text != "" || h.ui.address.name.Text != "" {
		t.Errorf("after restart: %q %q", h.ui.address.address.Text, h.ui.address.name.Text)
	}
}

// An unknown domain: nothing found, said so, manual entry.
func TestFlowUnknownDomainManualEntry(t *testing.T) {
	h := newHarness(t, wizard.Deps{Lookup: lookupExample})
	test.Type(h.ui.address.address, "bob@unknown.test")
	enter(h.ui.address.address)
	h.waitFor("nothing found", func() bool {
		return h.ui.finding != nil && h.ui.finding.manual.Visible()
	})
	if !strings.Contains(h.ui.finding.status.Text, "No settings were found for unknown.test") {
		t.Errorf("status = %q", h.ui.finding.status.Text)
	}
	h.tap(h.ui.finding.manual)
	h.atStep(wizard.StepServers)
	s := h.ui.servers
	if s.in.host.Text != "imap.unknown.test" || s.out.host.Text != "smtp.unknown.test" {
		t.Errorf("manual start: %q %q", s.in.host.Text, s.out.host.Text)
	}
	// Clear the host: Next refuses, names the field, puts the cursor there.
	s.in.host.SetText("")
	h.tap(h.ui.next)
	if h.ui.wiz.Step() != wizard.StepServers || !s.problem.Visible() {
		t.Fatalf("Next with an empty host: step %s, problem %q", h.ui.wiz.Step(), s.problem.Text)
	}
	if want := "Incoming server: the server name is empty"; !strings.HasPrefix(s.problem.Text, want) {
		t.Errorf("problem = %q", s.problem.Text)
	}
	if h.w.Canvas().Focused() != s.in.host {
		t.Errorf("focus on %T, want the host", h.w.Canvas().Focused())
	}
	test.Type(s.in.host, "mail.unknown.test")
	// Choosing no encryption shows the warning and moves the port.
	s.in.security.SetSelected("None (unencrypted)")
	if !s.plainWarning.Visible() || s.in.port.Text != "143" {
		t.Errorf("no encryption: warning %v, port %q", s.plainWarning.Visible(), s.in.port.Text)
	}
	h.tap(h.ui.next)
	h.atStep(wizard.StepBeforeLogin)
	if got := h.ui.wiz.Incoming(); got.Host != "mail.unknown.test" || got.Port != 143 || got.Security != account.None {
		t.Errorf("wizard holds %+v", got)
	}
}

// A plaintext server: a consent dialog before any password is sent.
func TestFlowPlaintextConsent(t *testing.T) {
	var calls int
	probe := func(ctx context.Context, req wizard.TestRequest, p func(wizard.StageProgress)) wizard.TestReport {
		calls++
		return fakeProbe(ctx, req, p)
	}
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Test: probe})
	test.Type(h.ui.address.address, "carol@example.com")
	enter(h.ui.address.address)
	h.atStep(wizard.StepServers)
	h.ui.servers.in.security.SetSelected("None (unencrypted)")
	h.tap(h.ui.next)
	h.atStep(wizard.StepBeforeLogin)
	h.tap(h.ui.next)
	h.atStep(wizard.StepTest)
	test.Type(h.ui.testing.password, "right")
	h.tap(h.ui.testing.start)
	d, ok := h.ui.testing.consent.(*dialog.ConfirmDialog)
	if !ok {
		t.Fatalf("no consent dialog (%T)", h.ui.testing.consent)
	}
	if calls != 0 {
		t.Fatal("the password was sent before consent")
	}
	d.Dismiss()
	h.drain()
	if calls != 0 || !strings.Contains(h.ui.testing.status.Text, "not run") {
		t.Fatalf("after refusing: calls %d, status %q", calls, h.ui.testing.status.Text)
	}
	h.tap(h.ui.testing.start)
	h.ui.testing.consent.(*dialog.ConfirmDialog).Confirm()
	h.waitFor("the test", func() bool { return h.ui.wiz.Testing().Report != nil })
	if calls != 1 {
		t.Errorf("calls = %d", calls)
	}
}

// An unverified source: the hosts named, confirmation before going on.
func TestFlowUnverifiedSource(t *testing.T) {
	guessed := func(ctx context.Context, addr account.Address, _ []string, progress func(wizard.Event)) (account.Config, error) {
		progress(wizard.SourceProgress{Source: account.SourceGuess, Status: wizard.SourceAsking})
		c := exampleProvider()
		c.Provider, c.Hints, c.Source, c.SecureSource = nil, nil, account.SourceGuess, false
		progress(wizard.SourceProgress{Source: account.SourceGuess, Status: wizard.SourceFound})
		return c, nil
	}
	h := newHarness(t, wizard.Deps{Discover: guessed})
	test.Type(h.ui.address.address, "dan@guess.test")
	enter(h.ui.address.address)
	h.atStep(wizard.StepServers)
	s := h.ui.servers
	if !s.unverified.Visible() {
		t.Fatal("no unverified-source warning")
	}
	warn := s.unverified.Objects[0].(*widget.Label).Text
	if !strings.Contains(warn, "imap.example.com, smtp.example.com") {
		t.Errorf("warning does not name the hosts: %q", warn)
	}
	if s.source.Text != "These settings come guessed — please check." {
		t.Errorf("source line %q", s.source.Text)
	}
	h.tap(h.ui.next)
	if h.ui.wiz.Step() != wizard.StepServers || s.problem.Text != "Check the server names above and confirm them before going on." {
		t.Fatalf("Next without confirming: %s %q", h.ui.wiz.Step(), s.problem.Text)
	}
	test.Tap(s.confirm)
	h.tap(h.ui.next)
	h.atStep(wizard.StepBeforeLogin)
}

// No keychain: a clear message, nothing typed lost, exports still there.
func TestFlowKeychainUnavailable(t *testing.T) {
	noKeyring := func(context.Context, wizard.SaveRequest) error {
		return errors.Join(wizard.ErrNoKeychain, errors.New("keychain: no Secret Service on the session bus"))
	}
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Test: fakeProbe, Save: noKeyring,
		Formats: []wizard.Format{{ID: "json", Name: "json", Ext: ".json"}},
		Export: func(w io.Writer, format string, req wizard.ExportRequest) error {
			_, err := io.WriteString(w, "{}")
			return err
		}})
	walkToDone(h, "erin@example.com", "right")
	h.tap(h.ui.done.save)
	h.waitFor("the save", func() bool { return h.ui.wiz.Saving().Done })
	if !strings.HasPrefix(h.ui.done.saved.Text, "No keychain is available on this computer") {
		t.Errorf("message %q", h.ui.done.saved.Text)
	}
	if h.ui.done.saved.Importance != widget.WarningImportance {
		t.Errorf("importance %v", h.ui.done.saved.Importance)
	}
	if h.ui.wiz.Password() != "right" || len(h.ui.done.exports) != 1 || h.ui.done.save.Disabled() {
		t.Error("a failed save lost the password, the exports or the retry")
	}
}

// walkToDone goes from an empty window to the Done step.
// walkToTest types address and goes on to the test page.
func walkToTest(h *harness, address string) {
	h.t.Helper()
	test.Type(h.ui.address.address, address)
	enter(h.ui.address.address)
	h.atStep(wizard.StepServers)
	h.tap(h.ui.next)
	h.atStep(wizard.StepBeforeLogin)
	h.tap(h.ui.next)
	h.atStep(wizard.StepTest)
}

func walkToDone(h *harness, address, password string) {
	h.t.Helper()
	walkToTest(h, address)
	test.Type(h.ui.testing.password, password)
	enter(h.ui.testing.password)
	h.waitFor("a passing test", func() bool { r := h.ui.wiz.Testing().Report; return r != nil && r.OK })
	h.tap(h.ui.next)
	h.atStep(wizard.StepDone)
}

// Esc goes back from a field and from the window; Back keeps the text.
func TestEscapeGoesBack(t *testing.T) {
	h := newHarness(t, wizard.Deps{Lookup: lookupExample})
	test.Type(h.ui.address.address, "fay@example.com")
	enter(h.ui.address.address)
	h.atStep(wizard.StepServers)
	h.ui.servers.in.port.SetText("1993")
	h.ui.servers.in.host.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	h.drain()
	h.atStep(wizard.StepAddress)
	if got := h.ui.address.address.Text; got != "fay@example.com" {
		t.Errorf("address after Esc = %q", got)
	}
	enter(h.ui.address.address)
	h.atStep(wizard.StepServers)
	if got := h.ui.servers.in.port.Text; got != "1993" {
		t.Errorf("port after Back and Next = %q, want the edited 1993", got)
	}
	h.w.Canvas().Unfocus()
	h.ui.onTypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	h.drain()
	h.atStep(wizard.StepAddress)
}

// Tab walks the address page in reading order.
func TestTabOrder(t *testing.T) {
	h := newHarness(t, wizard.Deps{Lookup: lookupExample})
	c := h.w.Canvas()
	if c.Focused() != h.ui.address.address {
		t.Fatal("the address field does not have the focus")
	}
	test.FocusNext(c)
	if c.Focused() != h.ui.address.name {
		t.Errorf("after Tab: %T", c.Focused())
	}
}

// A window closed mid-test leaves no goroutine running: Close cancels the
// test and waits for it.
func TestCloseMidTestStopsWork(t *testing.T) {
	started, returned := make(chan struct{}), make(chan struct{})
	hang := func(ctx context.Context, req wizard.TestRequest, p func(wizard.StageProgress)) wizard.TestReport {
		close(started)
		<-ctx.Done()
		close(returned)
		return wizard.TestReport{}
	}
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Test: hang})
	walkToTest(h, "gus@example.com")
	test.Type(h.ui.testing.password, "pw")
	enter(h.ui.testing.password)
	<-started
	if h.ui.cancel.Disabled() {
		t.Error("Cancel is disabled while the test runs")
	}
	h.ui.Close()
	select {
	case <-returned:
	default:
		t.Fatal("Close returned while the test's goroutine still ran")
	}
}

// Cancel on the Test page stops the test and says so.
func TestCancelTest(t *testing.T) {
	started := make(chan struct{})
	hang := func(ctx context.Context, req wizard.TestRequest, p func(wizard.StageProgress)) wizard.TestReport {
		close(started)
		<-ctx.Done()
		return wizard.TestReport{}
	}
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Test: hang})
	walkToTest(h, "hal@example.com")
	test.Type(h.ui.testing.password, "pw")
	enter(h.ui.testing.password)
	<-started
	h.tap(h.ui.cancel)
	h.ui.wiz.Wait()
	h.drain()
	if got := h.ui.testing.status.Text; got != "The test was stopped." {
		t.Errorf("status after Cancel = %q", got)
	}
	if h.ui.testing.start.Disabled() || !h.ui.cancel.Disabled() {
		t.Error("after Cancel the test cannot be run again, or Cancel is still on")
	}
}

// POP3: the explanation, the provider's POP3 server, and "leave a copy" on
// by default.
func TestChoosePOP3(t *testing.T) {
	h := newHarness(t, wizard.Deps{Lookup: lookupExample})
	test.Type(h.ui.address.address, "ida@example.com")
	enter(h.ui.address.address)
	h.atStep(wizard.StepServers)
	s := h.ui.servers
	if s.leaveCopy.Visible() {
		t.Error("leave-a-copy is shown for IMAP")
	}
	s.protocol.SetSelected("POP3")
	if s.in.host.Text != "pop.example.com" || s.in.port.Text != "995" {
		t.Errorf("POP3 server %s:%s", s.in.host.Text, s.in.port.Text)
	}
	if !s.leaveCopy.Visible() || !s.leaveCopy.Checked || !h.ui.wiz.Config().LeaveOnServer {
		t.Error("leave a copy on the server is not on by default")
	}
	if !strings.HasPrefix(s.explain.Text, "POP3 downloads your mail") {
		t.Errorf("explanation %q", s.explain.Text)
	}
	test.Tap(s.leaveCopy)
	if h.ui.wiz.Config().LeaveOnServer {
		t.Error("unticking leave-a-copy did not reach the wizard")
	}
}

// An export goes through the save dialog's writer into the file chosen.
func TestExportWritesFile(t *testing.T) {
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Test: fakeProbe,
		Formats: []wizard.Format{{ID: "json", Name: "json", Ext: ".json"}},
		Export: func(w io.Writer, format string, req wizard.ExportRequest) error {
			_, err := fmt.Fprintf(w, "%s %s %s", format, req.Address, req.Lang)
			return err
		}})
	walkToDone(h, "jo@example.com", "right")
	path := filepath.Join(t.TempDir(), "jo.json")
	wr, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	h.ui.done.write(h.ui.wiz.Formats()[0], wr, nil)
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "json jo@example.com en" {
		t.Fatalf("file holds %q (%v)", got, err)
	}
	if !strings.HasPrefix(h.ui.done.status.Text, "Saved ") {
		t.Errorf("status %q", h.ui.done.status.Text)
	}
	if got := exportFileName("jo-example.com", h.ui.wiz.Formats()[0]); got != "jo-example.com-json.json" {
		t.Errorf("file name %q", got)
	}
}

// The mailing programs' formats are one list with one button, apart from
// the mail clients' buttons, each under its own label.
func TestMailerFormatsApart(t *testing.T) {
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Test: fakeProbe,
		Formats: []wizard.Format{{ID: "json", Name: "json", Ext: ".json"},
			{ID: "env-laravel", Name: "env-laravel", Ext: ".env", Mailer: true},
			{ID: "msmtp", Name: "msmtp", Ext: ".msmtprc", Mailer: true}},
		Export: func(io.Writer, string, wizard.ExportRequest) error { return nil }})
	walkToDone(h, "jo@example.com", "right")
	d := h.ui.done
	var labels []string
	for _, b := range d.exports {
		labels = append(labels, b.Text)
	}
	if want := []string{"JSON (for scripts)", "Save the settings"}; strings.Join(labels, "|") != strings.Join(want, "|") {
		t.Errorf("buttons %q; want %q", labels, want)
	}
	if want := []string{"Laravel (.env)", "msmtp (command line, scripts)"}; d.mailer == nil || strings.Join(d.mailer.Options, "|") != strings.Join(want, "|") {
		t.Fatalf("mailing programs listed: %v; want %q", d.mailer, want)
	}
	d.mailer.SetSelected("msmtp (command line, scripts)")
	if f, ok := d.chosenMailer(); !ok || exportFileName("jo-example.com", f) != "jo-example.com-msmtp.msmtprc" {
		t.Errorf("chosen %+v %v; want msmtp", f, ok)
	}
}

func TestSystemLanguage(t *testing.T) {
	for env, want := range map[string]string{"ru_RU.UTF-8": "ru", "en_GB.UTF-8": "en", "de_DE.UTF-8": "en"} {
		t.Setenv("LANGUAGE", "")
		t.Setenv("LC_ALL", env)
		t.Setenv("LC_MESSAGES", env)
		t.Setenv("LANG", env)
		if got := systemLanguage(); got != want {
			t.Errorf("%s: %s, want %s", env, got, want)
		}
	}
}

// The navigation shortcuts work from inside a field.
func TestShortcutsFromAField(t *testing.T) {
	h := newHarness(t, wizard.Deps{Lookup: lookupExample})
	test.Type(h.ui.address.address, "kim@example.com")
	h.ui.address.name.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyRight, Modifier: fyne.KeyModifierAlt})
	h.atStep(wizard.StepServers)
	h.ui.servers.in.host.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault})
	h.atStep(wizard.StepBeforeLogin)
	h.w.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyLeft, Modifier: fyne.KeyModifierAlt})
	h.atStep(wizard.StepServers)
	// Copy still reaches the entry.
	h.ui.servers.in.host.TypedShortcut(&fyne.ShortcutSelectAll{})
	if h.ui.servers.in.host.SelectedText() != "imap.example.com" {
		t.Errorf("select-all in a field selected %q", h.ui.servers.in.host.SelectedText())
	}
}

// An OAuth2-only provider: the warning on the servers page, the test can be
// skipped, and the Done page offers exports but no keychain.
func TestFlowOAuth2OnlySkipsTest(t *testing.T) {
	oauth := func(domain string) (account.Config, bool) {
		c := exampleProvider()
		for i := range c.Incoming {
			c.Incoming[i].Auth = account.AuthOAuth2
		}
		c.Outgoing[0].Auth = account.AuthOAuth2
		c.Hints = []account.Hint{{Kind: account.HintOAuth2Required, Text: map[string]string{"en": "Sign in with the provider."}}}
		return c, domain == "example.com"
	}
	h := newHarness(t, wizard.Deps{Lookup: oauth, Test: fakeProbe,
		Formats: []wizard.Format{{ID: "thunderbird", Name: "thunderbird", Ext: ".js"}},
		Export:  func(io.Writer, string, wizard.ExportRequest) error { return nil }})
	test.Type(h.ui.address.address, "lee@example.com")
	enter(h.ui.address.address)
	h.atStep(wizard.StepServers)
	if !h.ui.servers.oauth.Visible() {
		t.Error("no OAuth2 warning on the servers page")
	}
	h.tap(h.ui.next)
	h.atStep(wizard.StepBeforeLogin)
	h.tap(h.ui.next)
	h.atStep(wizard.StepTest)
	if !h.ui.testing.skip.Visible() {
		t.Fatal("no way past the test for an OAuth2-only account")
	}
	h.tap(h.ui.testing.skip)
	h.atStep(wizard.StepDone)
	if h.ui.done.save != nil {
		t.Error("the keychain is offered for an untested OAuth2 account")
	}
	if f := h.w.Canvas().Focused(); f != h.ui.done.exports[0] {
		t.Errorf("focus on %T, want the first export", f)
	}
}

// Finding: the sources appear as they are asked, with a provisional answer
// while better sources are still out; Cancel goes back to the address.
func TestFindingLiveSources(t *testing.T) {
	release := make(chan struct{})
	slow := func(ctx context.Context, addr account.Address, _ []string, progress func(wizard.Event)) (account.Config, error) {
		progress(wizard.SourceProgress{Source: account.SourceAutoconfig, Status: wizard.SourceAsking})
		progress(wizard.SourceProgress{Source: account.SourceGuess, Status: wizard.SourceFound})
		c := exampleProvider()
		c.Source, c.SecureSource = account.SourceGuess, false
		progress(wizard.Provisional{Config: c})
		close(release)
		<-ctx.Done()
		return account.Config{}, ctx.Err()
	}
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Discover: slow})
	test.Type(h.ui.address.address, "nia@slow.test")
	enter(h.ui.address.address)
	<-release
	h.waitFor("the provisional answer", func() bool {
		return h.ui.finding != nil && h.ui.finding.provisional.Visible()
	})
	var rows []string
	for _, o := range h.ui.finding.sources.Objects {
		rows = append(rows, o.(*fyne.Container).Objects[1].(*widget.Label).Text)
	}
	want := []string{"mailwiz's list of providers — nothing there", "the domain's own settings (autoconfig) — asking…",
		"trying common server names — found"}
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Errorf("sources:\n%q\nwant\n%q", rows, want)
	}
	if got := h.ui.finding.provisional.Text; got != "Found so far, guessed — please check: imap.example.com — still asking better sources." {
		t.Errorf("provisional %q", got)
	}
	if !h.ui.next.Disabled() || h.ui.cancel.Disabled() {
		t.Error("while searching, Next must be off and Cancel on")
	}
	h.tap(h.ui.cancel)
	h.atStep(wizard.StepAddress)
	if h.ui.address.address.Text != "nia@slow.test" {
		t.Errorf("address after Cancel %q", h.ui.address.address.Text)
	}
}

// Test: each server's stage shows while the test runs.
func TestTestLiveStages(t *testing.T) {
	reported := make(chan struct{})
	slow := func(ctx context.Context, req wizard.TestRequest, progress func(wizard.StageProgress)) wizard.TestReport {
		progress(wizard.StageProgress{Server: req.Incoming, Stage: wizard.StageAuth, Elapsed: 120 * time.Millisecond})
		progress(wizard.StageProgress{Server: req.Outgoing, Stage: wizard.StageTLS, Elapsed: 80 * time.Millisecond})
		// The send test's wait replaces the outgoing server's row.
		progress(wizard.StageProgress{Server: req.Outgoing, Stage: wizard.StageDeliver, Elapsed: 900 * time.Millisecond})
		close(reported)
		<-ctx.Done()
		return wizard.TestReport{}
	}
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Test: slow})
	walkToTest(h, "ola@example.com")
	test.Type(h.ui.testing.password, "pw")
	enter(h.ui.testing.password)
	<-reported
	h.waitFor("two stage rows", func() bool { return len(h.ui.testing.rows.Objects) == 2 })
	var rows []string
	for _, o := range h.ui.testing.rows.Objects {
		rows = append(rows, o.(*fyne.Container).Objects[1].(*widget.Label).Text)
	}
	want := "IMAP imap.example.com:993: logging in (120 ms)|SMTP smtp.example.com:465: waiting for the test message to arrive, up to 2 min (Cancel stops it)"
	if strings.Join(rows, "|") != want {
		t.Errorf("rows %q", rows)
	}
	if h.ui.testing.status.Text != "Testing…" || !h.ui.testing.start.Disabled() {
		t.Errorf("while testing: status %q, start disabled %v", h.ui.testing.status.Text, h.ui.testing.start.Disabled())
	}
}

// The printable sheet opens in the browser from a file of its own.
func TestPrintSheet(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Test: fakeProbe,
		Formats: []wizard.Format{{ID: "sheet", Name: "sheet", Ext: ".html"}},
		Export: func(w io.Writer, format string, req wizard.ExportRequest) error {
			_, err := fmt.Fprintf(w, "<html>%s %s</html>", format, req.Address)
			return err
		}})
	br := &browser{App: h.ui.app}
	h.ui.app = br
	walkToDone(h, "pia@example.com", "right")
	h.tap(h.ui.done.print)
	if len(br.opened) != 1 || !strings.HasPrefix(br.opened[0], "file:///") {
		t.Fatalf("opened %q", br.opened)
	}
	u, _ := url.Parse(br.opened[0])
	got, err := os.ReadFile(u.Path)
	if err != nil || string(got) != "<html>sheet pia@example.com</html>" {
		t.Fatalf("sheet file %q (%v)", got, err)
	}
	if fi, _ := os.Stat(filepath.Dir(u.Path)); fi.Mode().Perm() != 0o700 {
		t.Errorf("sheet directory mode %v", fi.Mode().Perm())
	}
}

// A canary password goes through the whole window and shows up nowhere it
// could leak: no text on any page, no export, no printed sheet, no log.
func TestCanaryPasswordStaysOut(t *testing.T) {
	const canary = "canary-ZX81-пароль"
	var logged bytes.Buffer
	log.SetOutput(&logged)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	real := wizard.Default()
	var saved string
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Formats: real.Formats, Export: real.Export,
		Test: func(ctx context.Context, req wizard.TestRequest, p func(wizard.StageProgress)) wizard.TestReport {
			req.Password = "right"
			return fakeProbe(ctx, req, p)
		},
		Save: func(_ context.Context, req wizard.SaveRequest) error { saved = req.Password; return nil }})
	br := &browser{App: h.ui.app}
	h.ui.app = br
	var screens []string
	look := func() { screens = append(screens, test.RenderToMarkup(h.w.Canvas())) }
	walkToTest(h, "rex@example.com")
	test.Type(h.ui.testing.password, canary)
	look()
	enter(h.ui.testing.password)
	h.waitFor("the test", func() bool { r := h.ui.wiz.Testing().Report; return r != nil && r.OK })
	look()
	h.ui.langs.SetSelected("Русский") // a rebuild must not put it into a visible text
	look()
	h.ui.langs.SetSelected("English")
	h.tap(h.ui.next)
	h.atStep(wizard.StepDone)
	h.tap(h.ui.done.save)
	h.waitFor("the save", func() bool { return h.ui.wiz.Saving().Done })
	look()
	if saved != canary {
		t.Fatalf("the keychain got %q", saved)
	}
	h.tap(h.ui.done.print)
	for i, s := range screens {
		if strings.Contains(s, canary) {
			t.Errorf("screen %d shows the password", i)
		}
	}
	for _, f := range h.ui.wiz.Formats() {
		var buf bytes.Buffer
		if err := h.ui.wiz.Export(&buf, f.ID, "en"); err != nil {
			t.Errorf("%s: %v", f.ID, err)
		}
		if bytes.Contains(buf.Bytes(), []byte(canary)) {
			t.Errorf("the %s export holds the password", f.ID)
		}
	}
	u, _ := url.Parse(br.opened[len(br.opened)-1])
	if b, err := os.ReadFile(u.Path); err != nil || bytes.Contains(b, []byte(canary)) {
		t.Errorf("the printed sheet holds the password (or is missing: %v)", err)
	}
	if strings.Contains(logged.String(), canary) {
		t.Error("the log holds the password")
	}
}

// TestBackBeforeALateFound: Back pressed on the Finding page while
// discovery's Found is already on its way to the UI stays at the address;
// the late Found must not carry the person forward to the servers again.
func TestBackBeforeALateFound(t *testing.T) {
	release := make(chan struct{})
	lookup := func(domain string) (account.Config, bool) {
		<-release
		return lookupExample(domain)
	}
	h := newHarness(t, wizard.Deps{Lookup: lookup})
	test.Type(h.ui.address.address, "nia@example.com")
	enter(h.ui.address.address)
	h.drain()
	if pageStep(h.ui) != wizard.StepFinding {
		t.Fatalf("page of %s after Enter; want finding", pageStep(h.ui))
	}
	close(release)
	h.ui.wiz.Wait() // discovery has ended; its Found waits in the queue
	h.ui.onBack()   // the UI goroutine gets to Back first
	h.drain()
	h.ui.wiz.Wait() // whatever the late Found started
	h.drain()
	if s := h.ui.wiz.Step(); s != wizard.StepAddress || pageStep(h.ui) != wizard.StepAddress {
		t.Fatalf("after Back: wizard at %s, page of %s; want the address", s, pageStep(h.ui))
	}
}
