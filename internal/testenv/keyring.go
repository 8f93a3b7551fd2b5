package testenv

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// KeyringSessionEnv is set (to 1) by scripts/with-keyring inside the private
// D-Bus session it makes. Keyring tests run only there, so they can never
// write into a person's real keyring.
const KeyringSessionEnv = "MAILWIZ_IN_KEYRING_SESSION"

// secretToolTimeout bounds each secret-tool run: a Secret Service that does
// not answer must fail the test, not hang it.
const secretToolTimeout = 20 * time.Second

// keyringProbes numbers RequireKeyring's probe items within this process.
var keyringProbes atomic.Int64

// RequireKeyring makes sure the test runs against a throw-away, unlocked
// Secret Service (gnome-keyring on a private session bus, as
// scripts/with-keyring starts one) and that secret-tool, the independent
// client the tests check with, is installed. It proves the service works by
// storing and clearing a probe item. Otherwise the test is skipped, or fails
// under CI, with a message saying how to run it.
func RequireKeyring(t testing.TB) {
	t.Helper()
	if runtime.GOOS != "linux" && runtime.GOOS != "freebsd" && runtime.GOOS != "openbsd" && runtime.GOOS != "netbsd" {
		t.Skipf("the Secret Service tests run on Linux and the BSDs; %s's keychain is covered by go-keyring's mock", runtime.GOOS)
	}
	RequireCommand(t, "secret-tool", "libsecret-tools")
	skip := func(msg string) {
		t.Helper()
		if InCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if os.Getenv(KeyringSessionEnv) == "" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		skip("no throw-away Secret Service: run the keyring tests under ./scripts/with-keyring " +
			"(make test does), e.g. ./scripts/with-keyring go test ./keychain/")
	}
	// One probe item per call: the packages' test binaries run at once on
	// the one keyring, and with a shared item one's clear could take the
	// item the other stored, whose own clear then found nothing and failed
	// (two concurrent store-and-clear loops: 35 clears in 80 failed).
	probe := "mailwiz-testenv-probe-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(keyringProbes.Add(1), 10)
	if _, err := secretTool(t, "probe\n", "store", "--label="+probe, "service", probe); err != nil {
		skip("the Secret Service on this session bus does not store items: " + err.Error() +
			" (is gnome-keyring installed and unlocked? run ./scripts/with-keyring)")
	}
	if _, err := secretTool(t, "", "clear", "service", probe); err != nil {
		t.Fatalf("testenv: clearing the keyring probe item: %v", err)
	}
}

// KeyringItem is one Secret Service item as secret-tool reports it.
type KeyringItem struct {
	Path   string // the item's D-Bus object path suffix, e.g. "/1"
	Label  string
	Secret string
}

// KeyringItems lists the items whose attributes match attrs (name, value,
// name, value...), read with secret-tool, an independent Secret Service
// client. Secrets holding a newline are not supported.
func KeyringItems(t testing.TB, attrs ...string) []KeyringItem {
	t.Helper()
	out, err := secretTool(t, "", append([]string{"search", "--all"}, attrs...)...)
	if err != nil {
		t.Fatalf("testenv: secret-tool search %s: %v", strings.Join(attrs, " "), err)
	}
	var items []KeyringItem
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			items = append(items, KeyringItem{Path: line[1 : len(line)-1]})
			continue
		}
		if len(items) == 0 {
			continue
		}
		it := &items[len(items)-1]
		if v, ok := strings.CutPrefix(line, "label = "); ok {
			it.Label = v
		} else if v, ok := strings.CutPrefix(line, "secret = "); ok {
			it.Secret = v
		}
	}
	return items
}

// KeyringLookup returns the secret of the item matching attrs (name, value,
// ...) as secret-tool finds it, and whether there is one.
func KeyringLookup(t testing.TB, attrs ...string) (string, bool) {
	t.Helper()
	out, err := secretTool(t, "", append([]string{"lookup"}, attrs...)...)
	if err != nil {
		// secret-tool lookup exits 1, silently, when nothing matches.
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 && len(bytes.TrimSpace(ee.Stderr)) == 0 {
			return "", false
		}
		t.Fatalf("testenv: secret-tool lookup %s: %v", strings.Join(attrs, " "), err)
	}
	return string(out), true
}

// secretTool runs secret-tool with stdin, bounded by secretToolTimeout.
func secretTool(t testing.TB, stdin string, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), secretToolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "secret-tool", args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			ee.Stderr = stderr.Bytes()
		}
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		return out, &secretToolError{err: err, stderr: strings.TrimSpace(stderr.String())}
	}
	return out, nil
}

type secretToolError struct {
	err    error
	stderr string
}

func (e *secretToolError) Error() string {
	if e.stderr == "" {
		return e.err.Error()
	}
	return e.err.Error() + ": " + e.stderr
}

func (e *secretToolError) Unwrap() error { return e.err }
