package app

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/store"
	"github.com/mailwiz/mailwiz/wizard"
)

// Open gives the same window New does: the address page, its field
// focused, the keys wired, the title translated; and it asks nothing of
// the network or the keychain on the way.
func TestOpen(t *testing.T) {
	called := func(what string) { t.Errorf("%s was called at start-up", what) }
	a := test.NewTempApp(t)
	w, ui := Open(a, "Mail Setup Wizard", wizard.Deps{
		Lookup: func(string) (account.Config, bool) { called("Lookup"); return account.Config{}, false },
		Discover: func(context.Context, account.Address, []string, func(wizard.Event)) (account.Config, error) {
			called("Discover")
			return account.Config{}, nil
		},
		Test: func(context.Context, wizard.TestRequest, func(wizard.StageProgress)) wizard.TestReport {
			called("Test")
			return wizard.TestReport{}
		},
		Save:  func(context.Context, wizard.SaveRequest) error { called("Save"); return nil },
		Saved: func(account.Address) (*store.Account, error) { called("Saved"); return nil, nil },
	})
	t.Cleanup(ui.Close)
	t.Cleanup(w.Close)
	ui.setLanguage("en")

	if s := ui.wiz.Step(); s != wizard.StepAddress {
		t.Fatalf("step = %v, want the address step", s)
	}
	if w.Content() == nil {
		t.Fatal("the window has no content")
	}
	if got := w.Canvas().Focused(); got != ui.address.address {
		t.Errorf("focused = %T, want the address field", got)
	}
	if got := w.Title(); got != "Mail Setup Wizard" {
		t.Errorf("title = %q", got)
	}
}

// warmFonts finishes (its channel closes) and may run again: main calls
// it once, but a second window must not hang on it. A warmFonts that
// never closed its channel fails here by the test's deadline.
func TestWarmFonts(t *testing.T) {
	test.NewTempApp(t)
	for range 2 {
		select {
		case <-warmFonts():
		case <-time.After(time.Minute):
			t.Fatal("warmFonts did not finish within a minute")
		}
	}
}
