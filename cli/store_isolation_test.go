package cli

import (
	"fmt"
	"os"
	"testing"
)

// TestMain points the default settings store at an empty directory: test,
// save and export read the account saved for an address, so an account
// saved on the machine running the tests (a person trying mailwiz,
// another package's test) would change what they test. In-process tests
// give each command a store of their own (newEnv, withStore); this guards
// the external tests and child processes, which use the default store.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mailwiz-cli-config-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "cli tests: no temporary directory for the settings store:", err)
		os.Exit(1)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
