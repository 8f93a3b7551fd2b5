package keychain_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/mailwiz/mailwiz/keychain"
	"github.com/mailwiz/mailwiz/oauth"
)

// TestRealKeychainRoundTrip stores, reads and deletes items in this
// platform's own keychain: Windows' Credential Manager, the macOS
// Keychain, or the Secret Service. The forge's workflow sets
// MAILWIZ_REAL_KEYCHAIN=1 on its Windows and macOS runners (this machine
// covers the Secret Service in secretservice_test.go); elsewhere it skips.
// A password of 2,000 bytes fits Credential Manager's 2,560-byte limit; a
// 5,000-byte refresh token goes in parts (oauth.SaveToken).
func TestRealKeychainRoundTrip(t *testing.T) {
	if os.Getenv("MAILWIZ_REAL_KEYCHAIN") != "1" {
		t.Skip("set MAILWIZ_REAL_KEYCHAIN=1 to use this platform's real keychain (the forge's Windows and macOS runners do)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := "mailwiz-ci://roundtrip-" + strconv.Itoa(os.Getpid())
	secret := strings.Repeat("p", 2000)
	if err := keychain.SaveItem(ctx, name, secret); err != nil {
		t.Fatal(err)
	}
	got, err := keychain.GetItem(ctx, name)
	if err != nil || got != secret {
		t.Fatalf("read back %d bytes, %v", len(got), err)
	}
	if err := keychain.DeleteItem(ctx, name); err != nil {
		t.Fatal(err)
	}
	if _, err := keychain.GetItem(ctx, name); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}

	long := strings.Repeat("r", 5000)
	user := "ci-" + strconv.Itoa(os.Getpid()) + "@example.test"
	if err := oauth.SaveToken(ctx, user, "ci", &oauth2.Token{RefreshToken: long}); err != nil {
		t.Fatal(err)
	}
	defer oauth.DeleteToken(ctx, user, "ci") //nolint:errcheck
	tok, err := oauth.LoadToken(ctx, user, "ci")
	if err != nil || tok.RefreshToken != long {
		t.Fatalf("a split refresh token read back wrong (%d bytes): %v", len(tok.RefreshToken), err)
	}
}
