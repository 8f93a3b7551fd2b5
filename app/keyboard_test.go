package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/wizard"
)

// press delivers a key as the desktop driver does: to the focused widget
// if the canvas has one, else to the window's handler. Calling a page's
// handler directly would miss a stale focus swallowing the key.
func (h *harness) press(name fyne.KeyName) {
	h.t.Helper()
	c := h.w.Canvas()
	ev := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
	} else if k := c.OnTypedKey(); k != nil {
		k(ev)
	}
	h.drain()
}

// The manual path by keyboard, as a person walked it in the real window:
// Ctrl+Enter and Esc from the port field, Enter on "Before you log in"
// after the focus was on a drop-down of the page before, and Enter after
// a passing test goes on to Done instead of testing again.
func TestKeyboardManualPath(t *testing.T) {
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Test: fakeProbe})
	test.Type(h.ui.address.address, "bob@unknown.test")
	h.press(fyne.KeyReturn)
	h.waitFor("nothing found", func() bool {
		return h.ui.finding != nil && h.ui.finding.manual.Visible()
	})
	h.tap(h.ui.finding.manual)
	h.atStep(wizard.StepServers)

	s := h.ui.servers
	s.in.port.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	h.drain()
	h.atStep(wizard.StepAddress)
	h.press(fyne.KeyReturn)
	h.waitFor("nothing found again", func() bool {
		return h.ui.finding != nil && h.ui.finding.manual.Visible()
	})
	h.tap(h.ui.finding.manual)
	h.atStep(wizard.StepServers)

	s = h.ui.servers
	h.w.Canvas().Focus(s.out.security) // the last field a person set
	s.in.port.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault})
	h.atStep(wizard.StepBeforeLogin)
	if f := h.w.Canvas().Focused(); f != nil {
		t.Errorf("Before you log in: focus still on %T from the page before", f)
	}
	if txt := firstLabel(t, h.ui.body); !strings.HasPrefix(txt, "mailwiz has no notes on this provider") {
		t.Errorf("Before you log in for an unknown domain says %q", txt)
	}
	h.press(fyne.KeyReturn)
	h.atStep(wizard.StepTest)

	test.Type(h.ui.testing.password, "right")
	h.press(fyne.KeyReturn)
	h.waitFor("a passing test", func() bool { r := h.ui.wiz.Testing().Report; return r != nil && r.OK })
	h.press(fyne.KeyReturn)
	h.atStep(wizard.StepDone)
}

// firstLabel is the text of the page's first line.
func firstLabel(t *testing.T, body *fyne.Container) string {
	t.Helper()
	box, ok := body.Objects[0].(*fyne.Container)
	if !ok || len(box.Objects) == 0 {
		t.Fatalf("the page is a %T, not a box of lines", body.Objects[0])
	}
	l, ok := box.Objects[0].(*widget.Label)
	if !ok {
		t.Fatalf("the page's first line is a %T", box.Objects[0])
	}
	return l.Text
}

// Tab to a field below the window's edge scrolls it into view:
// a person tabbing to the outgoing server typed into a field out of sight.
func TestFocusScrollsFieldIntoView(t *testing.T) {
	h := newHarness(t, wizard.Deps{Lookup: lookupExample})
	test.Type(h.ui.address.address, "fay@example.com")
	h.press(fyne.KeyReturn)
	h.atStep(wizard.StepServers)
	inView := func(o fyne.CanvasObject) (float32, bool) {
		d := h.ui.app.Driver()
		top := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(h.ui.scroll).Y
		return top, top >= 0 && top+o.Size().Height <= h.ui.scroll.Size().Height
	}
	s := h.ui.servers
	if top, ok := inView(s.out.username); ok {
		t.Fatalf("the outgoing username is in view at %v before any Tab: the window is taller than this test assumes", top)
	}
	h.w.Canvas().Focus(s.out.username)
	if top, ok := inView(s.out.username); !ok {
		t.Errorf("focused outgoing username at %v, outside the %v-high view", top, h.ui.scroll.Size().Height)
	}
}

// Esc with a dialog open closes the dialog, as its Cancel would, and the
// page behind stays: Back would leave the dialog up over the page before.
func TestEscClosesDialog(t *testing.T) {
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Test: fakeProbe})
	test.Type(h.ui.address.address, "carol@example.com")
	h.press(fyne.KeyReturn)
	h.atStep(wizard.StepServers)
	h.ui.servers.in.security.SetSelected("None (unencrypted)")
	h.tap(h.ui.next)
	h.atStep(wizard.StepBeforeLogin)
	h.tap(h.ui.next)
	h.atStep(wizard.StepTest)
	test.Type(h.ui.testing.password, "right")
	h.tap(h.ui.testing.start)
	if h.ui.testing.consent == nil || h.w.Canvas().Overlays().Top() == nil {
		t.Fatal("no consent dialog on screen")
	}
	h.press(fyne.KeyEscape)
	if s := h.ui.wiz.Step(); s != wizard.StepTest || pageStep(h.ui) != wizard.StepTest {
		t.Fatalf("Esc in the dialog went to step %s", s)
	}
	if h.w.Canvas().Overlays().Top() != nil || h.ui.testing.consent != nil {
		t.Error("the dialog is still open after Esc")
	}
	if !strings.Contains(h.ui.testing.status.Text, "not run") {
		t.Errorf("after Esc the status says %q, want the refusal's words", h.ui.testing.status.Text)
	}
	// Without a dialog, Esc is Back again.
	h.w.Canvas().Unfocus()
	h.press(fyne.KeyEscape)
	h.atStep(wizard.StepBeforeLogin)
}

// After a refused certificate "Trust this certificate…" is in view whole,
// in English and in Russian, at the default window size.
func TestTrustButtonInView(t *testing.T) {
	const fp = "33:49:BB:08:2E:58:49:F2:F5:6B:97:AF:6B:FE:AA:91:D0:9D:51:62:21:9A:0A:DE:D5:0A:4F:14:92:3F:AC:57"
	refuse := func(_ context.Context, req wizard.TestRequest, _ func(wizard.StageProgress)) wizard.TestReport {
		var rep wizard.TestReport
		for _, s := range []account.Server{req.Incoming, req.Outgoing} {
			text := map[string]string{}
			for _, l := range []string{"en", "ru"} {
				// As long as probe's tls-untrusted text with its fingerprint.
				text[l] = strings.Repeat("The certificate is not signed by an authority this computer trusts. ", 5) + fp
			}
			rep.Results = append(rep.Results, wizard.ServerResult{Server: s, Stage: wizard.StageTLS,
				Error:     "x509: certificate signed by unknown authority",
				TLS:       &wizard.TLSInfo{Version: "TLS 1.3"},
				Diagnosis: wizard.Diagnosis{Kind: "tls-untrusted", CertSHA256: fp, Text: text}})
		}
		return rep
	}
	for _, language := range []string{"en", "ru"} {
		t.Run(language, func(t *testing.T) {
			h := newHarness(t, wizard.Deps{Lookup: lookupExample, Test: refuse})
			h.ui.setLanguage(language)
			test.Type(h.ui.address.address, "fay@example.com")
			h.press(fyne.KeyReturn)
			h.atStep(wizard.StepServers)
			h.tap(h.ui.next)
			h.atStep(wizard.StepBeforeLogin)
			h.tap(h.ui.next)
			h.atStep(wizard.StepTest)
			p := h.ui.testing
			test.Type(p.password, "pw")
			h.press(fyne.KeyReturn)
			h.waitFor("the refused certificate", func() bool { r := h.ui.wiz.Testing().Report; return r != nil && !h.ui.wiz.Testing().Running })
			if !p.trust.Visible() {
				t.Fatal("no Trust button after a refused certificate")
			}
			d := h.ui.app.Driver()
			top := d.AbsolutePositionForObject(p.trust).Y - d.AbsolutePositionForObject(h.ui.scroll).Y
			if top < 0 || top+p.trust.Size().Height > h.ui.scroll.Size().Height {
				t.Errorf("the Trust button at %v..%v, the view is 0..%v", top, top+p.trust.Size().Height, h.ui.scroll.Size().Height)
			}
		})
	}
}
