package app

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/wizard"
)

// addressPage is step 1: the person's name and email address, validated as
// typed with the parser's own verdict under the field.
type addressPage struct {
	ui      *UI
	name    *entry
	address *entry
	problem *widget.Label
}

func newAddressPage(u *UI) *addressPage { return &addressPage{ui: u} }

func (p *addressPage) title() string { return lang.L("Your email address") }

func (p *addressPage) build() fyne.CanvasObject {
	p.name = newEntry(p.ui)
	p.name.SetPlaceHolder(lang.L("Alice Smith"))
	p.name.SetText(p.ui.wiz.Name())
	p.name.OnChanged = p.onNameChanged
	p.name.OnSubmitted = p.onNameSubmitted

	p.address = newEntry(p.ui)
	p.address.SetPlaceHolder(lang.L("alice@example.com"))
	p.address.SetText(p.ui.wiz.AddressText())
	p.address.OnChanged = p.onAddressChanged
	p.address.OnSubmitted = p.onAddressSubmitted

	p.problem = note("", widget.DangerImportance)
	p.problem.Hide()
	if p.ui.wiz.AddressText() != "" {
		p.showProblem(p.ui.wiz.SetAddress(p.ui.wiz.AddressText()))
	}

	form := widget.NewForm(
		widget.NewFormItem(lang.L("Email address"), p.address),
		widget.NewFormItem(lang.L("Your name"), p.name),
	)
	return container.NewVBox(
		wrapped(lang.L("Type the address you want to set up. We will find its servers, check that you can log in, and keep the password in this computer's keychain.")),
		form,
		p.problem,
		aside(lang.L("Your name is what recipients see next to your address; you may leave it empty.")),
	)
}

// focus puts the cursor in the address field: it is what the page is for.
func (p *addressPage) focus() { p.ui.win.Canvas().Focus(p.address) }

func (p *addressPage) event(wizard.Event) {}

func (p *addressPage) collect() {
	p.ui.wiz.SetName(p.name.Text)
	p.ui.wiz.SetAddress(p.address.Text)
}

func (p *addressPage) onNameChanged(s string)    { p.ui.wiz.SetName(s) }
func (p *addressPage) onNameSubmitted(string)    { p.ui.onNext() }
func (p *addressPage) onAddressSubmitted(string) { p.ui.onNext() }

func (p *addressPage) onAddressChanged(s string) {
	err := p.ui.wiz.SetAddress(s)
	if s == "" {
		// Nothing typed yet is not a mistake; Next says so if pressed.
		err = nil
	}
	p.showProblem(err)
}

func (p *addressPage) beforeNext() bool {
	p.collect()
	_, err := p.ui.wiz.Address()
	p.showProblem(err)
	if err != nil {
		p.ui.win.Canvas().Focus(p.address)
	}
	return err == nil
}

func (p *addressPage) refused(err error) { p.showProblem(err) }

func (p *addressPage) showProblem(err error) {
	if err == nil {
		if p.problem.Visible() {
			p.problem.Hide()
			p.ui.relayout()
		}
		return
	}
	p.problem.SetText(addressProblem(err))
	p.problem.Show()
	p.ui.relayout()
}

// addressProblem translates the parser's verdict by its Code; the English
// text of the error is the fallback for a code this table does not know.
func addressProblem(err error) string {
	var ae *account.AddressError
	if !errors.As(err, &ae) {
		return err.Error()
	}
	switch ae.Code {
	case "empty":
		return lang.L("The address is empty: type it as name@example.com.")
	case "encoding", "control":
		return lang.L("The address contains an invisible or broken character: retype it by hand.")
	case "space":
		return lang.L("The address contains a space: remove it.")
	case "too-long":
		return lang.L("The address is too long (254 characters at most): check that only one address was pasted.")
	case "no-at":
		return lang.L("The address has no @ sign: type it as name@example.com.")
	case "many-at":
		return lang.L("The address has more than one @ sign: keep one between the name and the domain.")
	case "empty-local":
		return lang.L("The part before the @ is empty: put your mailbox name there, as in name@example.com.")
	case "local-too-long":
		return lang.L("The name before the @ is too long (64 characters at most).")
	case "local-dot":
		return lang.L("The name before the @ starts or ends with a dot: remove it.")
	case "local-dots":
		return lang.L("The name before the @ has two dots in a row: remove one.")
	case "local-char":
		return lang.L("The name before the @ contains a character an address cannot hold: use letters, digits and . _ - +")
	case "empty-domain":
		return lang.L("The part after the @ is empty: put the domain there, as in name@example.com.")
	case "single-label":
		return lang.L("The domain has no dot: type the full domain, as in example.com.")
	case "label-empty":
		return lang.L("The domain has an extra dot: remove it.")
	case "label-hyphen":
		return lang.L("A part of the domain starts or ends with a hyphen: check the spelling.")
	case "label-underscore":
		return lang.L("The domain contains an underscore: domains use hyphens, not underscores.")
	case "label-too-long", "domain-too-long":
		return lang.L("The domain is too long: check it for a missing dot.")
	case "label-char", "idna":
		return lang.L("The domain contains a character domains cannot hold: use letters, digits and hyphens.")
	}
	return ae.Error()
}
