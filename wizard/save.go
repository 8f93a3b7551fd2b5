package wizard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/keychain"
	"github.com/mailwiz/mailwiz/oauth"
	"github.com/mailwiz/mailwiz/store"
	"golang.org/x/oauth2"
)

type saveState struct {
	running bool
	done    bool
	err     error
}

// ErrNoKeychain is reported when no keychain is wired in.
var ErrNoKeychain = errors.New("wizard: no keychain is available")

// SaveState is a snapshot of the keychain save.
type SaveState struct {
	Running bool
	Done    bool  // finished (Err says how)
	Err     error // nil on success
}

// Saving returns a snapshot of the keychain save.
func (w *Wizard) Saving() SaveState {
	w.mu.Lock()
	defer w.mu.Unlock()
	return SaveState{Running: w.save.running, Done: w.save.done, Err: w.save.err}
}

// SaveRequest is what a save keeps: the account's chosen servers, the
// person's name, the password (for the keychain only), the certificate
// exceptions they accepted and how the servers were vouched for.
type SaveRequest struct {
	Address  account.Address
	Config   account.Config // the chosen servers first
	Name     string
	Password string
	// TrustedCerts are SHA-256 fingerprints of certificates the person
	// accepted as exceptions.
	TrustedCerts []string
	// Vouched is Resolved.Record of the servers saved.
	Vouched store.Vouch
	// OAuth2 names the browser sign-in kept for the account, if any, and
	// OAuth2Refresh is its refresh token, for the keychain only.
	OAuth2        *store.OAuth2Ref
	OAuth2Refresh string
}

// SaveAccount keeps req in st: the password in the OS keychain, one item
// per chosen server that logs in with one, then the settings. Errors match
// ErrNoKeychain (and keychain.ErrUnavailable) when there is no keychain.
func SaveAccount(ctx context.Context, st *store.Store, req SaveRequest) (store.Account, error) {
	a := store.NewAccount(req.Address, req.Config, req.Name)
	for _, fp := range req.TrustedCerts {
		if !slices.Contains(a.TrustedCerts, fp) {
			a.TrustedCerts = append(a.TrustedCerts, fp)
		}
	}
	v := req.Vouched
	a.Vouched = &v
	a.OAuth2 = req.OAuth2
	if req.OAuth2 != nil && req.OAuth2Refresh != "" {
		var user string
		if srv := SignInServers(req.Config.For(req.Address)); len(srv) > 0 {
			user = srv[0].Username
		}
		if err := oauth.SaveToken(ctx, user, req.OAuth2.Provider, &oauth2.Token{RefreshToken: req.OAuth2Refresh}); err != nil {
			if errors.Is(err, keychain.ErrUnavailable) {
				return a, fmt.Errorf("%w: %w", ErrNoKeychain, err)
			}
			return a, err
		}
	}
	saved, err := st.Remember(ctx, a, req.Password)
	if errors.Is(err, keychain.ErrUnavailable) {
		return saved, fmt.Errorf("%w: %w", ErrNoKeychain, err)
	}
	return saved, err
}

// Save keeps the account (Deps.Save) on a goroutine of its own (a keychain
// may block on an unlock prompt) and reports Saved. A failure loses
// nothing: the account stays as it is and Save can run again.
func (w *Wizard) Save() {
	w.mu.Lock()
	w.pruneTrustLocked()
	req := SaveRequest{Address: w.addr, Config: cloneConfig(w.cfg), Name: w.name, Password: w.test.password,
		TrustedCerts: w.trustedLocked(), Vouched: w.resolvedLocked().Record()}
	if si := w.test.signin; si != nil {
		req.OAuth2, req.OAuth2Refresh = &store.OAuth2Ref{Provider: si.ProviderID, Tenant: si.Tenant}, si.Refresh
	}
	w.save = saveState{running: true}
	w.mu.Unlock()
	w.run(func(ctx context.Context, gen uint64) {
		err := ErrNoKeychain
		ctx, cancel := context.WithTimeout(ctx, time.Minute) // an unlock prompt waits for a person
		defer cancel()
		if w.deps.Save != nil {
			err = w.deps.Save(ctx, req)
		}
		if !w.lockCurrent(gen) {
			return
		}
		w.save = saveState{done: true, err: err}
		w.mu.Unlock()
		w.notify(Saved{Err: err})
	})
}

// Formats returns the export formats on offer.
func (w *Wizard) Formats() []Format { return append([]Format(nil), w.deps.Formats...) }

// Export writes the account in a format to out, with texts in lang ("en",
// "ru"). It runs on the caller's goroutine: exports are local and fast. It
// never writes a password.
func (w *Wizard) Export(out io.Writer, format, lang string) error {
	if w.deps.Export == nil {
		return fmt.Errorf("wizard: exports are not available in this build")
	}
	w.mu.Lock()
	w.pruneTrustLocked()
	req := ExportRequest{Address: w.addr, Name: w.name, Config: cloneConfig(w.cfg), Lang: lang, TrustedCerts: w.trustedLocked()}
	w.mu.Unlock()
	if err := w.deps.Export(out, format, req); err != nil {
		return fmt.Errorf("wizard: export %s: %w", format, err)
	}
	return nil
}
