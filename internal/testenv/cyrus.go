package testenv

import (
	"bufio"
	"crypto/tls"
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

	"github.com/emersion/go-imap/v2/imapclient"
)

// CyrusHost is the name on Cyrus's certificate (with localhost and
// 127.0.0.1), and its servername.
const CyrusHost = "cyrus.example.test"

// CyrusOptions change the Cyrus [StartCyrus] starts. The zero value serves
// [DovecotUser] with [DovecotPassword], offering every SASL mechanism the
// installed Cyrus SASL plugins provide.
type CyrusOptions struct {
	// Users are extra "user@domain:password" accounts.
	Users []string
	// Mechanisms, when set, is Cyrus's sasl_mech_list: the only SASL
	// mechanisms offered (e.g. "CRAM-MD5"). IMAP LOGIN and POP3 USER/PASS
	// stay available after TLS whatever the list.
	Mechanisms []string
	// ImapdConf are extra imapd.conf lines, appended last, e.g.
	// "popminpoll: 1" to have POP3 advertise LOGIN-DELAY 60.
	ImapdConf []string
}

// Cyrus is a real Cyrus IMAP 3.x serving IMAP and POP3 on loopback,
// unpacked from Debian's packages by scripts/cyrus-fetch (they conflict
// with Dovecot's, so they are not installed). Passwords are in a sasldb,
// so the challenge-response mechanisms (CRAM-MD5, SCRAM) work as well as
// PLAIN and LOGIN. Logins are refused before TLS (allowplaintext: no).
// A user's INBOX is made at their first login.
type Cyrus struct {
	// Ports: plaintext with STARTTLS (STLS), and implicit TLS.
	IMAP, IMAPS, POP3, POP3S int
	// LMTP is Cyrus's lmtpd on loopback, without authentication: what an
	// MTA in front of it delivers to (PostfixOptions.LMTP).
	LMTP int
	// Dir holds imapd.conf, cyrus.conf, the sasldb, mail and sockets.
	Dir string
	// Leaf is Cyrus's server certificate.
	Leaf *Leaf
}

// LogText returns what Cyrus's master and services printed. Cyrus logs
// through syslog, which these machines lack: failures show in the
// protocol replies rather than here.
func (c *Cyrus) LogText() string {
	b, _ := os.ReadFile(filepath.Join(c.Dir, "master.log"))
	return string(b)
}

// CyrusRoot is where scripts/cyrus-fetch unpacks Cyrus: $MAILWIZ_CYRUS if
// set, else /var/cache/mailwiz/cyrus under root (the unprivileged user
// Cyrus runs as cannot enter /root), else the user's cache directory.
func CyrusRoot() string { return unpackedRoot("MAILWIZ_CYRUS", "cyrus") }

// unpackedRoot is where a scripts/*-fetch unpacks a server that cannot be
// installed beside the others: $env, else /var/cache/mailwiz/NAME for
// root (whose home an unprivileged server process cannot enter), else the
// user's cache.
func unpackedRoot(env, name string) string {
	if d := os.Getenv(env); d != "" {
		return d
	}
	if os.Geteuid() == 0 {
		return filepath.Join("/var/cache/mailwiz", name)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(cache, "mailwiz", name)
}

// StartCyrus writes a configuration into t.TempDir(), starts Cyrus's
// master and returns once every user can log in over IMAPS (which makes
// their INBOX); Cleanup stops it and checks that none of its processes is
// left. Without Cyrus (run `make deps`, which runs scripts/cyrus-fetch) or
// saslpasswd2 the test is skipped, and fails under CI.
func StartCyrus(t testing.TB, ca *CA, o CyrusOptions) *Cyrus {
	t.Helper()
	root := CyrusRoot()
	bin := filepath.Join(root, "usr", "lib", "cyrus", "bin")
	if _, err := os.Stat(filepath.Join(bin, "master")); err != nil {
		skipOrFail(t, "cyrus is not unpacked in "+root+": run `make deps` (scripts/cyrus-fetch)")
	}
	libs, _ := filepath.Glob(filepath.Join(root, "usr", "lib", "*", "libcyrus.so.0"))
	if len(libs) == 0 {
		skipOrFail(t, "cyrus's libraries are missing in "+root+": run scripts/cyrus-fetch again")
	}
	saslpasswd := RequireCommand(t, "saslpasswd2", "sasl2-bin")
	for _, m := range o.Mechanisms {
		if !validMechanism(m) {
			t.Fatalf("testenv: cyrus: %q is not a SASL mechanism name", m)
		}
	}
	runAs, uid, gid := cyrusUser(t)

	dir := serverDir(t)
	c := &Cyrus{Dir: dir, Leaf: ca.Issue(t, CyrusHost, "localhost", "127.0.0.1")}
	// Cyrus runs as an unprivileged user who cannot read the CA's
	// directory: its own copies of the certificate and key.
	makeServerFiles(t, dir, c.Leaf, "lib", "spool", "sieve", "socket")
	users := append([]string{DovecotUser + ":" + DovecotPassword}, o.Users...)
	db := filepath.Join(dir, "sasldb2")
	for _, u := range users {
		name, pass, ok := strings.Cut(u, ":")
		local, domain, okAt := strings.Cut(name, "@")
		if !ok || !okAt || local == "" || domain == "" {
			t.Fatalf("testenv: cyrus: user %q is not user@domain:password", u)
		}
		cmd := exec.Command(saslpasswd, "-f", db, "-c", "-p", "-u", domain, local)
		cmd.Stdin = strings.NewReader(pass)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("testenv: cyrus: saslpasswd2 for %s: %v: %s", name, err, out)
		}
	}
	if os.Geteuid() == 0 {
		chownTree(t, dir, uid, gid)
	}

	onFreePorts(t, 5, func(ports []int) error {
		c.IMAP, c.IMAPS, c.POP3, c.POP3S, c.LMTP = ports[0], ports[1], ports[2], ports[3], ports[4]
		conf := cyrusConf{dir: dir, bin: bin, runAs: runAs, mechs: o.Mechanisms, extra: o.ImapdConf}
		stop, err := c.start(t, bin, filepath.Dir(libs[0]), conf, ca, users)
		if err == nil {
			t.Cleanup(stop)
		} else {
			stop() // a master that could not bind a port may still run
		}
		return err
	}, func(err error) {
		t.Fatalf("testenv: cyrus started but no login worked within 10 s: %v\nlog:\n%s", err, c.LogText())
	})
	return c
}

// cyrusUser is who Cyrus's processes run as: nobody under root (Cyrus
// refuses to serve as root, and the Debian "cyrus" user exists only with
// the cyrus-common package), the current user otherwise.
func cyrusUser(t testing.TB) (name string, uid, gid int) {
	name = "nobody"
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil {
			t.Fatal(err)
		}
		name = u.Username
	}
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatalf("testenv: cyrus: no user %q to run as: %v", name, err)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	return name, uid, gid
}

type cyrusConf struct {
	dir, bin, runAs string
	mechs, extra    []string
}

func (c cyrusConf) imapd() string {
	var b conf
	w := b.line
	w("# Written by internal/testenv for one test; see StartCyrus.")
	w("configdirectory: %s/lib", c.dir)
	w("partition-default: %s/spool", c.dir)
	w("sievedir: %s/sieve", c.dir)
	w("lmtpsocket: %s/socket/lmtp", c.dir)
	w("idlesocket: %s/socket/idle", c.dir)
	w("notifysocket: %s/socket/notify", c.dir)
	w("cyrus_user: %s", c.runAs)
	w("servername: %s", CyrusHost)
	// Logins as user@domain, the domain kept: with a defaultdomain Cyrus
	// strips it and then looks the user up in the wrong sasldb realm.
	w("virtdomains: userid")
	w("unixhierarchysep: yes")
	w("allowplaintext: no")
	w("sasl_pwcheck_method: auxprop")
	w("sasl_auxprop_plugin: sasldb")
	w("sasl_sasldb_path: %s/sasldb2", c.dir)
	if len(c.mechs) > 0 {
		w("sasl_mech_list: %s", strings.Join(c.mechs, " "))
	}
	w("tls_server_cert: %s/cert.pem", c.dir)
	w("tls_server_key: %s/key.pem", c.dir)
	w("tls_versions: tls1_2 tls1_3")
	// The INBOX is made at the first login.
	w("autocreate_quota: 0")
	// Tests send wrong passwords on purpose: no 3 s pause after each.
	w("failedloginpause: 0")
	b.lines(c.extra)
	return b.String()
}

func (c cyrusConf) cyrus(imap, imaps, pop3, pop3s, lmtp int) string {
	imapd := filepath.Join(c.dir, "imapd.conf")
	var b conf
	w := b.line
	w("# Written by internal/testenv for one test; see StartCyrus.")
	w("START {\n  recover cmd=\"%s/ctl_cyrusdb -C %s -r\"\n}", c.bin, imapd)
	w("SERVICES {")
	for _, s := range []struct {
		name, cmd string
		port      int
	}{
		{"imap", "imapd", imap}, {"imaps", "imapd -s", imaps},
		{"pop3", "pop3d", pop3}, {"pop3s", "pop3d -s", pop3s},
		// -a: the MTA needs no login (the port is on loopback only).
		{"lmtp", "lmtpd -a", lmtp},
	} {
		w("  %s cmd=\"%s/%s -C %s\" listen=\"127.0.0.1:%d\" prefork=0", s.name, c.bin, s.cmd, imapd, s.port)
	}
	w("}")
	w("EVENTS {\n}")
	w("DAEMON {\n}")
	return b.String()
}

// start runs Cyrus's master in the foreground as our child and waits until
// every user logs in; the returned func stops it.
func (c *Cyrus) start(t testing.TB, bin, libdir string, conf cyrusConf, ca *CA, users []string) (func(), error) {
	imapdConf := filepath.Join(c.Dir, "imapd.conf")
	cyrusConf := filepath.Join(c.Dir, "cyrus.conf")
	if err := os.WriteFile(imapdConf, []byte(conf.imapd()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cyrusConf, []byte(conf.cyrus(c.IMAP, c.IMAPS, c.POP3, c.POP3S, c.LMTP)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "master"), "-C", imapdConf, "-M", cyrusConf,
		"-p", filepath.Join(c.Dir, "master.pid"), "-L", filepath.Join(c.Dir, "master.log"))
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+libdir)
	// Its own process group: a master shutting down signals its whole
	// group, which otherwise holds every other Cyrus this test process
	// (or another package's, under the same go command) started.
	ownProcessGroup(cmd)
	p := startDaemon(t, "cyrus", cmd, "")
	stop := func() { c.stop(t, p) }
	return stop, c.waitReady(ca, p.exited, users)
}

func (c *Cyrus) waitReady(ca *CA, exited <-chan struct{}, users []string) error {
	gone := func() error { return fmt.Errorf("cyrus's master exited: %s", c.LogText()) }
	last := pollReady(10*time.Second, 50*time.Millisecond, exited, gone, func() error { return c.ready(ca, users) })
	if last == nil {
		return nil
	}
	select {
	case <-exited:
		return last // gone's words: the master is not there to ask
	default:
	}
	// Some listeners answer and one does not: its port was taken.
	refused := 0
	for _, p := range []int{c.IMAP, c.IMAPS, c.POP3, c.POP3S, c.LMTP} {
		if conn, err := net.DialTimeout("tcp", Addr(p), time.Second); err != nil {
			refused++
		} else {
			conn.Close()
		}
	}
	if refused > 0 && refused < 5 {
		return fmt.Errorf("%w: %v", errPortTaken, last)
	}
	return last
}

// ready checks that the plaintext listeners greet and every user logs in
// over IMAPS.
func (c *Cyrus) ready(ca *CA, users []string) error {
	for _, p := range []struct {
		port  int
		greet string
	}{{c.IMAP, "* OK"}, {c.POP3, "+OK"}} {
		conn, err := net.DialTimeout("tcp", Addr(p.port), time.Second)
		if err != nil {
			return err
		}
		conn.SetDeadline(time.Now().Add(2 * time.Second)) //nolint:errcheck
		line, err := bufio.NewReader(conn).ReadString('\n')
		conn.Close()
		if err != nil || !strings.HasPrefix(line, p.greet) {
			return fmt.Errorf("port %d greets %q: %v", p.port, line, err)
		}
	}
	cfg := &tls.Config{RootCAs: ca.Pool(), ServerName: CyrusHost}
	for _, u := range users {
		name, pass, _ := strings.Cut(u, ":")
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: time.Second}, "tcp", Addr(c.IMAPS), cfg)
		if err != nil {
			return err
		}
		conn.SetDeadline(time.Now().Add(3 * time.Second)) //nolint:errcheck
		ic := imapclient.New(conn, &imapclient.Options{TLSConfig: cfg})
		err = ic.Login(name, pass).Wait()
		if err == nil {
			_, err = ic.Select("INBOX", nil).Wait()
		}
		ic.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// stop ends the master with SIGTERM (it ends its services), then waits for
// every process of this Cyrus to be gone.
func (c *Cyrus) stop(t testing.TB, p *daemon) {
	if p.terminate() {
		t.Errorf("testenv: cyrus's master (pid %d) did not stop within 10 s of SIGTERM; killed it", p.cmd.Process.Pid)
	}
	waitGone(t, "cyrus", c.Dir)
}
