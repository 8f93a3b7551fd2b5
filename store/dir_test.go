//go:build unix

package store_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/store"
)

// TestLooseDirTightened: a settings directory others may write to is made
// private before anything is read from it or written to it; another local
// user could otherwise swap a saved server or certificate exception.
func TestLooseDirTightened(t *testing.T) {
	for _, tc := range []struct {
		name string
		use  func(s *store.Store) error
	}{
		{"save", func(s *store.Store) error { return s.Save(dirSample()) }},
		{"load", func(s *store.Store) error {
			_, err := s.Load("bob@example.org")
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top := filepath.Join(t.TempDir(), "mailwiz")
			dir := filepath.Join(top, "accounts")
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			for _, d := range []string{top, dir} {
				if err := os.Chmod(d, 0o777); err != nil {
					t.Fatal(err)
				}
			}
			if err := tc.use(&store.Store{Dir: dir}); err != nil {
				t.Fatal(err)
			}
			for _, d := range []string{top, dir} {
				fi, err := os.Stat(d)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != 0o700 {
					t.Errorf("%s: mode %04o after %s, want 0700", d, got, tc.name)
				}
			}
		})
	}
}

// TestSharedParentUntouched: a store whose parent is not mailwiz's own
// directory leaves that parent's mode alone.
func TestSharedParentUntouched(t *testing.T) {
	parent := t.TempDir()
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &store.Store{Dir: filepath.Join(parent, "accounts")}
	if err := s.Save(dirSample()); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(parent)
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("parent mode changed to %04o", fi.Mode().Perm())
	}
}

// TestForeignDirRefused: a settings directory owned by another user is
// refused with an error naming it and the fix. Needs root to chown.
func TestForeignDirRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give the directory to another user")
	}
	dir := filepath.Join(t.TempDir(), "accounts")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	s := &store.Store{Dir: dir}
	err := s.Save(dirSample())
	var de *store.DirError
	if !errors.As(err, &de) || de.Path != dir || de.Fix == "" {
		t.Fatalf("Save in a foreign directory: %v, want a *store.DirError for %s", err, dir)
	}
	if _, err := s.Load("bob@example.org"); !errors.As(err, &de) {
		t.Fatalf("Load from a foreign directory: %v, want a *store.DirError", err)
	}
}

// TestVouchRoundTrip: how the servers were vouched for is kept as saved.
func TestVouchRoundTrip(t *testing.T) {
	s := &store.Store{Dir: t.TempDir()}
	a := dirSample()
	a.Vouched = &store.Vouch{By: store.VouchConfirmed, Source: account.SourceSRV, Hosts: []string{"mail.example.org"}}
	if err := s.Save(a); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(a.Email)
	if err != nil {
		t.Fatal(err)
	}
	if got.Vouched == nil || got.Vouched.By != store.VouchConfirmed || got.Vouched.Source != account.SourceSRV ||
		len(got.Vouched.Hosts) != 1 || got.Vouched.Hosts[0] != "mail.example.org" {
		t.Errorf("vouch after load: %+v", got.Vouched)
	}
}

func dirSample() store.Account {
	return store.Account{Email: "bob@example.org",
		Incoming: account.Server{Protocol: account.IMAP, Host: "mail.example.org", Port: 993, Security: account.SSL, Username: "bob@example.org", Auth: account.AuthPassword}}
}
