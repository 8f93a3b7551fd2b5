//go:build !unix

package store

// securePrivateDir checks that dir, if it exists, is a directory. On
// Windows the per-user profile (%AppData%) is private by its ACL, which
// the directory inherits.
func securePrivateDir(dir string) error {
	_, err := existingDir(dir)
	return err
}
