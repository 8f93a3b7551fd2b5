package app

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/mailwiz/mailwiz/wizard"
)

// Enter on a focused button presses it, as Space does: Fyne's own button
// ignores Enter, so on "Before you log in" (the focus on the first hint's
// button) and on Done (the focus on Save) Enter did nothing. Esc on a
// focused button goes Back, as it does from a field.
func TestEnterPressesFocusedButton(t *testing.T) {
	var saved []string
	save := func(_ context.Context, req wizard.SaveRequest) error {
		saved = append(saved, req.Address.String()+":"+req.Password)
		return nil
	}
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Test: fakeProbe, Save: save})
	br := &browser{App: h.ui.app}
	h.ui.app = br

	test.Type(h.ui.address.address, "alice@example.com")
	h.press(fyne.KeyReturn)
	h.atStep(wizard.StepServers)
	enter(h.ui.servers.out.username)
	h.atStep(wizard.StepBeforeLogin)
	if len(h.ui.before.buttons) == 0 {
		t.Fatal("no hint button on Before you log in for example.com")
	}
	if f := h.w.Canvas().Focused(); f != h.ui.before.buttons[0] {
		t.Fatalf("focus on %T, want the first hint's button", f)
	}
	h.press(fyne.KeyReturn)
	if len(br.opened) != 1 || br.opened[0] != "https://example.com/app-passwords" {
		t.Errorf("Enter on the hint's button opened %q, want its page", br.opened)
	}
	h.atStep(wizard.StepBeforeLogin) // the button's work, not Next's

	h.press(fyne.KeyEscape)
	h.atStep(wizard.StepServers)
	enter(h.ui.servers.out.username)
	h.atStep(wizard.StepBeforeLogin)
	h.tap(h.ui.next)
	h.atStep(wizard.StepTest)

	test.Type(h.ui.testing.password, "right")
	h.press(fyne.KeyReturn)
	h.waitFor("a passing test", func() bool { r := h.ui.wiz.Testing().Report; return r != nil && r.OK })
	h.press(fyne.KeyReturn)
	h.atStep(wizard.StepDone)
	if f := h.w.Canvas().Focused(); f != h.ui.done.save {
		t.Fatalf("focus on %T, want Save", f)
	}
	h.press(fyne.KeyEnter) // the keypad's
	h.waitFor("the save", func() bool { return h.ui.wiz.Saving().Done })
	if len(saved) != 1 || saved[0] != "alice@example.com:right" {
		t.Errorf("Enter on Save saved %q", saved)
	}
	h.atStep(wizard.StepDone)
}

// A disabled button stays unpressed by Enter, as by a tap, and keys other
// than Enter and Esc still reach the button: Space presses it.
func TestButtonKeys(t *testing.T) {
	h := newHarness(t, wizard.Deps{Lookup: lookupExample})
	n := 0
	b := newButton(h.ui, "count", nil, func() { n++ })
	for _, k := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace, fyne.KeyTab, fyne.KeyA} {
		b.TypedKey(&fyne.KeyEvent{Name: k})
	}
	if n != 3 {
		t.Errorf("Return, Enter, Space, Tab and A pressed the button %d times, want 3", n)
	}
	before := n
	b.Disable()
	b.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if n != before {
		t.Error("Enter pressed a disabled button")
	}
}
