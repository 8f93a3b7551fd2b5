package export

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/keychain"
)

// These tests hand the mailing programs' exports to the programs: msmtp
// (its password from the real Secret Service through passwordeval and
// secret-tool), Django and Nodemailer each send a message through a real
// Dovecot Submission server with the test CA, and the message is read back
// over IMAP. Laravel's .env goes through phpdotenv (the parser Laravel
// uses), Django's through python-dotenv, and the WP Mail SMTP snippet
// through PHP itself. listmonk cannot run here: mailer_test.go checks its
// field names against its model instead. Missing programs fail the run in
// CI and skip it elsewhere (make deps installs them).

// nodemailerVersion is the Nodemailer testdata/mailer/npm pins, with its
// integrity, in package-lock.json.
const nodemailerVersion = "10.6.1"

// sendingAccount is an account on the test Dovecot: its Submission
// listener (STARTTLS) or its implicit-TLS one, reached as 127.0.0.1 (on
// the certificate).
// sha256Colons is a certificate's SHA-256 fingerprint as mailwiz writes
// it (probe.Fingerprint's form).
func sha256Colons(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

func sendingAccount(t testing.TB, d *testenv.Dovecot, sec account.Security, lang, name string) Account {
	t.Helper()
	port := d.Submission
	if sec == account.SSL {
		port = d.Submissions
	}
	cfg := account.Config{
		Incoming: []account.Server{{Protocol: account.IMAP, Host: "127.0.0.1", Port: d.IMAPS, Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthPassword}},
		Outgoing: []account.Server{{Protocol: account.SMTP, Host: "127.0.0.1", Port: port, Security: sec, Username: account.PlaceholderAddress, Auth: account.AuthPassword}},
	}
	a, err := NewAccount(mustAddr(t, testenv.DovecotUser), cfg)
	if err != nil {
		t.Fatal(err)
	}
	a.Lang, a.Name = lang, name
	return a
}

// writeExport writes a's export in format to a file in dir.
func writeExport(t testing.TB, dir, format string, a Account) string {
	t.Helper()
	f, _ := Lookup(format)
	p := filepath.Join(dir, f.FileName(a))
	if err := os.WriteFile(p, export(t, format, a), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// runProgram runs a program with a bound, env added to ours, and returns
// its standard output; a failure shows its standard error.
func runProgram(t testing.TB, stdin []byte, env []string, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s: %v: %s", filepath.Base(name), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// arrived waits until a message with subject is in the INBOX of the test
// user and returns its From address.
func arrived(t testing.TB, d *testenv.Dovecot, ca *testenv.CA, subject string) string {
	t.Helper()
	c, err := imapclient.DialTLS(testenv.Addr(d.IMAPS), &imapclient.Options{TLSConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: testenv.DovecotHost}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(testenv.DovecotUser, testenv.DovecotPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		res, err := c.Search(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: subject}}}, nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if seqs := res.AllSeqNums(); len(seqs) > 0 {
			if len(seqs) != 1 {
				t.Fatalf("%d messages with subject %q; want 1", len(seqs), subject)
			}
			msgs, err := c.Fetch(imap.SeqSetNum(seqs...), &imap.FetchOptions{Envelope: true}).Collect()
			if err != nil || len(msgs) != 1 || msgs[0].Envelope == nil || len(msgs[0].Envelope.From) == 0 {
				t.Fatalf("fetching the envelope: %v (%d messages)", err, len(msgs))
			}
			return msgs[0].Envelope.From[0].Addr()
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message with subject %q arrived within 10 s; Dovecot's log:\n%s", subject, tail(d.LogText()))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var subjectN struct {
	sync.Mutex
	n int
}

// uniqueSubject is a subject no other send of this test binary uses.
func uniqueSubject(prog string) string {
	subjectN.Lock()
	defer subjectN.Unlock()
	subjectN.n++
	return fmt.Sprintf("mailwiz %s export %d-%d", prog, os.Getpid(), subjectN.n)
}

// debianPython is Debian's python3, which has python3-django and
// python3-dotenv (a python3 earlier in PATH, e.g. pyenv's, may not).
func debianPython(t testing.TB, modules ...string) string {
	t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		py = testenv.RequireCommand(t, "python3", "python3")
	}
	if _, err := runProgram(t, nil, nil, py, "-c", "import "+strings.Join(modules, ", ")); err != nil {
		msg := fmt.Sprintf("%s cannot import %s: run `make deps` (Debian packages python3-django python3-dotenv): %v", py, strings.Join(modules, ", "), err)
		if testenv.InCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return py
}

// nodemailerDir installs the pinned Nodemailer once per machine, into the
// user's cache, with `npm ci` from testdata/mailer/npm (its lock file pins
// the tarball's integrity), and returns the directory holding node_modules.
func nodemailerDir(t testing.TB) string {
	t.Helper()
	npm := testenv.RequireCommand(t, "npm", "npm")
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "mailwiz-test", "nodemailer-"+nodemailerVersion)
	pkg := filepath.Join(dir, "node_modules", "nodemailer", "package.json")
	if b, err := os.ReadFile(pkg); err == nil && bytes.Contains(b, []byte(`"version": "`+nodemailerVersion+`"`)) {
		return dir
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "mailer", "npm", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := runProgram(t, nil, nil, npm, "ci", "--prefix", dir, "--ignore-scripts", "--no-audit", "--no-fund"); err != nil {
		msg := "installing Nodemailer " + nodemailerVersion + " with npm failed (offline?): " + err.Error()
		if testenv.InCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}

// TestMailerConsumersSend starts one Dovecot and has msmtp, Django and
// Nodemailer each send a message with their export, over STARTTLS and over
// TLS from the start; each message must arrive with the account's address
// as its sender. msmtp's password comes from the keychain item mailwiz
// saves; the others get it from the test, as a person would type it.
func TestMailerConsumersSend(t *testing.T) {
	if testing.Short() && !testenv.InCI() {
		t.Skip("starting Dovecot and three programs takes seconds; -short skips it")
	}
	testenv.RequireCommand(t, "dovecot", "dovecot-imapd dovecot-pop3d dovecot-submissiond")
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	secs := []account.Security{account.STARTTLS, account.SSL}
	pw := "MAILWIZ_TEST_PASSWORD=" + testenv.DovecotPassword

	t.Run("msmtp", func(t *testing.T) {
		msmtp := testenv.RequireCommand(t, "msmtp", "msmtp")
		testenv.RequireKeyring(t)
		for _, sec := range secs {
			t.Run(string(sec), func(t *testing.T) {
				a := sendingAccount(t, d, sec, "ru", "Алиса")
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				if err := keychain.Save(ctx, a.Outgoing, testenv.DovecotPassword); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = keychain.Delete(context.Background(), a.Outgoing) })
				rc := writeExport(t, t.TempDir(), "msmtp", a)
				subject := uniqueSubject("msmtp")
				msg := "From: " + a.Address.String() + "\r\nTo: " + a.Address.String() + "\r\nSubject: " + subject + "\r\n\r\nSent by msmtp with mailwiz's msmtp export.\r\n"
				// The test CA is the one thing added: the file trusts the
				// system's CAs, which did not sign the test server.
				if _, err := runProgram(t, []byte(msg), nil, msmtp, "-C", rc, "-a", a.Address.String(), "--tls-trust-file="+ca.CertFile, "--", a.Address.String()); err != nil {
					t.Fatalf("msmtp did not send: %v\nDovecot's log:\n%s", err, tail(d.LogText()))
				}
				if from := arrived(t, d, ca, subject); from != a.Address.String() {
					t.Errorf("the message arrived from %s; want %s", from, a.Address)
				}
			})
		}
		// With STARTTLS stripped on the way, msmtp must stop: Dovecot
		// would take a login in the clear from loopback.
		a := sendingAccount(t, d, account.STARTTLS, "en", "")
		a.Outgoing.Port = testenv.StartProxy(t, testenv.Addr(d.Submission), 0, testenv.StripSTARTTLS)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := keychain.Save(ctx, a.Outgoing, testenv.DovecotPassword); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = keychain.Delete(context.Background(), a.Outgoing) })
		rc := writeExport(t, t.TempDir(), "msmtp", a)
		subject := uniqueSubject("msmtp-stripped")
		_, err := runProgram(t, []byte("Subject: "+subject+"\r\n\r\nx\r\n"), nil, msmtp, "-C", rc, "-a", a.Address.String(), "--tls-trust-file="+ca.CertFile, "--", a.Address.String())
		if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
			t.Errorf("msmtp with STARTTLS stripped: %v; want it to stop at STARTTLS", err)
		}

		// Without the keychain item, passwordeval yields nothing and msmtp
		// must not send: the password really came from the keychain.
		a = sendingAccount(t, d, account.SSL, "en", "")
		a.Outgoing.Username = "nobody-saved@example.test"
		rc = writeExport(t, t.TempDir(), "msmtp", a)
		if _, err := runProgram(t, []byte("Subject: x\r\n\r\nx\r\n"), nil, msmtp, "-C", rc, "-a", a.Address.String(), "--tls-trust-file="+ca.CertFile, "--", a.Address.String()); err == nil {
			t.Error("msmtp sent with no keychain item for its passwordeval")
		}

		// A certificate exception (a self-hosted server): no trust file
		// now, so nothing this machine trusts signed the server's
		// certificate; the export pins the one the person accepted and
		// msmtp sends. Another fingerprint is refused.
		for _, pinned := range []bool{true, false} {
			a = sendingAccount(t, d, account.SSL, "en", "")
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			if err := keychain.Save(ctx, a.Outgoing, testenv.DovecotPassword); err != nil {
				cancel()
				t.Fatal(err)
			}
			cancel()
			t.Cleanup(func() { _ = keychain.Delete(context.Background(), a.Outgoing) })
			leaf := d.Leaf.TLS.Certificate[0]
			if !pinned {
				leaf = ca.Issue(t, "127.0.0.1").TLS.Certificate[0]
			}
			a.TrustedCerts = []string{sha256Colons(leaf)}
			rc = writeExport(t, t.TempDir(), "msmtp", a)
			subject := uniqueSubject("msmtp-pinned")
			_, err := runProgram(t, []byte("From: "+a.Address.String()+"\r\nSubject: "+subject+"\r\n\r\nx\r\n"), nil, msmtp, "-C", rc, "-a", a.Address.String(), "--", a.Address.String())
			switch {
			case pinned && err != nil:
				t.Errorf("msmtp with the accepted certificate pinned: %v", err)
			case pinned && arrived(t, d, ca, subject) != a.Address.String():
				t.Error("the message sent with the pinned certificate did not arrive")
			case !pinned && err == nil:
				t.Error("msmtp sent although the server's certificate is not the pinned one")
			}
		}
	})

	t.Run("django", func(t *testing.T) {
		py := debianPython(t, "django", "dotenv")
		for _, sec := range secs {
			t.Run(string(sec), func(t *testing.T) {
				a := sendingAccount(t, d, sec, "en", `Shop "Example" O'Neil`)
				env := writeExport(t, t.TempDir(), "env-django", a)
				subject := uniqueSubject("django")
				// SSL_CERT_FILE: Django 4.2 and newer verify the server with
				// the default context, which reads it.
				out, err := runProgram(t, nil, []string{pw, "SSL_CERT_FILE=" + ca.CertFile}, py, filepath.Join("testdata", "mailer", "consumers", "send_django.py"), env, a.Address.String(), subject)
				if err != nil {
					t.Fatalf("Django did not send: %v\nDovecot's log:\n%s", err, tail(d.LogText()))
				}
				var res struct{ Sent int }
				if err := json.Unmarshal([]byte(out), &res); err != nil || res.Sent != 1 {
					t.Fatalf("send_mail reported %q (%v); want 1 sent", out, err)
				}
				if from := arrived(t, d, ca, subject); from != a.Address.String() {
					t.Errorf("the message arrived from %s; want %s", from, a.Address)
				}
			})
		}
		// EMAIL_USE_TLS=True: with STARTTLS stripped, Django must stop.
		a := sendingAccount(t, d, account.STARTTLS, "en", "")
		a.Outgoing.Port = testenv.StartProxy(t, testenv.Addr(d.Submission), 0, testenv.StripSTARTTLS)
		env := writeExport(t, t.TempDir(), "env-django", a)
		_, err := runProgram(t, nil, []string{pw, "SSL_CERT_FILE=" + ca.CertFile}, py, filepath.Join("testdata", "mailer", "consumers", "send_django.py"), env, a.Address.String(), uniqueSubject("django-stripped"))
		if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
			t.Errorf("Django with STARTTLS stripped: %v; want it to stop at STARTTLS", err)
		}
	})

	t.Run("nodemailer", func(t *testing.T) {
		node := testenv.RequireCommand(t, "node", "nodejs")
		if _, err := runProgram(t, nil, nil, node, "-e", "process.exit(Number(process.versions.node.split('.')[0]) >= 20 ? 0 : 1)"); err != nil {
			msg := "Nodemailer " + nodemailerVersion + " needs Node.js 20 or newer"
			if testenv.InCI() {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
		dir := nodemailerDir(t)
		script := filepath.Join("testdata", "mailer", "consumers", "send_nodemailer.js")
		for _, sec := range secs {
			t.Run(string(sec), func(t *testing.T) {
				a := sendingAccount(t, d, sec, "en", "")
				opts := writeExport(t, t.TempDir(), "nodemailer", a)
				subject := uniqueSubject("nodemailer")
				if _, err := runProgram(t, nil, []string{pw}, node, script, dir, opts, ca.CertFile, a.Address.String(), subject); err != nil {
					t.Fatalf("Nodemailer did not send: %v\nDovecot's log:\n%s", err, tail(d.LogText()))
				}
				if from := arrived(t, d, ca, subject); from != a.Address.String() {
					t.Errorf("the message arrived from %s; want %s", from, a.Address)
				}
			})
		}
		// requireTLS: with STARTTLS stripped on the way, Nodemailer must
		// refuse rather than log in in the clear.
		a := sendingAccount(t, d, account.STARTTLS, "en", "")
		a.Outgoing.Port = testenv.StartProxy(t, testenv.Addr(d.Submission), 0, testenv.StripSTARTTLS)
		opts := writeExport(t, t.TempDir(), "nodemailer", a)
		// Without requireTLS it would skip STARTTLS and try to log in in
		// the clear (which Dovecot refuses, so the error tells them apart).
		_, err := runProgram(t, nil, []string{pw}, node, script, dir, opts, ca.CertFile, a.Address.String(), uniqueSubject("nodemailer-stripped"))
		if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
			t.Errorf("Nodemailer with STARTTLS stripped: %v; want it to stop at STARTTLS", err)
		}
	})
}

// parsedEnvs is what a dotenv parser read: {file: {name: value}}.
type parsedEnvs map[string]map[string]string

// envFiles writes every fixture's .env exports into a directory.
func envFiles(t *testing.T) (files []string, want map[string]map[string]string) {
	t.Helper()
	dir := t.TempDir()
	want = map[string]map[string]string{}
	for name, a := range allMailerAccounts(t) {
		for _, f := range []string{"env-laravel", "env-django"} {
			p := filepath.Join(dir, name+"-"+f+".env")
			b := export(t, f, a)
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			files = append(files, p)
			want[p] = parseEnv(t, b)
		}
	}
	return files, want
}

func compareParsed(t *testing.T, parser string, got parsedEnvs, want map[string]map[string]string) {
	t.Helper()
	for f, w := range want {
		if !reflect.DeepEqual(got[f], w) {
			t.Errorf("%s read %s as\n%v\nwant\n%v", parser, filepath.Base(f), got[f], w)
		}
	}
}

// TestPHPDotenvReadsLaravelEnv: phpdotenv, the parser Laravel uses, reads
// every .env export to the values written (names with quotes, Cyrillic,
// the empty password line).
func TestPHPDotenvReadsLaravelEnv(t *testing.T) {
	php := testenv.RequireCommand(t, "php", "php-cli")
	if _, err := os.Stat("/usr/share/php/Dotenv/autoload.php"); err != nil {
		msg := "phpdotenv is not installed: run `make deps` (Debian package php-vlucas-phpdotenv)"
		if testenv.InCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	files, want := envFiles(t)
	out, err := runProgram(t, nil, nil, php, append([]string{filepath.Join("testdata", "mailer", "consumers", "load_env.php")}, files...)...)
	if err != nil {
		t.Fatal(err)
	}
	var got parsedEnvs
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	compareParsed(t, "phpdotenv", got, want)
}

// TestPythonDotenvReadsDjangoEnv: python-dotenv, which Django projects use
// to load a .env (django-environ reads the same forms), does the same.
func TestPythonDotenvReadsDjangoEnv(t *testing.T) {
	py := debianPython(t, "dotenv")
	files, want := envFiles(t)
	out, err := runProgram(t, nil, nil, py, append([]string{filepath.Join("testdata", "mailer", "consumers", "load_env.py")}, files...)...)
	if err != nil {
		t.Fatal(err)
	}
	var got parsedEnvs
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	compareParsed(t, "python-dotenv", got, want)
}

// TestPHPReadsWPMailSMTP: php -l accepts every wp-mail-smtp export, and
// PHP itself, including it as wp-config.php does, defines each constant
// with the value meant (the password empty).
func TestPHPReadsWPMailSMTP(t *testing.T) {
	php := testenv.RequireCommand(t, "php", "php-cli")
	dir := t.TempDir()
	for name, a := range allMailerAccounts(t) {
		t.Run(name, func(t *testing.T) {
			p := writeExport(t, dir, "wp-mail-smtp", a)
			if out, err := runProgram(t, nil, nil, php, "-l", p); err != nil || !strings.Contains(out, "No syntax errors") {
				t.Fatalf("php -l: %v %s", err, out)
			}
			out, err := runProgram(t, nil, nil, php, filepath.Join("testdata", "mailer", "consumers", "wp_constants.php"), p)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			want := map[string]any{
				"WPMS_ON": true, "WPMS_MAILER": "smtp", "WPMS_MAIL_FROM": a.Address.String(),
				"WPMS_SMTP_HOST": a.Outgoing.Host, "WPMS_SMTP_PORT": float64(a.Outgoing.Port),
			}
			if n := a.displayName(); n != "" {
				want["WPMS_MAIL_FROM_NAME"] = n
			}
			if needsLogin(a.Outgoing.Auth) {
				want["WPMS_SMTP_USER"], want["WPMS_SMTP_PASS"] = a.Outgoing.Username, ""
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("PHP defined %s = %#v; want %#v", k, got[k], v)
				}
			}
		})
	}
}

// TestDjangoSettingNamesInstalled: the settings the .env names are the
// installed Django's own.
func TestDjangoSettingNamesInstalled(t *testing.T) {
	py := debianPython(t, "django")
	out, err := runProgram(t, nil, nil, py, "-c", "import json; from django.conf import global_settings as g; print(json.dumps([k for k in dir(g) if k.isupper()]))")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	if err := json.Unmarshal([]byte(out), &names); err != nil {
		t.Fatal(err)
	}
	for _, k := range djangoSettings {
		found := false
		for _, n := range names {
			found = found || n == k
		}
		if !found {
			t.Errorf("%s is not a setting of the installed Django", k)
		}
	}
	if len(names) < 50 {
		t.Fatalf("Django lists %d settings: %s", len(names), strconv.Quote(out))
	}
}
