// Package testenv starts the real parts mailwiz's tests talk to, on loopback
// only: a test certificate authority made at test time, Dovecot (IMAP, POP3,
// Submission), Postfix (submission in front of a Dovecot), a DNS server,
// HTTPS and HTTP servers, and the Secret Service.
// Each helper registers its own cleanup with t.Cleanup.
//
// Nothing here contacts an address outside 127.0.0.0/8 and [::1].
package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// InCI reports whether the tests run under CI (CI=true), where a missing
// real server fails the run instead of skipping.
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "0" && v != "false"
}

// RequireCommand returns the path of the program name. When it is missing the
// test fails under CI and is skipped elsewhere, with a message naming the
// Debian package to install.
func RequireCommand(t testing.TB, name, debPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := name + " is not installed: run `make deps` (Debian package " + debPackage + ")"
	if InCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
// Nothing holds it: another process can bind it before the caller does, so a
// server started on it must retry with a new port on "address in use"
// ([StartDovecot] does). For a port that must stay closed, use [ClosedPort].
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: no free loopback port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Addr joins a loopback host and port.
func Addr(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// conf builds a server's configuration file a line at a time.
type conf struct{ strings.Builder }

// line writes one formatted line.
func (c *conf) line(format string, args ...any) { fmt.Fprintf(&c.Builder, format+"\n", args...) }

// lines writes each of ls as a line of its own, as given.
func (c *conf) lines(ls []string) {
	for _, l := range ls {
		c.WriteString(l + "\n")
	}
}

// serverDir is a temporary directory a server's unprivileged processes
// can reach: t.TempDir() and its parent are 0700, so both become 0755.
func serverDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// makeServerFiles makes the subdirectories subs of a server's dir and
// copies leaf's certificate and key there as cert.pem and key.pem: a
// server running as its own user cannot read the CA's directory.
func makeServerFiles(t testing.TB, dir string, leaf *Leaf, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o750); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range [][2]string{{leaf.CertFile, "cert.pem"}, {leaf.KeyFile, "key.pem"}} {
		b, err := os.ReadFile(f[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f[1]), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// chownTree gives dir and everything in it to uid and gid.
func chownTree(t testing.TB, dir string, uid, gid int) {
	t.Helper()
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	if err != nil {
		t.Fatal(err)
	}
}
