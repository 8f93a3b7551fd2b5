package app

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/wizard"
)

// findingPage is step 1's second half: the sources being asked, live, the
// provisional answer, and the end (found: on to the servers; nothing found:
// say so and offer manual entry).
type findingPage struct {
	ui          *UI
	status      *widget.Label
	progress    *widget.ProgressBarInfinite
	sources     *fyne.Container
	provisional *widget.Label
	retry       *button
	manual      *button
}

func newFindingPage(u *UI) *findingPage { return &findingPage{ui: u} }

func (p *findingPage) title() string { return lang.L("Finding your settings") }

func (p *findingPage) build() fyne.CanvasObject {
	addr, _ := p.ui.wiz.Address()
	p.status = wrapped(lang.L("Looking for the servers of {{.Domain}}…", map[string]any{"Domain": addr.DomainUnicode}))
	p.progress = widget.NewProgressBarInfinite()
	p.sources = container.NewVBox()
	p.provisional = note("", widget.MediumImportance)
	p.provisional.Hide()
	p.retry = newButton(p.ui, lang.L("Try again"), theme.ViewRefreshIcon(), p.onRetry)
	p.retry.Hide()
	p.manual = newButton(p.ui, lang.L("Enter the settings by hand"), theme.DocumentCreateIcon(), p.onManual)
	p.manual.Hide()
	p.render()
	return container.NewVBox(p.status, p.progress, p.sources, p.provisional,
		container.NewHBox(p.manual, p.retry))
}

func (p *findingPage) focus() {}

func (p *findingPage) event(e wizard.Event) {
	switch e.(type) {
	case wizard.Found:
		// The answer is final: show it where it can be checked and edited.
		// Only from Finding: a Found sent just before Back is handled after
		// it, and would carry the person forward again.
		if p.ui.wiz.Step() == wizard.StepFinding {
			p.ui.wiz.Next()
		}
		return
	}
	p.render()
}

// render redraws the page from the wizard's discovery snapshot.
func (p *findingPage) render() {
	st := p.ui.wiz.Finding()
	p.sources.Objects = nil
	for _, s := range st.Sources {
		p.sources.Add(sourceRow(s))
	}
	p.sources.Refresh()
	if st.Provisional != nil {
		p.provisional.SetText(lang.L("Found so far, {{.Source}}: {{.Host}} — still asking better sources.",
			map[string]any{"Source": sourcePhrase(st.Provisional.Source), "Host": firstHost(*st.Provisional)}))
		p.provisional.Show()
	}
	if st.Running {
		p.progress.Show()
		p.progress.Start()
		return
	}
	p.progress.Stop()
	p.progress.Hide()
	if st.Err != nil {
		addr, _ := p.ui.wiz.Address()
		if errors.Is(st.Err, wizard.ErrNothingFound) {
			p.status.SetText(lang.L("No settings were found for {{.Domain}}. Enter them by hand: your provider's help pages list them.", map[string]any{"Domain": addr.DomainUnicode}))
		} else {
			p.status.SetText(lang.L("The search was stopped."))
		}
		p.status.Importance = widget.WarningImportance
		p.status.Refresh()
		p.manual.Show()
		p.retry.Show()
	}
}

func (p *findingPage) onRetry()  { p.ui.wiz.Retry(); p.ui.show() }
func (p *findingPage) onManual() { p.ui.onNext() }

// sourceRow is one source with an icon and its state in words.
func sourceRow(s wizard.SourceProgress) fyne.CanvasObject {
	var icon fyne.Resource
	var state string
	switch s.Status {
	case wizard.SourceAsking:
		icon, state = theme.SearchIcon(), lang.L("asking…")
	case wizard.SourceFound:
		icon, state = theme.NewSuccessThemedResource(theme.ConfirmIcon()), lang.L("found")
	case wizard.SourceNothing:
		// A dash, not the empty circle it was: that is the unselected
		// radio button a person meets on the next page, and looks clickable.
		icon, state = theme.ContentRemoveIcon(), lang.L("nothing there")
	case wizard.SourceFailed:
		icon, state = theme.NewWarningThemedResource(theme.WarningIcon()), lang.L("could not ask")
	default:
		icon, state = theme.MediaSkipNextIcon(), lang.L("skipped")
	}
	label := widget.NewLabel(sourceName(s.Source) + " — " + state)
	return container.NewHBox(widget.NewIcon(icon), label)
}

// sourceName names a discovery source for the list of sources being asked.
func sourceName(s account.Source) string { return lang.L(wizard.SourceName(s)) }

// sourcePhrase says where settings came from, in a sentence.
func sourcePhrase(s account.Source) string { return lang.L(wizard.SourcePhrase(s)) }

func firstHost(c account.Config) string {
	if len(c.Incoming) > 0 {
		return c.Incoming[0].Host
	}
	if len(c.Outgoing) > 0 {
		return c.Outgoing[0].Host
	}
	return ""
}
