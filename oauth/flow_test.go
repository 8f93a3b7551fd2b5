package oauth

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/keychain"
)

func TestMain(m *testing.M) {
	// The package's tests never touch a person's keychain.
	keychain.MockInit()
	os.Exit(m.Run())
}

const testClientID = "mailwiz-test-client"

// canary starts every token and code the test server issues.
const canary = "CANARY7f3a"

// env is a test authorization server with a provider and registration
// pointing at it.
type env struct {
	ca   *testenv.CA
	as   *testenv.AuthServer
	hc   *http.Client
	prov Provider
	reg  Registration

	mu    sync.Mutex
	texts []string // every error text and page the tests saw, for the canary check
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ca := testenv.NewCA(t)
	as := testenv.StartAuthServer(t, ca)
	as.AddClient(testClientID, "")
	as.Set(testenv.AuthBehaviour{TokenPrefix: canary})
	e := &env{ca: ca, as: as, hc: as.Client(ca),
		prov: Provider{ID: "test", Name: "Test Mail", Issuer: "127.0.0.1",
			AuthURL: as.AuthURL, TokenURL: as.TokenURL, DeviceAuthURL: as.DeviceURL,
			IMAP: []string{"mail.imap"}, POP3: []string{"mail.pop"}, SMTP: []string{"mail.smtp"},
			Extra: []string{"offline_access"}, Mechanisms: []string{XOAUTH2, OAUTHBEARER}},
		reg: Registration{Provider: "test", ClientID: testClientID, Redirect: RedirectLoopback},
	}
	t.Cleanup(func() { e.checkCanary(t) })
	return e
}

// note keeps a text a person or a log could see, for the canary check.
func (e *env) note(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.texts = append(e.texts, s)
}

func (e *env) noteErr(err error) {
	if err == nil {
		return
	}
	e.note(err.Error())
	var oe *Error
	if errors.As(err, &oe) {
		e.note(oe.Message("ru"))
	}
}

// checkCanary: no token or code the server issued is in any error text or
// page the test saw.
func (e *env) checkCanary(t *testing.T) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.texts {
		for _, tok := range e.as.Issued() {
			if strings.Contains(s, tok) {
				t.Errorf("a token or code shows in %q", s)
			}
		}
		if strings.Contains(s, canary) {
			t.Errorf("the canary shows in %q", s)
		}
	}
}

// browser plays the system browser with an HTTP client: it opens the URL
// and follows the redirect to the loopback listener, keeping the last page.
func (e *env) browser(rewrite func(string) string) func(context.Context, string) error {
	return func(_ context.Context, u string) error {
		if rewrite != nil {
			u = rewrite(u)
		}
		// Not the sign-in's context: a real browser does not stop reading
		// its page when mailwiz stops waiting.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		resp, err := e.hc.Do(req)
		if err != nil {
			return nil // the flow's own error says what happened
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		e.note(string(b))
		return nil
	}
}

func (e *env) flow() *Flow {
	return &Flow{Provider: e.prov, Client: e.reg, HTTPClient: e.hc, OpenBrowser: e.browser(nil),
		LoginHint: testenv.DovecotUser, Timeout: 20 * time.Second}
}

// waitGoroutines waits until no more than n goroutines run.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, %d before the sign-in:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSignIn(t *testing.T) {
	e := newEnv(t)
	f := e.flow()
	var authURL string
	browsed := make(chan struct{})
	f.OpenBrowser = func(ctx context.Context, u string) error {
		defer close(browsed)
		authURL = u
		return e.browser(nil)(ctx, u)
	}
	tok, err := f.SignIn(context.Background())
	e.noteErr(err)
	<-browsed
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.AccessToken, canary+"at-") || !strings.HasPrefix(tok.RefreshToken, canary+"rt-") {
		t.Fatalf("token %q / %q is not the server's", tok.AccessToken, tok.RefreshToken)
	}
	q := mustQuery(t, authURL)
	for k, want := range map[string]string{"code_challenge_method": "S256", "response_type": "code",
		"client_id": testClientID, "login_hint": testenv.DovecotUser,
		"scope": "mail.imap mail.pop mail.smtp offline_access"} {
		if q.Get(k) != want {
			t.Errorf("authorization URL's %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if len(q.Get("state")) < 32 || len(q.Get("code_challenge")) != 43 || q.Has("code_verifier") {
		t.Errorf("state %q / challenge %q / verifier in the URL: %v", q.Get("state"), q.Get("code_challenge"), q.Has("code_verifier"))
	}
	redirect, _ := url.Parse(q.Get("redirect_uri"))
	if redirect.Scheme != "http" || redirect.Hostname() != "127.0.0.1" || redirect.Port() == "0" || redirect.Path != "/" {
		t.Errorf("redirect_uri %q is not RFC 8252's loopback", redirect)
	}
	// Nothing listens on the redirect's port any more.
	if c, err := net.DialTimeout("tcp", redirect.Host, time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after the sign-in", redirect.Host)
	}
	e.mu.Lock()
	page := strings.Join(e.texts, "\n")
	e.mu.Unlock()
	if !strings.Contains(page, "Signed in") || !strings.Contains(page, "Вход выполнен") {
		t.Errorf("the browser's last page: %q", page)
	}
}

func mustQuery(t *testing.T, u string) url.Values {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return p.Query()
}

func TestSignInFails(t *testing.T) {
	for _, tc := range []struct {
		name    string
		b       testenv.AuthBehaviour
		rewrite func(string) string
		kind    Kind
		code    string
	}{
		{name: "refused", b: testenv.AuthBehaviour{Refuse: true}, kind: KindRefused, code: "access_denied"},
		{name: "wrong state", b: testenv.AuthBehaviour{WrongState: true}, kind: KindWrongState},
		{
			// Another challenge than ours reaches the server (an attacker's
			// substitution): the code is bound to it, our verifier fails.
			name: "PKCE mismatch",
			rewrite: func(u string) string {
				p, _ := url.Parse(u)
				q := p.Query()
				q.Set("code_challenge", strings.Repeat("A", 43))
				p.RawQuery = q.Encode()
				return p.String()
			},
			kind: KindExchange, code: "invalid_grant",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tc.b.TokenPrefix = canary
			e.as.Set(tc.b)
			f := e.flow()
			f.OpenBrowser = e.browser(tc.rewrite)
			tok, err := f.SignIn(context.Background())
			e.noteErr(err)
			var oe *Error
			if !errors.As(err, &oe) || oe.Kind != tc.kind || oe.Code != tc.code || tok != nil {
				t.Fatalf("SignIn gave a token: %v, error %#v; want kind %s code %q", tok != nil, err, tc.kind, tc.code)
			}
			if !errors.Is(err, &Error{Kind: tc.kind}) {
				t.Errorf("errors.Is does not match kind %s", tc.kind)
			}
			if oe.Message("ru") == oe.Message("en") {
				t.Errorf("no Russian text for %s", tc.kind)
			}
		})
	}
}

// A browser that never comes back, a cancel, a browser that cannot open:
// each ends the sign-in with its own error and leaves nothing listening
// and no goroutine behind.
func TestSignInLeavesNothing(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		cancel  bool
		openErr error
		kind    Kind
	}{
		{name: "timeout", timeout: 300 * time.Millisecond, kind: KindTimeout},
		{name: "cancel", cancel: true, kind: KindCanceled},
		{name: "no browser", openErr: errors.New("xdg-open: not found\x1b[31m"), kind: KindBrowser},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			f := e.flow()
			f.Timeout = tc.timeout
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var port int
			f.OpenBrowser = func(_ context.Context, u string) error {
				redirect, _ := url.Parse(mustQuery(t, u).Get("redirect_uri"))
				port, _ = strconv.Atoi(redirect.Port())
				if tc.cancel {
					go func() { time.Sleep(100 * time.Millisecond); cancel() }()
				}
				return tc.openErr
			}
			start := time.Now()
			_, err := f.SignIn(ctx)
			e.noteErr(err)
			var oe *Error
			if !errors.As(err, &oe) || oe.Kind != tc.kind {
				t.Fatalf("SignIn = %v, want kind %s", err, tc.kind)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			if strings.ContainsRune(err.Error(), 0x1b) {
				t.Errorf("an escape sequence reached the error text: %q", err)
			}
			if c, err := net.DialTimeout("tcp", testenv.Addr(port), time.Second); err == nil {
				c.Close()
				t.Errorf("port %d still listens", port)
			}
			waitGoroutines(t, before)
		})
	}
}

func TestSignInWrongRegistration(t *testing.T) {
	e := newEnv(t)
	f := e.flow()
	f.Client.ClientID = "nobody"
	f.Timeout = 2 * time.Second
	_, err := f.SignIn(context.Background())
	e.noteErr(err)
	// The server does not redirect for an unknown client (RFC 6749
	// §4.1.2.1), so the browser never comes back.
	if !errors.Is(err, &Error{Kind: KindTimeout}) {
		t.Fatalf("SignIn with an unknown client = %v, want a timeout", err)
	}
	f.Client.Redirect = RedirectDevice
	if _, err := f.SignIn(context.Background()); err == nil {
		t.Fatal("SignIn with a device registration succeeded")
	}
}

func TestDevice(t *testing.T) {
	e := newEnv(t)
	e.reg.Redirect = RedirectDevice
	approve := func(p DevicePrompt) {
		e.note(p.UserCode + " " + p.VerificationURI)
		go e.browser(nil)(context.Background(), p.VerificationURIComplete) //nolint:errcheck
	}
	t.Run("approved after slow_down", func(t *testing.T) {
		e.as.Set(testenv.AuthBehaviour{TokenPrefix: canary, SlowDown: 1})
		var prompt DevicePrompt
		tok, err := e.flow().SignInDevice(context.Background(), func(p DevicePrompt) { prompt = p; approve(p) })
		e.noteErr(err)
		if err != nil {
			t.Fatal(err)
		}
		if tok.AccessToken == "" || tok.RefreshToken == "" || prompt.UserCode == "" ||
			prompt.VerificationURI != e.as.VerifyURL || prompt.Expires.IsZero() {
			t.Fatalf("token %v, prompt %+v", tok != nil, prompt)
		}
	})
	t.Run("refused", func(t *testing.T) {
		e.as.Set(testenv.AuthBehaviour{TokenPrefix: canary, Refuse: true})
		_, err := e.flow().SignInDevice(context.Background(), approve)
		e.noteErr(err)
		if !errors.Is(err, &Error{Kind: KindRefused}) {
			t.Fatalf("SignInDevice = %v, want refused", err)
		}
	})
	t.Run("never entered", func(t *testing.T) {
		e.as.Set(testenv.AuthBehaviour{TokenPrefix: canary, DeviceTTL: 2 * time.Second})
		before := runtime.NumGoroutine()
		_, err := e.flow().SignInDevice(context.Background(), func(DevicePrompt) {})
		e.noteErr(err)
		if !errors.Is(err, &Error{Kind: KindTimeout}) {
			t.Fatalf("SignInDevice = %v, want a timeout", err)
		}
		waitGoroutines(t, before)
	})
	t.Run("no device registration", func(t *testing.T) {
		f := e.flow()
		f.Client.Redirect = RedirectLoopback
		var nc *NoClientError
		if _, err := f.SignInDevice(context.Background(), nil); !errors.As(err, &nc) || nc.Flow != RedirectDevice {
			t.Fatalf("SignInDevice with a loopback registration = %v", err)
		}
	})
}

func TestTokenSource(t *testing.T) {
	e := newEnv(t)
	// x/oauth2 refreshes a token within 10 s of its expiry: with 5 s, every
	// Token call refreshes.
	e.as.Set(testenv.AuthBehaviour{TokenPrefix: canary, AccessTTL: 5 * time.Second, Rotate: true})
	tok, err := e.flow().SignIn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var rotated []string
	ts := e.flow().TokenSource(context.Background(), tok, func(r string) { rotated = append(rotated, r) })
	t2, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if t2.AccessToken == tok.AccessToken || len(rotated) != 1 || rotated[0] == tok.RefreshToken {
		t.Fatalf("after a refresh: same access token %v, rotated %d", t2.AccessToken == tok.AccessToken, len(rotated))
	}
	e.as.RevokeAll()
	_, err = ts.Token()
	e.noteErr(err)
	if !errors.Is(err, &Error{Kind: KindRevoked}) {
		t.Fatalf("refresh with a revoked token = %v, want revoked", err)
	}
}
