package wizard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
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

// Save stores the password in the OS keychain on a goroutine of its own (a
// keychain may block on an unlock prompt) and reports Saved. A failure
// loses nothing: the account stays as it is and Save can run again.
func (w *Wizard) Save() {
	w.mu.Lock()
	addr, cfg, pw := w.addr, cloneConfig(w.cfg), w.test.password
	w.pruneTrustLocked()
	trusted := w.trustedLocked()
	w.save = saveState{running: true}
	w.mu.Unlock()
	w.run(func(ctx context.Context, gen uint64) {
		err := ErrNoKeychain
		ctx, cancel := context.WithTimeout(ctx, time.Minute) // an unlock prompt waits for a person
		defer cancel()
		switch {
		case len(trusted) > 0 && w.deps.SaveWithTrust != nil:
			err = w.deps.SaveWithTrust(ctx, addr, cfg, pw, trusted)
		case w.deps.Save != nil:
			err = w.deps.Save(ctx, addr, cfg, pw)
		}
		w.mu.Lock()
		if !w.current(gen) {
			w.mu.Unlock()
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
	req := ExportRequest{Address: w.addr, Name: w.name, Config: cloneConfig(w.cfg), Lang: lang}
	w.mu.Unlock()
	if err := w.deps.Export(out, format, req); err != nil {
		return fmt.Errorf("wizard: export %s: %w", format, err)
	}
	return nil
}
