package wizard

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/internal/safetext"
	"github.com/mailwiz/mailwiz/keychain"
	"github.com/mailwiz/mailwiz/oauth"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/store"
	"golang.org/x/oauth2"
)

// ForSignIn is cfg with every server of a provider mailwiz signs in with
// (oauth.ForHost: the built-in database's hosts) set to sign in that way:
// Gmail's, Yahoo's and others' servers take a password or OAuth2, and the
// database prefers the password. Servers of no such provider keep theirs.
func ForSignIn(cfg account.Config) account.Config {
	cfg = cloneConfig(cfg)
	for _, list := range [][]account.Server{cfg.Incoming, cfg.Outgoing} {
		for i := range list {
			if _, ok := oauth.ForHost(list[i].Host); ok {
				list[i].Auth = account.AuthOAuth2
			}
		}
	}
	return cfg
}

// SignInRequest is the account to sign in for through its provider's page.
type SignInRequest struct {
	Address account.Address
	Config  account.Config // ForSignIn's, usernames expanded
}

// SignedIn is a browser sign-in's outcome, held in memory: the access
// token for the test and the refresh token that Save keeps in the
// keychain (and nowhere else).
type SignedIn struct {
	ProviderID, Tenant string
	Login              probe.OAuth2Login
	Refresh            string
}

// ErrNoRefreshToken: the provider signed the person in but handed out no
// refresh token, so the sign-in could not be kept.
var ErrNoRefreshToken = errors.New("wizard: the provider gave no refresh token, so the sign-in cannot be kept")

// NewSignedIn is the sign-in flow ended with tok, as the test uses it and
// Save keeps it; ErrNoRefreshToken when there is nothing to keep.
func NewSignedIn(flow *oauth.Flow, tok *oauth2.Token) (SignedIn, error) {
	if tok == nil || tok.RefreshToken == "" {
		return SignedIn{}, ErrNoRefreshToken
	}
	return SignedIn{ProviderID: flow.Provider.ID, Tenant: flow.Client.Tenant, Refresh: tok.RefreshToken,
		Login: probe.OAuth2Login{AccessToken: tok.AccessToken, Expiry: tok.Expiry, Provider: flow.Provider.Name,
			Mechanisms: flow.Provider.Mechanisms}}, nil
}

// SignInFinished reports the end of a browser sign-in; Err is nil when it
// worked.
type SignInFinished struct{ Err error }

func (SignInFinished) event() {}

// SignInProvider names the provider whose page the account signs in on
// ("Microsoft"), when the window can offer it: the build can sign in and
// a chosen server belongs to a provider mailwiz signs in with.
func (w *Wizard) SignInProvider() (string, bool) {
	if w.deps.SignIn == nil {
		return "", false
	}
	w.mu.Lock()
	cfg := ForSignIn(w.cfg)
	w.mu.Unlock()
	p, ok := oauth.ForConfig(cfg)
	return p.Name, ok
}

// SignIn runs the browser sign-in (Deps.SignIn) on a goroutine of its own;
// SignInFinished reports its end, and a successful one is used by the next
// StartTest and kept by Save. Cancel stops the wait for the browser.
func (w *Wizard) SignIn() error {
	if w.deps.SignIn == nil {
		return errors.New("wizard: this build cannot sign in through the provider's page")
	}
	w.mu.Lock()
	cfg := ForSignIn(w.cfg).For(w.addr)
	req := SignInRequest{Address: w.addr, Config: cfg}
	w.test.signingIn, w.test.signin = true, nil
	w.mu.Unlock()
	w.run(func(ctx context.Context, gen uint64) {
		ctx, cancel := context.WithTimeout(ctx, oauth.DefaultTimeout+10*time.Second)
		defer cancel()
		res, err := w.deps.SignIn(ctx, req)
		if !w.lockCurrent(gen) {
			return
		}
		w.test.signingIn = false
		if err == nil {
			w.test.signin = &res
			w.cfg = ForSignIn(w.cfg)
			w.test.skipped = false
		}
		w.mu.Unlock()
		w.notify(SignInFinished{Err: err})
	})
	return nil
}

// KeptSignInError: the sign-in kept for the saved account could not be
// used (withdrawn, expired, missing from the keychain); SignInMessage
// explains Err, and signing in again (Wizard.SignIn) replaces it.
type KeptSignInError struct{ Err error }

func (e *KeptSignInError) Error() string { return "wizard: the kept sign-in: " + e.Err.Error() }
func (e *KeptSignInError) Unwrap() error { return e.Err }

// KeptSignInWith names the provider ("Microsoft") of the sign-in kept for
// the saved account the servers came from, when the next test will use
// it instead of a password; "" otherwise.
func (w *Wizard) KeptSignInWith() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.keptLocked() == nil {
		return ""
	}
	p, _ := oauth.ForConfig(ForSignIn(w.cfg))
	return p.Name
}

// keptLocked is the kept sign-in the next test uses: one is kept for the
// saved account, the build can use it, no new sign-in replaced it, and a
// chosen server still signs in through the provider's page.
func (w *Wizard) keptLocked() *store.OAuth2Ref {
	if w.kept == nil || w.deps.KeptSignIn == nil || w.test.signin != nil || len(SignInServers(w.cfg)) == 0 {
		return nil
	}
	return w.kept
}

// SigningIn reports whether a sign-in is waiting for the browser; SignedIn
// whether one succeeded (its provider's name).
func (w *Wizard) SigningIn() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.test.signingIn
}

// SignedInWith names the provider of the account's sign-in, "" without one.
func (w *Wizard) SignedInWith() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.test.signin == nil {
		return ""
	}
	return w.test.signin.Login.Provider
}

// SignInMessage says in lang why a sign-in did not work, with the way on:
// the oauth package's sentence (no registration in this build, the page
// refused, the browser never came back...), or the error's own words.
func SignInMessage(err error, lang string) string {
	var oe *oauth.Error
	var nc *oauth.NoClientError
	switch {
	case errors.As(err, &nc):
		return nc.Message(lang)
	case errors.As(err, &oe):
		return oe.Message(lang)
	case errors.Is(err, context.Canceled):
		return catalog.T(lang, "The sign-in was stopped.")
	case errors.Is(err, ErrNoRefreshToken):
		return catalog.T(lang, "The provider signed you in but gave mailwiz nothing to keep the sign-in with, so it cannot be saved. Sign in again; if this repeats, export the settings to Thunderbird, which signs in with the provider by itself.")
	}
	return catalog.T(lang, "The sign-in did not work. Try again; if it keeps failing, export the settings to Thunderbird, which signs in with the provider by itself.") + " " + safetext.Show(err.Error())
}

// SignInServers are cfg's chosen servers (the first of each side) that
// sign in through the provider's page; the first one's username is the
// one the sign-in is kept under.
func SignInServers(cfg account.Config) []account.Server {
	var out []account.Server
	for _, list := range [][]account.Server{cfg.Incoming, cfg.Outgoing} {
		if len(list) > 0 && list[0].Auth == account.AuthOAuth2 {
			out = append(out, list[0])
		}
	}
	return out
}

// SetUpSignIn readies flow for addr's account whose chosen servers are
// cfg's (usernames expanded): the address as the page's login hint, and
// the scopes of just the protocols its sign-in servers use, the same in
// the window and the CLI.
func SetUpSignIn(flow *oauth.Flow, addr account.Address, cfg account.Config) {
	flow.LoginHint = addr.String()
	flow.Protocols = nil
	for _, s := range SignInServers(cfg) {
		if !slices.Contains(flow.Protocols, s.Protocol) {
			flow.Protocols = append(flow.Protocols, s.Protocol)
		}
	}
}

// PrepareSignIn is the sign-in for cfg's provider (of the built-in
// database) with a registration of the given kind ("" for any) from this
// build and the settings folder: an *oauth.NoClientError when there is
// none.
func PrepareSignIn(cfg account.Config, kind oauth.RedirectKind) (*oauth.Flow, error) {
	regs, err := oauth.LoadRegistrations("")
	if err != nil {
		return nil, err
	}
	return oauth.Prepare(cfg, regs, kind)
}

// KeptSignIn is a fresh access token from the sign-in kept for a saved
// account whose chosen servers (cfg, usernames expanded) sign in through
// the provider's page: ok is false when the account has none, and the
// servers are then tested with a password. The refresh token comes from
// the keychain; a new one the provider hands out replaces it there. An
// error is the sign-in's trouble (withdrawn, expired, none kept:
// keychain.ErrNotFound) for SignInMessage to explain. flow is the
// provider's sign-in (PrepareSignIn, or a test's).
func KeptSignIn(ctx context.Context, saved *store.Account, cfg account.Config, flow func() (*oauth.Flow, error)) (*probe.OAuth2Login, bool, error) {
	servers := SignInServers(cfg)
	if saved == nil || saved.OAuth2 == nil || len(servers) == 0 {
		return nil, false, nil
	}
	f, err := flow()
	if err != nil {
		return nil, true, err
	}
	user, provider := servers[0].Username, saved.OAuth2.Provider
	kctx, cancel := context.WithTimeout(ctx, keychain.DefaultTimeout)
	defer cancel()
	tok, err := oauth.LoadToken(kctx, user, provider)
	if err != nil {
		return nil, true, err
	}
	rotated := func(refresh string) {
		// Keep the new one, or the next run would present the old.
		oauth.SaveToken(kctx, user, provider, &oauth2.Token{RefreshToken: refresh}) //nolint:errcheck
	}
	at, err := f.TokenSource(ctx, tok, rotated).Token()
	if err != nil {
		return nil, true, err
	}
	return &probe.OAuth2Login{AccessToken: at.AccessToken, Expiry: at.Expiry, Provider: f.Provider.Name,
		Mechanisms: f.Provider.Mechanisms}, true, nil
}

// ForgetAccount removes what was kept for email: a browser sign-in named
// by its settings (its keychain items), then the passwords and settings
// as store.Forget does; known's servers name the items when no settings
// exist. removed counts the keychain items removed, the sign-in's as one.
func ForgetAccount(ctx context.Context, st *store.Store, email string, known account.Config) (removed int, hadSettings bool, err error) {
	if a, err := st.Load(email); err == nil && a.OAuth2 != nil {
		if s := SignInServers(a.Config()); len(s) > 0 {
			switch err := oauth.DeleteToken(ctx, s[0].Username, a.OAuth2.Provider); {
			case err == nil:
				removed++
			case !errors.Is(err, keychain.ErrNotFound):
				return 0, true, err
			}
		}
	}
	n, hadSettings, err := st.Forget(ctx, email, known)
	return removed + n, hadSettings, err
}
