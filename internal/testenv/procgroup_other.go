//go:build !unix

package testenv

import "os/exec"

// ownProcessGroup does nothing here: the servers that need it run only on
// Unix.
func ownProcessGroup(*exec.Cmd) {}

// OwnGroup does nothing here (see the Unix version).
func OwnGroup(*exec.Cmd) {}

// KillGroup kills cmd's process alone here.
func KillGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		cmd.Process.Kill() //nolint:errcheck
	}
}
