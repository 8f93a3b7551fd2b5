package oauth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/keychain"
	"github.com/zalando/go-keyring"
	"golang.org/x/oauth2"
)

// Windows' Credential Manager holds 2,560 bytes an item.
const windowsLimit = 2560

func TestStoreSplitsLongTokens(t *testing.T) {
	ctx := context.Background()
	const user, prov = "alice@outlook.com", "microsoft"
	name := ItemName(user, prov)
	if name != "oauth2://alice@outlook.com@microsoft" {
		t.Fatalf("ItemName = %q", name)
	}
	long := canary + strings.Repeat("M.C5_0.AX-", 520) // 5,210 bytes
	for _, tc := range []struct {
		token string
		parts int
	}{
		{long, 3},
		{canary + "short-refresh", 0},
		{long[:chunkSize], 0},
		{long[:chunkSize+1], 2},
	} {
		if err := SaveToken(ctx, user, prov, &oauth2.Token{AccessToken: "access-" + canary, RefreshToken: tc.token}); err != nil {
			t.Fatal(err)
		}
		got, err := LoadToken(ctx, user, prov)
		if err != nil || got.RefreshToken != tc.token || got.AccessToken != "" {
			t.Fatalf("LoadToken of %d bytes: %d bytes, access %q, %v", len(tc.token), len(got.RefreshToken), got.AccessToken, err)
		}
		// Every item fits Windows' limit; no part is left over from a
		// longer token saved before.
		main, _ := keyring.Get(keychain.Service, name)
		if len(main) > windowsLimit {
			t.Errorf("the main item holds %d bytes", len(main))
		}
		for i := 1; i <= 4; i++ {
			part, err := keyring.Get(keychain.Service, name+"#"+string(rune('0'+i)))
			switch {
			case i <= tc.parts && (err != nil || len(part) > windowsLimit):
				t.Errorf("%d bytes: part %d: %d bytes, %v", len(tc.token), i, len(part), err)
			case i > tc.parts && err == nil:
				t.Errorf("%d bytes: part %d is left over", len(tc.token), i)
			}
		}
	}
	if err := DeleteToken(ctx, user, prov); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadToken(ctx, user, prov); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("LoadToken after DeleteToken = %v", err)
	}
	if err := SaveToken(ctx, user, prov, &oauth2.Token{AccessToken: "only-access"}); err == nil {
		t.Fatal("a token without a refresh token was saved")
	}
	if err := SaveToken(ctx, user, prov, &oauth2.Token{RefreshToken: strings.Repeat("x", chunkSize*maxChunks+1)}); err == nil {
		t.Fatal("a 40 kB refresh token was saved")
	}
}

// TestCanaryKept: a whole sign-in, kept and resumed, leaves tokens only in
// the keychain: not in the settings folder, the temp folder or the home.
func TestCanaryKept(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("TMPDIR", filepath.Join(home, "tmp"))
	os.MkdirAll(filepath.Join(home, "tmp"), 0o700) //nolint:errcheck
	e := newEnv(t)
	ctx := context.Background()
	tok, err := e.flow().SignIn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := SaveToken(ctx, "alice@example.test", "test", tok); err != nil {
		t.Fatal(err)
	}
	var saveErrs []error
	ts, err := e.flow().Resume(ctx, "alice@example.test", func(err error) { saveErrs = append(saveErrs, err) })
	if err != nil {
		t.Fatal(err)
	}
	at, err := ts.Token()
	if err != nil || at.AccessToken == "" || len(saveErrs) > 0 {
		t.Fatalf("Resume's token: %v, %v", err, saveErrs)
	}
	filepath.Walk(home, func(p string, fi os.FileInfo, err error) error { //nolint:errcheck
		if err != nil || fi.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), canary) {
			t.Errorf("%s holds a token", p)
		}
		return nil
	})
}
