//go:build unix

package testenv

import (
	"syscall"
	"testing"
)

// ClosedPort returns a loopback TCP port where a connection is refused at
// once, and stays refused until the test ends.
//
// A port that was merely free a moment ago ([FreePort]) is not enough: on a
// busy machine (CI runs the packages' tests at once) another test's server
// can bind it, and "refused" turns into that server's greeting. So the port
// stays bound by a socket that never listens: the kernel answers a
// connection with a reset, and nobody else can bind it (the socket lacks
// SO_REUSEADDR, which Linux requires of both sockets to share a port).
func ClosedPort(t testing.TB) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("testenv: closed port: socket: %v", err)
	}
	syscall.CloseOnExec(fd)
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("testenv: closed port: bind: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatalf("testenv: closed port: getsockname: %v", err)
	}
	in4, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		t.Fatalf("testenv: closed port: bound to %T, want an IPv4 address", sa)
	}
	return in4.Port
}
