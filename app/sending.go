package app

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mailwiz/mailwiz/internal/safetext"
	"github.com/mailwiz/mailwiz/wizard"
)

// sendingDialog is the sending check for a mailing program (the users'
// guide's CRM chapter): the sender address the program will use, the
// person's consent to one message sent to their own address, and what
// was found.
type sendingDialog struct {
	ui   *UI
	from *entry
	// fromWarn says, as the sender is typed, what the provider database
	// says against it (wizard.SenderWarnings), before anything is sent.
	fromWarn *widget.Label
	bounce   *entry
	consent  *widget.Check
	// bounceTest adds the bounce test: one letter to a made-up address.
	bounceTest *widget.Check
	run        *button
	status     *widget.Label
	findings   *fyne.Container
	scroll     *container.Scroll
	d          dialog.Dialog
}

// onCheckSending opens the sending check.
func (p *donePage) onCheckSending() {
	addr, _ := p.ui.wiz.Address()
	s := &sendingDialog{ui: p.ui}
	s.from = newEntry(p.ui)
	s.from.SetPlaceHolder(addr.Display())
	s.fromWarn = wrapped("")
	s.fromWarn.Importance = widget.WarningImportance
	s.fromWarn.Hide()
	s.from.OnChanged = func(string) { s.warnSender() }
	s.bounce = newEntry(p.ui)
	s.bounce.SetPlaceHolder(addr.Display())
	s.consent = widget.NewCheck(lang.L("Send one test message to {{.Address}} with this sender", map[string]any{"Address": addr.Display()}),
		func(bool) { s.render() })
	// A check box's label does not wrap: the long explanation goes in a
	// wrapped label of its own, or it would widen the dialog past its edge.
	s.bounceTest = widget.NewCheck(lang.L("Also test bounces"), nil)
	s.run = newButton(p.ui, lang.L("Check sending"), theme.MailSendIcon(), s.onRun)
	s.run.Importance = widget.HighImportance
	s.status = wrapped("")
	s.findings = container.NewVBox()
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Sender (From) the program will use"), s.from),
		widget.NewFormItem(lang.L("Mailbox for delivery reports"), s.bounce),
	)
	content := container.NewVBox(
		wrapped(lang.L("mailwiz sends one message, only to your own address, with the sender you give, and reads it back: whether the server accepts that sender or changes it, and whether mail from it will be delivered (SPF, DKIM, DMARC). It also lists the provider's sending limits.")),
		form, s.fromWarn, s.consent, s.bounceTest,
		wrapped(lang.L("The bounce test sends one letter to a made-up address nobody receives, waits for the delivery report in your inbox, explains it and deletes it.")),
		container.NewHBox(s.run), s.status, s.findings,
	)
	s.scroll = container.NewVScroll(content)
	s.d = dialog.NewCustom(lang.L("Sending from a mailing program"), lang.L("Close"), s.scroll, p.ui.win)
	s.d.Resize(fyne.NewSize(640, 560))
	p.sending = s
	s.render()
	p.ui.do(s.d.Show)
}

// warnSender shows what the provider database says against the sender
// typed, or nothing.
func (s *sendingDialog) warnSender() {
	w := s.ui.wiz.SenderWarnings(s.from.Text, s.ui.language)
	if len(w) == 0 {
		s.fromWarn.Hide()
	} else {
		s.fromWarn.SetText(lang.L("The provider database says:") + " " + strings.Join(w, " "))
		s.fromWarn.Show()
	}
	// The dialog's box lays its rows out again: a label shown after the
	// layout would be drawn over the first row.
	if s.scroll != nil {
		s.scroll.Content.Refresh()
	}
}

func (s *sendingDialog) onRun() {
	err := s.ui.wiz.CheckSending(wizard.SendingOptions{From: s.from.Text, Bounce: s.bounce.Text,
		BounceTest: s.bounceTest.Checked, Lang: s.ui.language})
	if err != nil {
		s.status.Importance = widget.DangerImportance
		s.status.SetText(withDetails(lang.L("The check could not start."), err))
		return
	}
	s.render()
}

// render shows the check's state.
func (s *sendingDialog) render() {
	st := s.ui.wiz.Sending()
	setEnabled(s.run, s.consent.Checked && !st.Running)
	if st.Running {
		s.bounceTest.Disable()
	} else {
		s.bounceTest.Enable()
	}
	s.status.Importance = widget.MediumImportance
	s.findings.Objects = nil
	switch {
	case st.Running:
		s.status.SetText(lang.L("Sending the test message and reading it back… (up to {{.Minutes}} min)",
			map[string]any{"Minutes": int(wizard.SendingLimit(s.bounceTest.Checked).Minutes())}))
	case !st.Done:
		s.status.SetText("")
	case errors.Is(st.Err, context.Canceled):
		s.status.Importance = widget.WarningImportance
		s.status.SetText(lang.L("The check was stopped."))
	case st.Err != nil:
		s.status.Importance = widget.DangerImportance
		s.status.SetText(withDetails(lang.L("The check could not run."), st.Err))
	default:
		s.status.SetText(sendingSummary(st.Report.Worst()))
		for _, f := range st.Report.Findings {
			s.findings.Add(findingRow(f))
		}
	}
	s.status.Refresh()
	s.findings.Refresh()
}

func sendingSummary(l wizard.SendingLevel) string {
	switch l {
	case wizard.SendingFail:
		return lang.L("A mailing program cannot send as this sender yet: see what to change below.")
	case wizard.SendingWarn:
		return lang.L("Sending works, with points to fix below.")
	}
	return lang.L("Sending as this sender works.")
}

// levelIcons show a finding's level (info: the plain info icon). They
// are made when shown, so they follow the theme.
var levelIcons = map[wizard.SendingLevel]func() fyne.Resource{
	wizard.SendingOK:   func() fyne.Resource { return theme.NewSuccessThemedResource(theme.ConfirmIcon()) },
	wizard.SendingWarn: func() fyne.Resource { return theme.NewWarningThemedResource(theme.WarningIcon()) },
	wizard.SendingFail: func() fyne.Resource { return theme.NewErrorThemedResource(theme.ErrorIcon()) },
}

// findingRow is one finding: its level as an icon, its title and text,
// the server's words and a DNS record where there are.
func findingRow(f wizard.SendingFinding) fyne.CanvasObject {
	icon := theme.InfoIcon()
	if themed, ok := levelIcons[f.Level]; ok {
		icon = themed()
	}
	text := container.NewVBox(heading(safetext.Show(f.Title)), wrapped(safetext.Show(f.Text)))
	if f.ServerWords != "" {
		text.Add(wrapped(lang.L("The server said:") + " " + safetext.Show(f.ServerWords)))
	}
	if f.Record != "" {
		rec := widget.NewLabel(safetext.Show(f.Record))
		rec.Selectable = true // for copying into the DNS zone
		rec.Wrapping = fyne.TextWrapBreak
		rec.TextStyle.Monospace = true
		text.Add(rec)
	}
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, text)
}
