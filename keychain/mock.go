package keychain

import (
	"sync/atomic"

	"github.com/zalando/go-keyring"
)

// mocked is set once a test has replaced the OS keychain with go-keyring's
// in-memory mock, which needs no D-Bus session bus (see noSessionBus).
var mocked atomic.Bool

// MockInit replaces the OS keychain with an in-memory one for the rest of
// the process (go-keyring offers no way back). It is for tests: the stand-in
// for the macOS and Windows backends, which cannot run here.
func MockInit() {
	mocked.Store(true)
	keyring.MockInit()
}

// MockInitWithError is MockInit with a keychain whose every call fails with
// err, for tests of the error paths.
func MockInitWithError(err error) {
	mocked.Store(true)
	keyring.MockInitWithError(err)
}
