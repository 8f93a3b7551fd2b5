package testenv

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// PostfixHost is the name on Postfix's certificate (with localhost and
// 127.0.0.1), and its myhostname.
const PostfixHost = "smtp.example.test"

// DovecotRemoteHost is a second loopback address on which the Dovecot
// behind [StartPostfix] listens too. Dovecot counts a client whose address
// equals its own as secure and then accepts a password without TLS,
// whatever disable_plaintext_auth says; a connection to 127.0.0.2 comes
// from 127.0.0.1, so Dovecot treats it as it would a remote client's
// (LOGINDISABLED, plaintext logins refused).
const DovecotRemoteHost = "127.0.0.2"

// PostfixOptions change the Postfix [StartPostfix] starts. The zero value
// is a plain submission server: PLAIN and LOGIN after TLS, any sender.
type PostfixOptions struct {
	// Users are extra "user:password" accounts (besides [DovecotUser]),
	// known to Dovecot's passdb and deliverable by Postfix.
	Users []string
	// Mechanisms are the SASL mechanisms Postfix offers after TLS on both
	// listeners (names as in EHLO, e.g. "PLAIN", "LOGIN", "CRAM-MD5",
	// "SCRAM-SHA-256"); nil means PLAIN and LOGIN. Dovecot's auth, which
	// Postfix asks, is given the same ones (its IMAP and POP3 then offer
	// them too).
	Mechanisms []string
	// SubmissionsMechanisms, when set, replaces Mechanisms on the
	// implicit-TLS listener only: a per-port restriction.
	SubmissionsMechanisms []string
	// SenderLogins, when not nil, makes Postfix refuse a MAIL FROM the
	// logged-in user does not own (smtpd_sender_login_maps with
	// reject_sender_login_mismatch): keys are sender addresses, values the
	// logins owning them (comma-separated for several). Every user owns
	// their own address besides.
	SenderLogins map[string]string
	// MainCF are extra main.cf lines, appended last (a setting given
	// again there wins), e.g. "smtpd_milters = inet:127.0.0.1:PORT", or
	// "smtpd_reject_unlisted_recipient = no" to have mail for another
	// domain accepted and then bounced to the sender (an RFC 3464 report
	// in the sender's INBOX) instead of refused at RCPT.
	MainCF []string
	// LMTP, when set, is the port of another LMTP server on 127.0.0.1
	// (e.g. [Cyrus].LMTP) that mail for example.test is delivered to
	// instead of Postfix's Dovecot, which still checks the passwords.
	LMTP int
}

// Postfix is a real Postfix 3.x, a second instance with its own
// configuration, queue and data directories, serving submission on
// loopback: STARTTLS on Submission, implicit TLS on Submissions. It logs
// users in through the auth socket of its own [Dovecot] and delivers mail
// for example.test to that Dovecot over LMTP, so a message sent through
// Postfix can be read back over IMAP or POP3. Mail for any other domain
// bounces at once: nothing leaves loopback.
type Postfix struct {
	// Submission (STARTTLS required before AUTH or MAIL) and Submissions
	// (TLS from the first byte).
	Submission, Submissions int
	// Dovecot checks the passwords and holds the mailboxes.
	Dovecot *Dovecot
	// LMTP is the port Postfix delivers to: its Dovecot's LMTP listener,
	// or PostfixOptions.LMTP.
	LMTP int
	// Dir holds config/ (main.cf, master.cf), queue/, data/ and the log.
	Dir string
	// Leaf is Postfix's server certificate.
	Leaf *Leaf
	conf string
}

// LogText returns Postfix's log so far, for test failure messages.
func (p *Postfix) LogText() string { return readLog(p.Dir, "postfix.log") }

// StartPostfix starts a Dovecot (as [StartDovecot], with an auth socket
// for Postfix and an LMTP listener) and a Postfix in front of it, and
// returns once Postfix offers AUTH on both listeners. Cleanup stops
// Postfix with `postfix stop` and checks that none of its processes is
// left. Postfix needs root (its master binds ports and drops privileges
// to the postfix user); elsewhere, or without the Debian packages
// postfix and dovecot-lmtpd, the test is skipped, and fails under CI.
func StartPostfix(t testing.TB, ca *CA, o PostfixOptions) *Postfix {
	t.Helper()
	bin := RequireCommand(t, "postfix", "postfix")
	if _, err := os.Stat(filepath.Join(dovecotLibexec(), "lmtp")); err != nil {
		skipOrFail(t, "dovecot's lmtp is not installed: run `make deps` (Debian package dovecot-lmtpd)")
	}
	if os.Geteuid() != 0 {
		skipOrFail(t, "postfix needs root: its master binds the ports and runs its daemons as the postfix user")
	}
	owner, err := user.Lookup("postfix")
	if err != nil {
		skipOrFail(t, "the postfix system user is missing: run `make deps` (Debian package postfix)")
	}
	mechs := o.Mechanisms
	if len(mechs) == 0 {
		mechs = []string{"PLAIN", "LOGIN"}
	}
	smechs := o.SubmissionsMechanisms
	if len(smechs) == 0 {
		smechs = mechs
	}
	for _, m := range append(append([]string(nil), mechs...), smechs...) {
		if !validMechanism(m) {
			t.Fatalf("testenv: postfix: %q is not a SASL mechanism name", m)
		}
	}

	var lmtpPort int
	var authSocket string
	d := startDovecot(t, ca, func(d *Dovecot) string {
		lmtpPort = FreePort(t)
		authSocket = filepath.Join(d.Dir, "run", "auth-postfix")
		return dovecotForPostfix(lmtpPort, authSocket, append(append([]string(nil), mechs...), smechs...))
	}, o.Users...)

	dir := serverDir(t)
	p := &Postfix{
		Dovecot: d,
		Dir:     dir,
		Leaf:    ca.Issue(t, PostfixHost, "localhost", "127.0.0.1"),
		conf:    filepath.Join(dir, "config"),
	}
	for _, sub := range []string{"config", "queue", "data"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	uid, _ := strconv.Atoi(owner.Uid)
	gid, _ := strconv.Atoi(owner.Gid)
	if err := os.Chown(filepath.Join(dir, "data"), uid, gid); err != nil {
		t.Fatal(err)
	}
	makeQueue(t, filepath.Join(dir, "queue"), uid, gid)
	users := []string{DovecotUser}
	for _, u := range o.Users {
		name, _, _ := strings.Cut(u, ":")
		users = append(users, name)
	}
	cfg := postfixConfig{
		dir: dir, leaf: p.Leaf, lmtpPort: lmtpPort, authSocket: authSocket,
		users: users, mechs: mechs, smechs: smechs, senderLogins: o.SenderLogins,
		extra: o.MainCF,
	}
	if o.LMTP != 0 {
		cfg.lmtpPort = o.LMTP
	}
	p.LMTP = cfg.lmtpPort
	onFreePorts(t, 2, func(ports []int) error {
		p.Submission, p.Submissions = ports[0], ports[1]
		cfg.submission, cfg.submissions = p.Submission, p.Submissions
		return p.start(t, bin, ca, cfg)
	}, func(err error) {
		t.Fatalf("testenv: postfix did not offer AUTH within 15 s: %v\nlog:\n%s", err, p.LogText())
	})
	return p
}

// makeQueue creates the queue directory's subdirectories as the package's
// postfix-files lists them, and marks the queue for a quick start:
// `postfix start` then skips its integrity checks (post-install, postsuper
// and finds over the installation), 2.5 of its 3.5 s here, which have
// nothing to check in a queue made a moment ago.
func makeQueue(t testing.TB, queue string, uid, gid int) {
	t.Helper()
	list, err := os.ReadFile("/etc/postfix/postfix-files")
	if err != nil {
		t.Fatalf("testenv: postfix: %v (reinstall the Debian package postfix)", err)
	}
	postdrop := gid
	if g, err := user.LookupGroup("postdrop"); err == nil {
		postdrop, _ = strconv.Atoi(g.Gid)
	}
	ids := map[string]int{"root": 0, "$mail_owner": uid, "$setgid_group": postdrop, "-": 0}
	made := 0
	for _, line := range strings.Split(string(list), "\n") {
		f := strings.Split(line, ":")
		if len(f) < 5 || f[1] != "d" || !strings.HasPrefix(f[0], "$queue_directory/") {
			continue
		}
		mode, err := strconv.ParseUint(f[4], 8, 32)
		o, okO := ids[f[2]]
		g, okG := ids[f[3]]
		if err != nil || !okO || !okG {
			t.Fatalf("testenv: postfix: cannot read %q in /etc/postfix/postfix-files", line)
		}
		p := filepath.Join(queue, strings.TrimPrefix(f[0], "$queue_directory/"))
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		// Chmod after Chown, and not Mkdir's mode: the umask would clear bits.
		if err := os.Chown(p, o, g); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, os.FileMode(mode)); err != nil {
			t.Fatal(err)
		}
		made++
	}
	if made < 10 {
		t.Fatalf("testenv: postfix: /etc/postfix/postfix-files lists only %d queue directories", made)
	}
	if err := os.WriteFile(filepath.Join(queue, "quick-start"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// skipOrFail skips the test, or fails it under CI, where every real server
// must run.
func skipOrFail(t testing.TB, msg string) {
	t.Helper()
	if InCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func validMechanism(m string) bool {
	if m == "" || len(m) > 20 {
		return false
	}
	for _, c := range m {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// dovecotForPostfix is the part of dovecot.conf that serves Postfix: the
// auth socket smtpd asks (world-writable: smtpd runs as the postfix
// user), an LMTP listener on loopback, and the mechanisms Postfix offers;
// and the second address, DovecotRemoteHost.
func dovecotForPostfix(lmtpPort int, authSocket string, mechs []string) string {
	set := map[string]bool{"plain": true, "login": true}
	for _, m := range mechs {
		set[strings.ToLower(m)] = true
	}
	var names []string
	for m := range set {
		names = append(names, m)
	}
	sort.Strings(names)
	var b conf
	w := b.line
	w("# For Postfix, from StartPostfix.")
	w("protocols = $protocols lmtp")
	w("listen = 127.0.0.1 %s", DovecotRemoteHost)
	w("auth_mechanisms = %s", strings.Join(names, " "))
	w("service auth {\n  unix_listener %s {\n    mode = 0666\n  }\n}", authSocket)
	w("service lmtp {\n  inet_listener lmtp {\n    address = 127.0.0.1\n    port = %d\n  }\n}", lmtpPort)
	return b.String()
}

type postfixConfig struct {
	dir                     string
	leaf                    *Leaf
	lmtpPort                int
	authSocket              string
	users                   []string
	mechs, smechs           []string
	senderLogins            map[string]string
	extra                   []string
	submission, submissions int
}

// inline renders a Postfix inline: table; keys and values must not hold
// spaces, commas or braces (addresses and logins of the tests do not).
func inline(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := m[k]
		if strings.Contains(v, ",") {
			v = "{" + v + "}"
		}
		parts[i] = "{" + k + "=" + v + "}"
	}
	return "inline:{" + strings.Join(parts, ", ") + "}"
}

func (c postfixConfig) mainCF() string {
	var b conf
	w := b.line
	w("# Written by internal/testenv for one test; see StartPostfix.")
	w("compatibility_level = 3.6")
	w("queue_directory = %s/queue", c.dir)
	w("data_directory = %s/data", c.dir)
	w("mail_owner = postfix")
	w("setgid_group = postdrop")
	w("maillog_file_prefixes = %s", c.dir)
	w("maillog_file = %s/postfix.log", c.dir)
	w("myhostname = %s", PostfixHost)
	w("mydomain = example.test")
	w("myorigin = $mydomain")
	w("mydestination =")
	w("local_recipient_maps =")
	w("alias_maps =")
	w("alias_database =")
	w("biff = no")
	w("inet_interfaces = 127.0.0.1")
	w("inet_protocols = ipv4")
	w("mynetworks = 127.0.0.1/32")
	// Nothing leaves loopback: no DNS, and every domain but the test's own
	// bounces at once instead of being relayed.
	w("smtp_dns_support_level = disabled")
	w("default_transport = error:5.7.1 this test server delivers only to example.test")
	w("relay_transport = $default_transport")
	mailboxes := map[string]string{}
	for _, u := range c.users {
		mailboxes[u] = "ok"
	}
	w("virtual_mailbox_domains = example.test")
	w("virtual_mailbox_maps = %s", inline(mailboxes))
	w("virtual_transport = lmtp:inet:127.0.0.1:%d", c.lmtpPort)
	w("smtpd_tls_cert_file = %s", c.leaf.CertFile)
	w("smtpd_tls_key_file = %s", c.leaf.KeyFile)
	w("smtpd_tls_mandatory_protocols = >=TLSv1.2")
	w("smtpd_tls_protocols = >=TLSv1.2")
	w("smtpd_tls_auth_only = yes")
	w("smtpd_sasl_type = dovecot")
	w("smtpd_sasl_path = %s", c.authSocket)
	w("smtpd_sasl_auth_enable = no")
	w("submission_mechanisms = %s", strings.ToLower(strings.Join(c.mechs, ", ")))
	w("submissions_mechanisms = %s", strings.ToLower(strings.Join(c.smechs, ", ")))
	if c.senderLogins != nil {
		owners := map[string]string{}
		for _, u := range c.users {
			owners[u] = u
		}
		for k, v := range c.senderLogins {
			owners[k] = v
		}
		w("test_sender_logins = %s", inline(owners))
	}
	// A test logs in many times, some with a wrong password on purpose.
	w("smtpd_client_connection_rate_limit = 0")
	w("smtpd_client_auth_rate_limit = 0")
	w("smtpd_hard_error_limit = 100")
	w("smtpd_error_sleep_time = 0")
	b.lines(c.extra)
	return b.String()
}

func (c postfixConfig) masterCF() string {
	var b conf
	w := b.line
	w("# Written by internal/testenv for one test; see StartPostfix.")
	w("# service type private unpriv chroot wakeup maxproc command")
	listener := func(port int, name string, wrapper bool) {
		w("127.0.0.1:%d inet n - n - - smtpd", port)
		w("  -o syslog_name=postfix/%s", name)
		if wrapper {
			w("  -o smtpd_tls_wrappermode=yes")
			w("  -o smtpd_tls_security_level=encrypt")
		} else {
			// Nothing but EHLO, STARTTLS and QUIT before TLS: AUTH is not
			// even offered, MAIL gets "530 5.7.0 Must issue a STARTTLS
			// command first".
			w("  -o smtpd_tls_security_level=encrypt")
		}
		w("  -o smtpd_sasl_auth_enable=yes")
		w("  -o smtpd_sasl_mechanism_filter=$%s_mechanisms", name)
		w("  -o smtpd_client_restrictions=permit_sasl_authenticated,reject")
		w("  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject")
		if c.senderLogins != nil {
			w("  -o smtpd_sender_login_maps=$test_sender_logins")
			w("  -o smtpd_sender_restrictions=reject_sender_login_mismatch")
		}
	}
	listener(c.submission, "submission", false)
	listener(c.submissions, "submissions", true)
	b.lines([]string{
		"pickup     unix      n - n 60 1 pickup",
		"cleanup    unix      n - n - 0 cleanup",
		"qmgr       unix      n - n 300 1 qmgr",
		"tlsmgr     unix      - - n 1000? 1 tlsmgr",
		"rewrite    unix      - - n - - trivial-rewrite",
		"bounce     unix      - - n - 0 bounce",
		"defer      unix      - - n - 0 bounce",
		"trace      unix      - - n - 0 bounce",
		"verify     unix      - - n - 1 verify",
		"flush      unix      n - n 1000? 0 flush",
		"proxymap   unix      - - n - - proxymap",
		"proxywrite unix      - - n - 1 proxymap",
		"smtp       unix      - - n - - smtp",
		"relay      unix      - - n - - smtp",
		"showq      unix      n - n - - showq",
		"error      unix      - - n - - error",
		"retry      unix      - - n - - error",
		"discard    unix      - - n - - discard",
		"lmtp       unix      - - n - - lmtp",
		"anvil      unix      - - n - 1 anvil",
		"scache     unix      - - n - 1 scache",
		"postlog    unix-dgram n - n - 1 postlogd",
	})
	return b.String()
}

// start writes the configuration, runs `postfix start-fg` as our child and
// waits until both listeners offer AUTH. Cleanup stops it.
func (p *Postfix) start(t testing.TB, bin string, ca *CA, c postfixConfig) error {
	if err := os.WriteFile(filepath.Join(p.conf, "main.cf"), []byte(c.mainCF()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.conf, "master.cf"), []byte(c.masterCF()), 0o644); err != nil {
		t.Fatal(err)
	}
	// start-fg keeps postfix-script (and under it the master) running as
	// our child.
	d := startDaemon(t, "postfix", exec.Command(bin, "-c", p.conf, "start-fg"), filepath.Join(p.Dir, "postfix.out"))
	t.Cleanup(func() { p.stop(t, bin, d.exited) })
	return p.waitReady(ca, d.exited)
}

func (p *Postfix) waitReady(ca *CA, exited <-chan struct{}) error {
	gone := func() error {
		if strings.Contains(p.LogText(), "Address already in use") {
			return fmt.Errorf("%w: postfix exited", errPortTaken)
		}
		b, _ := os.ReadFile(filepath.Join(p.Dir, "postfix.out"))
		return fmt.Errorf("postfix exited: %s", bytes.TrimSpace(b))
	}
	return pollReady(15*time.Second, 50*time.Millisecond, exited, gone, func() error { return p.offersAuth(ca) })
}

// offersAuth checks that both listeners answer over TLS with AUTH in
// their EHLO reply: smtpd has then reached Dovecot's auth socket.
func (p *Postfix) offersAuth(ca *CA) error {
	cfg := &tls.Config{RootCAs: ca.Pool(), ServerName: PostfixHost, MinVersion: tls.VersionTLS12}
	for _, implicit := range []bool{true, false} {
		port := p.Submission
		if implicit {
			port = p.Submissions
		}
		ehlo, err := smtpEHLO(Addr(port), cfg, implicit)
		if err != nil {
			return err
		}
		if !strings.Contains(ehlo, "AUTH ") {
			return fmt.Errorf("port %d offers no AUTH after TLS: %q", port, ehlo)
		}
	}
	return nil
}

// smtpEHLO returns the EHLO reply after TLS (implicit, or after STARTTLS),
// in a few lines of SMTP of our own: go-smtp's client hides the reply's
// text.
func smtpEHLO(addr string, cfg *tls.Config, implicit bool) (string, error) {
	raw, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(3 * time.Second)) //nolint:errcheck
	var conn net.Conn = raw
	if implicit {
		conn = tls.Client(raw, cfg)
	}
	r := bufio.NewReader(conn)
	reply := func() (string, error) {
		var all []string
		for len(all) < 100 {
			line, err := r.ReadString('\n')
			if err != nil {
				return "", err
			}
			line = strings.TrimRight(line, "\r\n")
			all = append(all, line)
			if len(line) < 4 || line[3] != '-' {
				return strings.Join(all, "\n"), nil
			}
		}
		return "", errors.New("endless reply")
	}
	send := func(cmd string) (string, error) {
		if _, err := fmt.Fprintf(conn, "%s\r\n", cmd); err != nil {
			return "", err
		}
		return reply()
	}
	if g, err := reply(); err != nil || !strings.HasPrefix(g, "220") {
		return "", fmt.Errorf("greeting %q: %v", g, err)
	}
	ehlo, err := send("EHLO client.example.test")
	if err != nil {
		return "", err
	}
	if !implicit {
		if s, err := send("STARTTLS"); err != nil || !strings.HasPrefix(s, "220") {
			return "", fmt.Errorf("STARTTLS: %q %v", s, err)
		}
		conn = tls.Client(raw, cfg)
		r = bufio.NewReader(conn)
		if ehlo, err = send("EHLO client.example.test"); err != nil {
			return "", err
		}
	}
	send("QUIT") //nolint:errcheck
	return ehlo, nil
}

// stop runs `postfix stop`, waits for start-fg to end, then for every
// process working in Postfix's queue directory (its daemons chdir there)
// to be gone; it kills and names any that remain.
func (p *Postfix) stop(t testing.TB, bin string, exited <-chan struct{}) {
	if out, err := exec.Command(bin, "-c", p.conf, "stop").CombinedOutput(); err != nil {
		// "not running": it exited at start-up; the wait below still runs.
		t.Logf("testenv: postfix stop: %v: %s", err, bytes.TrimSpace(out))
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Errorf("testenv: postfix start-fg did not end within 10 s of `postfix stop`")
	}
	waitGone(t, "postfix", p.Dir)
}

// waitGone waits up to 5 s for every process of a server started in dir
// to end; it kills and names any that remain.
func waitGone(t testing.TB, server, dir string) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		left := ProcessesIn(dir)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			for _, pid := range left {
				if p, err := os.FindProcess(pid); err == nil {
					p.Kill() //nolint:errcheck
				}
			}
			t.Errorf("testenv: %s processes %v still ran 5 s after it was stopped; killed them", server, left)
			return
		}
		time.Sleep(20 * time.Millisecond) // poll interval, bounded by the deadline
	}
}

// ProcessesIn lists the live processes (zombies aside) whose working
// directory, or one of whose arguments, is dir or a path below it: the
// daemons of a server started there (Postfix's work in its queue
// directory, Cyrus's are given their imapd.conf).
func ProcessesIn(dir string) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		under := func(p string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err != nil {
			continue // gone, a zombie, or not ours to see
		}
		if under(strings.TrimSuffix(cwd, " (deleted)")) {
			pids = append(pids, pid)
			continue
		}
		args, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		for _, a := range strings.Split(string(args), "\x00") {
			if under(a) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}
