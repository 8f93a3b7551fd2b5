package testenv

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// daemon is a mail server's master process, run in the foreground as our
// child: no daemon to hunt down, and an exit at start-up (a port taken)
// is noticed at once through exited.
type daemon struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// startDaemon starts cmd with its output in the file out ("" for none),
// and fails the test when it cannot start.
func startDaemon(t testing.TB, name string, cmd *exec.Cmd, out string) *daemon {
	var f *os.File
	if out != "" {
		var err error
		if f, err = os.Create(out); err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = f, f
	}
	if err := cmd.Start(); err != nil {
		f.Close() //nolint:errcheck // nil-safe; the start failed
		t.Fatalf("testenv: %s did not start: %v", name, err)
	}
	d := &daemon{cmd: cmd, exited: make(chan struct{})}
	go func() {
		cmd.Wait() //nolint:errcheck // its end is all that matters
		if f != nil {
			f.Close() //nolint:errcheck
		}
		close(d.exited)
	}()
	return d
}

// terminate ends the process with SIGTERM, waiting up to 10 s before it
// kills it; it reports whether it had to.
func (d *daemon) terminate() (killed bool) {
	d.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck
	select {
	case <-d.exited:
		return false
	case <-time.After(10 * time.Second):
		d.cmd.Process.Kill() //nolint:errcheck
		<-d.exited
		return true
	}
}
