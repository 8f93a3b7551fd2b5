// Package app is mailwiz's window: the Fyne face of package wizard. It
// takes a fyne.App and a fyne.Window from main, so its tests run on Fyne's
// in-memory test driver without the OpenGL one.
//
// # Structure
//
// [UI] is the frame: a title, the current page, and Back / Cancel / Next.
// Each wizard step has one page struct (address.go, finding.go, ...) that
// holds the widgets it reads later and names its callbacks as methods. A
// page is built afresh from the wizard's state each time it is shown, so
// Back and a language switch show what was typed.
//
// # Threads
//
// Network work runs in the wizard's goroutines. Their events come back to
// the UI goroutine through fyne.Do (UI.do) before any widget is touched.
//
// # Keys
//
// Enter in the last field of a page is Next; Esc and Alt+Left are Back;
// Alt+Right and Ctrl+Enter are Next from any field; Tab walks the fields in
// reading order.
package app

import (
	_ "embed"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mailwiz/mailwiz/wizard"
)

// iconPNG is the icon the window shows (title bar, task bar, window switcher):
// assets/icon.png scaled to 128×128 with ImageMagick (-filter Lanczos
// -resize 128x128). Not the 512×512 original: on X11 GLFW hands the window
// manager every pixel as a 64-bit long, 2 MB for 512×512, decoded and sent
// at start-up; window managers draw it at 16-64 px, 128 on a screen of
// doubled density. Packages get their desktop icon from FyneApp.toml, at
// full size.
//
//go:embed icon-128.png
var iconPNG []byte

// Icon is the window icon as a Fyne resource.
var Icon fyne.Resource = fyne.NewStaticResource("icon.png", iconPNG)

// page is one wizard step's screen.
type page interface {
	// title is the step's heading, translated.
	title() string
	// build makes the page's widgets from the wizard's state.
	build() fyne.CanvasObject
	// focus puts the keyboard focus on the page's first field.
	focus()
	// event receives wizard events while the page is shown (UI goroutine).
	event(e wizard.Event)
}

// The optional parts of a page, each asked for where it is used.
type (
	// collector copies what the page's fields hold into the wizard
	// before the step changes or the language is switched.
	collector interface{ collect() }
	// nextChecker may keep Next from going on (it shows why).
	nextChecker interface{ beforeNext() bool }
	// refuser shows why the wizard refused to go on.
	refuser interface{ refused(error) }
	// dismisser closes a dialog the page has open (Esc).
	dismisser interface{ dismiss() }
)

// The pages that have them; a renamed method fails the build here rather
// than being skipped in silence.
var (
	_ collector   = (*addressPage)(nil)
	_ nextChecker = (*addressPage)(nil)
	_ refuser     = (*addressPage)(nil)
	_ collector   = (*serversPage)(nil)
	_ nextChecker = (*serversPage)(nil)
	_ refuser     = (*serversPage)(nil)
	_ collector   = (*testPage)(nil)
	_ nextChecker = (*testPage)(nil)
	_ refuser     = (*testPage)(nil)
	_ dismisser   = (*testPage)(nil)
)

// UI is the wizard window's content and its controller.
type UI struct {
	app fyne.App
	win fyne.Window
	wiz *wizard.Wizard
	// do runs f on the UI goroutine: fyne.Do, or a test's pump.
	do func(f func())

	language string

	heading  *widget.Label
	stepNote *widget.Label
	body     *fyne.Container
	scroll   *container.Scroll
	bottom   *fyne.Container
	back     *button
	cancel   *button
	next     *button
	langs    *widget.Select

	cur page
	// The pages; the one for the current step is rebuilt when shown.
	address *addressPage
	finding *findingPage
	servers *serversPage
	before  *beforePage
	testing *testPage
	done    *donePage
}

// New builds the wizard into w (content, size, keys) and returns its
// controller. Call Close when the window closes.
func New(a fyne.App, w fyne.Window, deps wizard.Deps) *UI {
	return newUI(a, w, deps, fyne.Do)
}

func newUI(a fyne.App, w fyne.Window, deps wizard.Deps, do func(func())) *UI {
	u := &UI{app: a, win: w, do: do}
	u.wiz = wizard.New(deps, u.onWizardEvent)
	u.language = systemLanguage()
	u.wiz.SetLanguage(u.language)
	if err := setLanguage(u.language); err != nil {
		fyne.LogError("mailwiz: translations", err)
	}
	u.buildFrame()
	w.SetContent(u.frame())
	w.Canvas().SetOnTypedKey(u.onTypedKey)
	for _, sc := range navShortcuts {
		w.Canvas().AddShortcut(sc, u.onShortcut)
	}
	w.Resize(fyne.NewSize(720, 560))
	u.show()
	return u
}

// Close cancels network work and waits for it, so a closed window leaves
// no goroutine running.
func (u *UI) Close() { u.wiz.Close() }

// Wizard returns the wizard the window drives.
func (u *UI) Wizard() *wizard.Wizard { return u.wiz }

func (u *UI) buildFrame() {
	u.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	u.heading.SizeName = theme.SizeNameSubHeadingText
	u.stepNote = widget.NewLabel("")
	u.body = container.NewStack()
	u.back = newButton(u, "", theme.NavigateBackIcon(), u.onBack)
	u.cancel = newButton(u, "", theme.CancelIcon(), u.onCancel)
	u.next = newButton(u, "", theme.NavigateNextIcon(), u.onNext)
	u.next.Importance = widget.HighImportance
	u.next.IconPlacement = widget.ButtonIconTrailingText
	u.langs = widget.NewSelect([]string{"English", "Русский"}, u.onLanguageChosen)
}

func (u *UI) frame() fyne.CanvasObject {
	top := container.NewBorder(nil, nil, nil, container.NewVBox(u.langs), container.NewVBox(u.heading, u.stepNote))
	u.bottom = container.NewHBox(u.back, u.cancel, layoutSpacer(), u.next)
	u.scroll = container.NewVScroll(u.body)
	return container.NewBorder(container.NewPadded(top), container.NewPadded(u.bottom), nil, nil,
		container.NewPadded(u.scroll))
}

// pageFor returns a fresh page for step s, kept in its field too.
func (u *UI) pageFor(s wizard.Step) page {
	switch s {
	case wizard.StepFinding:
		return keep(&u.finding, newFindingPage(u))
	case wizard.StepServers:
		return keep(&u.servers, newServersPage(u))
	case wizard.StepBeforeLogin:
		return keep(&u.before, newBeforePage(u))
	case wizard.StepTest:
		return keep(&u.testing, newTestPage(u))
	case wizard.StepDone:
		return keep(&u.done, newDonePage(u))
	default:
		return keep(&u.address, newAddressPage(u))
	}
}

// keep stores p in its field and returns it.
func keep[P page](field *P, p P) page {
	*field = p
	return p
}

// show renders the wizard's current step.
func (u *UI) show() {
	s := u.wiz.Step()
	u.cur = u.pageFor(s)
	u.heading.SetText(u.cur.title())
	u.stepNote.SetText(lang.L("Step {{.N}} of {{.Total}}", map[string]any{"N": stepNumber(s), "Total": 5}))
	u.back.SetText(lang.L("Back"))
	u.cancel.SetText(lang.L("Cancel"))
	u.next.SetText(lang.L("Next"))
	u.langs.OnChanged = nil
	if u.language == "ru" {
		u.langs.SetSelected("Русский")
	} else {
		u.langs.SetSelected("English")
	}
	u.langs.OnChanged = u.onLanguageChosen
	u.win.SetTitle(lang.L("Mail Setup Wizard"))
	u.body.Objects = []fyne.CanvasObject{u.cur.build()}
	u.scroll.ScrollToTop()
	u.relayout()
	u.updateButtons()
	// The old page's focused widget is gone from the window but the canvas
	// still holds it and gives it every key: Enter would do nothing on a
	// page whose focus() sets none (Before you log in without hints).
	u.win.Canvas().Unfocus()
	u.cur.focus()
}

// stepNumber counts the steps a person sees: Finding is part of step 1.
func stepNumber(s wizard.Step) int {
	if s <= wizard.StepFinding {
		return 1
	}
	return int(s)
}

// updateButtons enables Back, Cancel and Next for the current state.
func (u *UI) updateButtons() {
	s := u.wiz.Step()
	setEnabled(u.back, s != wizard.StepAddress)
	setEnabled(u.cancel, u.wiz.Busy())
	switch s {
	case wizard.StepDone:
		u.next.SetText(lang.L("Set up another account"))
		u.next.SetIcon(theme.ContentAddIcon())
		setEnabled(u.next, true)
	case wizard.StepTest:
		u.next.SetIcon(theme.NavigateNextIcon())
		setEnabled(u.next, u.wiz.Testing().Report != nil && u.wiz.Testing().Report.OK)
	case wizard.StepFinding:
		u.next.SetIcon(theme.NavigateNextIcon())
		st := u.wiz.Finding()
		setEnabled(u.next, !st.Running)
	default:
		u.next.SetIcon(theme.NavigateNextIcon())
		setEnabled(u.next, true)
	}
	u.bottom.Refresh() // a longer label needs a wider button
}

// relayout lays the page out again after a part was shown, hidden or
// changed size: Fyne re-lays a container only when it is refreshed.
func (u *UI) relayout() {
	u.body.Refresh()
	u.scroll.Refresh()
}

func setEnabled(b *button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// onNext moves on; a page may first collect its fields.
func (u *UI) onNext() {
	if u.wiz.Step() == wizard.StepDone {
		u.wiz.Restart()
		return
	}
	if c, ok := u.cur.(nextChecker); ok && !c.beforeNext() {
		return
	}
	if err := u.wiz.Next(); err != nil {
		if r, ok := u.cur.(refuser); ok {
			r.refused(err)
		}
	}
}

func (u *UI) onBack() { u.wiz.Back() }

// escape is Esc: with a dialog open it closes the page's dialog as its
// Cancel would, else it goes Back. The page behind a dialog must not
// change: Esc under "Trust this certificate?" went Back and left the
// dialog up over the previous page.
func (u *UI) escape() {
	if u.win.Canvas().Overlays().Top() != nil {
		if d, ok := u.cur.(dismisser); ok {
			d.dismiss()
		}
		return
	}
	u.onBack()
}

// onCancel stops the network work. On Finding there is nothing left to
// show, so it goes back to the address.
func (u *UI) onCancel() {
	if u.wiz.Step() == wizard.StepFinding {
		u.wiz.Back()
		return
	}
	u.wiz.Cancel()
	u.show()
}

// onTypedKey handles keys when no field has the focus.
func (u *UI) onTypedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyEscape:
		u.escape()
	case fyne.KeyReturn, fyne.KeyEnter:
		if !u.next.Disabled() {
			u.onNext()
		}
	}
}

// The navigation shortcuts: Alt+Left is Back; Alt+Right and Ctrl+Enter are
// Next, from any field.
var navShortcuts = []*desktop.CustomShortcut{
	{KeyName: fyne.KeyLeft, Modifier: fyne.KeyModifierAlt},
	{KeyName: fyne.KeyRight, Modifier: fyne.KeyModifierAlt},
	{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault},
}

func (u *UI) onShortcut(s fyne.Shortcut) { u.shortcut(s) }

// shortcut runs a navigation shortcut and reports whether s was one.
func (u *UI) shortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok {
		return false
	}
	switch {
	case cs.KeyName == fyne.KeyLeft && cs.Modifier == fyne.KeyModifierAlt:
		if u.win.Canvas().Overlays().Top() == nil { // not behind a dialog
			u.onBack()
		}
	case cs.KeyName == fyne.KeyRight && cs.Modifier == fyne.KeyModifierAlt,
		cs.KeyName == fyne.KeyReturn && cs.Modifier == fyne.KeyModifierShortcutDefault:
		if !u.next.Disabled() {
			u.onNext()
		}
	default:
		return false
	}
	return true
}

func (u *UI) onLanguageChosen(choice string) {
	code := "en"
	if choice == "Русский" {
		code = "ru"
	}
	u.setLanguage(code)
}

// setLanguage switches every string of the window to code ("en", "ru").
func (u *UI) setLanguage(code string) {
	if err := setLanguage(code); err != nil {
		fyne.LogError("mailwiz: switching language", err)
		return
	}
	u.language = code
	u.wiz.SetLanguage(code)
	if c, ok := u.cur.(collector); ok {
		c.collect() // keep what is typed but not yet handed to the wizard
	}
	u.show()
}

// onWizardEvent runs on the wizard's goroutines: hop to the UI's.
func (u *UI) onWizardEvent(e wizard.Event) {
	u.do(func() { u.handle(e) })
}

// handle applies one wizard event on the UI goroutine.
func (u *UI) handle(e wizard.Event) {
	if _, ok := e.(wizard.StepChanged); ok {
		u.show()
		return
	}
	if u.cur != nil {
		u.cur.event(e)
	}
	u.updateButtons()
	u.relayout()
}
