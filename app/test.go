package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/safetext"
	"github.com/mailwiz/mailwiz/wizard"
)

// testPage is step 4: the password, and the connection test with live
// stages per server, the diagnosis in words, the server's own words behind
// a details expander, Retry and Edit settings.
type testPage struct {
	ui       *UI
	password *entry
	sendTest *widget.Check
	start    *button
	edit     *button
	status   *widget.Label
	rows     *fyne.Container
	details  *widget.Accordion
	fix      *button // opens the provider's page for the fix
	fixURL   string
	skip     *button // OAuth2-only accounts: on to the exports untested
	// signIn signs in through the provider's page (OAuth2), then tests
	// with that sign-in; signInErr is why the last one did not work.
	signIn    *button
	signInRow *fyne.Container
	signInErr error
	consent   dialog.Dialog
	// trust offers a certificate exception after a tls-untrusted,
	// tls-expired or tls-hostname-mismatch failure; trustDialog is its
	// confirmation while shown.
	trust       *button
	trustDialog *dialog.ConfirmDialog
}

func newTestPage(u *UI) *testPage { return &testPage{ui: u} }

func (p *testPage) title() string { return lang.L("Password and connection test") }

func (p *testPage) build() fyne.CanvasObject {
	addr, _ := p.ui.wiz.Address()
	p.password = newPasswordEntry(p.ui)
	p.password.SetPlaceHolder(lang.L("Password"))
	p.password.SetText(p.ui.wiz.Password())
	p.password.OnChanged = p.onPasswordChanged
	p.password.OnSubmitted = p.onPasswordSubmitted
	p.sendTest = widget.NewCheck(lang.L("Also send a test message to myself and check that it arrives"), nil)
	p.start = newButton(p.ui, lang.L("Test the connection"), theme.MediaPlayIcon(), p.onStart)
	p.start.Importance = widget.HighImportance
	p.edit = newButton(p.ui, lang.L("Edit settings"), theme.SettingsIcon(), p.onEdit)
	p.status = wrapped("")
	p.rows = container.NewVBox()
	p.details = widget.NewAccordion()
	p.fix = newButton(p.ui, lang.L("Open the provider's page"), theme.ComputerIcon(), p.onFix)
	p.fix.Hide()
	p.trust = newButton(p.ui, lang.L("Trust this certificate…"), theme.WarningIcon(), p.onTrust)
	p.trust.Hide()
	p.skip = newButton(p.ui, lang.L("Skip the test and export the settings"), theme.MediaSkipNextIcon(), p.onSkip)
	if !p.ui.wiz.NeedsOAuth2() {
		p.skip.Hide()
	}
	// Offered wherever the provider signs mail programs in on its page:
	// for Outlook.com the only way, for Gmail or Yandex beside the (app)
	// password, for the person to choose.
	if name, ok := p.ui.wiz.SignInProvider(); ok {
		p.signIn = newButton(p.ui, lang.L("Sign in with {{.Provider}}", map[string]any{"Provider": name}), theme.LoginIcon(), p.onSignIn)
		if p.ui.wiz.NeedsOAuth2() {
			p.signIn.Importance = widget.HighImportance
		}
	} else {
		p.signIn = newButton(p.ui, "", nil, nil)
		p.signIn.Hide()
	}

	intro := lang.L("Type the password of {{.Address}}. It goes only to your provider's servers and, if you save it, to this computer's keychain.", map[string]any{"Address": addr.Display()})
	if name, ok := p.ui.wiz.SignInProvider(); ok && p.ui.wiz.NeedsOAuth2() {
		intro = lang.L("{{.Provider}} lets mail programs in only through its own sign-in page: press “Sign in with {{.Provider}}”, finish in your browser, and mailwiz tests {{.Address}} with that sign-in.", map[string]any{"Provider": name, "Address": addr.Display()})
		p.start.Importance = widget.MediumImportance
	}
	if name := p.ui.wiz.KeptSignInWith(); name != "" {
		intro = lang.L("{{.Address}} was saved signed in with {{.Provider}}: mailwiz tests it with that sign-in, no password needed.", map[string]any{"Provider": name, "Address": addr.Display()})
		p.start.Importance = widget.HighImportance
		p.signIn.Importance = widget.MediumImportance
	} else if p.ui.wiz.Config().HasHint(account.HintAppPassword) {
		intro += " " + lang.L("Your provider needs an app password here, not your usual one.")
	}
	p.signInRow = container.NewHBox(p.signIn)
	if !p.signIn.Visible() {
		p.signInRow.Hide()
	}
	p.render()
	return container.NewVBox(
		wrapped(intro),
		widget.NewForm(widget.NewFormItem(lang.L("Password"), p.password)),
		p.sendTest,
		p.signInRow,
		container.NewHBox(p.start, p.edit, p.skip),
		p.rows, p.status, container.NewHBox(p.fix, p.trust), p.details,
	)
}

func (p *testPage) focus() { p.ui.win.Canvas().Focus(p.password) }

func (p *testPage) event(e wizard.Event) {
	if f, ok := e.(wizard.SignInFinished); ok {
		p.signInErr = f.Err
		if f.Err == nil {
			// Signed in: test with it at once, as a person expects.
			p.signInRow.Hide()
			p.onStart()
			return
		}
	}
	p.render()
}

// onSignIn opens the provider's page in the browser; the wizard waits for
// it (Cancel stops the wait).
func (p *testPage) onSignIn() {
	p.signInErr = nil
	if err := p.ui.wiz.SignIn(); err != nil {
		p.signInErr = err
	}
	p.render()
	p.ui.updateButtons()
}

func (p *testPage) collect() { p.ui.wiz.SetPassword(p.password.Text) }

func (p *testPage) onPasswordChanged(s string) { p.ui.wiz.SetPassword(s) }
func (p *testPage) onPasswordSubmitted(string) { p.onStart() }
func (p *testPage) onEdit()                    { p.ui.wiz.GoTo(wizard.StepServers) }
func (p *testPage) beforeNext() bool           { return true }
func (p *testPage) refused(err error)          { p.render() }
func (p *testPage) onConsent(ok bool)          { p.consented(ok) }
func (p *testPage) consented(ok bool) {
	p.consent = nil
	if !ok {
		p.status.SetText(lang.L("The test was not run: the password would have crossed the network unencrypted. Choose SSL/TLS or STARTTLS in the settings."))
		p.ui.relayout()
		return
	}
	p.ui.wiz.ConsentPlaintext()
	p.onStart()
}

// onStart runs the test, asking for consent first if a server is
// unencrypted.
func (p *testPage) onStart() {
	p.collect()
	err := p.ui.wiz.StartTest(p.sendTest.Checked)
	switch {
	case errors.Is(err, wizard.ErrPlaintextConsent):
		d := dialog.NewConfirm(lang.L("Send the password unencrypted?"),
			lang.L("This server does not encrypt the connection: anyone on the network between you and the server can read your password and your mail. Go on only on a network you trust, or choose SSL/TLS or STARTTLS in the settings."),
			p.onConsent, p.ui.win)
		d.SetConfirmText(lang.L("Send it unencrypted"))
		d.SetDismissText(lang.L("Cancel"))
		d.SetConfirmImportance(widget.WarningImportance)
		p.consent = d
		d.Show()
		return
	case err != nil:
		p.status.SetText(withDetails(lang.L("The test could not start."), err))
		p.status.Importance = widget.DangerImportance
		p.status.Refresh()
		return
	}
	p.render()
	p.ui.updateButtons()
}

// render redraws the stages and the outcome from the wizard's snapshot.
func (p *testPage) render() {
	st := p.ui.wiz.Testing()
	p.rows.Objects = nil
	p.details.Items = nil
	p.fix.Hide()
	p.trust.Hide()
	if st.Report != nil {
		for _, r := range st.Report.Results {
			p.rows.Add(resultRow(r))
		}
		if s := st.Report.SendTest; s != nil {
			p.rows.Add(sendRow(*s))
		}
	} else {
		for _, s := range st.Stages {
			p.rows.Add(stageRow(s))
		}
	}
	p.rows.Refresh()
	setEnabled(p.start, !st.Running)
	p.status.Importance = widget.MediumImportance
	switch {
	case p.ui.wiz.SigningIn():
		p.status.SetText(lang.L("Waiting for you to finish signing in, in your browser… (Cancel stops)"))
	case p.signInErr != nil:
		p.status.Importance = widget.DangerImportance
		p.status.SetText(wizard.SignInMessage(p.signInErr, p.ui.language))
	case st.Running:
		p.status.SetText(lang.L("Testing…"))
	case st.Err != nil:
		p.status.Importance = widget.DangerImportance
		var kept *wizard.KeptSignInError
		if errors.As(st.Err, &kept) {
			// Withdrawn or expired: the way on is signing in again.
			p.status.SetText(wizard.SignInMessage(kept.Err, p.ui.language))
		} else if errors.Is(st.Err, context.Canceled) {
			p.status.Importance = widget.WarningImportance
			p.status.SetText(lang.L("The test was stopped."))
		} else if errors.Is(st.Err, wizard.ErrNoTester) {
			p.status.SetText(lang.L("Connection testing is not available in this build."))
		} else {
			p.status.SetText(withDetails(lang.L("The test could not run."), st.Err))
		}
	case st.Report == nil:
		p.status.SetText("")
	case st.Report.OK:
		p.status.Importance = widget.SuccessImportance
		text := lang.L("Everything works: you can receive and send mail. Press Next to save the account.")
		// Said only when a server of this test went through an exception:
		// one kept from earlier may belong to a server no longer chosen.
		if slices.ContainsFunc(st.Report.Results, func(r wizard.ServerResult) bool { return r.TLS != nil && r.TLS.Exception }) {
			text += " " + lang.L("This computer does not trust the server's certificate: you accepted it as an exception.")
		}
		// A blocked port replaced by the provider's other one: probe's words, in en or ru.
		text = strings.Join(append([]string{text}, st.Report.FallbackNotes(p.ui.language)...), " ")
		p.status.SetText(text)
		// "Press Next": with the focus in the password field Enter would
		// test again, and after "Trust this certificate…" it rests on the
		// hidden button, where Enter does nothing. Unfocused, the window
		// takes Enter as Next.
		p.ui.win.Canvas().Unfocus()
	default:
		p.status.Importance = widget.DangerImportance
		p.status.SetText(failureText(*st.Report, p.ui.language))
		if r, ok := failure(*st.Report); ok && r.Diagnosis.URL != "" {
			p.fixURL = r.Diagnosis.URL
			p.fix.Show()
		}
		if len(p.ui.wiz.CertOffers()) > 0 {
			p.trust.Show()
		}
		for _, r := range st.Report.Results {
			if !r.OK {
				p.details.Append(widget.NewAccordionItem(
					lang.L("Details: {{.Server}}", map[string]any{"Server": serverTitle(r.Server)}),
					detailsOf(r)))
			}
		}
		p.start.SetText(lang.L("Retry"))
	}
	p.status.Refresh()
	p.details.Refresh()
	p.ui.relayout()
	if p.trust.Visible() && !st.Running {
		// Below the long explanation the button can lie under the
		// window's bottom edge at the default size.
		p.ui.reveal(p.trust)
	}
}

// serverTitle names a server in a line: "IMAP imap.example.com:993".
func serverTitle(s account.Server) string {
	return fmt.Sprintf("%s %s:%d", strings.ToUpper(string(s.Protocol)), s.Host, s.Port)
}

// onSkip takes an OAuth2-only account on to the exports.
func (p *testPage) onSkip() {
	if err := p.ui.wiz.SkipTest(); err == nil {
		p.ui.wiz.Next()
	}
}

// onFix opens the page the diagnosis points to.
func (p *testPage) onFix() {
	if u, err := url.Parse(p.fixURL); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
		if err := p.ui.app.OpenURL(u); err != nil {
			p.status.SetText(p.status.Text + " " + lang.L("Could not open the browser. Open this address yourself: {{.URL}}", map[string]any{"URL": p.fixURL}))
		}
	}
}

// onTrust asks the user to confirm a certificate exception, showing the
// certificate the test refused and saying what accepting it means.
func (p *testPage) onTrust() {
	offers := p.ui.wiz.CertOffers()
	if len(offers) == 0 {
		return
	}
	o := offers[0]
	var servers []string
	for _, s := range o.Servers {
		servers = append(servers, serverTitle(s))
	}
	var why string
	switch o.Kind {
	case "tls-expired":
		why = lang.L("This certificate has expired (or this computer's clock is wrong).")
	case "tls-hostname-mismatch":
		why = lang.L("This certificate was issued for another server name.")
	default:
		why = lang.L("This certificate is not signed by an authority this computer trusts: a self-hosted server or Proton Mail Bridge uses one like it, and so does someone intercepting the connection.")
	}
	content := container.NewVBox(
		wrapped(why+" "+lang.L("Accept it only if the server's administrator has confirmed that its SHA-256 fingerprint is exactly the one below. Compare it with them, not with a message you were sent.")),
		widget.NewForm(
			widget.NewFormItem(lang.L("Servers"), wrapped(strings.Join(servers, ", "))),
			widget.NewFormItem(lang.L("Issued to"), wrapped(o.TLS.Subject)),
			widget.NewFormItem(lang.L("Issued by"), wrapped(o.TLS.Issuer)),
			widget.NewFormItem(lang.L("Valid until"), widget.NewLabel(o.TLS.NotAfter.Format(time.DateOnly))),
			widget.NewFormItem(lang.L("SHA-256 fingerprint"), monoWrapped(o.SHA256)),
		),
		wrapped(lang.L("Accepting means: mailwiz will use this one certificate for these servers, and your password will be sent over connections it protects. Any other certificate will still be refused. Changing these servers in the settings removes the exception.")),
	)
	d := dialog.NewCustomConfirm(lang.L("Trust this certificate?"), lang.L("Trust this certificate"), lang.L("Cancel"),
		content, func(ok bool) { p.onTrustConfirmed(o.SHA256, ok) }, p.ui.win)
	d.SetConfirmImportance(widget.WarningImportance)
	d.Resize(fyne.NewSize(640, 0))
	p.trustDialog = d
	d.Show()
}

// dismiss closes the open dialog as its Cancel would (Esc).
func (p *testPage) dismiss() {
	switch {
	case p.trustDialog != nil:
		p.trustDialog.Dismiss()
	case p.consent != nil:
		p.consent.Dismiss()
	}
}

// onTrustConfirmed records the exception and tests again with it.
func (p *testPage) onTrustConfirmed(sha256 string, ok bool) {
	p.trustDialog = nil
	if !ok {
		return
	}
	if err := p.ui.wiz.TrustCert(sha256); err != nil {
		p.status.SetText(withDetails(lang.L("The certificate was not accepted."), err))
		p.status.Refresh()
		return
	}
	p.onStart()
}

// sendRow is the round trip's line.
func sendRow(r wizard.ServerResult) fyne.CanvasObject {
	if r.OK && r.JunkFolder != "" {
		// A sentence longer than the window is wide: it wraps beside
		// its icon.
		l := widget.NewLabel(lang.L("Test message sent and received in {{.Ms}} ms", map[string]any{"Ms": r.Duration.Milliseconds()}) + " " +
			lang.L(wizard.JunkNote, map[string]any{"Folder": r.JunkFolder}))
		l.Wrapping = fyne.TextWrapWord
		return container.NewBorder(nil, nil, widget.NewIcon(theme.NewWarningThemedResource(theme.MailSendIcon())), nil, l)
	}
	if r.OK {
		return container.NewHBox(widget.NewIcon(theme.NewSuccessThemedResource(theme.MailSendIcon())),
			widget.NewLabel(lang.L("Test message sent and received in {{.Ms}} ms", map[string]any{"Ms": r.Duration.Milliseconds()})))
	}
	return container.NewHBox(widget.NewIcon(theme.NewErrorThemedResource(theme.MailSendIcon())),
		widget.NewLabel(lang.L("Test message: failed at “{{.Stage}}”", map[string]any{"Stage": stageWords(r.Stage)})))
}

func stageRow(s wizard.StageProgress) fyne.CanvasObject {
	icon := theme.NewThemedResource(theme.MoreHorizontalIcon())
	text := lang.L("{{.Server}}: {{.Stage}} ({{.Ms}} ms)", map[string]any{
		"Server": serverTitle(s.Server), "Stage": stageWords(s.Stage), "Ms": s.Elapsed.Milliseconds()})
	if s.Stage == wizard.StageDeliver {
		// The longest wait of the test, with nothing to show meanwhile:
		// say how long it may last (Cancel stops it).
		text = lang.L("{{.Server}}: waiting for the test message to arrive, up to {{.Min}} min (Cancel stops it)", map[string]any{
			"Server": serverTitle(s.Server), "Min": int(wizard.SendTestWait.Minutes())})
	}
	return container.NewHBox(widget.NewIcon(icon), widget.NewLabel(text))
}

func resultRow(r wizard.ServerResult) fyne.CanvasObject {
	var icon fyne.Resource
	var text string
	if r.OK {
		icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
		text = lang.L("{{.Server}}: works ({{.Ms}} ms)", map[string]any{"Server": serverTitle(r.Server), "Ms": r.Duration.Milliseconds()})
	} else {
		icon = theme.NewErrorThemedResource(theme.ErrorIcon())
		text = lang.L("{{.Server}}: failed at “{{.Stage}}”", map[string]any{"Server": serverTitle(r.Server), "Stage": stageWords(r.Stage)})
	}
	row := container.NewHBox(widget.NewIcon(icon), widget.NewLabel(text))
	if len(r.Tried) == 0 {
		return row
	}
	// The other servers a fallback tried in this place, as the CLI lists them.
	box := container.NewVBox(row)
	for _, t := range r.Tried {
		why := stageWords(t.Stage)
		if t.Diagnosis.Kind != "" {
			why = lang.L(wizard.DiagnosisName(t.Diagnosis.Kind))
		}
		box.Add(aside(lang.L("also tried {{.Host}}:{{.Port}} ({{.Security}}): {{.Why}}", map[string]any{
			"Host": t.Server.Host, "Port": t.Server.Port, "Security": securityLabel(t.Server.Security), "Why": why})))
	}
	return box
}

func stageWords(s wizard.Stage) string { return lang.L(wizard.StageLabel(s)) }

// failure returns the first failed result of a report.
func failure(rep wizard.TestReport) (wizard.ServerResult, bool) {
	for _, r := range rep.Results {
		if !r.OK {
			return r, true
		}
	}
	if rep.SendTest != nil && !rep.SendTest.OK {
		return *rep.SendTest, true
	}
	return wizard.ServerResult{}, false
}

// failureText explains the first failure in words and says what to do.
func failureText(rep wizard.TestReport, language string) string {
	if r, ok := failure(rep); ok {
		return diagnosisText(r.Diagnosis, language)
	}
	return lang.L("The test failed.")
}

// diagnosisText is the diagnosis in the window's language: the probe
// explains every kind it diagnoses, in every language, and can name the
// provider's page, so the window has no words of its own for kinds.
func diagnosisText(d wizard.Diagnosis, language string) string {
	if t := d.In(language); t != "" {
		return safetext.Show(t)
	}
	return lang.L("The test failed.")
}

// detailsOf is the expander's content: the server's own words and, on TLS
// trouble, the certificate.
func detailsOf(r wizard.ServerResult) fyne.CanvasObject {
	box := container.NewVBox()
	if r.Error != "" {
		words := widget.NewLabel(safetext.Show(r.Error))
		words.Wrapping = fyne.TextWrapBreak
		words.TextStyle = fyne.TextStyle{Monospace: true}
		box.Add(widget.NewLabel(lang.L("The server's own words:")))
		box.Add(words)
	}
	if t := r.TLS; t != nil {
		verified := lang.L("no")
		switch {
		case t.Verified:
			verified = lang.L("yes")
		case t.Exception:
			verified = lang.L("no, but accepted by you as an exception")
		}
		box.Add(widget.NewLabel(lang.L("Certificate")))
		box.Add(widget.NewForm(
			widget.NewFormItem(lang.L("Issued to"), widget.NewLabel(safetext.Show(t.Subject))),
			widget.NewFormItem(lang.L("Issued by"), widget.NewLabel(safetext.Show(t.Issuer))),
			widget.NewFormItem(lang.L("Valid until"), widget.NewLabel(t.NotAfter.Format(time.DateOnly))),
			widget.NewFormItem(lang.L("Trusted"), widget.NewLabel(verified)),
			widget.NewFormItem(lang.L("SHA-256 fingerprint"), monoWrapped(t.SHA256)),
			widget.NewFormItem(lang.L("TLS version"), widget.NewLabel(t.Version)),
		))
	}
	return box
}

func monoWrapped(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapBreak
	l.TextStyle = fyne.TextStyle{Monospace: true}
	return l
}
