package store_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/keychain"
	"github.com/mailwiz/mailwiz/store"
)

// These tests use go-keyring's in-memory mock: no test in this package uses
// the real keychain, and the keychain's own tests cover that. The real
// Secret Service path of Remember and Forget is tested through the CLI
// (cli/save_test.go).

func gmailConfig() (account.Address, account.Config) {
	addr, _ := account.ParseAddress("alice@example.com")
	cfg := account.Config{
		Source: account.SourceManual,
		Incoming: []account.Server{
			{Protocol: account.IMAP, Host: "imap.example.com", Port: 993, Security: account.SSL, Auth: account.AuthPassword, Username: "%EMAILADDRESS%"},
			{Protocol: account.POP3, Host: "pop.example.com", Port: 995, Security: account.SSL, Auth: account.AuthPassword},
		},
		Outgoing: []account.Server{
			{Protocol: account.SMTP, Host: "smtp.example.com", Port: 465, Security: account.SSL, Auth: account.AuthPassword},
		},
	}
	return addr, cfg
}

func TestRememberForget(t *testing.T) {
	keychain.MockInit()
	ctx := context.Background()
	s := &store.Store{Dir: t.TempDir()}
	addr, cfg := gmailConfig()
	a := store.NewAccount(addr, cfg, "Alice")
	if a.Incoming.Host != "imap.example.com" || a.Incoming.Username != "alice@example.com" || a.Outgoing.Host != "smtp.example.com" {
		t.Fatalf("NewAccount did not take the preferred servers, expanded: %+v", a)
	}
	saved, err := s.Remember(ctx, a, "pw-1")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"imap://alice@example.com@imap.example.com", "smtp://alice@example.com@smtp.example.com"}
	if strings.Join(saved.KeychainItems, " ") != strings.Join(want, " ") {
		t.Errorf("KeychainItems = %q, want %q", saved.KeychainItems, want)
	}
	if got, err := keychain.Get(ctx, saved.Incoming); err != nil || got != "pw-1" {
		t.Errorf("keychain holds %q, %v", got, err)
	}
	data, err := os.ReadFile(s.Path(a.Email))
	if err != nil {
		t.Fatal(err) // else the check below passes on no file at all
	}
	if strings.Contains(string(data), "pw-1") {
		t.Error("the settings file holds the password")
	}

	// Moving to POP3 removes the IMAP item.
	a.Incoming = cfg.For(addr).Incoming[1]
	if _, err := s.Remember(ctx, a, "pw-2"); err != nil {
		t.Fatal(err)
	}
	imap := cfg.For(addr).Incoming[0]
	if _, err := keychain.Get(ctx, imap); !errors.Is(err, keychain.ErrNotFound) {
		t.Errorf("the IMAP item stayed after the move to POP3: %v", err)
	}

	removed, had, err := s.Forget(ctx, a.Email, account.Config{})
	if err != nil || removed != 2 || !had {
		t.Fatalf("Forget = %d, %v, %v; want 2, true, nil", removed, had, err)
	}
	if _, _, err := s.Forget(ctx, a.Email, cfg.For(addr)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Forget of nothing = %v, want ErrNotFound", err)
	}
}

// TestRememberKeychainFails: a failing keychain leaves no settings behind,
// and a failing Forget keeps them so it can run again.
func TestRememberKeychainFails(t *testing.T) {
	ctx := context.Background()
	s := &store.Store{Dir: t.TempDir()}
	addr, cfg := gmailConfig()
	a := store.NewAccount(addr, cfg, "")

	keychain.MockInitWithError(errors.New("the keyring is locked"))
	if _, err := s.Remember(ctx, a, "pw"); !errors.Is(err, keychain.ErrUnavailable) {
		t.Fatalf("Remember = %v, want ErrUnavailable", err)
	}
	if _, err := s.Load(a.Email); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("settings were written although the keychain failed: %v", err)
	}

	keychain.MockInit()
	if _, err := s.Remember(ctx, a, "pw"); err != nil {
		t.Fatal(err)
	}
	keychain.MockInitWithError(errors.New("the keyring is locked"))
	if _, _, err := s.Forget(ctx, a.Email, account.Config{}); !errors.Is(err, keychain.ErrUnavailable) {
		t.Fatalf("Forget = %v, want ErrUnavailable", err)
	}
	if _, err := s.Load(a.Email); err != nil {
		t.Errorf("Forget removed the settings although the keychain failed: %v", err)
	}

	keychain.MockInit()
	oauth := store.NewAccount(addr, account.Config{Incoming: []account.Server{{Protocol: account.IMAP,
		Host: "imap.example.com", Username: "alice@example.com", Auth: account.AuthOAuth2}}}, "")
	if _, err := s.Remember(ctx, oauth, "pw"); err == nil {
		t.Error("Remember of an OAuth2-only account succeeded; there is no password to keep")
	}
}

// TestForgetDamagedFile: forget removes the keychain items a settings file
// names even when the file cannot be parsed (damaged, or a newer format)
// and nothing else knows the servers (a domain no database has); then the
// file itself. Before, the items stayed in the keychain.
func TestForgetDamagedFile(t *testing.T) {
	for name, damage := range map[string]func(string) string{
		"damaged":    func(s string) string { return "X" + s[1:len(s)-20] },
		"newer":      func(s string) string { return strings.Replace(s, `"version": 1`, `"version": 99`, 1) },
		"no version": func(s string) string { return strings.Replace(s, `"email"`, `"e mail`, 1) },
	} {
		t.Run(name, func(t *testing.T) {
			keychain.MockInit()
			ctx := context.Background()
			s := &store.Store{Dir: t.TempDir()}
			addr, cfg := gmailConfig()
			saved, err := s.Remember(ctx, store.NewAccount(addr, cfg, "Alice"), "pw-1")
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(s.Path(saved.Email))
			if err != nil {
				t.Fatal(err)
			}
			bad := damage(string(data))
			if bad == string(data) {
				t.Fatal("the damage changed nothing")
			}
			if err := os.WriteFile(s.Path(saved.Email), []byte(bad), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Load(saved.Email); err == nil {
				t.Fatal("the damaged file still loads")
			}
			removed, had, err := s.Forget(ctx, saved.Email, account.Config{})
			if err != nil || removed != 2 || !had {
				t.Errorf("Forget = %d, %v, %v; want 2, true, nil", removed, had, err)
			}
			for _, srv := range []account.Server{saved.Incoming, saved.Outgoing} {
				if _, err := keychain.Get(ctx, srv); !errors.Is(err, keychain.ErrNotFound) {
					t.Errorf("the item of %s stayed: %v", srv.Host, err)
				}
			}
			if _, err := os.Stat(s.Path(saved.Email)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the damaged file stayed: %v", err)
			}
		})
	}
}
