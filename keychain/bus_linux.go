package keychain

import (
	"fmt"
	"os"
	"path/filepath"
	_ "unsafe" // for go:linkname

	"github.com/zalando/go-keyring"
)

// provider is go-keyring's backend. Only its Secret Service backend talks
// to D-Bus; the bus check must not stand in the way of the in-memory mock
// (keyring.MockInit) that tests here and in other packages use. go-keyring
// does not say which backend is in use, hence the linkname: a rename there
// fails the link, and a renamed type makes TestKeychainNoSessionBus fail.
//
//go:linkname provider github.com/zalando/go-keyring.provider
var provider keyring.Keyring

// noSessionBus says why no keychain can answer at all, or "" when one
// might. On Linux the keychain is a Secret Service on the D-Bus session
// bus, and godbus, asked for a session bus it cannot find, autolaunches one
// with dbus-launch: the call then waits out the timeout for a Secret
// Service nobody started, and leaves a dbus-daemon running after mailwiz
// exits (`mailwiz save` over ssh, in a container). So without a bus godbus
// would find by itself, the keychain is reported unavailable at once and
// godbus is never asked.
func noSessionBus() string {
	if fmt.Sprintf("%T", provider) != "keyring.secretServiceProvider" {
		return ""
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
