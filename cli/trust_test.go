package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/store"
)

// TestTrustCert: `mailwiz test` against a real Dovecot whose certificate
// this machine does not trust, end to end: refused with the fingerprint and
// the flag named, accepted with --trust-cert of exactly that fingerprint,
// refused again with any other.
func TestTrustCert(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	stranger := testenv.NewCA(t)
	withRoots(t, stranger.Pool())
	fp := probe.Fingerprint(d.Leaf.TLS.Certificate[0])
	other := probe.Fingerprint(stranger.Issue(t, "127.0.0.1").TLS.Certificate[0])
	servers := []string{"--incoming", srvURL("imap", d.IMAP, "starttls"), "--outgoing", srvURL("smtp", d.Submissions, "ssl")}
	user := testenv.DovecotUser

	exceptions := func(raw string) []bool {
		var o struct {
			Results []struct {
				TLS *struct {
					Exception bool `json:"exception"`
				} `json:"tls"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(raw), &o); err != nil {
			t.Fatal(err)
		}
		var out []bool
		for _, r := range o.Results {
			out = append(out, r.TLS != nil && r.TLS.Exception)
		}
		return out
	}

	t.Run("refused, with the way out named", func(t *testing.T) {
		code, o, raw, _ := mwTest(t, testenv.DovecotPassword, append(servers, user)...)
		if code != ExitFailed || o.OK || strings.Join(o.kinds(), ",") != "tls-untrusted,tls-untrusted" {
			t.Fatalf("exit %d kinds %v; want 1 and tls-untrusted for both\n%s", code, o.kinds(), raw)
		}
		for _, r := range o.Results {
			if r.TLS == nil || r.TLS.SHA256 != fp || !strings.Contains(r.Diagnosis.Text, "--trust-cert "+fp) || !strings.Contains(r.Diagnosis.Text, "administrator") {
				t.Errorf("%s: tls %+v, text %q; want the fingerprint, the administrator and --trust-cert %s", r.Protocol, r.TLS, r.Diagnosis.Text, fp)
			}
		}
		if strings.Contains(raw, `"exception"`) {
			t.Errorf("exception appears without one: %s", raw)
		}
	})

	t.Run("accepted by its fingerprint in any spelling", func(t *testing.T) {
		bare := strings.ToLower(strings.ReplaceAll(fp, ":", ""))
		code, o, raw, stderr := mwTest(t, testenv.DovecotPassword, append(servers, "--trust-cert", other, "--trust-cert", bare, user)...)
		if code != ExitOK || !o.OK {
			t.Fatalf("exit %d ok=%v; want 0\n%s\n%s", code, o.OK, raw, stderr)
		}
		for i, r := range o.Results {
			if !r.OK || r.Stage != "done" || r.TLS == nil || r.TLS.Verified || !exceptions(raw)[i] {
				t.Errorf("%s: %+v; want done, verified false, exception true", r.Protocol, r)
			}
		}
	})

	t.Run("another fingerprint accepts nothing", func(t *testing.T) {
		code, o, raw, _ := mwTest(t, testenv.DovecotPassword, append(servers, "--trust-cert", other, user)...)
		if code != ExitFailed || strings.Join(o.kinds(), ",") != "tls-untrusted,tls-untrusted" {
			t.Fatalf("exit %d kinds %v; want tls-untrusted for both\n%s", code, o.kinds(), raw)
		}
	})

	t.Run("a saved account keeps its exception", func(t *testing.T) {
		dir := t.TempDir()
		withStore(t, dir)
		st := &store.Store{Dir: dir}
		a := store.Account{Email: user, Incoming: account.Server{Protocol: account.IMAP, Host: "127.0.0.1", Port: d.IMAP, Security: account.STARTTLS}}
		a.TrustedCerts = []string{other}
		if err := st.Save(a); err != nil {
			t.Fatal(err)
		}
		if code, o, raw, _ := mwTest(t, testenv.DovecotPassword, append(servers, user)...); code != ExitFailed || o.OK {
			t.Fatalf("a saved exception for another certificate: exit %d\n%s", code, raw)
		}
		a.TrustedCerts = []string{strings.ToLower(fp)}
		if err := st.Save(a); err != nil {
			t.Fatal(err)
		}
		code, o, raw, stderr := mwTest(t, testenv.DovecotPassword, append(servers, user)...)
		if code != ExitOK || !o.OK || !exceptions(raw)[0] {
			t.Fatalf("with the exception saved: exit %d ok=%v\n%s%s", code, o.OK, raw, stderr)
		}
	})

	t.Run("the exports name a saved exception", func(t *testing.T) {
		dir := t.TempDir()
		withStore(t, dir)
		st := &store.Store{Dir: dir}
		a := store.Account{Email: user,
			Incoming:     account.Server{Protocol: account.IMAP, Host: "127.0.0.1", Port: d.IMAPS, Security: account.SSL, Username: user},
			Outgoing:     account.Server{Protocol: account.SMTP, Host: "127.0.0.1", Port: d.Submissions, Security: account.SSL, Username: user},
			TrustedCerts: []string{strings.ToLower(fp)}}
		if err := st.Save(a); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ format, want string }{{"msmtp", "\ntls_fingerprint " + fp + "\n"}, {"thunderbird", fp}} {
			var out, errb bytes.Buffer
			if code := Run(context.Background(), newEnv(t, "", &out, &errb), []string{"export", "--format", tc.format, user}); code != ExitOK || !strings.Contains(out.String(), tc.want) {
				t.Errorf("export %s: exit %d; want %q in\n%s%s", tc.format, code, tc.want, out.String(), errb.String())
			}
		}
	})

	t.Run("the report says who trusted it", func(t *testing.T) {
		for _, tc := range []struct{ lang, want string }{{"en", "accepted by you as an exception"}, {"ru", "принят вами как исключение"}} {
			var out, errb bytes.Buffer
			env := newEnv(t, testenv.DovecotPassword, &out, &errb)
			args := append([]string{"test", "--password-stdin", "--lang", tc.lang, "--trust-cert", fp}, append(servers, user)...)
			if code := Run(context.Background(), env, args); code != ExitOK || !strings.Contains(out.String(), tc.want) {
				t.Errorf("%s: exit %d; want 0 and %q in:\n%s%s", tc.lang, code, tc.want, out.String(), errb.String())
			}
		}
	})
}

// A malformed --trust-cert is a usage error on one line that names the
// flag and the form wanted, before any password is read or sent.
func TestTrustCertUsage(t *testing.T) {
	for _, cmd := range []string{"test", "save"} {
		for _, bad := range []string{"", "AB:CD", "xyz" + strings.Repeat("0", 61), strings.Repeat("A", 66)} {
			var out, errb bytes.Buffer
			env := newEnv(t, testCanary, &out, &errb)
			code := Run(context.Background(), env, []string{cmd, "--password-stdin", "--trust-cert", bad, "--incoming", "imap://127.0.0.1:1?security=ssl", "--outgoing", "smtp://127.0.0.1:1?security=ssl", "a@example.test"})
			msg := errb.String()
			if code != ExitUsage || strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "mailwiz: --trust-cert ") || !strings.Contains(msg, "64 hex digits") && !strings.Contains(msg, "hex digits 0-9") {
				t.Errorf("%s --trust-cert %q: exit %d, stderr %q; want 2 and one line naming the flag and the form", cmd, bad, code, msg)
			}
			if out.Len() != 0 || strings.Contains(msg, testCanary) {
				t.Errorf("%s --trust-cert %q: stdout %q", cmd, bad, out.String())
			}
		}
	}
}

// TestSaveTrustCert: `mailwiz save --trust-cert` keeps the fingerprints, in
// the canonical form, in the account's settings file, and no password there.
func TestSaveTrustCert(t *testing.T) {
	testenv.RequireKeyring(t)
	dir := t.TempDir()
	withStore(t, dir)
	const fp = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"
	const email = "trust-save-test@selfhosted.example.test"
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		env := newEnv(t, testCanary, &out, &errb)
		return Run(context.Background(), env, args), out.String(), errb.String()
	}
	t.Cleanup(func() { run("forget", email) })
	code, stdout, stderr := run("save", "--password-stdin", "--offline",
		"--incoming", "imap://127.0.0.1:1143?security=starttls", "--outgoing", "smtp://127.0.0.1:1025?security=starttls",
		"--trust-cert", strings.ToLower(strings.ReplaceAll(fp, ":", "")), "--trust-cert", fp, email)
	if code != ExitOK || !strings.Contains(stdout, "SHA-256 "+fp) {
		t.Fatalf("save: exit %d\n%s%s", code, stdout, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, store.FileName(email)))
	if err != nil {
		t.Fatal(err)
	}
	var saved struct {
		TrustedCerts []string `json:"trusted_certs"`
	}
	if err := json.Unmarshal(data, &saved); err != nil || len(saved.TrustedCerts) != 1 || saved.TrustedCerts[0] != fp {
		t.Errorf("settings %s (%v); want trusted_certs [%s] once", data, err, fp)
	}
	if bytes.Contains(data, []byte(testCanary)) {
		t.Error("the settings file holds the password")
	}
	a, err := (&store.Store{Dir: dir}).Load(email)
	if err != nil || len(a.TrustedCerts) != 1 || a.TrustedCerts[0] != fp {
		t.Errorf("reopened: %+v, %v; want the exception kept", a.TrustedCerts, err)
	}
}
