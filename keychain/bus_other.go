//go:build !linux

package keychain

// noSessionBus is Linux's check for a D-Bus session bus; elsewhere the
// keychain needs none, so it never stands in the way.
func noSessionBus() string { return "" }
