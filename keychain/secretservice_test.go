//go:build linux

package keychain_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/keychain"
)

// The tests against a real Secret Service: Linux's backend. They live apart
// so the macOS and Windows builds of the tests need none of testenv.

// TestKeychainSecretService runs the whole life of an item against a real
// gnome-keyring, checked with secret-tool as an independent client.
func TestKeychainSecretService(t *testing.T) {
	testenv.RequireKeyring(t)
	ctx := context.Background()
	user, _ := keychain.User(imapServer)
	attrs := []string{"service", keychain.Service, "username", user}

	if _, err := keychain.Get(ctx, imapServer); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("Get before Save = %v, want ErrNotFound", err)
	}
	if err := keychain.Save(ctx, imapServer, canary); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if got, ok := testenv.KeyringLookup(t, attrs...); !ok || got != canary {
		t.Fatalf("secret-tool lookup after Save = %q, %v; want the password", got, ok)
	}
	if got, err := keychain.Get(ctx, imapServer); err != nil || got != canary {
		t.Fatalf("Get = %q, %v; want the password", got, err)
	}

	// Update: the item is replaced, not duplicated.
	const updated = "второй пароль with spaces"
	if err := keychain.Save(ctx, imapServer, updated); err != nil {
		t.Fatalf("Save (update): %v", err)
	}
	items := testenv.KeyringItems(t, attrs...)
	if len(items) != 1 || items[0].Secret != updated {
		t.Fatalf("after the update secret-tool finds %+v, want one item holding the new password", items)
	}
	if got, err := keychain.Get(ctx, imapServer); err != nil || got != updated {
		t.Fatalf("Get after update = %q, %v", got, err)
	}

	if err := keychain.Delete(ctx, imapServer); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, ok := testenv.KeyringLookup(t, attrs...); ok {
		t.Fatal("secret-tool still finds the item after Delete")
	}
	if err := keychain.Delete(ctx, imapServer); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("second Delete = %v, want ErrNotFound", err)
	}
}

func TestKeychainSaveAllDeleteAll(t *testing.T) {
	testenv.RequireKeyring(t)
	ctx := context.Background()
	cfg := account.Config{Incoming: []account.Server{imapServer}, Outgoing: []account.Server{smtpServer}}
	if err := keychain.SaveAll(ctx, cfg, canary); err != nil {
		t.Fatalf("SaveAll: %v", err)
	}
	// Other packages' tests may share this keyring: look at our items only.
	for _, srv := range []account.Server{imapServer, smtpServer} {
		user, _ := keychain.User(srv)
		items := testenv.KeyringItems(t, "service", keychain.Service, "username", user)
		if len(items) != 1 || items[0].Secret != canary {
			t.Errorf("secret-tool finds %+v for %s, want one item holding the password", items, user)
		}
	}
	removed, err := keychain.DeleteAll(ctx, cfg)
	if err != nil || removed != 2 {
		t.Fatalf("DeleteAll = %d, %v; want 2, nil", removed, err)
	}
	for _, srv := range []account.Server{imapServer, smtpServer} {
		user, _ := keychain.User(srv)
		if _, ok := testenv.KeyringLookup(t, "service", keychain.Service, "username", user); ok {
			t.Errorf("secret-tool still finds %s after DeleteAll", user)
		}
	}
	if removed, err := keychain.DeleteAll(ctx, cfg); err != nil || removed != 0 {
		t.Fatalf("DeleteAll of nothing = %d, %v; want 0, nil", removed, err)
	}
}

// TestKeychainNoSecretService: with the session bus pointing at a socket
// nobody listens on, every call fails at once with ErrUnavailable and a
// message saying what to install. It runs in a child process because the
// D-Bus connection is made once per process.
func TestKeychainNoSecretService(t *testing.T) {
	dead := "unix:path=" + filepath.Join(t.TempDir(), "no-bus-here")
	out := runChild(t, "TestChildUnavailable", "DBUS_SESSION_BUS_ADDRESS="+dead)
	if strings.Contains(out, canary) {
		t.Errorf("the child's output holds the password:\n%s", out)
	}
}

// TestKeychainNoKeyringOnBus: a D-Bus session with no Secret Service to
// start (a headless server without gnome-keyring or KeePassXC) fails at once
// with ErrUnavailable and what to install.
func TestKeychainNoKeyringOnBus(t *testing.T) {
	testenv.RequireCommand(t, "dbus-run-session", "dbus")
	conf := filepath.Join(t.TempDir(), "session.conf")
	// A session bus like the system's own, but with no service directory:
	// nothing can be started by name.
	const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`
	if err := os.WriteFile(conf, []byte(busConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	out := runChildWrapped(t, []string{"dbus-run-session", "--config-file=" + conf, "--"},
		"TestChildUnavailable", "GNOME_KEYRING_CONTROL=", testenv.KeyringSessionEnv+"=")
	if !strings.Contains(out, "org.freedesktop.secrets") {
		t.Errorf("the error does not name the missing service:\n%s", out)
	}
}

// TestKeychainSilentBus: a session bus that accepts the connection and then
// never says a word (a hung daemon) must not hang the caller: with no
// deadline of its own, the call gives up after DefaultTimeout.
func TestKeychainSilentBus(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "silent-bus")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		var held []net.Conn // held open, unanswered, until the test ends
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	out := runChild(t, "TestChildUnavailable", "DBUS_SESSION_BUS_ADDRESS=unix:path="+sock, "MAILWIZ_CHILD_GET=0")
	if !strings.Contains(out, "no answer within 5s") {
		t.Errorf("the child did not time out after DefaultTimeout:\n%s", out)
	}
}

// TestKeychainLockedKeyring: a gnome-keyring that was never unlocked, on a
// machine with no display for its prompt, makes every call fail with
// ErrUnavailable within the deadline and never hang: whether the prompt is
// dismissed at once (a daemon started by hand) or never answered (a daemon
// that D-Bus activation started). Each runs on its own private session bus.
func TestKeychainLockedKeyring(t *testing.T) {
	testenv.RequireCommand(t, "dbus-run-session", "dbus")
	testenv.RequireCommand(t, "gnome-keyring-daemon", "gnome-keyring")
	for _, tc := range []struct{ name, script string }{
		{"prompt dismissed", `gnome-keyring-daemon --start --components=secrets >/dev/null && exec "$@"`},
		{"prompt unanswered", `exec "$@"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			runtimeDir := filepath.Join(dir, "run")
			if err := os.Mkdir(runtimeDir, 0o700); err != nil {
				t.Fatal(err)
			}
			// A fresh keyring directory: no login collection, so
			// gnome-keyring must prompt to create and unlock one.
			out := runChildWrapped(t, []string{"dbus-run-session", "--", "sh", "-c", tc.script, "sh"},
				"TestChildUnavailable", "XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_RUNTIME_DIR="+runtimeDir,
				"DISPLAY=", "WAYLAND_DISPLAY=", "GNOME_KEYRING_CONTROL=", testenv.KeyringSessionEnv+"=",
				"MAILWIZ_CHILD_TIMEOUT=2s")
			if strings.Contains(out, canary) {
				t.Errorf("the child's output holds the password:\n%s", out)
			}
		})
	}
}

// TestChildUnavailable is the child of the tests above; it does nothing
// unless they started it.
func TestChildUnavailable(t *testing.T) {
	if os.Getenv("MAILWIZ_KEYCHAIN_CHILD") == "" {
		t.Skip("runs only as a child of TestKeychainNoSecretService and TestKeychainLockedKeyring")
	}
	ctx := context.Background()
	if d, err := time.ParseDuration(os.Getenv("MAILWIZ_CHILD_TIMEOUT")); err == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	start := time.Now()
	err := keychain.Save(ctx, imapServer, canary)
	t.Logf("Save answered in %v: %v", time.Since(start).Round(time.Millisecond), err)
	if !errors.Is(err, keychain.ErrUnavailable) {
		t.Fatalf("Save = %v, want ErrUnavailable", err)
	}
	msg := err.Error()
	if strings.Contains(msg, canary) {
		t.Fatal("the error text holds the password")
	}
	if !strings.Contains(msg, "install and unlock gnome-keyring or KeePassXC's Secret Service") ||
		!strings.Contains(msg, "D-Bus session") {
		t.Errorf("the error %q does not say what to do", msg)
	}
	if os.Getenv("MAILWIZ_CHILD_GET") == "0" {
		return
	}
	if _, err := keychain.Get(ctx, imapServer); !errors.Is(err, keychain.ErrUnavailable) {
		t.Errorf("Get = %v, want ErrUnavailable", err)
	}
}

// BenchmarkKeychainSecretService measures one save, read back and delete
// against the real gnome-keyring: the cost the wizard's Save step pays per
// server. Each op also prints the split.
func BenchmarkKeychainSecretService(b *testing.B) {
	testenv.RequireKeyring(b)
	ctx := context.Background()
	var save, get, del time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := keychain.Save(ctx, imapServer, canary); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := keychain.Get(ctx, imapServer); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if err := keychain.Delete(ctx, imapServer); err != nil {
			b.Fatal(err)
		}
		save, get, del = save+t1.Sub(t0), get+t2.Sub(t1), del+time.Since(t2)
	}
	n := time.Duration(b.N)
	b.ReportMetric(float64((save / n).Microseconds()), "save-µs/op")
	b.ReportMetric(float64((get / n).Microseconds()), "get-µs/op")
	b.ReportMetric(float64((del / n).Microseconds()), "delete-µs/op")
}
