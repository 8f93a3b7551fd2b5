package testenv

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// AuthHost is the name on the authorization server's certificate (with
// 127.0.0.1 and localhost).
const AuthHost = "auth.example.test"

// AuthServer is a small OAuth2 authorization server of ours on loopback,
// over HTTPS with a certificate from the test [CA]. It follows RFC 6749
// (authorization code and refresh grants), RFC 7636 (PKCE, S256 only),
// RFC 8252 (loopback redirects on any port), RFC 8628 (device grant),
// RFC 7662 (introspection, which Dovecot's oauth2 passdb calls) and
// RFC 7009 (revocation). Start it with [StartAuthServer].
//
// The person "signing in" is Behaviour.Username; /authorize decides at
// once, approving or refusing as the test set it, with no page to click.
type AuthServer struct {
	// URL is the base, https://127.0.0.1:<port>.
	URL string
	// The endpoints.
	AuthURL, TokenURL, DeviceURL, VerifyURL, IntrospectURL, RevokeURL string
	// Leaf is the server's certificate, from the CA given at start.
	Leaf *Leaf

	mu       sync.Mutex
	b        AuthBehaviour
	clients  map[string]string // client ID → secret ("" for a public client)
	codes    map[string]*authCode
	access   map[string]*grant
	refresh  map[string]*grant
	devices  map[string]*deviceGrant // by device_code
	byUser   map[string]*deviceGrant // by user_code
	issued   []string
	requests map[string]int
}

// AuthBehaviour is what the server does; change it with [AuthServer.Set].
type AuthBehaviour struct {
	// Username is the account that signs in; default DovecotUser.
	Username string
	// Refuse makes /authorize and device verification answer access_denied.
	Refuse bool
	// WrongState makes /authorize send back a state other than the one it
	// was given, as an attacker's redirect would.
	WrongState bool
	// AccessTTL is an access token's lifetime; default an hour.
	AccessTTL time.Duration
	// Rotate gives a new refresh token on every refresh, invalidating the
	// old one (as Microsoft does).
	Rotate bool
	// TokenPrefix starts every token and code issued, so a test can look
	// for them where they must not be.
	TokenPrefix string
	// RefreshLen, when larger, pads refresh tokens to that many bytes (a
	// long Microsoft refresh token).
	RefreshLen int
	// DeviceInterval is the device grant's polling interval in seconds;
	// default 1. SlowDown is how many polls answer slow_down first.
	DeviceInterval, SlowDown int
	// DeviceTTL is a device code's lifetime; default 10 minutes.
	DeviceTTL time.Duration
}

type authCode struct {
	client, redirect, challenge, scope, user string
	expires                                  time.Time
	used                                     bool
	tokens                                   []*grant
}

// grant is one issued token with what it grants.
type grant struct {
	token, client, scope, user string
	expires                    time.Time // zero for refresh tokens
	revoked                    bool
	parent                     *grant // an access token's refresh token
}

type deviceGrant struct {
	code, user, client, scope string
	expires                   time.Time
	lastPoll                  time.Time
	state                     string // "pending", "approved", "denied", "done"
	slowDowns                 int
}

// StartAuthServer starts the server on a free loopback port and stops it
// when the test ends.
func StartAuthServer(t testing.TB, ca *CA) *AuthServer {
	t.Helper()
	a := &AuthServer{
		Leaf:    ca.Issue(t, AuthHost, "localhost", "127.0.0.1"),
		clients: map[string]string{}, codes: map[string]*authCode{},
		access: map[string]*grant{}, refresh: map[string]*grant{},
		devices: map[string]*deviceGrant{}, byUser: map[string]*deviceGrant{},
		requests: map[string]int{},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: authserver: %v", err)
	}
	a.URL = "https://" + ln.Addr().String()
	a.AuthURL, a.TokenURL, a.DeviceURL = a.URL+"/authorize", a.URL+"/token", a.URL+"/device"
	a.VerifyURL, a.IntrospectURL, a.RevokeURL = a.URL+"/device/verify", a.URL+"/introspect", a.URL+"/revoke"
	mux := http.NewServeMux()
	mux.HandleFunc("/authorize", a.authorize)
	mux.HandleFunc("/token", a.token)
	mux.HandleFunc("/device", a.device)
	mux.HandleFunc("/device/verify", a.verify)
	mux.HandleFunc("/introspect", a.introspect)
	mux.HandleFunc("/revoke", a.revoke)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a.mu.Lock()
			a.requests[r.URL.Path]++
			a.mu.Unlock()
			w.Header().Set("Cache-Control", "no-store")
			mux.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second, ErrorLog: quietLog(),
	}
	go srv.Serve(tls.NewListener(ln, a.Leaf.ServerTLS())) //nolint:errcheck
	t.Cleanup(func() { srv.Close() })
	return a
}

// AddClient registers a client; secret "" makes it a public client.
func (a *AuthServer) AddClient(id, secret string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.clients[id] = secret
}

// Set replaces the behaviour.
func (a *AuthServer) Set(b AuthBehaviour) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.b = b
}

// Requests returns how many requests reached path ("/introspect").
func (a *AuthServer) Requests(path string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.requests[path]
}

// Issued returns every token and code issued so far.
func (a *AuthServer) Issued() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.issued...)
}

// Revoke invalidates a token; revoking a refresh token also revokes the
// access tokens issued with it. It reports whether the token was known.
func (a *AuthServer) Revoke(token string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.revokeLocked(token)
}

func (a *AuthServer) revokeLocked(token string) bool {
	if g, ok := a.access[token]; ok {
		g.revoked = true
		return true
	}
	if g, ok := a.refresh[token]; ok {
		g.revoked = true
		for _, at := range a.access {
			if at.parent == g {
				at.revoked = true
			}
		}
		return true
	}
	return false
}

// RevokeAll invalidates every token issued so far.
func (a *AuthServer) RevokeAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, g := range a.access {
		g.revoked = true
	}
	for _, g := range a.refresh {
		g.revoked = true
	}
}

// ExpireAccessTokens makes every access token issued so far expired.
func (a *AuthServer) ExpireAccessTokens() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, g := range a.access {
		g.expires = time.Now().Add(-time.Second)
	}
}

// ApproveDevice approves (or, with Behaviour.Refuse, denies) the device
// sign-in waiting under userCode, as a person entering it would; false when
// there is none.
func (a *AuthServer) ApproveDevice(userCode string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	d, ok := a.byUser[userCode]
	if !ok || d.state != "pending" || time.Now().After(d.expires) {
		return false
	}
	d.state, d.user = "approved", a.username()
	if a.b.Refuse {
		d.state = "denied"
	}
	return true
}

func (a *AuthServer) username() string {
	if a.b.Username != "" {
		return a.b.Username
	}
	return DovecotUser
}

func (a *AuthServer) newToken(kind string, n int) string {
	b := make([]byte, 24)
	rand.Read(b) //nolint:errcheck
	s := a.b.TokenPrefix + kind + "-" + base64.RawURLEncoding.EncodeToString(b)
	for len(s) < n {
		s += "x"
	}
	a.issued = append(a.issued, s)
	return s
}

// loopback reports whether u is a redirect RFC 8252 allows a native app:
// http on a loopback address or localhost, any port.
func loopback(u *url.URL) bool {
	if u.Scheme != "http" || u.User != nil || u.Fragment != "" {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// verifierRE is RFC 7636 §4.1's code_verifier.
var verifierRE = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

func (a *AuthServer) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a.mu.Lock()
	defer a.mu.Unlock()
	client := q.Get("client_id")
	redirect, err := url.Parse(q.Get("redirect_uri"))
	// RFC 6749 §4.1.2.1: with an unknown client or a bad redirect, tell
	// the person and do not redirect.
	if _, ok := a.clients[client]; !ok {
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	}
	if err != nil || !loopback(redirect) {
		http.Error(w, "redirect_uri is not a loopback http URL", http.StatusBadRequest)
		return
	}
	state := q.Get("state")
	back := func(v url.Values) {
		if state != "" {
			v.Set("state", state)
		}
		if a.b.WrongState {
			v.Set("state", "not-"+state)
		}
		u := *redirect
		rq := u.Query()
		for k, vs := range v {
			rq[k] = vs
		}
		u.RawQuery = rq.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	fail := func(code, desc string) {
		back(url.Values{"error": {code}, "error_description": {desc}})
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only response_type=code")
	case q.Get("code_challenge") == "":
		fail("invalid_request", "PKCE is required: code_challenge is missing")
	case q.Get("code_challenge_method") != "S256":
		fail("invalid_request", "code_challenge_method must be S256")
	case a.b.Refuse:
		fail("access_denied", "the person refused")
	default:
		code := a.newToken("code", 0)
		a.codes[code] = &authCode{client: client, redirect: redirect.String(), challenge: q.Get("code_challenge"),
			scope: q.Get("scope"), user: a.username(), expires: time.Now().Add(time.Minute)}
		back(url.Values{"code": {code}})
	}
}

// tokenError writes RFC 6749 §5.2's error answer.
func tokenError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc}) //nolint:errcheck
}

// clientAuth authenticates the client (RFC 6749 §2.3: Basic or body) and
// returns its ID.
func (a *AuthServer) clientAuth(w http.ResponseWriter, r *http.Request) (string, bool) {
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	want, ok := a.clients[id]
	if !ok || subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 {
		tokenError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return "", false
	}
	return id, true
}

// begin checks what the token and device endpoints share: a POST, a form,
// a known client. With ok, a.mu is held for the caller to unlock.
func (a *AuthServer) begin(w http.ResponseWriter, r *http.Request) (client string, ok bool) {
	if r.Method != http.MethodPost {
		tokenError(w, http.StatusMethodNotAllowed, "invalid_request", "POST only")
		return "", false
	}
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "unreadable form")
		return "", false
	}
	a.mu.Lock()
	if client, ok = a.clientAuth(w, r); !ok {
		a.mu.Unlock()
	}
	return client, ok
}

func (a *AuthServer) token(w http.ResponseWriter, r *http.Request) {
	client, ok := a.begin(w, r)
	if !ok {
		return
	}
	defer a.mu.Unlock()
	f := r.PostForm
	switch f.Get("grant_type") {
	case "authorization_code":
		c, ok := a.codes[f.Get("code")]
		switch {
		case !ok || c.client != client:
			tokenError(w, http.StatusBadRequest, "invalid_grant", "unknown code")
			return
		case c.used:
			// RFC 6749 §4.1.2: a code used twice revokes what it gave.
			for _, g := range c.tokens {
				g.revoked = true
			}
			tokenError(w, http.StatusBadRequest, "invalid_grant", "code already used")
			return
		case time.Now().After(c.expires):
			tokenError(w, http.StatusBadRequest, "invalid_grant", "code expired")
			return
		case f.Get("redirect_uri") != c.redirect:
			tokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request's")
			return
		}
		c.used = true
		v := f.Get("code_verifier")
		sum := sha256.Sum256([]byte(v))
		if !verifierRE.MatchString(v) || base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
			tokenError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
			return
		}
		rt, at := a.issue(client, c.scope, c.user, nil)
		c.tokens = []*grant{rt, at}
		a.answer(w, at, rt)
	case "refresh_token":
		g, ok := a.refresh[f.Get("refresh_token")]
		if !ok || g.revoked || g.client != client {
			tokenError(w, http.StatusBadRequest, "invalid_grant", "the refresh token is invalid or revoked")
			return
		}
		if a.b.Rotate {
			g.revoked = true
			rt, at := a.issue(client, g.scope, g.user, nil)
			a.answer(w, at, rt)
			return
		}
		_, at := a.issue(client, g.scope, g.user, g)
		a.answer(w, at, nil)
	case "urn:ietf:params:oauth:grant-type:device_code":
		d, ok := a.devices[f.Get("device_code")]
		if !ok || d.client != client {
			tokenError(w, http.StatusBadRequest, "invalid_grant", "unknown device_code")
			return
		}
		now := time.Now()
		interval := time.Duration(a.interval()) * time.Second
		last := d.lastPoll
		d.lastPoll = now
		switch {
		case now.After(d.expires):
			tokenError(w, http.StatusBadRequest, "expired_token", "the device code expired")
		case d.state == "denied":
			tokenError(w, http.StatusBadRequest, "access_denied", "the person refused")
		case d.state == "done":
			tokenError(w, http.StatusBadRequest, "invalid_grant", "device code already used")
		case d.slowDowns < a.b.SlowDown || (!last.IsZero() && now.Sub(last) < interval-100*time.Millisecond):
			d.slowDowns++
			tokenError(w, http.StatusBadRequest, "slow_down", "polling too fast")
		case d.state == "pending":
			tokenError(w, http.StatusBadRequest, "authorization_pending", "waiting for the person")
		default:
			d.state = "done"
			rt, at := a.issue(client, d.scope, d.user, nil)
			a.answer(w, at, rt)
		}
	default:
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "unsupported grant_type")
	}
}

func (a *AuthServer) interval() int {
	if a.b.DeviceInterval > 0 {
		return a.b.DeviceInterval
	}
	return 1
}

// issue makes an access token and, unless parent is given, a refresh
// token.
func (a *AuthServer) issue(client, scope, user string, parent *grant) (rt, at *grant) {
	rt = parent
	if rt == nil {
		rt = &grant{token: a.newToken("rt", a.b.RefreshLen), client: client, scope: scope, user: user}
		a.refresh[rt.token] = rt
	}
	ttl := a.b.AccessTTL
	if ttl == 0 {
		ttl = time.Hour
	}
	at = &grant{token: a.newToken("at", 0), client: client, scope: scope, user: user,
		expires: time.Now().Add(ttl), parent: rt}
	a.access[at.token] = at
	return rt, at
}

func (a *AuthServer) answer(w http.ResponseWriter, at, rt *grant) {
	out := map[string]any{"access_token": at.token, "token_type": "Bearer",
		"expires_in": int(time.Until(at.expires).Round(time.Second).Seconds()), "scope": at.scope}
	if rt != nil {
		out["refresh_token"] = rt.token
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out) //nolint:errcheck
}

func (a *AuthServer) device(w http.ResponseWriter, r *http.Request) {
	client, ok := a.begin(w, r)
	if !ok {
		return
	}
	defer a.mu.Unlock()
	ttl := a.b.DeviceTTL
	if ttl == 0 {
		ttl = 10 * time.Minute
	}
	b := make([]byte, 4)
	rand.Read(b) //nolint:errcheck
	user := strings.ToUpper(fmt.Sprintf("%04X-%04X", int(b[0])<<8|int(b[1]), int(b[2])<<8|int(b[3])))
	d := &deviceGrant{code: a.newToken("dc", 0), client: client, scope: r.PostForm.Get("scope"),
		expires: time.Now().Add(ttl), state: "pending"}
	a.devices[d.code] = d
	a.byUser[user] = d
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{ //nolint:errcheck
		"device_code": d.code, "user_code": user,
		"verification_uri":          a.VerifyURL,
		"verification_uri_complete": a.VerifyURL + "?user_code=" + url.QueryEscape(user),
		"expires_in":                int(ttl.Seconds()), "interval": a.interval(),
	})
}

// verify is the page a person opens to enter the user code; this one
// approves at once (or refuses, per Behaviour.Refuse).
func (a *AuthServer) verify(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("user_code")
	if !a.ApproveDevice(code) {
		http.Error(w, "unknown or expired code", http.StatusBadRequest)
		return
	}
	fmt.Fprintf(w, "<p>Device %s handled.</p>", html.EscapeString(code))
}

// postedForm checks that r is a POST with a readable form, answering the
// error itself otherwise.
func postedForm(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return false
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "unreadable form", http.StatusBadRequest)
		return false
	}
	return true
}

// introspect is RFC 7662: active tokens are described, anything else is
// {"active": false}.
func (a *AuthServer) introspect(w http.ResponseWriter, r *http.Request) {
	if !postedForm(w, r) {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string]any{"active": false}
	if g, ok := a.access[r.PostForm.Get("token")]; ok && !g.revoked && time.Now().Before(g.expires) {
		out = map[string]any{"active": true, "username": g.user, "scope": g.scope, "client_id": g.client,
			"token_type": "Bearer", "exp": g.expires.Unix(), "sub": g.user}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out) //nolint:errcheck
}

// revoke is RFC 7009: 200 whether or not the token was known.
func (a *AuthServer) revoke(w http.ResponseWriter, r *http.Request) {
	if !postedForm(w, r) {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.clientAuth(w, r); !ok {
		return
	}
	a.revokeLocked(r.PostForm.Get("token"))
	w.WriteHeader(http.StatusOK)
}

// Client returns an HTTP client that trusts only the test CA, for the
// token endpoint and for playing the browser. It follows redirects to the
// loopback listener like a browser does.
func (a *AuthServer) Client(ca *CA) *http.Client {
	return &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}},
	}
}

// Browser plays a person's browser for a sign-in at a: it opens the
// authorization URL, which a approves at once, and follows the redirect to
// the program's loopback listener. Like a real browser it goes on with its
// own context, not the sign-in's.
func (a *AuthServer) Browser(ca *CA) func(ctx context.Context, url string) error {
	hc := a.Client(ca)
	return func(_ context.Context, u string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil // the sign-in's own error says what happened
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck
		return resp.Body.Close()
	}
}
