package testenv

import (
	"errors"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// A closed port refuses connections, and no listener can take it while the
// test runs.
func TestClosedPort(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("ClosedPort only reserves the port on Unix")
	}
	port := ClosedPort(t)
	for range 3 {
		c, err := net.DialTimeout("tcp", Addr(port), 5*time.Second)
		if err == nil {
			c.Close()
			t.Fatalf("a connection to the closed port %d was accepted", port)
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("dial %d: %v; want connection refused", port, err)
		}
	}
	// net.Listen sets SO_REUSEADDR, as every Go server does.
	if l, err := net.Listen("tcp", Addr(port)); err == nil {
		l.Close()
		t.Fatalf("a listener could bind the closed port %d", port)
	}
}
