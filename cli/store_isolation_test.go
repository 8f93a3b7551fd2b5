package cli

import (
	"fmt"
	"os"
	"testing"
)

// TestMain points the settings store of every test in the package at an
// empty directory: test, save and export read the account saved for an
// address, so an account saved on the machine running the tests (a person
// trying mailwiz, another package's test) would change what they test.
// Tests that need saved settings set XDG_CONFIG_HOME or openStore themselves.
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
