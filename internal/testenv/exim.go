package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Exim is a real Exim taking mail submission on loopback, as shared
// hosting runs it (cPanel's SMTP is Exim): SMTP with STARTTLS and SMTP
// over TLS, AUTH PLAIN and LOGIN offered only once TLS is up, the
// account DovecotUser with DovecotPassword. What an authenticated client
// sends to DovecotUser's domain it hands over LMTP to StartExim's lmtp
// port (a Postfix's Dovecot, or Cyrus), as hosting's Exim hands mail to
// its Dovecot; anything else it discards.
type Exim struct {
	// Submission (STARTTLS) and Submissions (TLS from the first byte).
	Submission, Submissions int
	// Dir holds the configuration, the spool and the logs.
	Dir  string
	Leaf *Leaf
	bin  string
	lmtp int
}

// LogText returns Exim's main log so far, for test failure messages.
func (e *Exim) LogText() string { return readLog(e.Dir, filepath.Join("log", "mainlog")) }

// EximRoot is where scripts/exim-fetch unpacks Exim: $MAILWIZ_EXIM, else
// /var/cache/mailwiz/exim for root, else the user's cache.
// eximUser is the user Debian's Exim is built to run as.
const eximUser = "Debian-exim"

func EximRoot() string { return unpackedRoot("MAILWIZ_EXIM", "exim") }

// StartExim starts Exim with a configuration in a temporary directory and
// returns once both listeners greet; Cleanup stops it. Without Exim (run
// `make deps`, which runs scripts/exim-fetch) the test is skipped, and
// fails under CI. Exim takes a -C configuration with its privileges only
// from root, so a test run by anyone else is skipped.
func StartExim(t testing.TB, ca *CA, lmtp int) *Exim {
	t.Helper()
	bin := filepath.Join(EximRoot(), "usr", "sbin", "exim4")
	if _, err := os.Stat(bin); err != nil {
		skipOrFail(t, "exim is not unpacked in "+EximRoot()+": run `make deps` (scripts/exim-fetch)")
	}
	if os.Geteuid() != 0 {
		t.Skip("exim runs with a test's own configuration (-C) only for root")
	}
	dir := serverDir(t)
	e := &Exim{Dir: dir, Leaf: ca.Issue(t, "localhost", "127.0.0.1"), bin: bin, lmtp: lmtp}
	// Exim receives and delivers as its own user (deliveries as root are
	// refused by the binary): it owns the spool, the logs and its own
	// copies of the certificate and key.
	u, err := user.Lookup(eximUser)
	if err != nil {
		skipOrFail(t, "the "+eximUser+" user is missing: run `make deps` as root (scripts/exim-fetch creates it)")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	makeServerFiles(t, dir, e.Leaf, "spool", "log")
	chownTree(t, dir, uid, gid)
	onFreePorts(t, 2, func(ports []int) error {
		e.Submission, e.Submissions = ports[0], ports[1]
		return e.start(t, bin)
	}, func(err error) {
		t.Fatalf("testenv: exim did not start: %v\nlog:\n%s", err, e.LogText())
	})
	return e
}

func (e *Exim) start(t testing.TB, bin string) error {
	confPath := filepath.Join(e.Dir, "exim.conf")
	if err := os.WriteFile(confPath, []byte(e.conf()), 0o644); err != nil {
		t.Fatal(err)
	}
	// -bdf: the daemon in the foreground, our child.
	p := startDaemon(t, "exim", exec.Command(bin, "-C", confPath, "-bdf"), filepath.Join(e.Dir, "exim.out"))
	t.Cleanup(func() {
		if p.terminate() {
			t.Logf("testenv: exim (pid %d) did not stop within 10 s of SIGTERM; killed it", p.cmd.Process.Pid)
		}
	})
	gone := func() error {
		out, _ := os.ReadFile(filepath.Join(e.Dir, "exim.out"))
		if strings.Contains(string(out)+e.LogText(), "Address already in use") {
			return fmt.Errorf("%w: exim exited", errPortTaken)
		}
		return fmt.Errorf("exim exited: %s", strings.TrimSpace(string(out)))
	}
	return pollReady(10*time.Second, 20*time.Millisecond, p.exited, gone, func() error {
		// The STARTTLS port's greeting: the daemon listens on both at once.
		conn, err := net.DialTimeout("tcp", Addr(e.Submission), time.Second)
		if err != nil {
			return err
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(2 * time.Second)) //nolint:errcheck
		b := make([]byte, 3)
		if _, err := conn.Read(b); err != nil || string(b) != "220" {
			return fmt.Errorf("exim greets %q: %v", b, err)
		}
		return nil
	})
}

// conf is Exim's configuration. The account is checked by the plaintext
// authenticators themselves; a client that has not logged in may send
// nothing. Mail for the domain of DovecotUser goes over LMTP to the port
// given to StartExim; other mail goes nowhere.
func (e *Exim) conf() string {
	var b conf
	w := b.line
	w("# Written by internal/testenv for one test; see StartExim.")
	w("primary_hostname = exim.example.test")
	w("exim_user = %s", eximUser)
	w("exim_group = %s", eximUser)
	w("keep_environment =")
	w("spool_directory = %s/spool", e.Dir)
	w("log_file_path = %s/log/%%slog", e.Dir)
	w("pid_file_path = %s/exim.pid", e.Dir)
	w("local_interfaces = <; 127.0.0.1")
	w("daemon_smtp_ports = %d : %d", e.Submission, e.Submissions)
	w("tls_on_connect_ports = %d", e.Submissions)
	w("tls_advertise_hosts = *")
	w("tls_certificate = %s/cert.pem", e.Dir)
	w("tls_privatekey = %s/key.pem", e.Dir)
	w("acl_smtp_rcpt = acl_rcpt")
	// Exim runs itself again to deliver: the unpacked binary, not the
	// package's path.
	w("exim_path = %s", e.bin)
	w("begin acl")
	w("acl_rcpt:")
	w("  accept authenticated = *")
	w("  deny message = Relay not permitted")
	w("begin routers")
	if e.lmtp != 0 {
		_, domain, _ := strings.Cut(DovecotUser, "@")
		w("mailbox:")
		w("  driver = accept")
		w("  domains = %s", domain)
		w("  transport = lmtp")
	}
	w("discard:")
	w("  driver = redirect")
	w("  data = :blackhole:")
	w("begin transports")
	if e.lmtp != 0 {
		w("lmtp:")
		w("  driver = smtp")
		w("  protocol = lmtp")
		w("  hosts = 127.0.0.1")
		w("  hosts_override")
		w("  port = %d", e.lmtp)
		w("  allow_localhost")
		w("  hosts_avoid_tls = *")
	}
	w("begin authenticators")
	check := fmt.Sprintf("${if and {{eq{$auth%%d}{%s}}{eq{$auth%%d}{%s}}}}", DovecotUser, DovecotPassword)
	w("plain:")
	w("  driver = plaintext")
	w("  public_name = PLAIN")
	w("  server_prompts = :")
	w("  server_condition = %s", fmt.Sprintf(check, 2, 3))
	w("  server_set_id = $auth2")
	w("  server_advertise_condition = ${if def:tls_in_cipher}")
	w("login:")
	w("  driver = plaintext")
	w("  public_name = LOGIN")
	w("  server_prompts = <| Username:: | Password::")
	w("  server_condition = %s", fmt.Sprintf(check, 1, 2))
	w("  server_set_id = $auth1")
	w("  server_advertise_condition = ${if def:tls_in_cipher}")
	return b.String()
}
