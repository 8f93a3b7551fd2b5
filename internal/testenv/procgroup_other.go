//go:build !unix

package testenv

import "os/exec"

// ownProcessGroup does nothing here: the servers that need it run only on
// Unix.
func ownProcessGroup(*exec.Cmd) {}
