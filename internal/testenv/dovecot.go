package testenv

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// DovecotUser is the account every Dovecot started by [StartDovecot] knows.
const (
	DovecotUser     = "alice@example.test"
	DovecotPassword = "correct horse battery staple"
	// DovecotHost is the name on Dovecot's certificate (with 127.0.0.1 and
	// localhost); it resolves nowhere, so tests connect to 127.0.0.1 and
	// verify the certificate against this name or against the IP.
	DovecotHost = "mail.example.test"
)

// Dovecot is a real Dovecot serving IMAP, POP3 and Submission on loopback.
// Submission relays to an in-process SMTP server ([Relay]) that delivers
// with Dovecot's own dovecot-lda, so a message sent through Submission
// arrives in the recipient's INBOX the way a real MTA would put it there.
type Dovecot struct {
	// Ports of the six listeners: plaintext with STARTTLS, and implicit TLS.
	IMAP, IMAPS, POP3, POP3S, Submission, Submissions int
	// Relay receives what Submission relays, and delivers it with dovecot-lda.
	Relay *Relay
	// Dir holds the configuration, the mail, the sockets and the log.
	Dir string
	// Leaf is the server certificate, issued by the CA given to StartDovecot.
	Leaf *Leaf
	conf string

	junkMu sync.Mutex
	junk   func(from string) bool
}

// FileAsJunk makes the relay deliver the messages whose envelope sender
// match reports true into the Junk mailbox (special-use \Junk), as a
// provider files what it takes for spam; nil delivers all to the INBOX.
func (d *Dovecot) FileAsJunk(match func(from string) bool) {
	d.junkMu.Lock()
	defer d.junkMu.Unlock()
	d.junk = match
}

func (d *Dovecot) asJunk(from string) bool {
	d.junkMu.Lock()
	defer d.junkMu.Unlock()
	return d.junk != nil && d.junk(from)
}

// LogText returns Dovecot's log so far, for test failure messages.
func (d *Dovecot) LogText() string { return readLog(d.Dir, "dovecot.log") }

// readLog is a server's log file in dir, "" when there is none yet.
func readLog(dir, name string) string {
	b, _ := os.ReadFile(filepath.Join(dir, name))
	return string(b)
}

// StartDovecot writes a configuration into t.TempDir(), starts `dovecot -c`
// and returns once a login works; Cleanup stops it. When Dovecot is not
// installed the test fails under CI and is skipped elsewhere, naming the
// Debian packages to install. Extra users may be given as "user:password".
func StartDovecot(t testing.TB, ca *CA, users ...string) *Dovecot {
	t.Helper()
	return startDovecot(t, ca, nil, users...)
}

// startDovecot is StartDovecot with more configuration: extra, when set,
// returns lines appended to dovecot.conf for the Dovecot being started
// (dovecot_oauth2.go's passdb).
func startDovecot(t testing.TB, ca *CA, extra func(*Dovecot) string, users ...string) *Dovecot {
	t.Helper()
	bin := RequireCommand(t, "dovecot", "dovecot-imapd dovecot-pop3d dovecot-submissiond")
	libexec := dovecotLibexec()
	for _, p := range []string{"imap", "pop3", "submission", "dovecot-lda"} {
		if _, err := os.Stat(filepath.Join(libexec, p)); err != nil {
			msg := "dovecot's " + p + " is not installed: run `make deps` (Debian packages dovecot-imapd dovecot-pop3d dovecot-submissiond)"
			if InCI() {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	dir := serverDir(t)
	d := &Dovecot{
		Dir:  dir,
		Leaf: ca.Issue(t, DovecotHost, "localhost", "127.0.0.1"),
		conf: filepath.Join(dir, "dovecot.conf"),
	}
	lda := filepath.Join(libexec, "dovecot-lda")
	d.Relay = StartRelay(t, func(from string, to []string, msg []byte) error {
		for _, rcpt := range to {
			args := []string{"-c", d.conf, "-d", rcpt, "-f", from}
			if d.asJunk(from) {
				args = append(args, "-m", "Junk")
			}
			cmd := exec.Command(lda, args...)
			cmd.Stdin = bytes.NewReader(msg)
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("dovecot-lda for %s: %v: %s", rcpt, err, out)
			}
		}
		return nil
	})

	uid, gid, internal, login := dovecotIDs(t)
	passwd := []string{DovecotUser + ":{PLAIN}" + DovecotPassword}
	for _, u := range users {
		name, pass, ok := strings.Cut(u, ":")
		if !ok {
			t.Fatalf("testenv: user %q is not user:password", u)
		}
		passwd = append(passwd, name+":{PLAIN}"+pass)
	}
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, l := range passwd {
		name, _, _ := strings.Cut(l, ":")
		h := filepath.Join(home, name)
		if err := os.MkdirAll(h, 0o700); err != nil {
			t.Fatal(err)
		}
		if os.Geteuid() == 0 {
			if err := os.Chown(h, uid, gid); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "passwd"), []byte(strings.Join(passwd, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	onFreePorts(t, 6, func(ports []int) error {
		d.IMAP, d.IMAPS, d.POP3, d.POP3S, d.Submission, d.Submissions = ports[0], ports[1], ports[2], ports[3], ports[4], ports[5]
		conf := dovecotConf(d, uid, gid, internal, login)
		if extra != nil {
			conf += extra(d)
		}
		return d.start(t, bin, ca, conf)
	}, func(err error) {
		t.Fatalf("testenv: dovecot started but no login worked within 15 s: %v\nlog:\n%s", err, d.LogText())
	})
	return d
}

// errPortTaken: a server exited, or a listener of it refused connections,
// because a port chosen for it was taken meanwhile.
var errPortTaken = errors.New("a port chosen for the server was taken meanwhile")

// onFreePorts runs start with n loopback ports chosen free (pickPorts),
// again with new ones when its error wraps errPortTaken: the ports are
// free when chosen but not held, so on a busy machine another process can
// take one before the server binds it. After three tries, or on another
// error, failed reports it.
func onFreePorts(t testing.TB, n int, start func(ports []int) error, failed func(error)) {
	t.Helper()
	const attempts = 3
	for i := 1; ; i++ {
		err := start(pickPorts(t, n))
		if err == nil {
			return
		}
		if i == attempts || !errors.Is(err, errPortTaken) {
			failed(err)
			return
		}
		t.Logf("testenv: %v; trying new ports", err)
	}
}

// start writes conf, starts Dovecot and waits until a login works.
// Cleanup stops it.
func (d *Dovecot) start(t testing.TB, bin string, ca *CA, conf string) error {
	if err := os.WriteFile(d.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// -F keeps the master in the foreground.
	p := startDaemon(t, "dovecot", exec.Command(bin, "-F", "-c", d.conf), filepath.Join(d.Dir, "dovecot.out"))
	t.Cleanup(func() {
		if p.terminate() {
			t.Logf("testenv: dovecot (pid %d) did not stop within 10 s of SIGTERM; killed it", p.cmd.Process.Pid)
		}
	})
	return d.waitReady(ca, p.exited)
}

// dovecotIDs picks the users Dovecot's processes run as: the packaged
// "dovecot"/"dovenull" accounts under root, the current user otherwise.
func dovecotIDs(t testing.TB) (uid, gid int, internal, login string) {
	if os.Geteuid() == 0 {
		u, err := user.Lookup("dovecot")
		if err != nil {
			t.Fatalf("testenv: the dovecot system user is missing (reinstall dovecot-core): %v", err)
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		return uid, gid, "dovecot", "dovenull"
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	return uid, gid, u.Username, u.Username
}

func dovecotConf(d *Dovecot, uid, gid int, internal, login string) string {
	var b conf
	w := b.line
	w("# Written by internal/testenv for one test; see StartDovecot.")
	w("base_dir = %s/run", d.Dir)
	w("state_dir = %s/state", d.Dir)
	w("log_path = %s/dovecot.log", d.Dir)
	w("protocols = imap pop3 submission")
	w("listen = 127.0.0.1")
	w("hostname = %s", DovecotHost)
	w("postmaster_address = postmaster@example.test")
	w("default_internal_user = %s", internal)
	w("default_internal_group = %s", groupName(gid, internal))
	w("default_login_user = %s", login)
	// The packaged dovecot user's uid is below the default of 500: without
	// this every login ends in "[SYS/TEMP] Internal error".
	w("first_valid_uid = 1")
	w("first_valid_gid = 1")
	w("ssl = yes")
	w("ssl_cert = <%s", d.Leaf.CertFile)
	w("ssl_key = <%s", d.Leaf.KeyFile)
	w("ssl_min_protocol = TLSv1.2")
	w("disable_plaintext_auth = yes")
	w("auth_mechanisms = plain login")
	w("mail_location = maildir:~/Maildir")
	// A spam folder as providers have one: marked \Junk (RFC 6154),
	// there from the first login (FileAsJunk delivers into it).
	w("namespace inbox {\n  inbox = yes\n  mailbox Junk {\n    special_use = \\Junk\n    auto = subscribe\n  }\n}")
	// Log the client ID (RFC 2971) so tests can see what mailwiz says of itself.
	w("imap_id_log = *")
	w("passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%%u %s/passwd\n}", d.Dir)
	w("userdb {\n  driver = static\n  args = uid=%d gid=%d home=%s/home/%%u\n}", uid, gid, d.Dir)
	w("submission_relay_host = 127.0.0.1")
	w("submission_relay_port = %d", d.Relay.Port)
	w("submission_relay_trusted = yes")
	w("service imap-login {\n  inet_listener imap {\n    port = %d\n  }\n  inet_listener imaps {\n    port = %d\n    ssl = yes\n  }\n%s}", d.IMAP, d.IMAPS, chroot())
	w("service pop3-login {\n  inet_listener pop3 {\n    port = %d\n  }\n  inet_listener pop3s {\n    port = %d\n    ssl = yes\n  }\n%s}", d.POP3, d.POP3S, chroot())
	w("service submission-login {\n  inet_listener submission {\n    port = %d\n  }\n  inet_listener submissions {\n    port = %d\n    ssl = yes\n  }\n%s}", d.Submission, d.Submissions, chroot())
	// Tests log in many times in a row from one address, some with a
	// wrong password on purpose: no delay and no penalty. Without the
	// penalty's socket closed, Dovecot's anvil held every failed login
	// from 127.0.0.1 for 4 s (2 s doubled), against the tests' 5 s stage
	// timeouts: under load a wrong password became a timeout. Mode 0
	// keeps the auth process (not root) off anvil's penalty socket, and
	// then it tracks no penalty: a wrong password is refused in 0.5 s.
	w("auth_failure_delay = 0")
	w("login_trusted_networks =")
	w("service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}")
	return b.String()
}

func dovecotLibexec() string {
	for _, d := range []string{"/usr/lib/dovecot", "/usr/libexec/dovecot"} {
		if _, err := os.Stat(d); err == nil {
			return d
		}
	}
	return "/usr/lib/dovecot"
}

// chroot is empty under root; otherwise login processes cannot chroot.
func chroot() string {
	if os.Geteuid() == 0 {
		return ""
	}
	return "  chroot =\n"
}

func groupName(gid int, fallback string) string {
	g, err := user.LookupGroupId(strconv.Itoa(gid))
	if err != nil {
		return fallback
	}
	return g.Name
}

// pickPorts chooses Dovecot's ports; a test replaces it to hand out a
// taken one.
var pickPorts = freePorts

// freePorts returns n distinct free loopback ports, holding all of them open
// while choosing so none is picked twice.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("testenv: no free loopback port: %v", err)
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// waitReady polls an IMAPS login until it works: right after start, the
// login process can answer "Waiting for authentication process to respond".
func (d *Dovecot) waitReady(ca *CA, exited <-chan struct{}) error {
	gone := func() error {
		out, _ := os.ReadFile(filepath.Join(d.Dir, "dovecot.out"))
		out = bytes.TrimSpace(out)
		if bytes.Contains(out, []byte("Address already in use")) {
			return fmt.Errorf("%w: dovecot exited: %s", errPortTaken, out)
		}
		return fmt.Errorf("dovecot exited: %s", out)
	}
	return pollReady(15*time.Second, 20*time.Millisecond, exited, gone, func() error { return d.tryLogin(ca) })
}

func (d *Dovecot) tryLogin(ca *CA) error {
	opts := &imapclient.Options{
		TLSConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: DovecotHost},
	}
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: time.Second}, "tcp", Addr(d.IMAPS), opts.TLSConfig)
	if err != nil {
		return err
	}
	conn.SetDeadline(time.Now().Add(2 * time.Second)) //nolint:errcheck
	c := imapclient.New(conn, opts)
	defer c.Close()
	if err := c.Login(DovecotUser, DovecotPassword).Wait(); err != nil {
		return err
	}
	return c.Logout().Wait()
}

// CountMessages returns how many messages DovecotUser's mailbox holds, by
// IMAP STATUS over implicit TLS.
func CountMessages(t testing.TB, d *Dovecot, ca *CA, mailbox string) int {
	t.Helper()
	cfg := &tls.Config{RootCAs: ca.Pool(), ServerName: DovecotHost}
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", Addr(d.IMAPS), cfg)
	if err != nil {
		t.Fatalf("testenv: counting %s: %v", mailbox, err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second)) //nolint:errcheck
	c := imapclient.New(conn, &imapclient.Options{TLSConfig: cfg})
	defer c.Close()
	if err := c.Login(DovecotUser, DovecotPassword).Wait(); err != nil {
		t.Fatalf("testenv: counting %s: %v", mailbox, err)
	}
	st, err := c.Status(mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil || st.NumMessages == nil {
		t.Fatalf("testenv: STATUS %s: %v", mailbox, err)
	}
	return int(*st.NumMessages)
}
