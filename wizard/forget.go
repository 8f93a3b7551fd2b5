package wizard

import (
	"context"
	"errors"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/keychain"
	"github.com/mailwiz/mailwiz/store"
)

// Forgotten reports the end of Forget: how many keychain items went
// (passwords, a kept sign-in counting as one), or why it failed.
type Forgotten struct {
	Removed int
	Err     error
}

func (Forgotten) event() {}

// ErrNothingSaved: Forget found no saved account for the address.
var ErrNothingSaved = errors.New("wizard: nothing is saved for this address")

// CanForget reports whether the servers came from an account saved for
// the address and this build can remove it (the window's "Forget the
// saved account…").
func (w *Wizard) CanForget() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.deps.Forget != nil && w.fromSaved
}

// Forget removes the account saved for the address, as `mailwiz forget`
// does: its passwords and kept sign-in from the keychain, then its
// settings. It runs on a goroutine of its own (a keychain may wait for an
// unlock prompt); Forgotten reports the end. The servers shown stay, no
// longer the saved account's.
func (w *Wizard) Forget() error {
	w.mu.Lock()
	if w.deps.Forget == nil || !w.fromSaved {
		w.mu.Unlock()
		return ErrNothingSaved
	}
	addr, cfg := w.addr, cloneConfig(w.cfg).For(w.addr)
	w.mu.Unlock()
	w.run(func(ctx context.Context, gen uint64) {
		ctx, cancel := context.WithTimeout(ctx, keychain.DefaultTimeout*4)
		defer cancel()
		removed, err := w.deps.Forget(ctx, addr, cfg)
		if !w.lockCurrent(gen) {
			return
		}
		if err == nil {
			w.fromSaved, w.kept = false, nil
		}
		w.mu.Unlock()
		w.notify(Forgotten{Removed: removed, Err: err})
	})
	return nil
}

// ForgetSaved is Deps.Forget on the default store and the OS keychain:
// wizard.ForgetAccount, known naming the servers' items when the settings
// file cannot be read.
func ForgetSaved(ctx context.Context, addr account.Address, known account.Config) (int, error) {
	st, err := store.Default()
	if err != nil {
		return 0, err
	}
	removed, hadSettings, err := ForgetAccount(ctx, st, addr.String(), known)
	if err == nil && removed == 0 && !hadSettings {
		err = ErrNothingSaved
	}
	if errors.Is(err, store.ErrNotFound) {
		err = ErrNothingSaved
	}
	return removed, err
}
