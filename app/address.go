package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

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

// addressProblem is the parser's verdict in the window's language.
func addressProblem(err error) string {
	if key, ok := wizard.AddressProblem(err); ok {
		return lang.L(key)
	}
	return err.Error()
}
