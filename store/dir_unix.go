//go:build unix

package store

import (
	"fmt"
	"os"
	"syscall"
)

// securePrivateDir checks that dir, if it exists, is a directory owned by
// this user and open to nobody else, tightening its mode when it is ours.
func securePrivateDir(dir string) error {
	fi, err := existingDir(dir)
	if fi == nil || err != nil {
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return &DirError{Path: dir, Problem: fmt.Sprintf("it belongs to another user (uid %d)", st.Uid),
			Fix: "only you may own mailwiz's settings: move it away, or have its owner remove it"}
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return &DirError{Path: dir, Problem: fmt.Sprintf("others may read or change it (mode %04o)", fi.Mode().Perm()),
				Fix: "run chmod 700 on it"}
		}
	}
	return nil
}
