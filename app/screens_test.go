package app

import (
	"context"
	"flag"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/delivery"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/providers"
	"github.com/mailwiz/mailwiz/wizard"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ (markup and screens)")

// lightTheme pins the default theme's light variant, so the screens do not
// depend on the test driver's variant.
type lightTheme struct{ fyne.Theme }

func (t lightTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, theme.VariantLight)
}

// darkTheme pins the dark variant.
type darkTheme struct{ fyne.Theme }

func (t darkTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, theme.VariantDark)
}

// golden checks the window against testdata/pages/<name>.xml (markup: what
// is shown, by theme names) and testdata/screens/<name>.png (the README's
// pictures), or rewrites both with -update.
func (h *harness) golden(name string) {
	h.t.Helper()
	c := h.w.Canvas()
	markup := filepath.Join("pages", name+".xml")
	screen := filepath.Join("screens", name+".png")
	if *update {
		for _, dir := range []string{"testdata/pages", "testdata/screens"} {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				h.t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join("testdata", markup), []byte(test.RenderToMarkup(c)), 0o644); err != nil {
			h.t.Fatal(err)
		}
		f, err := os.Create(filepath.Join("testdata", screen))
		if err != nil {
			h.t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, c.Capture()); err != nil {
			h.t.Fatal(err)
		}
		return
	}
	test.AssertRendersToMarkup(h.t, markup, c)
	test.AssertImageMatches(h.t, screen, c.Capture())
}

// One picture and one markup file per step, English, light theme; the
// address page in Russian too.
func TestScreens(t *testing.T) {
	real := wizard.Default() // the real export formats, for the Done page
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Test: fakeProbe,
		Save:    func(context.Context, wizard.SaveRequest) error { return nil },
		Formats: real.Formats, Export: real.Export})
	h.ui.app.Settings().SetTheme(lightTheme{theme.DefaultTheme()})
	h.w.Resize(fyne.NewSize(720, 600))

	test.Type(h.ui.address.name, "Alice Smith")
	test.Type(h.ui.address.address, "alice")
	h.golden("1-address-invalid")
	test.Type(h.ui.address.address, "@example.com")
	h.golden("1-address")
	h.ui.langs.SetSelected("Русский")
	h.golden("1-address-ru")
	h.ui.langs.SetSelected("English")

	enter(h.ui.address.address)
	h.atStep(wizard.StepServers)
	h.golden("2-servers")
	h.ui.langs.SetSelected("Русский")
	h.golden("2-servers-ru")
	h.ui.langs.SetSelected("English")
	h.tap(h.ui.next)
	h.atStep(wizard.StepBeforeLogin)
	h.golden("3-before-login")
	h.tap(h.ui.next)
	h.atStep(wizard.StepTest)
	test.Type(h.ui.testing.password, "wrong")
	enter(h.ui.testing.password)
	h.waitFor("the failed test", func() bool { return h.ui.wiz.Testing().Report != nil })
	h.ui.testing.details.Open(0)
	h.golden("4-test-failed")
	h.ui.langs.SetSelected("Русский")
	h.golden("4-test-failed-ru")
	h.ui.langs.SetSelected("English")
	h.ui.testing.details.Open(0)
	h.ui.testing.password.SetText("right")
	enter(h.ui.testing.password)
	h.waitFor("the passed test", func() bool { r := h.ui.wiz.Testing().Report; return r != nil && r.OK })
	h.golden("4-test-passed")
	h.tap(h.ui.next)
	h.atStep(wizard.StepDone)
	h.golden("5-done")
	h.ui.scroll.ScrollToBottom()
	h.golden("5-done-phone")
}

// The Finding page when nothing was found: said so, manual entry offered.
func TestScreenNothingFound(t *testing.T) {
	h := newHarness(t, wizard.Deps{Lookup: lookupExample})
	h.ui.app.Settings().SetTheme(lightTheme{theme.DefaultTheme()})
	test.Type(h.ui.address.address, "bob@unknown.test")
	enter(h.ui.address.address)
	h.waitFor("nothing found", func() bool { return h.ui.finding != nil && h.ui.finding.manual.Visible() })
	h.golden("1-finding-nothing")
}

// The QR code on the Done page, as the screen shows it, scans: zbarimg
// reads the account from a screenshot of the window.
func TestQRCodeOnScreenScans(t *testing.T) {
	zbar := testenv.RequireCommand(t, "zbarimg", "zbar-tools")
	real := wizard.Default()
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Test: fakeProbe, Formats: real.Formats, Export: real.Export})
	h.ui.app.Settings().SetTheme(darkTheme{theme.DefaultTheme()}) // the harder case: a dark window
	walkToDone(h, "quinn@example.com", "right")
	h.ui.scroll.ScrollToBottom()
	shot := filepath.Join(t.TempDir(), "done.png")
	f, err := os.Create(shot)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, h.w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := exec.Command(zbar, "-q", "--raw", shot).Output()
	if err != nil {
		t.Fatalf("zbarimg found no code in the window: %v", err)
	}
	if !strings.Contains(string(out), `"imap.example.com",993`) || !strings.Contains(string(out), "quinn@example.com") {
		t.Errorf("the code holds %s", out)
	}
}

// The sign-in with the provider (issue 14): Outlook.com's test page while
// it waits for the browser, and after the sign-in's test passed.
func TestScreenSignIn(t *testing.T) {
	outlook := func(d string) (account.Config, bool) {
		return account.Config{
			Provider: &account.Provider{ID: "outlook", Name: "Outlook.com"},
			Incoming: []account.Server{{Protocol: account.IMAP, Host: "outlook.office365.com", Port: 993, Security: account.SSL, Username: "%EMAILADDRESS%", Auth: account.AuthOAuth2}},
			Outgoing: []account.Server{{Protocol: account.SMTP, Host: "smtp-mail.outlook.com", Port: 587, Security: account.STARTTLS, Username: "%EMAILADDRESS%", Auth: account.AuthOAuth2}},
			Hints: []account.Hint{{Kind: account.HintOAuth2Required, Text: map[string]string{
				"en": "Outlook.com accepts only a sign-in through the Microsoft web page (OAuth2)."}}},
			Source: account.SourceBuiltin, SecureSource: true,
		}, d == "outlook.com"
	}
	release := make(chan struct{})
	h := newHarness(t, wizard.Deps{Lookup: outlook, Test: fakeProbe,
		SignIn: func(ctx context.Context, _ wizard.SignInRequest) (wizard.SignedIn, error) {
			select {
			case <-release:
			case <-ctx.Done():
				return wizard.SignedIn{}, ctx.Err()
			}
			return wizard.SignedIn{ProviderID: "microsoft", Refresh: "r", Login: probe.OAuth2Login{AccessToken: "a", Provider: "Microsoft"}}, nil
		}})
	h.ui.app.Settings().SetTheme(lightTheme{theme.DefaultTheme()})
	h.w.Resize(fyne.NewSize(720, 600))
	walkToTest(h, "kim@outlook.com")
	h.tap(h.ui.testing.signIn)
	h.waitFor("the wait for the browser", func() bool { return h.ui.wiz.SigningIn() })
	h.golden("4-signin-waiting")
	close(release)
	h.waitFor("the test with the sign-in", func() bool { r := h.ui.wiz.Testing().Report; return r != nil && r.OK })
	h.golden("4-signin-passed")
}

// TestScreenSending: the sending check for a mailing program, in Russian,
// with the real provider data (Yandex), the real checks' words and a
// loopback DNS where the sender domain has no SPF record: the refused
// sender, the record to add and the bounce test's report, as a person
// sees them in the window.
func TestScreenSending(t *testing.T) {
	dns := testenv.StartDNS(t, testenv.Zone{"corp.test": {A: []string{"192.0.2.7"}}, "smtp.yandex.ru": {A: []string{"192.0.2.25"}}})
	dsn, err := os.ReadFile(filepath.Join("..", "delivery", "testdata", "dsn-postfix.eml"))
	if err != nil {
		t.Fatal(err)
	}
	check := func(ctx context.Context, req wizard.SendingRequest) (wizard.SendingReport, error) {
		cfg := req.Config
		rep := delivery.Check(ctx, dns.Resolver(), delivery.Request{Account: req.Address.String(), From: req.From,
			SMTP: cfg.Outgoing[0], IncomingHost: cfg.Incoming[0].Host, Config: &cfg, Lang: req.Lang,
			Sent:    &delivery.Sent{Reply: &delivery.ServerReply{Code: 553, Enhanced: "5.7.1", Words: "Sender address rejected: not owned by auth user."}},
			Bounced: &delivery.Bounced{To: "nobody@nowhere.invalid", Report: dsn, After: 2 * time.Second}})
		return wizard.SendingFindings(rep), nil
	}
	real := wizard.Default()
	h := newHarness(t, wizard.Deps{Lookup: providers.Lookup, Test: fakeProbe, CheckSending: check,
		Formats: real.Formats, Export: real.Export})
	h.ui.app.Settings().SetTheme(lightTheme{theme.DefaultTheme()})
	h.w.Resize(fyne.NewSize(720, 600))
	h.ui.langs.SetSelected("Русский")
	walkToDone(h, "ivan@yandex.ru", "right")
	h.tap(h.ui.done.checkSending)
	h.waitFor("the dialog", func() bool { return h.ui.done.sending != nil })
	s := h.ui.done.sending
	test.Type(s.from, "news@corp.test")
	// Yandex refuses another sender: the warning shows under the fields,
	// laid out in its place, not over the dialog's first paragraph (a
	// label shown after the layout is drawn at the top).
	if !s.fromWarn.Visible() || !strings.Contains(s.fromWarn.Text, "Яндекс Почта отправляет письмо, только если") {
		t.Errorf("sender warning %q (visible %v)", s.fromWarn.Text, s.fromWarn.Visible())
	}
	if s.fromWarn.Position().Y == 0 || s.fromWarn.Size().Height == 0 {
		t.Errorf("the sender warning is at %v, %v: not laid out", s.fromWarn.Position(), s.fromWarn.Size())
	}
	test.Tap(s.consent)
	test.Tap(s.bounceTest)
	h.tap(s.run)
	h.waitFor("the findings", func() bool { return len(s.findings.Objects) > 5 })
	all := strings.Join(labelTexts(s.findings), "|")
	for _, want := range []string{"Подмена отправителя", "553 5.7.1", `corp.test. TXT "v=spf1 include:_spf.yandex.net ~all"`,
		"Проверка возвратов", "не доставлено, статус 5.1.2", "Host or domain name not found"} {
		if !strings.Contains(all, want) {
			t.Errorf("the findings lack %q:\n%s", want, all)
		}
	}
	// Nothing in the dialog may be wider than it: a label that does not
	// wrap (a check box's) widened the content past the dialog's edge, and
	// the vertical scroll cut every finding's text there.
	if w, max := s.scroll.Content.MinSize().Width, s.scroll.Size().Width; w > max {
		t.Errorf("the dialog's content needs %.0f px, the dialog shows %.0f", w, max)
	}
	h.golden("6-sending-ru")
	s.scroll.ScrollToBottom()
	h.golden("6-sending-bounce-ru")
}

// labelTexts are the texts of the labels in o, depth first.
func labelTexts(o fyne.CanvasObject) []string {
	switch w := o.(type) {
	case *widget.Label:
		return []string{w.Text}
	case *fyne.Container:
		var out []string
		for _, c := range w.Objects {
			out = append(out, labelTexts(c)...)
		}
		return out
	}
	return nil
}
