package keychain_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/keychain"
	"github.com/zalando/go-keyring"
)

// canary is a password that must never show up anywhere but the keychain.
const canary = "canary-Pässwörd 7f3a9c !$&'\"`\\"

var (
	imapServer = account.Server{Protocol: account.IMAP, Host: "IMAP.Example.com", Port: 993,
		Security: account.SSL, Username: "kc-test@example.com", Auth: account.AuthPassword}
	smtpServer = account.Server{Protocol: account.SMTP, Host: "smtp.example.com", Port: 465,
		Security: account.SSL, Username: "kc-test@example.com", Auth: account.AuthPassword}
)

func TestUser(t *testing.T) {
	tests := []struct {
		name    string
		server  account.Server
		want    string
		wantErr string
	}{
		{"imap lower-cases the host", imapServer, "imap://kc-test@example.com@imap.example.com", ""},
		{"smtp", smtpServer, "smtp://kc-test@example.com@smtp.example.com", ""},
		{"pop3 local-part login", account.Server{Protocol: account.POP3, Host: "pop.yandex.ru", Username: "alice"},
			"pop3://alice@pop.yandex.ru", ""},
		{"no host", account.Server{Protocol: account.IMAP, Username: "a"}, "", "has no host name"},
		{"no username", account.Server{Protocol: account.IMAP, Host: "h.example"}, "", "has no username"},
		{"template", account.Server{Protocol: account.IMAP, Host: "h.example", Username: "%EMAILLOCALPART%"},
			"", "expand it with Config.For"},
		{"a percent sign is a username", account.Server{Protocol: account.IMAP, Host: "h.example", Username: "50%off"},
			"imap://50%off@h.example", ""},
		{"bad protocol", account.Server{Protocol: "http", Host: "h.example", Username: "a"}, "", "not imap, pop3 or smtp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := keychain.User(tc.server)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("User() error = %v, want one containing %q", err, tc.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "keychain: ") {
					t.Errorf("error %q lacks the package prefix", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("User() = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestServers(t *testing.T) {
	oauth := imapServer
	oauth.Host = "oauth.example.com"
	oauth.Auth = account.AuthOAuth2
	none := smtpServer
	none.Host = "relay.example.com"
	none.Auth = account.AuthNone
	unset := smtpServer
	unset.Host = "unset.example.com"
	unset.Auth = ""
	sameItem := imapServer
	sameItem.Port = 143
	sameItem.Security = account.STARTTLS
	cfg := account.Config{
		Incoming: []account.Server{imapServer, oauth, sameItem},
		Outgoing: []account.Server{none, smtpServer, unset},
	}
	var got []string
	for _, s := range keychain.Servers(cfg) {
		u, err := keychain.User(s)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, u)
	}
	want := []string{
		"imap://kc-test@example.com@imap.example.com",
		"smtp://kc-test@example.com@smtp.example.com",
		"smtp://kc-test@example.com@unset.example.com",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Servers() = %q\nwant %q", got, want)
	}
	if err := keychain.SaveAll(context.Background(), account.Config{Incoming: []account.Server{oauth}}, canary); err == nil ||
		!strings.Contains(err.Error(), "nothing to save") {
		t.Errorf("SaveAll of an OAuth2-only config = %v, want a 'nothing to save' error", err)
	}
}

func TestErrorText(t *testing.T) {
	err := &keychain.Error{Op: "save", User: "imap://a@h", Kind: keychain.ErrUnavailable, Detail: "dial unix: no such file"}
	msg := err.Error()
	for _, want := range []string{"keychain: save imap://a@h", "not available", "dial unix"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	if runtime.GOOS == "linux" && !strings.Contains(msg, "install and unlock gnome-keyring or KeePassXC's Secret Service") {
		t.Errorf("%q does not say what to install", msg)
	}
	if !errors.Is(err, keychain.ErrUnavailable) || errors.Is(err, keychain.ErrNotFound) {
		t.Errorf("errors.Is does not match the kind of %v", err)
	}
}

// TestKeychainMock drives go-keyring's in-memory mock, the stand-in for the
// macOS and Windows backends, in a child process: go-keyring has no way to
// undo MockInit, and the other tests need the real backend.
func TestKeychainMock(t *testing.T) {
	runChild(t, "TestChildMock")
}

func TestChildMock(t *testing.T) {
	if os.Getenv("MAILWIZ_KEYCHAIN_CHILD") == "" {
		t.Skip("runs only as a child of TestKeychainMock")
	}
	ctx := context.Background()
	keychain.MockInit()
	if err := keychain.Save(ctx, imapServer, canary); err != nil {
		t.Fatal(err)
	}
	user, _ := keychain.User(imapServer)
	if got, err := keyring.Get(keychain.Service, user); err != nil || got != canary {
		t.Fatalf("the mock holds %q, %v under %q", got, err, user)
	}
	if err := keychain.Save(ctx, imapServer, "new"); err != nil {
		t.Fatal(err)
	}
	if got, err := keychain.Get(ctx, imapServer); err != nil || got != "new" {
		t.Fatalf("Get after update = %q, %v", got, err)
	}
	if err := keychain.Save(ctx, imapServer, ""); err == nil || errors.Is(err, keychain.ErrUnavailable) {
		t.Errorf("Save of an empty password = %v, want a plain refusal", err)
	}
	cfg := account.Config{Incoming: []account.Server{imapServer}, Outgoing: []account.Server{smtpServer}}
	if err := keychain.SaveAll(ctx, cfg, canary); err != nil {
		t.Fatal(err)
	}
	if n, err := keychain.DeleteAll(ctx, cfg); err != nil || n != 2 {
		t.Fatalf("DeleteAll = %d, %v; want 2", n, err)
	}
	if _, err := keychain.Get(ctx, smtpServer); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("Get after DeleteAll = %v, want ErrNotFound", err)
	}

	// Items named by the caller (package oauth's refresh tokens).
	const item = "oauth2://kc-test@example.com@microsoft"
	if err := keychain.SaveItem(ctx, item, canary); err != nil {
		t.Fatal(err)
	}
	if got, err := keychain.GetItem(ctx, item); err != nil || got != canary {
		t.Fatalf("GetItem = %q, %v", got, err)
	}
	if err := keychain.SaveItem(ctx, item, ""); err == nil || errors.Is(err, keychain.ErrUnavailable) {
		t.Errorf("SaveItem of an empty secret = %v, want a plain refusal", err)
	}
	if err := keychain.SaveItem(ctx, "", canary); err == nil {
		t.Error("SaveItem without a name succeeded")
	}
	if err := keychain.DeleteItem(ctx, item); err != nil {
		t.Fatal(err)
	}
	if _, err := keychain.GetItem(ctx, item); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("GetItem after DeleteItem = %v, want ErrNotFound", err)
	}

	// Whatever a backend says, the password never reaches the error text.
	keychain.MockInitWithError(errors.New("backend refused secret " + canary + " for user"))
	err := keychain.Save(ctx, imapServer, canary)
	if !errors.Is(err, keychain.ErrUnavailable) {
		t.Fatalf("Save with a failing backend = %v, want ErrUnavailable", err)
	}
	if strings.Contains(err.Error(), canary) || !strings.Contains(err.Error(), "[password]") {
		t.Errorf("the error text does not redact the password: %q", err)
	}
	keychain.MockInitWithError(keyring.ErrSetDataTooBig)
	if err := keychain.Save(ctx, imapServer, canary); !errors.Is(err, keychain.ErrTooBig) {
		t.Errorf("Save with a too-big password = %v, want ErrTooBig", err)
	}
}

// runChild runs this test binary again with only the test named, and the
// extra environment; it fails t if the child fails and returns its output.
func runChild(t *testing.T, test string, env ...string) string {
	return runChildWrapped(t, nil, test, env...)
}

func runChildWrapped(t *testing.T, wrapper []string, test string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append(append([]string(nil), wrapper...), os.Args[0], "-test.run=^"+test+"$", "-test.v", "-test.count=1")
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(append(os.Environ(), "MAILWIZ_KEYCHAIN_CHILD=1"), env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("child %s ran %v:\n%s", test, time.Since(start).Round(time.Millisecond), out)
	if ctx.Err() != nil {
		t.Fatalf("child %s did not finish within a minute: a keychain call hangs", test)
	}
	if err != nil {
		t.Fatalf("child %s failed: %v", test, err)
	}
	if !strings.Contains(string(out), "--- PASS: "+test) {
		t.Fatalf("child %s did not run its test", test)
	}
	return string(out)
}

// TestServerOf reads item names back into servers: the username may hold
// '@'; anything that is not an item name of ours is refused.
func TestServerOf(t *testing.T) {
	tests := []struct {
		user           string
		ok             bool
		proto          account.Protocol
		username, host string
	}{
		{"imap://alice@example.com@imap.example.com", true, account.IMAP, "alice@example.com", "imap.example.com"},
		{"smtp://bob@smtp.example.org", true, account.SMTP, "bob", "smtp.example.org"},
		{"pop3://a@b@c@pop.example.net", true, account.POP3, "a@b@c", "pop.example.net"},
		{"imap://alice@IMAP.example.com", false, "", "", ""}, // User lower-cases the host
		{"http://alice@example.com", false, "", "", ""},
		{"imap://@imap.example.com", false, "", "", ""},
		{"imap://alice@", false, "", "", ""},
		{"imap:alice@imap.example.com", false, "", "", ""},
		{"imap://%EMAILADDRESS%@imap.example.com", false, "", "", ""},
	}
	for _, tt := range tests {
		s, ok := keychain.ServerOf(tt.user)
		if ok != tt.ok || (ok && (s.Protocol != tt.proto || s.Username != tt.username || s.Host != tt.host || s.Auth != account.AuthPassword)) {
			t.Errorf("ServerOf(%q) = %+v, %v", tt.user, s, ok)
		}
	}
}
