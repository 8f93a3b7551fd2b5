package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/store"
	"github.com/mailwiz/mailwiz/wizard"
)

// TestForgetSavedAccount: servers from a saved account can be forgotten
// from the Servers page, as `mailwiz forget` does, after a confirmation
// (Esc and Cancel forget nothing); the page then says what went and no
// longer calls the servers saved. An address with nothing saved offers no
// such button.
func TestForgetSavedAccount(t *testing.T) {
	forgot := make(chan account.Address, 2)
	h := newHarness(t, wizard.Deps{Lookup: lookupExample,
		Saved: func(a account.Address) (*store.Account, error) {
			if a.String() != "gus@example.com" {
				return nil, nil
			}
			cfg, _ := lookupExample("example.com")
			acct := store.NewAccount(a, cfg, "Gus")
			return &acct, nil
		},
		Forget: func(_ context.Context, a account.Address, _ account.Config) (int, error) {
			forgot <- a
			return 2, nil
		}})
	test.Type(h.ui.address.address, "gus@example.com")
	enter(h.ui.address.address)
	h.atStep(wizard.StepServers)
	p := h.ui.servers
	if !p.forgetRow.Visible() || !strings.Contains(p.source.Text, "you saved") {
		t.Fatalf("forget button visible %v, source %q", p.forget.Visible(), p.source.Text)
	}
	h.tap(p.forget)
	h.waitFor("the confirmation", func() bool { return p.forgetConfirm != nil })
	h.ui.escape()
	h.drain()
	select {
	case a := <-forgot:
		t.Fatalf("Esc forgot %s", a)
	default:
	}
	if h.ui.wiz.Step() != wizard.StepServers {
		t.Fatalf("Esc under the confirmation left the page: %s", h.ui.wiz.Step())
	}
	h.tap(p.forget)
	h.waitFor("the confirmation", func() bool { return p.forgetConfirm != nil })
	p.forgetConfirm.Confirm()
	h.waitFor("the account forgotten", func() bool { return p.forgotten.Visible() && !p.forgetRow.Visible() })
	if a := <-forgot; a.String() != "gus@example.com" {
		t.Errorf("forgot %s", a)
	}
	if !strings.Contains(p.forgotten.Text, "2 keychain items") || strings.Contains(p.source.Text, "you saved") {
		t.Errorf("after forgetting: %q / %q", p.forgotten.Text, p.source.Text)
	}

	h2 := newHarness(t, wizard.Deps{Lookup: lookupExample, Forget: func(context.Context, account.Address, account.Config) (int, error) { return 0, nil }})
	test.Type(h2.ui.address.address, "ann@example.com")
	enter(h2.ui.address.address)
	h2.atStep(wizard.StepServers)
	if h2.ui.servers.forgetRow.Visible() {
		t.Error("Forget offered for an address with nothing saved")
	}
}
