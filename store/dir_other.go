//go:build !unix

package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// securePrivateDir checks that dir, if it exists, is a directory. On
// Windows the per-user profile (%AppData%) is private by its ACL, which
// the directory inherits.
func securePrivateDir(dir string) error {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if !fi.IsDir() {
		return &DirError{Path: dir, Problem: "it is not a directory", Fix: "move it away and run mailwiz again"}
	}
	return nil
}
