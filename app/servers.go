package app

import (
	"errors"
	"strconv"
	"strings"

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

// serversPage is step 2: IMAP or POP3, and the incoming and outgoing
// servers, every field editable, with the warnings that matter in view.
type serversPage struct {
	ui *UI

	source *widget.Label
	// redirectBox offers to follow redirects discovery refused.
	redirectBox *fyne.Container
	protocol    *widget.RadioGroup
	explain     *widget.Label
	leaveCopy   *widget.Check
	in, out     *serverEditor
	problem     *widget.Label

	plainWarning *widget.Label
	unverified   *fyne.Container
	confirm      *widget.Check
	oauth        *widget.Label

	// forget removes the account saved for the address (its passwords,
	// kept sign-in and settings), after a confirmation; forgotten says
	// how that went.
	forget        *button
	forgetRow     *fyne.Container
	forgotten     *widget.Label
	forgetConfirm *dialog.ConfirmDialog
}

func newServersPage(u *UI) *serversPage { return &serversPage{ui: u} }

func (p *serversPage) title() string { return lang.L("Server settings") }

const (
	choiceIMAP = "IMAP"
	choicePOP3 = "POP3"
)

func (p *serversPage) build() fyne.CanvasObject {
	w := p.ui.wiz
	cfg := w.Config()
	in, out := w.Incoming(), w.Outgoing()

	p.source = wrapped(sourceLine(cfg, w.FromSaved()))
	p.redirectBox = p.redirects()
	p.forget = newButton(p.ui, lang.L("Forget the saved account…"), theme.DeleteIcon(), p.onForget)
	p.forgetRow = container.NewHBox(p.forget)
	p.forgotten = wrapped("")
	p.forgotten.Hide()
	if !w.CanForget() {
		// The row too: an empty row still takes the box's padding.
		p.forgetRow.Hide()
	}

	p.protocol = widget.NewRadioGroup([]string{choiceIMAP, choicePOP3}, nil)
	p.protocol.Horizontal = true
	p.protocol.Required = true
	if in.Protocol == account.POP3 {
		p.protocol.SetSelected(choicePOP3)
	} else {
		p.protocol.SetSelected(choiceIMAP)
	}
	p.protocol.OnChanged = p.onProtocolChanged
	p.explain = aside("")
	p.leaveCopy = widget.NewCheck(lang.L("Leave a copy of each message on the server"), p.onLeaveCopyChanged)
	p.leaveCopy.SetChecked(cfg.LeaveOnServer)

	p.in = newServerEditor(p.ui, in, false, p.onFieldChanged, p.onLastSubmitted)
	p.out = newServerEditor(p.ui, out, true, p.onFieldChanged, p.onLastSubmitted)
	p.in.username.OnSubmitted = p.out.focusFirst

	p.problem = note("", widget.DangerImportance)
	p.problem.Hide()
	p.plainWarning = note(lang.L("Warning: a server without encryption lets anyone on the network read your password and your mail. Choose SSL/TLS or STARTTLS if the server offers it."), widget.WarningImportance)
	p.confirm = widget.NewCheck(lang.L("I have checked these server names and want to use them"), p.onConfirmChanged)
	p.unverified = container.NewVBox(note("", widget.WarningImportance), p.confirm)
	p.oauth = note(lang.L("This provider lets mail programs in only through its own sign-in page (OAuth2): a password typed here will not work. Use a program that can sign in with the provider, such as Thunderbird, Apple Mail or Outlook."), widget.WarningImportance)
	p.refreshWarnings()

	protoBox := container.NewVBox(p.protocol, p.explain, p.leaveCopy)
	p.onProtocolShown()
	return container.NewVBox(
		p.source, p.forgetRow, p.forgotten, p.redirectBox,
		heading(lang.L("How to receive mail")), protoBox,
		heading(lang.L("Incoming server")), p.in.form(),
		heading(lang.L("Outgoing server (SMTP)")), p.out.form(),
		p.problem, p.plainWarning, p.unverified, p.oauth,
	)
}

func (p *serversPage) focus() { p.in.focusFirst("") }

func (p *serversPage) event(e wizard.Event) {
	f, ok := e.(wizard.Forgotten)
	if !ok {
		return
	}
	p.forgotten.Show()
	if f.Err != nil {
		p.forgotten.Importance = widget.DangerImportance
		p.forgotten.SetText(withDetails(lang.L("The saved account could not be removed."), f.Err))
		return
	}
	p.forgetRow.Hide()
	p.forgotten.Importance = widget.SuccessImportance
	p.forgotten.SetText(lang.L("Removed from this computer: the saved settings and {{.N}} keychain items. The servers stay filled in here.", map[string]any{"N": f.Removed}))
	p.source.SetText(sourceLine(p.ui.wiz.Config(), false))
}

// onForget asks before removing the saved account: its passwords go from
// the keychain, which cannot be undone.
func (p *serversPage) onForget() {
	addr, _ := p.ui.wiz.Address()
	d := dialog.NewConfirm(lang.L("Forget the saved account?"),
		lang.L("mailwiz removes the password of {{.Address}} (and a kept sign-in) from this computer's keychain, and its saved settings. Mail programs you set up keep their own copies.", map[string]any{"Address": addr.Display()}),
		func(ok bool) {
			p.forgetConfirm = nil
			if !ok {
				return
			}
			if err := p.ui.wiz.Forget(); err != nil {
				p.forgotten.Show()
				p.forgotten.Importance = widget.DangerImportance
				p.forgotten.SetText(withDetails(lang.L("The saved account could not be removed."), err))
			}
		}, p.ui.win)
	d.SetConfirmText(lang.L("Forget it"))
	d.SetDismissText(lang.L("Cancel"))
	d.SetConfirmImportance(widget.DangerImportance)
	p.forgetConfirm = d
	d.Show()
}

// dismiss closes the confirmation as its Cancel would (Esc).
func (p *serversPage) dismiss() {
	if p.forgetConfirm != nil {
		p.forgetConfirm.Dismiss()
	}
}

// sourceLine says where the settings came from, in words.
func sourceLine(cfg account.Config, saved bool) string {
	if saved {
		return lang.L("These are the servers you saved for this address.")
	}
	if cfg.Provider != nil && cfg.Source == account.SourceBuiltin {
		return lang.L("These are {{.Provider}}'s settings, from mailwiz's list of providers.", map[string]any{"Provider": cfg.Provider.Name})
	}
	if cfg.Provider != nil && cfg.Provider.Name != "" && cfg.Source != account.SourceManual {
		return lang.L("These are {{.Provider}}'s settings, {{.Source}}.", map[string]any{"Provider": cfg.Provider.Name, "Source": sourcePhrase(cfg.Source)})
	}
	if cfg.Source == account.SourceManual {
		return lang.L("Type the servers your provider gives in its help pages. We filled in the usual names; check them.")
	}
	return lang.L("These settings come {{.Source}}.", map[string]any{"Source": sourcePhrase(cfg.Source)})
}

func (p *serversPage) onProtocolChanged(choice string) {
	proto := account.IMAP
	if choice == choicePOP3 {
		proto = account.POP3
	}
	p.in.collect()
	p.ui.wiz.ChooseProtocol(proto)
	p.in.load(p.ui.wiz.Incoming())
	p.onProtocolShown()
	p.refreshWarnings()
}

// onProtocolShown explains the chosen protocol in one sentence.
func (p *serversPage) onProtocolShown() {
	if p.protocol.Selected == choicePOP3 {
		p.explain.SetText(lang.L("POP3 downloads your mail to this computer. Keep a copy on the server if you also read mail on other devices."))
		p.leaveCopy.Show()
	} else {
		p.explain.SetText(lang.L("IMAP keeps your mail on the server and in sync on every device: the best choice for most people."))
		p.leaveCopy.Hide()
	}
	if p.ui.body != nil {
		p.ui.relayout()
	}
}

func (p *serversPage) onLeaveCopyChanged(on bool) { p.ui.wiz.SetLeaveOnServer(on) }

func (p *serversPage) onConfirmChanged(on bool) {
	if on {
		p.ui.wiz.ConfirmSource()
	}
	p.refreshWarnings()
}

func (p *serversPage) onFieldChanged() {
	p.collect()
	p.problem.Hide()
	p.refreshWarnings()
}

func (p *serversPage) onLastSubmitted(string) { p.ui.onNext() }

// collect hands the edited fields to the wizard.
func (p *serversPage) collect() {
	p.in.collect()
	p.out.collect()
}

func (p *serversPage) beforeNext() bool {
	p.collect()
	return true
}

func (p *serversPage) refused(err error) {
	p.problem.SetText(serverProblem(err))
	p.problem.Show()
	p.ui.relayout()
	var se *wizard.ServerError
	if errors.As(err, &se) {
		ed := p.in
		if se.Outgoing {
			ed = p.out
		}
		ed.focusField(se.Field)
	} else if errors.Is(err, wizard.ErrUnconfirmedSource) {
		p.ui.win.Canvas().Focus(p.confirm)
	}
}

// refreshWarnings shows the warnings that apply to the servers as edited.
func (p *serversPage) refreshWarnings() {
	w := p.ui.wiz
	in, out := w.Incoming(), w.Outgoing()
	if in.Security == account.None || out.Security == account.None {
		p.plainWarning.Show()
	} else {
		p.plainWarning.Hide()
	}
	cfg := w.Config()
	if !cfg.SecureSource {
		p.unverified.Objects[0].(*widget.Label).SetText(lang.L(
			"Nothing vouches for where these settings came from. Before any password is sent, check that these servers belong to your provider: {{.Hosts}}",
			map[string]any{"Hosts": strings.Join(w.Hosts(), ", ")}))
		p.confirm.OnChanged = nil
		p.confirm.SetChecked(!w.NeedsSourceConfirmation())
		p.confirm.OnChanged = p.onConfirmChanged
		p.unverified.Show()
	} else {
		p.unverified.Hide()
	}
	if cfg.HasHint(account.HintOAuth2Required) || in.Auth == account.AuthOAuth2 {
		p.oauth.Show()
	} else {
		p.oauth.Hide()
	}
	p.ui.relayout()
}

// serverProblem translates a refusal of the Servers step.
func serverProblem(err error) string {
	var se *wizard.ServerError
	if errors.As(err, &se) {
		which := lang.L("Incoming server")
		if se.Outgoing {
			which = lang.L("Outgoing server (SMTP)")
		}
		var what string
		switch se.Field + "/" + se.Code {
		case "host/empty":
			what = lang.L("the server name is empty: type it as mail.example.com.")
		case "host/invalid":
			what = lang.L("this is not a server name: type it as mail.example.com, without spaces or http://.")
		case "port/range":
			what = lang.L("the port must be a number from 1 to 65535; the standard ports are in the list.")
		case "security/invalid":
			what = lang.L("choose SSL/TLS, STARTTLS or none.")
		case "username/empty":
			what = lang.L("the username is empty; it is usually your full address.")
		default:
			what = se.Problem
		}
		return which + ": " + what
	}
	if errors.Is(err, wizard.ErrUnconfirmedSource) {
		return lang.L("Check the server names above and confirm them before going on.")
	}
	return err.Error()
}

// serverEditor edits one server: host, port, security, username.
type serverEditor struct {
	ui       *UI
	outgoing bool
	proto    account.Protocol
	auth     account.Auth
	host     *entry
	port     *selectEntry
	security *widget.Select
	username *entry
	changed  func()
}

// The security choices as shown; the wizard's values map to them.
var securityChoices = []account.Security{account.SSL, account.STARTTLS, account.None}

func securityLabel(s account.Security) string { return lang.L(wizard.SecurityLabel(s)) }

func newServerEditor(u *UI, s account.Server, outgoing bool, changed func(), submit func(string)) *serverEditor {
	e := &serverEditor{ui: u, outgoing: outgoing, changed: changed}
	e.host = newEntry(u)
	e.host.SetPlaceHolder(lang.L("mail.example.com"))
	e.port = newSelectEntry(u)
	var labels []string
	for _, sec := range securityChoices {
		labels = append(labels, securityLabel(sec))
	}
	e.security = widget.NewSelect(labels, nil)
	e.username = newEntry(u)
	e.username.SetPlaceHolder(lang.L("alice@example.com"))
	e.load(s)
	e.host.OnChanged = e.onChanged
	e.port.OnChanged = e.onChanged
	e.security.OnChanged = e.onSecurityChanged
	e.username.OnChanged = e.onChanged
	e.host.OnSubmitted = e.focusPort
	e.port.OnSubmitted = e.focusUsername
	e.username.OnSubmitted = submit
	return e
}

func (e *serverEditor) form() fyne.CanvasObject {
	return widget.NewForm(
		widget.NewFormItem(lang.L("Server"), e.host),
		widget.NewFormItem(lang.L("Port"), e.port),
		widget.NewFormItem(lang.L("Encryption"), e.security),
		widget.NewFormItem(lang.L("Username"), e.username),
	)
}

// load shows s in the fields without firing the change callbacks.
func (e *serverEditor) load(s account.Server) {
	e.proto, e.auth = s.Protocol, s.Auth
	if e.proto == "" {
		e.proto = account.IMAP
		if e.outgoing {
			e.proto = account.SMTP
		}
	}
	oc, ops, osc, ouc := e.host.OnChanged, e.port.OnChanged, e.security.OnChanged, e.username.OnChanged
	e.host.OnChanged, e.port.OnChanged, e.security.OnChanged, e.username.OnChanged = nil, nil, nil, nil
	e.host.SetText(s.Host)
	var opts []string
	for _, p := range e.ui.wiz.PortChoices(e.proto) {
		opts = append(opts, strconv.Itoa(p))
	}
	e.port.SetOptions(opts)
	if s.Port > 0 {
		e.port.SetText(strconv.Itoa(s.Port))
	} else {
		e.port.SetText("")
	}
	if s.Security != "" {
		e.security.SetSelected(securityLabel(s.Security))
	}
	e.username.SetText(s.Username)
	e.host.OnChanged, e.port.OnChanged, e.security.OnChanged, e.username.OnChanged = oc, ops, osc, ouc
}

// server reads the fields.
func (e *serverEditor) server() account.Server {
	port, err := strconv.Atoi(strings.TrimSpace(e.port.Text))
	if err != nil {
		port = 0 // the wizard refuses it with a message naming the port
	}
	sec := account.Security("")
	for _, s := range securityChoices {
		if securityLabel(s) == e.security.Selected {
			sec = s
		}
	}
	auth := e.auth
	if auth == "" {
		auth = account.AuthPassword
	}
	return account.Server{Protocol: e.proto, Host: strings.TrimSpace(e.host.Text), Port: port,
		Security: sec, Username: strings.TrimSpace(e.username.Text), Auth: auth}
}

func (e *serverEditor) collect() {
	if e.outgoing {
		e.ui.wiz.SetOutgoing(e.server())
	} else {
		e.ui.wiz.SetIncoming(e.server())
	}
}

func (e *serverEditor) onChanged(string) { e.changed() }

// onSecurityChanged moves the port to the new mode's standard port when it
// was the old mode's: 993 with STARTTLS is almost always a mistake.
func (e *serverEditor) onSecurityChanged(label string) {
	cur := e.server()
	for _, s := range securityChoices {
		if s != cur.Security && strconv.Itoa(account.DefaultPort(e.proto, s)) == strings.TrimSpace(e.port.Text) {
			e.port.SetText(strconv.Itoa(account.DefaultPort(e.proto, cur.Security)))
			break
		}
	}
	e.changed()
}

func (e *serverEditor) focusFirst(string)    { e.ui.win.Canvas().Focus(e.host) }
func (e *serverEditor) focusPort(string)     { e.ui.win.Canvas().Focus(e.port) }
func (e *serverEditor) focusUsername(string) { e.ui.win.Canvas().Focus(e.username) }

func (e *serverEditor) focusField(field string) {
	switch field {
	case "port":
		e.ui.win.Canvas().Focus(e.port)
	case "security":
		e.ui.win.Canvas().Focus(e.security)
	case "username":
		e.ui.win.Canvas().Focus(e.username)
	default:
		e.ui.win.Canvas().Focus(e.host)
	}
}

// redirects offers, for each redirect to another domain that discovery did
// not follow, to follow it: the address goes there only if the person
// agrees, naming the host.
func (p *serversPage) redirects() *fyne.Container {
	box := container.NewVBox()
	for _, r := range p.ui.wiz.Finding().Redirects {
		to := r.To
		box.Add(note(lang.L("{{.From}} redirects to {{.To}}, another domain, so your address was not sent there. Follow it only if you trust {{.To}}.",
			map[string]any{"From": safetext.Show(r.From), "To": safetext.Show(to)}), widget.WarningImportance))
		box.Add(newButton(p.ui, lang.L("Follow the redirect to {{.To}}", map[string]any{"To": safetext.Show(to)}), theme.NavigateNextIcon(), func() {
			p.ui.wiz.FollowRedirect(to) //nolint:errcheck // the host came from the wizard's own list
		}))
	}
	if len(box.Objects) == 0 {
		box.Hide() // takes no room, not even padding
	}
	return box
}
