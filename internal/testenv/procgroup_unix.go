//go:build unix

package testenv

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup starts cmd in a process group of its own, so that a
// server signalling its whole group when it shuts down (Cyrus's master
// does) reaches only its own processes.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// OwnGroup starts cmd in a process group of its own; KillGroup then ends
// it with every process it started (Thunderbird's helpers).
func OwnGroup(cmd *exec.Cmd) { ownProcessGroup(cmd) }

// KillGroup kills the process group OwnGroup gave cmd.
func KillGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) //nolint:errcheck
	}
}
