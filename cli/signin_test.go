package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/keychain"
	"github.com/mailwiz/mailwiz/oauth"
)

// TestSignIn walks an OAuth2 account as a person would: signin (the
// browser played by an HTTP client at a loopback authorization server),
// then test with no password against a real Dovecot that checks the token,
// then the sign-in withdrawn at the provider, then forget. No token the
// server issued appears in any output or the settings file.
func TestSignIn(t *testing.T) {
	testenv.RequireKeyring(t)
	ca := testenv.NewCA(t)
	as := testenv.StartAuthServer(t, ca)
	as.AddClient("mailwiz-cli-test", "")
	as.Set(testenv.AuthBehaviour{TokenPrefix: "clitokcanary"})
	d := testenv.StartDovecotOAuth2(t, ca, as)
	withRoots(t, ca.Pool())
	st := withStore(t, t.TempDir())
	const provider = "cli-test"
	flows := 0
	var outputs []string
	run := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		env := newEnv(t, stdin, &out, &errb)
		env.OAuth2 = func(cfg account.Config, kind oauth.RedirectKind) (*oauth.Flow, error) {
			flows++
			return &oauth.Flow{
				Provider: oauth.Provider{ID: provider, Name: "Test Mail", Issuer: "127.0.0.1", AuthURL: as.AuthURL, TokenURL: as.TokenURL,
					IMAP: []string{"mail"}, POP3: []string{"mail"}, SMTP: []string{"mail"}, Mechanisms: []string{oauth.XOAUTH2}},
				Client:     oauth.Registration{Provider: provider, ClientID: "mailwiz-cli-test", Redirect: oauth.RedirectLoopback},
				HTTPClient: as.Client(ca), OpenBrowser: as.Browser(ca), Timeout: 20 * time.Second,
			}, nil
		}
		code := Run(context.Background(), env, args)
		outputs = append(outputs, out.String(), errb.String())
		return code, out.String(), errb.String()
	}
	addr := testenv.DovecotUser
	in := fmt.Sprintf("imap://127.0.0.1:%d?security=ssl&auth=oauth2", d.IMAPS)
	out := fmt.Sprintf("smtp://127.0.0.1:%d?security=ssl&auth=oauth2", d.Submissions)
	item := oauth.ItemName(addr, provider)
	t.Cleanup(func() { oauth.DeleteToken(context.Background(), addr, provider) }) //nolint:errcheck

	code, stdout, stderr := run("", "signin", "--incoming", in, "--outgoing", out, addr)
	if code != ExitOK || !strings.Contains(stdout, "Signed in to Test Mail as "+addr) || !strings.Contains(stderr, "Opening Test Mail's sign-in page") {
		t.Fatalf("signin: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if items := testenv.KeyringItems(t, "service", keychain.Service, "username", item); len(items) != 1 {
		t.Fatalf("keychain items %q: %d; want the sign-in", item, len(items))
	}
	settings, err := os.ReadFile(st.Path(addr))
	if err != nil || !strings.Contains(string(settings), `"provider": "`+provider+`"`) {
		t.Fatalf("settings (%v):\n%s", err, settings)
	}
	outputs = append(outputs, string(settings))

	// No password: the kept sign-in logs in, on both servers.
	code, stdout, stderr = run("", "test", "--json", "--send-test", "--send-timeout", "20s", addr)
	if code != ExitOK || strings.Count(stdout, `"ok": true`) != 4 {
		t.Fatalf("test with the sign-in: exit %d\n%s\n%s\n%s", code, stdout, stderr, d.LogText())
	}
	if !strings.Contains(d.LogText(), "method=XOAUTH2") {
		t.Errorf("Dovecot saw no XOAUTH2 login:\n%s", d.LogText())
	}

	// Withdrawn at the provider: the refresh is refused, and both
	// languages say to sign in again.
	as.RevokeAll()
	for lang, want := range map[string]string{"en": "signin", "ru": "signin"} {
		code, stdout, stderr = run("", "test", "--lang", lang, addr)
		if code != ExitFailed || !strings.Contains(stderr, want) || (lang == "ru" && !strings.ContainsAny(stderr, "абвгдеж")) {
			t.Errorf("%s after the revocation: exit %d\n%s\n%s", lang, code, stdout, stderr)
		}
	}

	code, stdout, stderr = run("", "forget", addr)
	if code != ExitOK {
		t.Fatalf("forget: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if items := testenv.KeyringItems(t, "service", keychain.Service, "username", item); len(items) != 0 {
		t.Errorf("the sign-in stayed in the keychain after forget")
	}
	if flows == 0 {
		t.Error("the test's sign-in was never used")
	}
	for _, s := range outputs {
		for _, tok := range as.Issued() {
			if strings.Contains(s, tok) {
				t.Fatalf("an issued token or code reached an output: %q", s)
			}
		}
	}
}

// TestSignInPasswordServers: an account whose servers take a password is
// told to test with one, and nothing is opened.
func TestSignInPasswordServers(t *testing.T) {
	var out, errb bytes.Buffer
	env := newEnv(t, "", &out, &errb)
	opened := false
	env.OAuth2 = func(account.Config, oauth.RedirectKind) (*oauth.Flow, error) { opened = true; return nil, nil }
	code := Run(context.Background(), env, []string{"signin", "--incoming", "imap://127.0.0.1:993", "--outgoing", "smtp://127.0.0.1:465", "bob@example.test"})
	if code != ExitFailed || !strings.Contains(errb.String(), "take a password") || opened {
		t.Errorf("exit %d opened=%v\n%s", code, opened, errb.String())
	}
}

// approver approves the device code the command prints, as the person
// would on another device.
type approver struct {
	mu  sync.Mutex
	buf bytes.Buffer
	as  *testenv.AuthServer
}

var deviceCode = regexp.MustCompile(`enter the code (\S+) `)

func (a *approver) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.buf.Write(p)
	if m := deviceCode.FindSubmatch(p); m != nil {
		a.as.ApproveDevice(string(m[1]))
	}
	return len(p), nil
}

// TestSignInDevice: signin --device prints the address and the code; once
// the code is approved elsewhere, the sign-in is kept and test passes
// with it against the real Dovecot.
func TestSignInDevice(t *testing.T) {
	testenv.RequireKeyring(t)
	ca := testenv.NewCA(t)
	as := testenv.StartAuthServer(t, ca)
	as.AddClient("mailwiz-cli-device", "")
	d := testenv.StartDovecotOAuth2(t, ca, as)
	withRoots(t, ca.Pool())
	withStore(t, t.TempDir())
	const provider = "cli-device-test"
	addr := testenv.DovecotUser
	t.Cleanup(func() { oauth.DeleteToken(context.Background(), addr, provider) }) //nolint:errcheck
	run := func(stderr io.Writer, args ...string) (int, string) {
		var out bytes.Buffer
		env := newEnv(t, "", &out, stderr)
		env.OAuth2 = func(cfg account.Config, kind oauth.RedirectKind) (*oauth.Flow, error) {
			return &oauth.Flow{
				Provider: oauth.Provider{ID: provider, Name: "Test Mail", Issuer: "127.0.0.1", AuthURL: as.AuthURL, TokenURL: as.TokenURL,
					DeviceAuthURL: as.DeviceURL, IMAP: []string{"mail"}, POP3: []string{"mail"}, SMTP: []string{"mail"}},
				Client:     oauth.Registration{Provider: provider, ClientID: "mailwiz-cli-device", Redirect: oauth.RedirectDevice},
				HTTPClient: as.Client(ca), Timeout: 30 * time.Second,
			}, nil
		}
		return Run(context.Background(), env, args), out.String()
	}
	in := fmt.Sprintf("imap://127.0.0.1:%d?security=ssl&auth=oauth2", d.IMAPS)
	out := fmt.Sprintf("smtp://127.0.0.1:%d?security=ssl&auth=oauth2", d.Submissions)
	ap := &approver{as: as}
	code, stdout := run(ap, "signin", "--device", "--incoming", in, "--outgoing", out, addr)
	ap.mu.Lock()
	prompt := ap.buf.String()
	ap.mu.Unlock()
	if code != ExitOK || !strings.Contains(prompt, as.VerifyURL) || !strings.Contains(stdout, "Signed in") {
		t.Fatalf("signin --device: exit %d\n%s\n%s", code, stdout, prompt)
	}
	var errb bytes.Buffer
	if code, stdout := run(&errb, "test", addr); code != ExitOK {
		t.Fatalf("test after the device sign-in: exit %d\n%s\n%s", code, stdout, errb.String())
	}
}
