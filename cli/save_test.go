package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/cli"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/keychain"
)

// saveCanary is a password that must show up in the keychain and nowhere else.
const saveCanary = "cAnArY-7c1e5 пароль with spaces"

// runWithStdin drives the CLI in-process with stdin as the piped input.
func runWithStdin(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code = cli.Run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

// oneLine checks the CLI contract for a failure: one line on stderr, saying
// mailwiz, and never the password.
func oneLine(t *testing.T, stderr string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "mailwiz: ") {
		t.Errorf("stderr is not one 'mailwiz: ' line: %q", stderr)
	}
	if strings.Contains(stderr, saveCanary) {
		t.Errorf("stderr holds the password: %q", stderr)
	}
}

func TestSaveUsage(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	tests := []struct {
		name, stdin string
		args        []string
		code        int
		want        string
	}{
		{"no address", saveCanary, []string{"save", "--password-stdin"}, cli.ExitUsage, "one email address"},
		{"two addresses", saveCanary, []string{"save", "--password-stdin", "a@gmail.com", "b@gmail.com"}, cli.ExitUsage, "one email address"},
		{"no --password-stdin", saveCanary, []string{"save", "a@gmail.com"}, cli.ExitUsage, "needs --password-stdin"},
		{"empty stdin", "", []string{"save", "--password-stdin", "a@gmail.com"}, cli.ExitUsage, "standard input is empty; pipe the password in, e.g. printf %s \"$PASSWORD\" | mailwiz save --password-stdin"},
		{"just a newline", "\n", []string{"save", "--password-stdin", "a@gmail.com"}, cli.ExitUsage, "standard input is empty"},
		{"two lines", saveCanary + "\nsecond\n", []string{"save", "--password-stdin", "a@gmail.com"}, cli.ExitUsage, "more than one line"},
		{"a file piped in", strings.Repeat("x", 5000), []string{"save", "--password-stdin", "a@gmail.com"}, cli.ExitUsage, "more than 2048 bytes"},
		{"bad address", saveCanary, []string{"save", "--password-stdin", "a@@gmail.com"}, cli.ExitUsage, "more than one @ sign"},
		{"bad URL", saveCanary, []string{"save", "--password-stdin", "--incoming", "ftp://x.example", "a@gmail.com"}, cli.ExitUsage, "--incoming"},
		{"SMTP as incoming", saveCanary, []string{"save", "--password-stdin", "--incoming", "smtp://x.example", "a@gmail.com"}, cli.ExitUsage, "use imap:// or pop3://"},
		{"IMAP as outgoing", saveCanary, []string{"save", "--password-stdin", "--outgoing", "imap://x.example", "a@gmail.com"}, cli.ExitUsage, "use smtp://"},
		{"password in the URL", saveCanary, []string{"save", "--password-stdin", "--incoming", "imap://a:" + "hunter2@x.example", "a@gmail.com"}, cli.ExitUsage, "holds a password"},
		{"negative days", saveCanary, []string{"save", "--password-stdin", "--days-on-server", "-1", "a@gmail.com"}, cli.ExitUsage, "--days-on-server"},
		{"zero timeout", saveCanary, []string{"save", "--password-stdin", "--timeout", "0s", "a@gmail.com"}, cli.ExitUsage, "--timeout"},
		{"forget zero timeout", "", []string{"forget", "--timeout", "-1s", "a@gmail.com"}, cli.ExitUsage, "--timeout"},
		{"unknown domain offline", saveCanary, []string{"save", "--password-stdin", "--offline", "a@unknown.example"}, cli.ExitFailed, "not in the built-in database"},
		{"forget without address", "", []string{"forget"}, cli.ExitUsage, "one email address"},
		{"forget bad address", "", []string{"forget", "no-at-sign"}, cli.ExitUsage, "no @ sign"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runWithStdin(t, tc.stdin, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.want)
			}
			oneLine(t, stderr)
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
		})
	}
}

func TestSaveHelp(t *testing.T) {
	for _, cmd := range []string{"save", "forget"} {
		code, stdout, _ := runWithStdin(t, "", "help", cmd)
		if code != cli.ExitOK || !strings.Contains(stdout, "usage: mailwiz "+cmd) {
			t.Errorf("help %s: exit %d, %q", cmd, code, stdout)
		}
	}
}

// TestSaveForgetKeychain runs `mailwiz save` and `mailwiz forget` end to end
// against a real gnome-keyring, checked with secret-tool, and looks for the
// password everywhere it must not be.
func TestSaveForgetKeychain(t *testing.T) {
	testenv.RequireKeyring(t)
	configDir, tmpDir := t.TempDir(), t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", configDir)
	t.Setenv("TMPDIR", tmpDir)
	var outputs []string

	lookup := func(user string) (string, bool) {
		return testenv.KeyringLookup(t, "service", keychain.Service, "username", user)
	}
	const (
		imapItem = "imap://cli-save-test@gmail.com@imap.gmail.com"
		smtpItem = "smtp://cli-save-test@gmail.com@smtp.gmail.com"
	)

	// Save from the built-in database; a shell's echo adds a newline.
	code, stdout, stderr := runWithStdin(t, saveCanary+"\n", "save", "--password-stdin", "--name", "Alice", "cli-save-test@gmail.com")
	outputs = append(outputs, stdout, stderr)
	if code != cli.ExitOK {
		t.Fatalf("save: exit %d, stderr %q", code, stderr)
	}
	for _, item := range []string{imapItem, smtpItem} {
		if got, ok := lookup(item); !ok || got != saveCanary {
			t.Errorf("secret-tool lookup %s = %q, %v; want the password", item, got, ok)
		}
		if !strings.Contains(stdout, item) {
			t.Errorf("save's output does not name the item %s:\n%s", item, stdout)
		}
	}
	settings := filepath.Join(configDir, "mailwiz", "accounts", "cli-save-test@gmail.com.json")
	data, err := os.ReadFile(settings)
	if err != nil {
		t.Fatalf("the settings file: %v", err)
	}
	var saved map[string]any
	if err := json.Unmarshal(data, &saved); err != nil || saved["name"] != "Alice" || saved["email"] != "cli-save-test@gmail.com" {
		t.Errorf("settings = %s (%v)", data, err)
	}
	if fi, err := os.Stat(settings); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("settings mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}

	// Update, with manual servers and --json: the IMAP item is kept with the
	// new password, the SMTP item of the old host goes, the new one comes.
	const updated = "second-password"
	code, stdout, stderr = runWithStdin(t, updated, "save", "--json", "--password-stdin",
		"--outgoing", "smtp://smtp-relay.gmail.com:587?security=starttls", "cli-save-test@gmail.com")
	outputs = append(outputs, stdout, stderr)
	if code != cli.ExitOK {
		t.Fatalf("save (update): exit %d, stderr %q", code, stderr)
	}
	var res struct {
		Email         string   `json:"email"`
		KeychainItems []string `json:"keychain_items"`
		Settings      string   `json:"settings"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || res.Settings != settings || len(res.KeychainItems) != 2 {
		t.Fatalf("save --json = %q (%v)", stdout, err)
	}
	relayItem := "smtp://cli-save-test@gmail.com@smtp-relay.gmail.com"
	if got, _ := lookup(imapItem); got != updated {
		t.Errorf("after the update the IMAP item holds %q", got)
	}
	if got, _ := lookup(relayItem); got != updated {
		t.Errorf("the new SMTP item holds %q", got)
	}
	if _, ok := lookup(smtpItem); ok {
		t.Error("the old SMTP host's item stayed after the account moved to another host")
	}
	for _, item := range []string{imapItem, relayItem} {
		if items := testenv.KeyringItems(t, "service", keychain.Service, "username", item); len(items) != 1 {
			t.Errorf("secret-tool finds %d items for %s, want 1 (an update replaces): %+v", len(items), item, items)
		}
	}

	// Nowhere but the keychain: outputs, the config directory, the temp dir.
	for _, o := range outputs {
		if strings.Contains(o, saveCanary) || strings.Contains(o, updated) {
			t.Errorf("an output holds the password: %q", o)
		}
	}
	for _, dir := range []string{configDir, tmpDir} {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, _ := os.ReadFile(path)
			if bytes.Contains(b, []byte(saveCanary)) || bytes.Contains(b, []byte(updated)) {
				t.Errorf("%s holds the password", path)
			}
			return nil
		})
	}

	// Forget: items and settings go; a second forget finds nothing.
	code, stdout, stderr = runWithStdin(t, "", "forget", "cli-save-test@gmail.com")
	if code != cli.ExitOK || !strings.Contains(stdout, "removed 2 keychain item(s) and the settings") {
		t.Fatalf("forget: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	for _, item := range []string{imapItem, relayItem} {
		if _, ok := lookup(item); ok {
			t.Errorf("secret-tool still finds %s after forget", item)
		}
	}
	if _, err := os.Stat(settings); !os.IsNotExist(err) {
		t.Errorf("the settings file is still there: %v", err)
	}
	code, _, stderr = runWithStdin(t, "", "forget", "cli-save-test@gmail.com")
	if code != cli.ExitFailed || !strings.Contains(stderr, "Nothing is saved for cli-save-test@gmail.com") {
		t.Errorf("second forget: exit %d, stderr %q", code, stderr)
	}
	oneLine(t, stderr)
}

// TestForgetKeychainWithoutSettings: a password in the keychain with no
// settings file (saved by an older mailwiz, or the file deleted) is found
// through the provider's servers and removed.
func TestForgetKeychainWithoutSettings(t *testing.T) {
	testenv.RequireKeyring(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	code, _, stderr := runWithStdin(t, saveCanary, "save", "--password-stdin", "cli-forget-test@gmail.com")
	if code != cli.ExitOK {
		t.Fatalf("save: exit %d, %q", code, stderr)
	}
	if err := os.RemoveAll(filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "mailwiz")); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runWithStdin(t, "", "forget", "--json", "cli-forget-test@gmail.com")
	var res struct {
		Removed  int  `json:"keychain_items_removed"`
		Settings bool `json:"settings_removed"`
	}
	if code != cli.ExitOK || json.Unmarshal([]byte(stdout), &res) != nil || res.Removed != 2 || res.Settings {
		t.Fatalf("forget: exit %d, stdout %q, stderr %q; want 2 items removed and no settings", code, stdout, stderr)
	}
	if items := testenv.KeyringItems(t, "service", keychain.Service, "username", "imap://cli-forget-test@gmail.com@imap.gmail.com"); len(items) != 0 {
		t.Errorf("secret-tool still finds %+v", items)
	}
}

// TestSaveNoKeychain: with no Secret Service on the session bus, `mailwiz
// save` fails within seconds with exit 1 and one line saying what to
// install, writes no settings and never prints the password. A child
// process, because the D-Bus connection is made once per process.
func TestSaveNoKeychain(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the D-Bus Secret Service backend is Linux's")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestSaveNoKeychainChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "MAILWIZ_SAVE_CHILD=1",
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(dir, "no-bus-here"),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("child ran %v:\n%s", time.Since(start).Round(time.Millisecond), out)
	if ctx.Err() != nil {
		t.Fatal("mailwiz save hung with no Secret Service")
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: TestSaveNoKeychainChild") {
		t.Fatalf("child failed: %v", err)
	}
	if bytes.Contains(out, []byte(saveCanary)) {
		t.Error("the child's output holds the password")
	}
	if _, err := os.Stat(filepath.Join(dir, "config", "mailwiz")); !os.IsNotExist(err) {
		t.Errorf("settings were written although the keychain failed: %v", err)
	}
}

func TestSaveNoKeychainChild(t *testing.T) {
	if os.Getenv("MAILWIZ_SAVE_CHILD") == "" {
		t.Skip("runs only as a child of TestSaveNoKeychain")
	}
	start := time.Now()
	code, stdout, stderr := runWithStdin(t, saveCanary, "save", "--password-stdin", "cli-save-test@gmail.com")
	t.Logf("save answered in %v: exit %d: %s", time.Since(start).Round(time.Millisecond), code, stderr)
	if code != cli.ExitFailed || stdout != "" {
		t.Errorf("exit %d, stdout %q; want exit 1 and nothing on stdout", code, stdout)
	}
	oneLine(t, stderr)
	if !strings.Contains(stderr, "install and unlock gnome-keyring or KeePassXC's Secret Service") {
		t.Errorf("stderr does not say what to install: %q", stderr)
	}
	code, _, stderr = runWithStdin(t, "", "forget", "cli-save-test@gmail.com")
	if code != cli.ExitFailed || !strings.Contains(stderr, "not available") {
		t.Errorf("forget: exit %d, stderr %q; want exit 1, keychain not available", code, stderr)
	}
}
