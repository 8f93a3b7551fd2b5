package testenv

import (
	"fmt"
	"testing"
)

// TestRequireKeyringConcurrent: RequireKeyring called at the same moment
// from several places (in CI, from the test binaries of several packages)
// must not trip over another's probe item.
func TestRequireKeyringConcurrent(t *testing.T) {
	RequireKeyring(t)
	for i := range 3 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			for range 3 {
				RequireKeyring(t)
			}
		})
	}
}
