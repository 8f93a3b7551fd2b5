package wizard

import (
	"context"
	"errors"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/store"
)

// TestForget: an account whose servers came from its saved settings can
// be forgotten from the window, as `mailwiz forget` does: Deps.Forget gets
// the address and the servers with usernames expanded, and afterwards the
// servers are no longer the saved account's. An account found afresh has
// nothing to forget.
func TestForget(t *testing.T) {
	type call struct {
		addr account.Address
		cfg  account.Config
	}
	calls := make(chan call, 2)
	deps := Deps{
		Lookup: lookup,
		Saved: func(a account.Address) (*store.Account, error) {
			if a.String() != "gus@example.com" {
				return nil, nil
			}
			acct := store.NewAccount(a, exampleConfig(), "Gus")
			return &acct, nil
		},
		Forget: func(_ context.Context, a account.Address, cfg account.Config) (int, error) {
			calls <- call{a, cfg}
			return 2, nil
		},
	}
	r := newRecorder()
	w := New(deps, r.listen)
	defer w.Close()
	toServers(t, w, r, "gus@example.com")
	if !w.FromSaved() || !w.CanForget() {
		t.Fatalf("FromSaved %v, CanForget %v; want both for a saved account", w.FromSaved(), w.CanForget())
	}
	if err := w.Forget(); err != nil {
		t.Fatal(err)
	}
	e := r.waitFor(t, "forgotten", func(e Event) bool { _, ok := e.(Forgotten); return ok }).(Forgotten)
	c := <-calls
	if e.Err != nil || e.Removed != 2 || c.addr.String() != "gus@example.com" || c.cfg.Incoming[0].Username != "gus@example.com" {
		t.Errorf("Forgotten %+v, call %+v", e, c)
	}
	if w.FromSaved() || w.CanForget() {
		t.Error("the servers are still the saved account's after Forget")
	}
	if err := w.Forget(); !errors.Is(err, ErrNothingSaved) {
		t.Errorf("a second Forget = %v; want ErrNothingSaved", err)
	}

	w2 := New(deps, r.listen)
	defer w2.Close()
	toServers(t, w2, r, "ann@example.com")
	if w2.CanForget() || !errors.Is(w2.Forget(), ErrNothingSaved) {
		t.Error("an account found afresh offers Forget")
	}
}
