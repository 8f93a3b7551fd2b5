package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
	"github.com/mailwiz/mailwiz/internal/safetext"
)

// entry is a text field that hands the window's keys to the window: Esc
// (Back) and the navigation shortcuts. A focused widget.Entry swallows
// every key, so without this they would do nothing while the cursor is in
// a field.
type entry struct {
	widget.Entry
	ui *UI
}

func newEntry(u *UI) *entry {
	e := &entry{ui: u}
	e.ExtendBaseWidget(e)
	return e
}

func newPasswordEntry(u *UI) *entry {
	e := newEntry(u)
	e.Password = true
	return e
}

// TypedKey passes Esc to the window and every other key to the entry.
func (e *entry) TypedKey(k *fyne.KeyEvent) { e.ui.forwardKey(k, e.Entry.TypedKey) }

// FocusGained scrolls the field into view: Tab does not move the page, so
// a person typing into the outgoing server typed into a field below the
// window's edge.
func (e *entry) FocusGained() { e.ui.focused(e, e.Entry.FocusGained) }

// TypedShortcut gives the window's shortcuts to the window, the rest (copy,
// paste, undo...) to the entry.
func (e *entry) TypedShortcut(s fyne.Shortcut) { e.ui.forwardShortcut(s, e.Entry.TypedShortcut) }

// selectEntry is the port field: a widget.SelectEntry that, like entry,
// hands Esc and the navigation shortcuts to the window.
type selectEntry struct {
	widget.SelectEntry
	ui *UI
}

func newSelectEntry(u *UI) *selectEntry {
	e := &selectEntry{ui: u}
	e.ExtendBaseWidget(e)
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip) // as widget.NewSelectEntry
	return e
}

// TypedKey passes Esc to the window and every other key to the field.
func (e *selectEntry) TypedKey(k *fyne.KeyEvent) { e.ui.forwardKey(k, e.SelectEntry.TypedKey) }

// FocusGained scrolls the field into view, as entry's does.
func (e *selectEntry) FocusGained() { e.ui.focused(e, e.SelectEntry.FocusGained) }

// TypedShortcut gives the window's shortcuts to the window, the rest to
// the field.
func (e *selectEntry) TypedShortcut(s fyne.Shortcut) {
	e.ui.forwardShortcut(s, e.SelectEntry.TypedShortcut)
}

// button is a widget.Button that Enter presses too. Fyne's button answers
// only Space, so with the focus on one (the first hint on "Before you log
// in", Save on Done) Enter did nothing, though the window moves on with
// Enter everywhere else. Esc goes to the window, as from a field: a focused
// button swallowed it and Back did not happen.
type button struct {
	widget.Button
	ui *UI
}

func newButton(u *UI, label string, icon fyne.Resource, tapped func()) *button {
	b := &button{ui: u}
	b.ExtendBaseWidget(b)
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	return b
}

// TypedKey presses the button on Return and keypad Enter (a disabled one
// stays unpressed, as for a tap), gives Esc to the window and every other
// key to the button.
func (b *button) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter {
		b.Tapped(&fyne.PointEvent{})
		return
	}
	b.ui.forwardKey(k, b.Button.TypedKey)
}

// forwardKey gives Esc to the window (Back, or closing a dialog) and
// every other key to the focused widget's own handler: a focused widget
// swallows every key it gets.
func (u *UI) forwardKey(k *fyne.KeyEvent, widgetKey func(*fyne.KeyEvent)) {
	if u != nil && k.Name == fyne.KeyEscape {
		u.escape()
		return
	}
	widgetKey(k)
}

// forwardShortcut gives the window's navigation shortcuts to the window
// and the rest to the focused widget's own handler.
func (u *UI) forwardShortcut(s fyne.Shortcut, widgetShortcut func(fyne.Shortcut)) {
	if u == nil || !u.shortcut(s) {
		widgetShortcut(s)
	}
}

// focused runs the widget's own focus handling, then scrolls o into view.
func (u *UI) focused(o fyne.CanvasObject, widgetFocus func()) {
	widgetFocus()
	u.reveal(o)
}

// reveal scrolls the page just enough to show o whole, if it is on the
// page and out of sight.
func (u *UI) reveal(o fyne.CanvasObject) {
	if u == nil || u.scroll == nil || u.app == nil {
		return
	}
	d := u.app.Driver()
	top := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(u.scroll).Y
	bottom, view := top+o.Size().Height, u.scroll.Size().Height
	off := u.scroll.Offset
	switch {
	case top < 0:
		off.Y += top
	case bottom > view:
		off.Y += bottom - view
	default:
		return
	}
	u.scroll.ScrollToOffset(off)
}

func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }

// wrapped is a label that wraps at the page's width.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// note is a wrapped label in a theme importance (colour by name, never RGB):
// warnings and errors also carry words, not colour alone.
func note(text string, imp widget.Importance) *widget.Label {
	l := wrapped(text)
	l.Importance = imp
	return l
}

// aside is an explanation next to a choice. Plain, not italic: an italic
// face is one more font to load at start-up (about 10 MB of memory here).
func aside(text string) *widget.Label { return wrapped(text) }

// heading is a bold label.
func heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// withDetails is a sentence of ours followed, on a line of its own and
// labelled, by an error's words (made safe to show): the error's text is
// not ours to translate, so it never sits inside a translated sentence.
func withDetails(sentence string, err error) string {
	if err == nil {
		return sentence
	}
	return sentence + "\n" + lang.L("Details:") + " " + safetext.Show(err.Error())
}
