package keychain

import (
	"fmt"
	"os"
	"path/filepath"
)

// noSessionBus says why no keychain can answer at all, or "" when one
// might. On Linux the keychain is a Secret Service on the D-Bus session
// bus, and godbus, asked for a session bus it cannot find, autolaunches one
// with dbus-launch: the call then waits out the timeout for a Secret
// Service nobody started, and leaves a dbus-daemon running after mailwiz
// exits (`mailwiz save` over ssh, in a container). So without a bus godbus
// would find by itself, the keychain is reported unavailable at once and
// godbus is never asked.
func noSessionBus() string {
	if mocked.Load() {
		return "" // the in-memory mock needs no bus
	}
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return ""
	}
	// The systemd user bus, where godbus looks (/run/user/<uid>) and where
	// the session says its runtime directory is; and the file of an older
	// session's address, which godbus also reads.
	dirs := []string{fmt.Sprintf("/run/user/%d", os.Getuid())}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		if fi, err := os.Stat(filepath.Join(d, "bus")); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return ""
		}
		if _, err := os.Stat(filepath.Join(d, "dbus-session")); err == nil {
			return ""
		}
	}
	return "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set and there is no $XDG_RUNTIME_DIR/bus"
}
