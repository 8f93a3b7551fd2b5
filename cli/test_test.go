package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/wizard"
)

// testCanary is a password that must never appear in any output or file.
const testCanary = "cAnArY-test-9f3b пароль"

// testOutput is `mailwiz test --json`'s object as a consumer reads it.
type testOutput struct {
	OK      bool `json:"ok"`
	Results []struct {
		Protocol   string `json:"protocol"`
		Host       string `json:"host"`
		Port       int    `json:"port"`
		Security   string `json:"security"`
		OK         bool   `json:"ok"`
		Stage      string `json:"stage"`
		DurationMS int64  `json:"duration_ms"`
		Error      string `json:"error"`
		Diagnosis  *struct {
			Kind string `json:"kind"`
			Text string `json:"text"`
			URL  string `json:"url"`
		} `json:"diagnosis"`
		TLS *struct {
			Version  string    `json:"version"`
			Verified bool      `json:"verified"`
			Subject  string    `json:"subject"`
			Issuer   string    `json:"issuer"`
			NotAfter time.Time `json:"not_after"`
			SHA256   string    `json:"sha256"`
		} `json:"tls"`
	} `json:"results"`
	SendTest *struct {
		OK         bool   `json:"ok"`
		Stage      string `json:"stage"`
		DeliveryMS int64  `json:"delivery_ms"`
		Error      string `json:"error"`
	} `json:"send_test"`
}

func (o testOutput) kinds() []string {
	var k []string
	for _, r := range o.Results {
		if r.Diagnosis != nil {
			k = append(k, r.Diagnosis.Kind)
		} else {
			k = append(k, "")
		}
	}
	return k
}

// mwTest runs `mailwiz test --json --password-stdin ARGS` in-process.
func mwTest(t *testing.T, password string, args ...string) (int, testOutput, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := newEnv(t, password+"\n", &out, &errb)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := Run(ctx, env, append([]string{"test", "--json", "--password-stdin"}, args...))
	var o testOutput
	if code != ExitUsage {
		if err := json.Unmarshal(out.Bytes(), &o); err != nil {
			t.Fatalf("stdout is not the JSON object: %v\n%s\nstderr: %s", err, out.String(), errb.String())
		}
	}
	return code, o, out.String(), errb.String()
}

func srvURL(proto string, port int, sec string) string {
	return proto + "://127.0.0.1:" + strconv.Itoa(port) + "?security=" + sec
}

func TestTestDovecot(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	withRoots(t, ca.Pool())
	user := testenv.DovecotUser

	t.Run("good logins on all six listeners", func(t *testing.T) {
		pairs := [][2]string{
			{srvURL("imap", d.IMAPS, "ssl"), srvURL("smtp", d.Submissions, "ssl")},
			{srvURL("imap", d.IMAP, "starttls"), srvURL("smtp", d.Submission, "starttls")},
			{srvURL("pop3", d.POP3S, "ssl"), srvURL("smtp", d.Submissions, "ssl")},
			{srvURL("pop3", d.POP3, "starttls"), srvURL("smtp", d.Submission, "starttls")},
		}
		for _, p := range pairs {
			code, o, raw, stderr := mwTest(t, testenv.DovecotPassword, "--incoming", p[0], "--outgoing", p[1], user)
			if code != ExitOK || !o.OK || len(o.Results) != 2 {
				t.Fatalf("%v: exit %d ok=%v\n%s\n%s\n%s", p, code, o.OK, raw, stderr, d.LogText())
			}
			for _, r := range o.Results {
				if !r.OK || r.Stage != "done" || r.Diagnosis != nil || r.Error != "" || r.TLS == nil || !r.TLS.Verified {
					t.Errorf("%s:%d: %+v; want ok at stage done with verified TLS", r.Protocol, r.Port, r)
				}
			}
		}
	})

	t.Run("plain report", func(t *testing.T) {
		var out, errb bytes.Buffer
		env := newEnv(t, "wrong\n", &out, &errb)
		code := Run(context.Background(), env, []string{"test", "--password-stdin", "--incoming", srvURL("imap", d.IMAPS, "ssl"), "--outgoing", srvURL("smtp", d.Submissions, "ssl"), user})
		if code != ExitFailed {
			t.Fatalf("exit %d; want 1\n%s%s", code, out.String(), errb.String())
		}
		for _, want := range []string{"something is wrong", "IMAP 127.0.0.1:", "FAILED at “logging in”", "did not accept the user name or password", "the server said:", "TLS 1.3", "SHA-256"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("the report lacks %q:\n%s", want, out.String())
			}
		}
	})

	for _, in := range []string{srvURL("imap", d.IMAPS, "ssl"), srvURL("pop3", d.POP3, "starttls")} {
		t.Run("send test "+in[:4], func(t *testing.T) {
			before := len(d.Relay.Messages())
			code, o, raw, stderr := mwTest(t, testenv.DovecotPassword, "--send-test", "--incoming", in, "--outgoing", srvURL("smtp", d.Submission, "starttls"), user)
			if code != ExitOK || !o.OK || o.SendTest == nil || !o.SendTest.OK || o.SendTest.Stage != "done" {
				t.Fatalf("exit %d; want a delivered test message\n%s\n%s\n%s", code, raw, stderr, d.LogText())
			}
			if strings.HasPrefix(in, "imap") && !strings.Contains(d.LogText(), "name=mailwiz") {
				t.Errorf("the IMAP session that watched for the message did not introduce itself with ID (NetEase refuses SELECT without it):\n%s", d.LogText())
			}
			if n := len(d.Relay.Messages()) - before; n != 1 {
				t.Errorf("the relay saw %d messages; want the one test message", n)
			}
			if n := inboxCount(t, ca, d); n != 0 {
				t.Errorf("the INBOX holds %d messages after the test; want the test message deleted", n)
			}
		})
	}

	// Without --incoming/--outgoing the servers come from detection, and
	// the provider's hints shape the diagnosis.
	t.Run("detected servers", func(t *testing.T) {
		withDetect(t, func(context.Context, account.Address) (account.Config, error) {
			return account.Config{
				Provider: &account.Provider{ID: "example", Name: "Example Mail"},
				Incoming: []account.Server{{Protocol: account.IMAP, Host: "127.0.0.1", Port: d.IMAPS, Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthPassword}},
				Outgoing: []account.Server{{Protocol: account.SMTP, Host: "127.0.0.1", Port: d.Submission, Security: account.STARTTLS, Username: account.PlaceholderAddress, Auth: account.AuthPassword}},
				Hints:    []account.Hint{{Kind: account.HintAppPassword, URL: "https://mail.example.test/app-passwords", Text: map[string]string{"en": "Create an app password."}}},
				Source:   account.SourceAutoconfig, SecureSource: true,
			}, nil
		})
		code, o, raw, _ := mwTest(t, testenv.DovecotPassword, "alice+news@example.test")
		if code != ExitOK || !o.OK || len(o.Results) != 2 {
			t.Fatalf("exit %d; want both detected servers to log in (as alice@, the tag dropped)\n%s", code, raw)
		}
		code, o, raw, _ = mwTest(t, testenv.DovecotPassword, "--username", user, "someone-else@example.test")
		if code != ExitOK || !o.OK {
			t.Fatalf("exit %d; want --username to log in as %s\n%s", code, user, raw)
		}
		code, o, raw, _ = mwTest(t, "wrong", "alice@example.test")
		r := o.Results[0]
		if code != ExitFailed || r.Diagnosis == nil || r.Diagnosis.Kind != "bad-credentials" || r.Diagnosis.URL != "https://mail.example.test/app-passwords" || !strings.Contains(r.Diagnosis.Text, "app password") {
			t.Errorf("exit %d; want bad-credentials that points at the provider's app-password page\n%s", code, raw)
		}
	})

	closed := testenv.ClosedPort(t)
	other := testenv.NewCA(t)
	tests := []struct {
		name     string
		password string
		roots    *x509.CertPool
		args     []string
		kinds    []string
		stages   []string
	}{
		{"wrong password", "wrong", nil,
			[]string{"--incoming", srvURL("pop3", d.POP3S, "ssl"), "--outgoing", srvURL("smtp", d.Submission, "starttls")},
			[]string{"bad-credentials", "bad-credentials"}, []string{"auth", "auth"}},
		{"closed port", testenv.DovecotPassword, nil,
			[]string{"--incoming", srvURL("imap", closed, "ssl"), "--outgoing", srvURL("smtp", d.Submissions, "ssl")},
			[]string{"refused", ""}, []string{"connect", "done"}},
		{"untrusted CA", testenv.DovecotPassword, other.Pool(),
			[]string{"--incoming", srvURL("imap", d.IMAPS, "ssl"), "--outgoing", srvURL("smtp", d.Submission, "starttls")},
			[]string{"tls-untrusted", "tls-untrusted"}, []string{"tls", "starttls"}},
		{"plaintext without consent", testenv.DovecotPassword, nil,
			[]string{"--incoming", srvURL("imap", d.IMAP, "none"), "--outgoing", srvURL("smtp", d.Submission, "none")},
			[]string{"plaintext-refused", "plaintext-refused"}, []string{"auth", "auth"}},
		{"plaintext with consent", testenv.DovecotPassword, nil,
			[]string{"--allow-plaintext", "--incoming", srvURL("pop3", d.POP3, "none"), "--outgoing", srvURL("smtp", d.Submission, "none")},
			[]string{"", ""}, []string{"done", "done"}},
		{"STARTTLS stripped", testenv.DovecotPassword, nil,
			[]string{"--incoming", srvURL("imap", testenv.StartProxy(t, testenv.Addr(d.IMAP), 0, testenv.StripSTARTTLS), "starttls"),
				"--outgoing", srvURL("smtp", testenv.StartProxy(t, testenv.Addr(d.Submission), 0, testenv.StripSTARTTLS), "starttls")},
			[]string{"starttls-unavailable", "starttls-unavailable"}, []string{"starttls", "starttls"}},
		{"SSL on the STARTTLS port", testenv.DovecotPassword, nil,
			[]string{"--incoming", srvURL("imap", d.IMAP, "ssl"), "--outgoing", srvURL("smtp", d.Submission, "ssl")},
			[]string{"server-error", "server-error"}, []string{"tls", "tls"}},
		{"POP3 STLS stripped", testenv.DovecotPassword, nil,
			[]string{"--incoming", srvURL("pop3", testenv.StartProxy(t, testenv.Addr(d.POP3), 0, testenv.StripSTARTTLS), "starttls"),
				"--outgoing", srvURL("smtp", d.Submissions, "ssl")},
			[]string{"starttls-unavailable", ""}, []string{"starttls", "done"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.roots != nil {
				withRoots(t, tt.roots)
			}
			code, o, raw, _ := mwTest(t, tt.password, append(tt.args, user)...)
			wantCode := ExitFailed
			if strings.Join(tt.kinds, "") == "" {
				wantCode = ExitOK
			}
			if code != wantCode {
				t.Errorf("exit %d; want %d", code, wantCode)
			}
			var stages []string
			for _, r := range o.Results {
				stages = append(stages, r.Stage)
				if r.Diagnosis != nil && (r.Error == "" || r.Diagnosis.Text == "") {
					t.Errorf("%s: a failure without the server's words or an explanation: %+v", r.Protocol, r)
				}
			}
			if strings.Join(o.kinds(), ",") != strings.Join(tt.kinds, ",") || strings.Join(stages, ",") != strings.Join(tt.stages, ",") {
				t.Errorf("kinds %v at stages %v; want %v at %v\n%s", o.kinds(), stages, tt.kinds, tt.stages, raw)
			}
		})
	}
}

// TestTestBrokenServers covers what needs no Dovecot: certificates that do
// not fit, a server that never speaks, and the providers' own answers.
func TestTestBrokenServers(t *testing.T) {
	ca := testenv.NewCA(t)
	withRoots(t, ca.Pool())
	good := ca.Issue(t, "127.0.0.1")
	okSMTP := testenv.StartScripted(t, testenv.Scripted{Protocol: "smtp", TLS: good, Login: []string{"235 2.7.0 Authentication successful"}})
	out := srvURL("smtp", okSMTP, "ssl")

	t.Run("hostname mismatch", func(t *testing.T) {
		wrong := ca.Issue(t, "wrong.example.test")
		port := testenv.StartScripted(t, testenv.Scripted{Protocol: "imap", TLS: wrong, Login: []string{"OK done"}})
		_, o, raw, _ := mwTest(t, "pw", "--incoming", srvURL("imap", port, "ssl"), "--outgoing", out, "a@example.test")
		if k := o.kinds(); k[0] != "tls-hostname-mismatch" || o.Results[0].TLS == nil || !strings.Contains(o.Results[0].TLS.Subject, "wrong.example.test") {
			t.Errorf("kinds %v; want tls-hostname-mismatch naming the certificate's subject\n%s", k, raw)
		}
	})
	t.Run("expired", func(t *testing.T) {
		old := ca.IssueWith(t, testenv.LeafOptions{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)}, "127.0.0.1")
		port := testenv.StartScripted(t, testenv.Scripted{Protocol: "pop3", TLS: old, Login: []string{"+OK"}})
		_, o, raw, _ := mwTest(t, "pw", "--incoming", srvURL("pop3", port, "ssl"), "--outgoing", out, "a@example.test")
		if k := o.kinds(); k[0] != "tls-expired" {
			t.Errorf("kinds %v; want tls-expired\n%s", k, raw)
		}
	})
	t.Run("never speaks", func(t *testing.T) {
		silent := testenv.StartSilent(t)
		start := time.Now()
		code, o, raw, _ := mwTest(t, "pw", "--timeout", "300ms", "--incoming", srvURL("imap", silent, "starttls"), "--outgoing", srvURL("smtp", silent, "ssl"), "a@example.test")
		took := time.Since(start)
		if code != ExitFailed || strings.Join(o.kinds(), ",") != "timeout,timeout" || o.Results[0].Stage != "greeting" || o.Results[1].Stage != "tls" {
			t.Fatalf("exit %d kinds %v; want timeout at greeting and tls\n%s", code, o.kinds(), raw)
		}
		// Both ran at once and each waited its stage's time, no more than
		// a generous bound (this guards against hangs, not speed).
		for _, r := range o.Results {
			if r.DurationMS < 300 {
				t.Errorf("%s gave up after %d ms, before the 300 ms timeout", r.Protocol, r.DurationMS)
			}
		}
		if took > 10*time.Second {
			t.Errorf("the test took %v with a 300 ms stage timeout", took)
		}
	})

	// The providers' own answers, byte for byte as they send them.
	answers := []struct {
		name, proto string
		login       []string
		kind        string
		url         string
	}{
		{"Gmail app password", "imap", []string{"NO [ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)"}, "app-password", "https://support.google.com/accounts/answer/185833"},
		{"Gmail IMAP off", "imap", []string{"NO [ALERT] Your account is not enabled for IMAP use. Please visit your Gmail settings page and enable your account for IMAP access. (Failure)"}, "enable-imap", ""},
		{"Gmail web login", "imap", []string{"NO [ALERT] Please log in via your web browser: https://support.google.com/mail/accounts/answer/78754 (Failure)"}, "web-login", "https://support.google.com/mail/accounts/answer/78754"},
		{"Gmail too many connections", "imap", []string{"NO [ALERT] Too many simultaneous connections. (Failure)"}, "too-many-connections", ""},
		{"Gmail invalid credentials", "imap", []string{"NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"}, "bad-credentials", ""},
		{"Gmail SMTP bad password", "smtp", []string{"535-5.7.8 Username and Password not accepted. For more information, go to", "535 5.7.8  https://support.google.com/mail/?p=BadCredentials"}, "bad-credentials", ""},
		{"Gmail SMTP app password", "smtp", []string{"534-5.7.9 Application-specific password required. Learn more at", "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor"}, "app-password", "https://support.google.com/mail/?p=InvalidSecondFactor"},
		{"STARTTLS first", "smtp", []string{"530 5.7.0 Must issue a STARTTLS command first."}, "plaintext-refused", ""},
		{"Yandex IMAP", "imap", []string{"NO [AUTHENTICATIONFAILED] LOGIN Invalid credentials or IMAP is disabled sc=cYXlpv732Cg1_010534_2"}, "bad-credentials", ""},
		{"Yandex SMTP", "smtp", []string{"535 5.7.8 Error: authentication failed: This user does not have access rights to this service"}, "app-password", ""},
		{"Mail.ru app password", "imap", []string{"NO [AUTHENTICATIONFAILED] NEOBHODIM parol prilozheniya https://help.mail.ru/mail/security/protection/external / Application password is REQUIRED"}, "app-password", "https://help.mail.ru/mail/security/protection/external"},
		{"Microsoft 365 basic auth off", "smtp", []string{"535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [AM0PR01CA0000.eurprd01.prod.exchangelabs.com]"}, "oauth2-required", ""},
		{"Microsoft 365 tenant", "smtp", []string{"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."}, "oauth2-required", ""},
		{"Outlook.com IMAP", "imap", []string{"NO LOGIN failed."}, "bad-credentials", ""},
		{"Yahoo", "imap", []string{"NO [AUTHENTICATIONFAILED] LOGIN Invalid credentials"}, "bad-credentials", ""},
		{"Yahoo rate limit", "smtp", []string{"535 5.7.0 (#AUTH005) Too many bad auth attempts."}, "bad-credentials", ""},
		{"iCloud", "imap", []string{"NO [AUTHENTICATIONFAILED] Authentication failed."}, "bad-credentials", ""},
		{"iCloud SMTP", "smtp", []string{"535 5.7.8 Authentication credentials invalid"}, "bad-credentials", ""},
		{"POP3 auth", "pop3", []string{"-ERR [AUTH] Username and password not accepted."}, "bad-credentials", ""},
		{"Gmail POP off", "pop3", []string{"-ERR [SYS/PERM] Your account is not enabled for POP access. Please visit your Gmail settings page and enable your account for POP access."}, "enable-pop", ""},
		{"Gmail POP web login", "pop3", []string{"-ERR [AUTH] Web login required: https://support.google.com/mail/answer/78754"}, "web-login", "https://support.google.com/mail/answer/78754"},
		{"POP3 in use", "pop3", []string{"-ERR [IN-USE] Mailbox is locked by another POP3 session"}, "too-many-connections", ""},
		{"POP3 temporary", "pop3", []string{"-ERR [SYS/TEMP] Internal error occurred. Refer to server log for more information."}, "server-error", ""},
		{"POP3 plain", "pop3", []string{"-ERR invalid user or password"}, "bad-credentials", ""},
	}
	for _, a := range answers {
		t.Run(a.name, func(t *testing.T) {
			port := testenv.StartScripted(t, testenv.Scripted{Protocol: a.proto, TLS: good, Login: a.login})
			args := []string{"--incoming", srvURL("imap", port, "ssl"), "--outgoing", out}
			i := 0
			switch a.proto {
			case "pop3":
				args[1] = srvURL("pop3", port, "ssl")
			case "smtp":
				okIMAP := testenv.StartScripted(t, testenv.Scripted{Protocol: "imap", TLS: good, Login: []string{"OK done"}})
				args = []string{"--incoming", srvURL("imap", okIMAP, "ssl"), "--outgoing", srvURL("smtp", port, "ssl")}
				i = 1
			}
			code, o, raw, _ := mwTest(t, "pw", append(args, "a@example.test")...)
			if code != ExitFailed || len(o.Results) != 2 || o.Results[1-i].Diagnosis != nil {
				t.Fatalf("exit %d; want 1 with only the %s server failing\n%s", code, a.proto, raw)
			}
			r := o.Results[i]
			if r.Diagnosis == nil || r.Diagnosis.Kind != a.kind || r.Stage != "auth" {
				t.Fatalf("kinds %v at %s; want %s at auth\n%s", o.kinds(), r.Stage, a.kind, raw)
			}
			if r.Diagnosis.URL != a.url {
				t.Errorf("url %q; want %q", r.Diagnosis.URL, a.url)
			}
			// The server's own words are kept.
			last := a.login[len(a.login)-1]
			if f := strings.Fields(last); !strings.Contains(r.Error, f[len(f)-1]) {
				t.Errorf("error %q lacks the server's words %q", r.Error, last)
			}
		})
	}
}

// The password must not show up in stdout, stderr, or any file written
// during the test, whether the login succeeds or fails.
func TestTestCanary(t *testing.T) {
	ca := testenv.NewCA(t)
	canaryUser := "canary@example.test"
	d := testenv.StartDovecot(t, ca, canaryUser+":"+testCanary)
	withRoots(t, ca.Pool())
	good := ca.Issue(t, "127.0.0.1")
	echo := testenv.StartScripted(t, testenv.Scripted{Protocol: "imap", TLS: good, Login: []string{"NO [AUTHENTICATIONFAILED] Invalid credentials for " + testCanary}})
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	runs := [][]string{
		{"--incoming", srvURL("imap", d.IMAPS, "ssl"), "--outgoing", srvURL("smtp", d.Submission, "starttls"), canaryUser},
		{"--incoming", srvURL("pop3", d.POP3, "starttls"), "--outgoing", srvURL("smtp", d.Submissions, "ssl"), canaryUser},
		{"--send-test", "--incoming", srvURL("imap", d.IMAPS, "ssl"), "--outgoing", srvURL("smtp", d.Submissions, "ssl"), canaryUser},
		{"--incoming", srvURL("imap", echo, "ssl"), "--outgoing", srvURL("smtp", d.Submissions, "ssl"), "wrong@example.test"},
		{"--incoming", srvURL("imap", d.IMAP, "none"), "--outgoing", srvURL("smtp", d.Submission, "none"), canaryUser},
	}
	for i, args := range runs {
		_, o, raw, stderr := mwTest(t, testCanary, args...)
		if i < 3 && !o.OK {
			t.Errorf("run %d: the canary account did not log in:\n%s", i, raw)
		}
		if strings.Contains(raw, testCanary) || strings.Contains(stderr, testCanary) {
			t.Errorf("run %d: the password is in the output:\n%s\n%s", i, raw, stderr)
		}
		if i == 3 && !strings.Contains(raw, "****") {
			t.Errorf("run %d: the echoed password was not masked:\n%s", i, raw)
		}
	}
	for _, dir := range []string{tmp, d.Dir} {
		filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
			if err != nil || !e.Type().IsRegular() { // not Dovecot's sockets and FIFOs
				return nil
			}
			if strings.HasSuffix(p, "/passwd") && dir == d.Dir {
				return nil // the server's own user database holds it, by design
			}
			b, err := os.ReadFile(p)
			if err == nil && bytes.Contains(b, []byte(testCanary)) {
				t.Errorf("%s holds the password", p)
			}
			return nil
		})
	}
}

func TestTestUsage(t *testing.T) {
	tests := []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"no address", "pw", []string{"test", "--password-stdin"}, "one email address"},
		{"no --password-stdin", "pw", []string{"test", "a@example.test"}, "needs --password-stdin"},
		{"empty stdin", "", []string{"test", "--password-stdin", "a@example.test"}, "standard input is empty; pipe the password in, e.g. printf %s \"$PASSWORD\" | mailwiz test --password-stdin"},
		{"bad url", "pw", []string{"test", "--password-stdin", "--incoming", "imap://h:99999", "a@example.test"}, "port"},
		{"smtp as incoming", "pw", []string{"test", "--password-stdin", "--incoming", "smtp://h", "a@example.test"}, "imap:// or pop3://"},
		{"imap as outgoing", "pw", []string{"test", "--password-stdin", "--outgoing", "imap://h", "a@example.test"}, "smtp://"},
		{"bad timeout", "pw", []string{"test", "--password-stdin", "--timeout", "-1s", "a@example.test"}, "--timeout"},
		{"bad send timeout", "pw", []string{"test", "--password-stdin", "--send-test", "--send-timeout", "0s", "a@example.test"}, "--send-timeout 0s: give a positive duration"},
		{"bad language", "pw", []string{"test", "--password-stdin", "--lang", "de", "a@example.test"}, `--lang "de": use en or ru`},
		{"bad address", "pw", []string{"test", "--password-stdin", "a@@example.test"}, "more than one @ sign"},
		{"password in url", "pw", []string{"test", "--password-stdin", "--incoming", "imap://u:secret@h", "a@example.test"}, "holds a password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			env := newEnv(t, tt.stdin, &out, &errb)
			code := Run(context.Background(), env, tt.args)
			if code != ExitUsage || !strings.Contains(errb.String(), tt.want) || strings.Count(errb.String(), "\n") != 1 {
				t.Errorf("exit %d stderr %q; want 2 and one line with %q", code, errb.String(), tt.want)
			}
			if strings.Contains(errb.String(), "secret") {
				t.Errorf("stderr echoes the password: %q", errb.String())
			}
		})
	}
}

// inboxCount asks Dovecot how many messages the INBOX holds.
func inboxCount(t *testing.T, ca *testenv.CA, d *testenv.Dovecot) uint32 {
	t.Helper()
	c, err := imapclient.DialTLS(testenv.Addr(d.IMAPS), &imapclient.Options{TLSConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: testenv.DovecotHost}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(testenv.DovecotUser, testenv.DovecotPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	mb, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return mb.NumMessages
}

var _ = probe.KindTimeout

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/ from the current output")
	}
}

// normalizers replace what changes from run to run (ports, durations,
// fingerprints, dates) so output compares with a golden file.
var normalizers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), "127.0.0.1:PORT"},
	{regexp.MustCompile(`"port": \d+`), `"port": 0`},
	{regexp.MustCompile(`"duration_ms": \d+`), `"duration_ms": 0`},
	{regexp.MustCompile(`\d+ (ms|мс)`), "N $1"},
	{regexp.MustCompile(`([0-9A-F]{2}:){31}[0-9A-F]{2}`), "SHA256"},
	{regexp.MustCompile(`\d{4}-\d{2}-\d{2}(T[0-9:.]+Z)?`), "DATE"},
}

func normalize(s string) string {
	for _, n := range normalizers {
		s = n.re.ReplaceAllString(s, n.with)
	}
	return s
}

func TestTestGolden(t *testing.T) {
	ca := testenv.NewCA(t)
	withRoots(t, ca.Pool())
	leaf := ca.Issue(t, "127.0.0.1")
	tests := []struct {
		file   string
		in     testenv.Scripted
		out    testenv.Scripted
		inURL  string
		args   []string
		envLng string
	}{
		{"app-password.json",
			testenv.Scripted{Protocol: "imap", TLS: leaf, Login: []string{"NO [ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)"}},
			testenv.Scripted{Protocol: "smtp", TLS: leaf, Login: []string{"235 2.7.0 Accepted"}},
			"imap", []string{"--json"}, ""},
		{"basic-auth-off-ru.txt",
			testenv.Scripted{Protocol: "pop3", TLS: leaf, Login: []string{"-ERR [AUTH] Authentication failed."}},
			testenv.Scripted{Protocol: "smtp", TLS: leaf, Login: []string{"535 5.7.139 Authentication unsuccessful, basic authentication is disabled."}},
			"pop3", nil, "ru_RU.UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in, out := testenv.StartScripted(t, tt.in), testenv.StartScripted(t, tt.out)
			var stdout, stderr bytes.Buffer
			env := newEnv(t, "pw\n", &stdout, &stderr)
			env.Getenv = func(k string) string {
				if k == "LANG" {
					return tt.envLng
				}
				return ""
			}
			args := append([]string{"test", "--password-stdin", "--incoming", srvURL(tt.inURL, in, "ssl"), "--outgoing", srvURL("smtp", out, "ssl")}, tt.args...)
			if code := Run(context.Background(), env, append(args, "ann@example.test")); code != ExitFailed {
				t.Fatalf("exit %d; want 1\n%s%s", code, stdout.String(), stderr.String())
			}
			got := normalize(stdout.String())
			path := filepath.Join("testdata", "test", tt.file)
			if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run with -update if the change is right):\n%s", path, got)
			}
		})
	}
}

// TestTestServersOAuth2: a database entry that signs in with OAuth2 is
// refused with the way on, and that way (naming the server) then tests the
// password. outlook.com is in the built-in database: no network is asked
// (the refusal comes before any connection; the plan is checked without
// running it).
func TestTestServersOAuth2(t *testing.T) {
	var out, errb bytes.Buffer
	code := Run(t.Context(), newEnv(t, "pw", &out, &errb), []string{"test", "--password-stdin", "ann@outlook.com"})
	const way = "--incoming 'imap://outlook.office365.com:993?security=ssl'"
	if code != ExitUsage || !strings.Contains(errb.String(), "OAuth2") || !strings.Contains(errb.String(), way) {
		t.Fatalf("exit %d, stderr %q; want a usage error naming OAuth2 and %s", code, errb.String(), way)
	}
	addr, _ := account.ParseAddress("ann@outlook.com")
	r, _, code, err := resolveConfig(t.Context(), newEnv(t, "", io.Discard, io.Discard), addr, serverChoice{
		incoming: "imap://outlook.office365.com:993?security=ssl",
		outgoing: "smtp://smtp-mail.outlook.com:587?security=starttls",
	})
	if err != nil || code != ExitOK {
		t.Fatalf("with both servers named: %v, exit %d", err, code)
	}
	plan, err := r.PlanTest(wizard.TestOptions{})
	if err != nil || len(plan.Servers) != 2 {
		t.Fatalf("plan: %v, %+v", err, plan)
	}
	for _, s := range plan.Servers {
		if s.Auth != account.AuthPassword || s.Username != "ann@outlook.com" {
			t.Errorf("%s: auth %s username %q; want password and the address", s, s.Auth, s.Username)
		}
	}
}

// TestOneAddress: every command that takes one address refuses, with
// exit 2 and one line, a missing address, a duration not above zero, an
// unknown language and a malformed address, in the same words.
func TestOneAddress(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"detect"}, "detect takes one email address"},
		{[]string{"detect", "a@example.test", "b@example.test"}, "detect takes one email address"},
		{[]string{"detect", "--lang", "de", "a@example.test"}, `--lang "de": use en or ru`},
		{[]string{"detect", "a@@example.test"}, "more than one @ sign"},
		{[]string{"export", "--format", "json"}, "export takes one email address"},
		{[]string{"export", "--format", "json", "a@@example.test"}, "more than one @ sign"},
		{[]string{"save", "--password-stdin", "--timeout", "0s", "a@example.test"}, "--timeout 0s: give a positive duration such as 1m"},
		{[]string{"forget", "--timeout", "-1s", "a@example.test"}, "--timeout -1s: give a positive duration such as 1m"},
		{[]string{"forget", "a@@example.test"}, "more than one @ sign"},
		{[]string{"signin", "--timeout", "0s", "a@example.test"}, "--timeout 0s: give a positive duration such as 5m"},
		{[]string{"sending", "--password-stdin", "--send-timeout", "0s", "a@example.test"}, "--send-timeout 0s: give a positive duration such as 60s"},
		{[]string{"sending", "--password-stdin"}, `printf %s "$PASSWORD" | mailwiz sending`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Run(context.Background(), newEnv(t, "pw", &out, &errb), tt.args)
			if code != ExitUsage || !strings.Contains(errb.String(), tt.want) || strings.Count(errb.String(), "\n") != 1 {
				t.Errorf("exit %d stderr %q; want 2 and one line with %q", code, errb.String(), tt.want)
			}
		})
	}
}
