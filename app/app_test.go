package app

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/providers"
	"github.com/mailwiz/mailwiz/wizard"
)

// pump stands in for fyne.Do: the wizard's goroutines queue UI work, and
// the test goroutine runs it, so widgets are only touched from one
// goroutine, as in the real app.
type pump struct{ ch chan func() }

func (p *pump) do(f func()) { p.ch <- f }

// harness is a wizard window on Fyne's test driver.
type harness struct {
	t  *testing.T
	ui *UI
	w  fyne.Window
	p  *pump
}

func newHarness(t *testing.T, deps wizard.Deps) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	p := &pump{ch: make(chan func(), 256)}
	ui := newUI(a, w, deps, p.do)
	t.Cleanup(ui.Close)
	ui.setLanguage("en")
	return &harness{t: t, ui: ui, w: w, p: p}
}

// waitFor runs queued UI work until cond holds, failing after a bound.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.NewTimer(30 * time.Second) // real servers on a loaded machine
	defer deadline.Stop()
	for !cond() {
		select {
		case f := <-h.p.ch:
			f()
		case <-deadline.C:
			h.t.Fatalf("timed out waiting for %s (step %s)", what, h.ui.wiz.Step())
		}
	}
	// The state may change before its event is queued: once the work has
	// ended, let it finish reporting, then apply what it reported. Work
	// still running (a test holding it open) is not waited for.
	w := h.ui.wiz
	if !w.Busy() {
		w.Wait()
	}
	h.drain()
}

// drain runs the UI work queued so far.
func (h *harness) drain() {
	for {
		select {
		case f := <-h.p.ch:
			f()
		default:
			return
		}
	}
}

func (h *harness) atStep(s wizard.Step) {
	h.t.Helper()
	h.waitFor("step "+s.String(), func() bool { return h.ui.wiz.Step() == s && h.ui.cur != nil && pageStep(h.ui) == s })
}

// pageStep is the step of the page on screen.
func pageStep(u *UI) wizard.Step {
	switch u.cur.(type) {
	case *findingPage:
		return wizard.StepFinding
	case *serversPage:
		return wizard.StepServers
	case *beforePage:
		return wizard.StepBeforeLogin
	case *testPage:
		return wizard.StepTest
	case *donePage:
		return wizard.StepDone
	}
	return wizard.StepAddress
}

func enter(e fyne.Focusable) { e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) }

// exampleProvider is a provider entry as the built-in database holds it.
func exampleProvider() account.Config {
	return account.Config{
		Provider: &account.Provider{ID: "example", Name: "Example Mail"},
		Domains:  []string{"example.com"},
		Incoming: []account.Server{
			{Protocol: account.IMAP, Host: "imap.example.com", Port: 993, Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthPassword},
			{Protocol: account.POP3, Host: "pop.example.com", Port: 995, Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthPassword},
		},
		Outgoing: []account.Server{
			{Protocol: account.SMTP, Host: "smtp.example.com", Port: 465, Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthPassword},
		},
		Hints: []account.Hint{{Kind: account.HintAppPassword, URL: "https://example.com/app-passwords",
			Text: map[string]string{"en": "Create an app password.", "ru": "Создайте пароль приложения."}}},
		Limits: account.Limits{MaxMessageMB: 25, MaxRecipients: 100},
		Source: account.SourceBuiltin, SecureSource: true,
	}
}

func lookupExample(domain string) (account.Config, bool) {
	if domain == "example.com" {
		return exampleProvider(), true
	}
	return account.Config{}, false
}

// The first window: type an address, press Enter, see the servers.
func TestAddressEnterShowsServers(t *testing.T) {
	h := newHarness(t, wizard.Deps{Lookup: lookupExample})
	if got := h.w.Canvas().Focused(); got != h.ui.address.address {
		t.Fatalf("focus is on %T, want the address field", got)
	}
	test.Type(h.ui.address.address, "alice+news@Example.COM")
	enter(h.ui.address.address)
	h.atStep(wizard.StepServers)

	s := h.ui.servers
	for _, c := range []struct{ field, got, want string }{
		{"incoming host", s.in.host.Text, "imap.example.com"},
		{"incoming port", s.in.port.Text, "993"},
		{"incoming security", s.in.security.Selected, "SSL/TLS"},
		{"incoming username", s.in.username.Text, "alice@example.com"}, // plus tag dropped
		{"outgoing host", s.out.host.Text, "smtp.example.com"},
		{"outgoing port", s.out.port.Text, "465"},
		{"protocol", s.protocol.Selected, "IMAP"},
		{"source", s.source.Text, "These are Example Mail's settings, from mailwiz's list of providers."},
		{"title", h.w.Title(), "Mail Setup Wizard"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
}

func TestAddressValidationAsYouType(t *testing.T) {
	h := newHarness(t, wizard.Deps{Lookup: lookupExample})
	p := h.ui.address
	if p.problem.Visible() {
		t.Fatalf("a problem is shown before anything was typed: %q", p.problem.Text)
	}
	test.Type(p.address, "alice")
	if !p.problem.Visible() || p.problem.Text != "The address has no @ sign: type it as name@example.com." {
		t.Fatalf("problem = %q (visible %v)", p.problem.Text, p.problem.Visible())
	}
	enter(p.address)
	h.drain()
	if s := h.ui.wiz.Step(); s != wizard.StepAddress {
		t.Fatalf("Enter on a bad address moved to %s", s)
	}
	test.Type(p.address, "@example.com")
	if p.problem.Visible() {
		t.Fatalf("problem still shown for a good address: %q", p.problem.Text)
	}
}

func TestMain(m *testing.M) {
	// Fyne logs an error for every lookup under the C locale; the tests
	// choose their language themselves.
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l := os.Getenv(v); l == "" || l == "C" || l == "POSIX" || strings.HasPrefix(l, "C.") {
			os.Setenv(v, "en_US.UTF-8")
		}
	}
	os.Exit(m.Run())
}

// The same with the real built-in database: what `make run` shows.
func TestAddressEnterShowsBuiltinServers(t *testing.T) {
	for _, c := range []struct{ address, in, out string }{
		{"alice@gmail.com", "imap.gmail.com", "smtp.gmail.com"},
		{"Иван@Yandex.RU", "imap.yandex.ru", "smtp.yandex.ru"},
	} {
		h := newHarness(t, wizard.Deps{Lookup: providers.Lookup})
		test.Type(h.ui.address.address, c.address)
		enter(h.ui.address.address)
		h.atStep(wizard.StepServers)
		if got := h.ui.servers.in.host.Text; got != c.in {
			t.Errorf("%s: incoming %q, want %q", c.address, got, c.in)
		}
		if got := h.ui.servers.out.host.Text; got != c.out {
			t.Errorf("%s: outgoing %q, want %q", c.address, got, c.out)
		}
		if !strings.HasPrefix(h.ui.servers.source.Text, "These are ") {
			t.Errorf("%s: source line %q", c.address, h.ui.servers.source.Text)
		}
	}
}

// TestVisibleHintsFollowTheProtocol: the Before page asks to switch on only
// the protocol the person chose.
func TestVisibleHintsFollowTheProtocol(t *testing.T) {
	cfg := account.Config{Hints: []account.Hint{
		{Kind: account.HintEnableIMAP}, {Kind: account.HintEnablePOP},
		{Kind: account.HintAppPassword}, {Kind: account.HintUnverifiedSource},
	}}
	kinds := func(p account.Protocol) (out []account.HintKind) {
		for _, h := range visibleHints(cfg, p) {
			out = append(out, h.Kind)
		}
		return out
	}
	if got, want := fmt.Sprint(kinds(account.IMAP)), "[enable-imap app-password]"; got != want {
		t.Errorf("IMAP: hints %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(kinds(account.POP3)), "[enable-pop app-password]"; got != want {
		t.Errorf("POP3: hints %s, want %s", got, want)
	}
}
