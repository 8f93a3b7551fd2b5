package keychain_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/internal/testenv"
)

// TestKeychainNoSessionBus: `mailwiz save` over ssh or in a bare container,
// with no D-Bus session at all. godbus would autolaunch a bus with
// dbus-launch, wait out the timeout for a Secret Service nobody started and
// leave the dbus-daemon running after mailwiz exits. The call must instead
// fail at once saying there is no session bus, and start nothing.
func TestKeychainNoSessionBus(t *testing.T) {
	// dbus-launch is what would start the stray daemon: without it this
	// test could not catch one.
	testenv.RequireCommand(t, "dbus-launch", "dbus-x11")
	if fi, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid())); err == nil && fi.Mode()&os.ModeSocket != 0 {
		t.Skip("this user has a systemd user bus, which godbus finds by itself: a process here cannot be without a session bus")
	}
	// A mark in the child's environment, inherited by anything it starts:
	// a dbus-daemon carrying it can only be the child's.
	var b [8]byte
	rand.Read(b[:])
	mark := "MAILWIZ_NOBUS_MARK=" + hex.EncodeToString(b[:])

	var env []string
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "DISPLAY", "WAYLAND_DISPLAY",
			"GNOME_KEYRING_CONTROL", testenv.KeyringSessionEnv:
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "XDG_RUNTIME_DIR="+t.TempDir(), mark, "MAILWIZ_CHILD_GET=1")
	out := runChildEnv(t, "TestChildUnavailable", env)
	if !strings.Contains(out, "no D-Bus session bus") || strings.Contains(out, "no answer within") {
		t.Errorf("the child did not fail at once for want of a session bus:\n%s", out)
	}
	if strings.Contains(out, canary) {
		t.Errorf("the child's output holds the password:\n%s", out)
	}
	// dbus-launch forks the daemon and returns before it is gone or not:
	// the child has exited, so whatever it started is running now.
	if pids := markedProcesses(t, mark); len(pids) > 0 {
		t.Errorf("the child left processes running (%s): a session bus was autolaunched", strings.Join(pids, ", "))
	}
}

// markedProcesses lists "pid name" of the running processes whose
// environment holds mark, and kills them: a failed run leaves nothing
// behind either.
func markedProcesses(t *testing.T, mark string) []string {
	t.Helper()
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, d := range dirs {
		environ, err := os.ReadFile(filepath.Join(d, "environ"))
		if err != nil || !bytes.Contains(append(environ, 0), []byte(mark+"\x00")) {
			continue // gone, or not ours to read: not the child's either
		}
		comm, _ := os.ReadFile(filepath.Join(d, "comm"))
		pid := filepath.Base(d)
		found = append(found, pid+" "+strings.TrimSpace(string(comm)))
		if n, err := strconv.Atoi(pid); err == nil {
			if p, err := os.FindProcess(n); err == nil {
				p.Kill()
			}
		}
	}
	return found
}

// runChildEnv runs the test binary's test in a child with exactly env (and
// the mark that makes TestChildUnavailable run), and returns its output.
func runChildEnv(t *testing.T, test string, env []string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+test+"$", "-test.v", "-test.count=1")
	cmd.Env = append(env, "MAILWIZ_KEYCHAIN_CHILD=1")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("child %s ran %v:\n%s", test, time.Since(start).Round(time.Millisecond), out)
	if ctx.Err() != nil {
		t.Fatalf("child %s did not finish within a minute: a keychain call hangs", test)
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: "+test) {
		t.Fatalf("child %s failed: %v", test, err)
	}
	return string(out)
}
