package app

import (
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/safetext"
	"github.com/mailwiz/mailwiz/wizard"
)

// beforePage is step 3: what the provider demands before a mail program
// may log in, each with a button to the exact page, and its limits.
type beforePage struct {
	ui      *UI
	buttons []*button
	opened  *widget.Label
}

func newBeforePage(u *UI) *beforePage { return &beforePage{ui: u} }

func (p *beforePage) title() string { return lang.L("Before you log in") }

func (p *beforePage) build() fyne.CanvasObject {
	cfg := p.ui.wiz.Config()
	box := container.NewVBox()
	p.buttons = nil
	p.opened = note("", widget.MediumImportance)
	p.opened.Hide()
	hints := visibleHints(cfg, p.ui.wiz.Incoming().Protocol)
	switch {
	case len(hints) == 0 && cfg.Provider == nil:
		// Servers typed by hand or found for an unknown domain: nothing
		// vouches that the usual password works, so do not say so.
		box.Add(wrapped(lang.L("mailwiz has no notes on this provider. If its help pages ask for an app password, or to switch on access for mail programs (IMAP or POP), do that now; otherwise your usual password should work.")))
	case len(hints) == 0:
		box.Add(wrapped(lang.L("Nothing to do first: your provider lets mail programs log in with your usual password.")))
	default:
		box.Add(wrapped(lang.L("Do these on your provider's website first, then come back:")))
	}
	for _, h := range hints {
		row := container.NewVBox(heading(hintTitle(h.Kind)), wrapped(safetext.Show(h.In(p.ui.language))))
		if h.URL != "" {
			b := newButton(p.ui, lang.L("Open the page"), theme.ComputerIcon(), p.opener(h.URL))
			p.buttons = append(p.buttons, b)
			row.Add(container.NewHBox(b, widget.NewLabel(shortURL(h.URL))))
		}
		box.Add(widget.NewCard("", "", row))
	}
	if lim := wizard.LimitLines(p.ui.language, cfg.Limits); len(lim) > 0 {
		box.Add(heading(lang.L("Limits")))
		for _, l := range lim {
			box.Add(wrapped("• " + l))
		}
	}
	box.Add(p.opened)
	return box
}

func (p *beforePage) focus() {
	if len(p.buttons) > 0 {
		p.ui.win.Canvas().Focus(p.buttons[0])
	}
}

func (p *beforePage) event(wizard.Event) {}

// opener returns the callback of a hint's button.
func (p *beforePage) opener(raw string) func() {
	return func() { p.open(raw) }
}

// open opens a provider's page in the browser; a failure leaves the address
// on screen to copy.
func (p *beforePage) open(raw string) {
	u, err := url.Parse(raw)
	if err == nil && (u.Scheme == "https" || u.Scheme == "http") {
		err = p.ui.app.OpenURL(u)
	} else if err == nil {
		err = errNotWeb
	}
	if err != nil {
		p.opened.SetText(lang.L("Could not open the browser. Open this address yourself: {{.URL}}", map[string]any{"URL": raw}))
	} else {
		p.opened.SetText(lang.L("Opened in your browser: {{.URL}}", map[string]any{"URL": raw}))
	}
	p.opened.Show()
	p.ui.relayout()
}

type notWebError struct{}

func (notWebError) Error() string { return "app: only http and https pages are opened" }

var errNotWeb error = notWebError{}

// visibleHints are the hints for this page: the source warning lives on the
// Servers page and the plaintext one next to the password, and a step that
// switches on the protocol not chosen (POP3 for an IMAP account) is no step
// for this person.
func visibleHints(cfg account.Config, incoming account.Protocol) []account.Hint {
	var out []account.Hint
	for _, h := range cfg.Hints {
		switch {
		case h.Kind == account.HintUnverifiedSource || h.Kind == account.HintPlaintext,
			h.Kind == account.HintEnablePOP && incoming == account.IMAP,
			h.Kind == account.HintEnableIMAP && incoming == account.POP3:
			continue
		}
		out = append(out, h)
	}
	return out
}

func hintTitle(k account.HintKind) string { return lang.L(wizard.HintTitle(k)) }

func shortURL(raw string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(raw, "https://"), "http://")
	if len(s) > 60 {
		s = s[:57] + "…"
	}
	return s
}
