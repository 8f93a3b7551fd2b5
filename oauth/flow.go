package oauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"golang.org/x/oauth2"
)

// DefaultTimeout bounds a sign-in whose context has no deadline: long enough
// to type a password and a second factor, short enough that a browser tab
// left open does not keep a port listening for the rest of the day.
const DefaultTimeout = 5 * time.Minute

// httpTimeout bounds each request to the token and device endpoints.
const httpTimeout = 30 * time.Second

// Flow signs one person in at one provider with one client registration.
// The zero value of every optional field is a sensible default.
type Flow struct {
	Provider Provider
	Client   Registration
	// Protocols choose the scopes asked for; none means IMAP, POP3 and SMTP.
	Protocols []account.Protocol
	// LoginHint is the address being set up, passed as login_hint so the
	// provider's page starts with the right account.
	LoginHint string
	// OpenBrowser opens url in the system browser; nil is [OpenSystemBrowser].
	// Tests pass an HTTP client or a headless browser here.
	OpenBrowser func(ctx context.Context, url string) error
	// HTTPClient talks to the token and device endpoints; nil is a client
	// with the system's roots and a 30 s timeout.
	HTTPClient *http.Client
	// Timeout bounds the whole sign-in when ctx has no earlier deadline;
	// 0 is DefaultTimeout.
	Timeout time.Duration
}

// NewFlow returns the flow for provider p and registration r; for
// Microsoft, r's tenant chooses the endpoints.
func NewFlow(p Provider, r Registration) *Flow {
	if p.ID == "microsoft" && r.Tenant != "" && strings.Contains(p.AuthURL, "/"+TenantCommon+"/") {
		hosts := p.Hosts
		p = MicrosoftTenant(r.Tenant)
		p.Hosts = hosts
	}
	return &Flow{Provider: p, Client: r}
}

// Prepare finds the provider of cfg's OAuth2 servers and a registration for
// it of the given kind ("" for any) among regs: a *NoClientError when there
// is none.
func Prepare(cfg account.Config, regs Registrations, kind RedirectKind) (*Flow, error) {
	p, ok := ForConfig(cfg)
	if !ok {
		return nil, errors.New("oauth: none of the account's servers signs in with a provider mailwiz knows (Google, Microsoft, Yahoo, AOL, Yandex, Mail.ru)")
	}
	r, err := regs.Find(p.ID, kind)
	if err != nil {
		return nil, err
	}
	return NewFlow(p, r), nil
}

func (f *Flow) config(redirect string) *oauth2.Config {
	style := oauth2.AuthStyleAutoDetect
	if f.Client.ClientSecret == "" {
		// A public client: client_id in the body, no Basic header with an
		// empty password that some servers refuse.
		style = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{
		ClientID:     f.Client.ClientID,
		ClientSecret: f.Client.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:       f.Provider.AuthURL,
			TokenURL:      f.Provider.TokenURL,
			DeviceAuthURL: f.Provider.DeviceAuthURL,
			AuthStyle:     style,
		},
		RedirectURL: redirect,
		Scopes:      f.Provider.Scopes(f.Protocols...),
	}
}

// withClient puts the flow's HTTP client where x/oauth2 looks for it.
func (f *Flow) withClient(ctx context.Context) context.Context {
	c := f.HTTPClient
	if c == nil {
		c = &http.Client{Timeout: httpTimeout}
	}
	return context.WithValue(ctx, oauth2.HTTPClient, c)
}

func (f *Flow) deadline(ctx context.Context) (context.Context, context.CancelFunc) {
	d := f.Timeout
	if d <= 0 {
		d = DefaultTimeout
	}
	return context.WithTimeout(ctx, d)
}

// ctxErr turns the end of ctx into an *Error: a timeout or a cancel.
func (f *Flow) ctxErr(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &Error{Kind: KindTimeout, Provider: f.Provider.Name}
	}
	return &Error{Kind: KindCanceled, Provider: f.Provider.Name}
}

// callback is one sign-in answer that reached the loopback listener.
type callback struct {
	query url.Values
	// reply gets the page's outcome: nil for success.
	reply chan error
}

// SignIn runs the authorization code grant with PKCE (S256) and state in
// the system browser, with the answer redirected to a listener on
// 127.0.0.1 at a port chosen now (RFC 8252 §7.3). It returns once the
// token endpoint answered, the time allowed ran out, or ctx ended; in every
// case nothing is left listening when it returns. Errors are *Error (or
// *NoClientError-free configuration errors).
func (f *Flow) SignIn(ctx context.Context) (*oauth2.Token, error) {
	if f.Client.Redirect != "" && f.Client.Redirect != RedirectLoopback {
		return nil, fmt.Errorf("oauth: the %s registration is for %q sign-in, not the browser", f.Provider.Name, f.Client.Redirect)
	}
	ctx, cancel := f.deadline(ctx)
	defer cancel()

	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(f.Client.Port)))
	if err != nil {
		return nil, fmt.Errorf("oauth: no loopback port for the browser to come back to: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	redirect := "http://127.0.0.1:" + strconv.Itoa(port) + "/"

	verifier := oauth2.GenerateVerifier()
	state := randomString()
	conf := f.config(redirect)
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if f.LoginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", f.LoginHint))
	}
	for k, v := range f.Provider.AuthParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	authURL := conf.AuthCodeURL(state, opts...)

	answers := make(chan callback)
	done := make(chan struct{})
	srv := &http.Server{
		Handler:           loopbackHandler(answers, done),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	served := make(chan struct{})
	go func() { srv.Serve(ln); close(served) }() //nolint:errcheck // ErrServerClosed on Close
	defer func() {
		close(done)
		// Shutdown lets the last page reach the browser; Close then ends
		// whatever connection is still open after a second.
		sctx, scancel := context.WithTimeout(context.Background(), time.Second)
		srv.Shutdown(sctx) //nolint:errcheck
		scancel()
		srv.Close()
		<-served
	}()

	open := f.OpenBrowser
	if open == nil {
		open = OpenSystemBrowser
	}
	opened := make(chan error, 1)
	go func() { opened <- open(ctx, authURL) }()

	for {
		select {
		case err := <-opened:
			if err != nil {
				return nil, &Error{Kind: KindBrowser, Provider: f.Provider.Name, Detail: Clean(err.Error(), 200)}
			}
			opened = nil
		case cb := <-answers:
			tok, err := f.answer(ctx, conf, cb.query, state, verifier)
			cb.reply <- err
			return tok, err
		case <-ctx.Done():
			return nil, f.ctxErr(ctx)
		}
	}
}

// answer checks one redirect and exchanges its code.
func (f *Flow) answer(ctx context.Context, conf *oauth2.Config, q url.Values, state, verifier string) (*oauth2.Token, error) {
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
		return nil, &Error{Kind: KindWrongState, Provider: f.Provider.Name}
	}
	if e := q.Get("error"); e != "" {
		return nil, &Error{Kind: KindRefused, Provider: f.Provider.Name,
			Code: Clean(e, 40), Detail: Clean(q.Get("error_description"), 200)}
	}
	code := q.Get("code")
	if code == "" {
		return nil, &Error{Kind: KindServer, Provider: f.Provider.Name, Detail: "the answer has neither a code nor an error"}
	}
	tok, err := conf.Exchange(f.withClient(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, f.tokenErr(ctx, err, true)
	}
	return tok, nil
}

// tokenErr maps a token endpoint failure onto an *Error.
func (f *Flow) tokenErr(ctx context.Context, err error, exchange bool) error {
	if e := fromRetrieve(f.Provider.Name, err, exchange); e != nil {
		return e
	}
	if ctx.Err() != nil {
		return f.ctxErr(ctx)
	}
	return &Error{Kind: KindServer, Provider: f.Provider.Name, Detail: Clean(err.Error(), 200)}
}

// loopbackHandler answers the browser's redirect. Requests that are not a
// sign-in answer (a favicon, a probe) get 404 and change nothing.
func loopbackHandler(answers chan<- callback, done <-chan struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		q := r.URL.Query()
		if r.Method != http.MethodGet || r.URL.Path != "/" || (!q.Has("code") && !q.Has("error")) {
			http.NotFound(w, r)
			return
		}
		cb := callback{query: q, reply: make(chan error, 1)}
		select {
		case answers <- cb:
		case <-done:
			page(w, http.StatusGone, errors.New("gone"))
			return
		case <-r.Context().Done():
			return
		}
		// SignIn replies to every answer it takes.
		err := <-cb.reply
		status := http.StatusOK
		if err != nil {
			status = http.StatusBadRequest
		}
		page(w, status, err)
	})
}

// page writes the browser's last page, in English and Russian. It quotes
// nothing the request carried.
func page(w http.ResponseWriter, status int, err error) {
	en, ru := "Signed in. You can close this window and return to mailwiz.",
		"Вход выполнен. Закройте это окно и вернитесь в mailwiz."
	if err != nil {
		en, ru = "The sign-in did not work; mailwiz says why.", "Войти не удалось; причина — в mailwiz."
		var e *Error
		if errors.As(err, &e) {
			en, ru = e.Message("en"), e.Message("ru")
		}
	}
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><meta charset=utf-8><title>mailwiz</title><p>%s</p><p lang=ru>%s</p>\n",
		html.EscapeString(en), html.EscapeString(ru))
}

func randomString() string {
	b := make([]byte, 32)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read does not fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// DevicePrompt is what the person must see to finish a device sign-in:
// open VerificationURI on any device and enter UserCode.
type DevicePrompt struct {
	UserCode        string
	VerificationURI string
	// VerificationURIComplete already holds the code, for a QR code; it may
	// be empty.
	VerificationURIComplete string
	Expires                 time.Time
}

// SignInDevice runs the device authorization grant (RFC 8628): it asks for
// a code, calls show with what the person must do, and polls the token
// endpoint (slower on slow_down) until they finish, refuse, the code
// expires, or ctx ends. Errors are *Error.
func (f *Flow) SignInDevice(ctx context.Context, show func(DevicePrompt)) (*oauth2.Token, error) {
	if f.Provider.DeviceAuthURL == "" {
		return nil, fmt.Errorf("oauth: %s offers no sign-in with a code for mail; sign in with the browser", f.Provider.Name)
	}
	if f.Client.Redirect != RedirectDevice {
		return nil, &NoClientError{Provider: f.Provider.ID, Name: f.Provider.Name, Flow: RedirectDevice}
	}
	ctx, cancel := f.deadline(ctx)
	defer cancel()
	conf := f.config("")
	hc := f.withClient(ctx)
	da, err := conf.DeviceAuth(hc)
	if err != nil {
		return nil, f.tokenErr(ctx, err, false)
	}
	p, err := devicePrompt(da)
	if err != nil {
		return nil, &Error{Kind: KindServer, Provider: f.Provider.Name, Detail: err.Error()}
	}
	if show != nil {
		show(p)
	}
	tok, err := conf.DeviceAccessToken(hc, da)
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
			if !da.Expiry.IsZero() && time.Now().After(da.Expiry) {
				return nil, &Error{Kind: KindTimeout, Provider: f.Provider.Name, Code: "expired_token"}
			}
			return nil, f.ctxErr(ctx)
		}
		return nil, f.tokenErr(ctx, err, false)
	}
	return tok, nil
}

// devicePrompt checks what a device endpoint said before a person reads it:
// a short printable code and an https address.
func devicePrompt(da *oauth2.DeviceAuthResponse) (DevicePrompt, error) {
	code := da.UserCode
	if code == "" || len(code) > 64 || strings.IndexFunc(code, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
		return DevicePrompt{}, errors.New("the user code is missing or not short printable text")
	}
	check := func(s string) error {
		u, err := url.Parse(s)
		if err != nil || u.Scheme != "https" || u.Host == "" || len(s) > 512 || Clean(s, 512) != s {
			return fmt.Errorf("the verification address %q is not an https URL", Clean(s, 80))
		}
		return nil
	}
	if err := check(da.VerificationURI); err != nil {
		return DevicePrompt{}, err
	}
	p := DevicePrompt{UserCode: code, VerificationURI: da.VerificationURI, Expires: da.Expiry}
	if da.VerificationURIComplete != "" && check(da.VerificationURIComplete) == nil {
		p.VerificationURIComplete = da.VerificationURIComplete
	}
	return p, nil
}

// TokenSource returns a source of access tokens for a signed-in account: it
// starts from tok (a refresh token is enough) and refreshes at the token
// endpoint when the access token has expired. rotated, when not nil, is
// called with each new refresh token the provider hands out, so the caller
// can keep it (see [SaveToken]). Its errors are *Error. ctx carries the
// HTTP client for every refresh; it should live as long as the source.
func (f *Flow) TokenSource(ctx context.Context, tok *oauth2.Token, rotated func(refresh string)) oauth2.TokenSource {
	conf := f.config("")
	return &source{f: f, ctx: ctx, ts: conf.TokenSource(f.withClient(ctx), tok), last: tok.RefreshToken, rotated: rotated}
}

type source struct {
	f       *Flow
	ctx     context.Context
	ts      oauth2.TokenSource
	last    string
	rotated func(string)
}

func (s *source) Token() (*oauth2.Token, error) {
	tok, err := s.ts.Token()
	if err != nil {
		return nil, s.f.tokenErr(s.ctx, err, false)
	}
	if tok.RefreshToken != "" && tok.RefreshToken != s.last {
		s.last = tok.RefreshToken
		if s.rotated != nil {
			s.rotated(tok.RefreshToken)
		}
	}
	return tok, nil
}
