//go:build !unix

package testenv

import "testing"

// ClosedPort returns a loopback TCP port where a connection is refused.
// Outside Unix it is only a port that was free a moment ago ([FreePort]):
// the tests that rely on a port staying closed run on Linux.
func ClosedPort(t testing.TB) int {
	t.Helper()
	return FreePort(t)
}
