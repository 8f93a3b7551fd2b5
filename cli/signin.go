package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"golang.org/x/oauth2"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/internal/safetext"
	"github.com/mailwiz/mailwiz/keychain"
	"github.com/mailwiz/mailwiz/oauth"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/store"
	"github.com/mailwiz/mailwiz/wizard"
)

func init() {
	register(&command{
		name:    "signin",
		summary: catalog.Key("sign in through the provider's page (OAuth2) and keep the sign-in in the OS keychain"),
		usage:   "signin [--device] [--lang en|ru] [--incoming URL] [--outgoing URL] [--accept-unverified HOST[,HOST]] [--allow-redirect HOST] [--timeout D] [--json] ADDRESS",
		run:     runSignin,
	})
}

type signinFlags struct {
	device, json bool
	lang         string
	accept       hostList
	servers      serverFlags
	timeout      time.Duration
}

// oauth2Flow is the sign-in for cfg's provider: Env.OAuth2, else the
// provider from the built-in database with the registrations of this
// build and of the settings folder.
func (e *Env) oauth2Flow(cfg account.Config, kind oauth.RedirectKind) (*oauth.Flow, error) {
	if e.OAuth2 != nil {
		return e.OAuth2(cfg, kind)
	}
	return wizard.PrepareSignIn(cfg, kind)
}

func runSignin(ctx context.Context, env *Env, args []string) int {
	var f signinFlags
	fs := commands["signin"].flags(env, func(fs *flag.FlagSet) {
		fs.BoolVar(&f.device, "device", false, catalog.Key("sign in on another device: print an address and a code to enter there (for a machine without a browser; Microsoft accounts)"))
		fs.StringVar(&f.lang, "lang", "", catalog.Key("language of the messages: en or ru (default: from LANG)"))
		f.servers.define(fs, catalog.Key("incoming server, e.g. imap://outlook.office365.com:993?security=ssl&auth=oauth2 (default: the saved account's, else the provider's)"), catalog.Key("outgoing server, e.g. smtp://smtp-mail.outlook.com:587?security=starttls&auth=oauth2 (default: the saved account's, else the provider's)"))
		fs.Var(&f.accept, "accept-unverified", acceptUsage)
		fs.DurationVar(&f.timeout, "timeout", oauth.DefaultTimeout, catalog.Key("how long to wait for the sign-in in the browser"))
		fs.BoolVar(&f.json, "json", false, catalog.Key("print one JSON object: email, provider, keychain_item, settings"))
	})
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	addr, lang, code := oneAddress(env, pos, catalog.Key("signin takes one email address, e.g. mailwiz signin alice@outlook.com"),
		f.lang, positive{"timeout", f.timeout, "5m"})
	if code != ExitOK {
		return code
	}
	T := func(key string, args ...any) string { return catalog.T(lang, key, args...) }
	r, _, code, err := resolveConfig(ctx, env, addr, f.servers.choice(env, lang, false))
	if err != nil {
		return configFailed(env, lang, addr, code, err)
	}
	f.accept.confirm(env, &r)
	// The token is a credential like a password: the same gate.
	if err := r.Check(); err != nil {
		return planFailed(env, lang, "signin", addr, r, err, f.json)
	}
	r.Config = wizard.ForSignIn(r.Config.For(addr))
	servers := wizard.SignInServers(r.Config)
	if len(servers) == 0 {
		return fail(env, ExitFailed, "%s", T("The servers of {{.Address}} take a password, not a sign-in through the provider's page: test them with mailwiz test --password-stdin {{.Address}}.", "Address", addr.Display()))
	}
	kind := oauth.RedirectLoopback
	if f.device {
		kind = oauth.RedirectDevice
	}
	flow, err := env.oauth2Flow(r.Config, kind)
	var nc *oauth.NoClientError
	switch {
	case errors.As(err, &nc):
		return fail(env, ExitFailed, "%s", nc.Message(lang))
	case err != nil:
		return fail(env, ExitFailed, "%s", safetext.Show(err.Error()))
	}
	wizard.SetUpSignIn(flow, addr, r.Config)
	flow.Timeout = f.timeout
	var tok *oauth2.Token
	if f.device {
		tok, err = flow.SignInDevice(ctx, func(p oauth.DevicePrompt) {
			fmt.Fprintln(env.Stderr, T("On any device, open {{.URL}} and enter the code {{.Code}} (it expires at {{.Time}}).",
				"URL", p.VerificationURI, "Code", p.UserCode, "Time", p.Expires.Local().Format("15:04")))
		})
	} else {
		fmt.Fprintln(env.Stderr, T("Opening {{.Provider}}'s sign-in page in your browser… (Ctrl-C stops)", "Provider", flow.Provider.Name))
		tok, err = flow.SignIn(ctx)
	}
	si, err := wizard.NewSignedIn(flow, tok)
	if err != nil {
		return signinFailed(env, lang, err)
	}
	username := servers[0].Username
	st, err := env.store()
	if err != nil {
		return fail(env, ExitFailed, "%v", err)
	}
	kctx, cancel := context.WithTimeout(ctx, keychain.DefaultTimeout)
	defer cancel()
	ref := &store.OAuth2Ref{Provider: si.ProviderID, Tenant: si.Tenant}
	acct, err := wizard.SaveAccount(kctx, st, wizard.SaveRequest{Address: addr, Config: r.Config, Name: r.Name,
		Vouched: r.Record(), OAuth2: ref, OAuth2Refresh: si.Refresh})
	if err != nil {
		return fail(env, ExitFailed, "%s", keychainMessage(err))
	}
	item := oauth.ItemName(username, flow.Provider.ID)
	if f.json {
		return writeJSON(env, struct {
			Email        string `json:"email"`
			Provider     string `json:"provider"`
			KeychainItem string `json:"keychain_item"`
			Settings     string `json:"settings"`
		}{acct.Email, flow.Provider.ID, item, st.Path(acct.Email)})
	}
	fmt.Fprintln(env.Stdout, T("Signed in to {{.Provider}} as {{.User}}.", "Provider", flow.Provider.Name, "User", username))
	fmt.Fprintln(env.Stdout, "  "+T("The sign-in is kept in the OS keychain (service {{.Service}}, item {{.Item}}), never in a file.", "Service", keychain.Service, "Item", item))
	fmt.Fprintln(env.Stdout, "  "+T("Settings: {{.Path}}", "Path", st.Path(acct.Email)))
	fmt.Fprintln(env.Stdout, "  "+T("mailwiz test {{.Address}} checks the servers with it.", "Address", addr.Display()))
	return ExitOK
}

// signinFailed reports a sign-in that did not end in a token, as the
// window does (wizard.SignInMessage).
func signinFailed(env *Env, lang string, err error) int {
	return fail(env, ExitFailed, "%s", wizard.SignInMessage(err, lang))
}

// signinTrouble reports why a kept sign-in cannot be used, in lang, with
// the way out (sign in again).
func signinTrouble(env *Env, lang string, addr account.Address, err error) int {
	var nc *oauth.NoClientError
	switch {
	case errors.As(err, &nc):
		return fail(env, ExitFailed, "%s", nc.Message(lang))
	case errors.Is(err, keychain.ErrNotFound):
		return fail(env, ExitFailed, "%s", catalog.T(lang, "No sign-in is kept for {{.Address}}: run mailwiz signin {{.Address}} first.", "Address", addr.Display()))
	}
	var ke *keychain.Error
	if errors.As(err, &ke) {
		return fail(env, ExitFailed, "%s", keychainMessage(err))
	}
	return signinFailed(env, lang, err)
}

// passwordFor reads --password-stdin's password for cmd; an account kept
// signed in through its provider (mailwiz signin) needs none. A code other
// than ExitOK was reported.
func passwordFor(env *Env, cmd string, passwordStdin bool, saved *store.Account) (string, int) {
	switch {
	case passwordStdin:
		password, err := stdinPassword(env, cmd)
		if err != nil {
			return "", fail(env, ExitUsage, "%v", err)
		}
		return password, ExitOK
	case saved == nil || saved.OAuth2 == nil:
		return "", needsPassword(env, cmd)
	}
	return "", ExitOK
}

func needsPassword(env *Env, cmd string) int {
	return fail(env, ExitUsage, "%s", env.T("{{.Command}} needs --password-stdin and the password on standard input (a password on the command line would show in the process list)", "Command", cmd))
}

// loginPrep is what test and sending settle before logging in: the
// servers (and the saved account's path when they came from it), the
// password or the kept sign-in, and the certificate exceptions, given
// and saved.
type loginPrep struct {
	r         wizard.Resolved
	savedPath string
	password  string
	login     *probe.OAuth2Login
	signed    bool
	trusted   []string
}

// prepareLogin settles, for cmd, which servers and how to log in to
// them: the password (or the saved account's sign-in), the servers as sc
// chooses them with the hosts accept names confirmed, and the exceptions
// given (trusted) and saved. A code other than ExitOK was reported.
func prepareLogin(ctx context.Context, env *Env, lang, cmd string, addr account.Address, sc serverChoice,
	passwordStdin bool, trusted []string, accept *hostList, jsonOut bool) (loginPrep, int) {
	saved, _, _ := loadSaved(env, addr)
	password, code := passwordFor(env, cmd, passwordStdin, saved)
	if code != ExitOK {
		return loginPrep{}, code
	}
	p := loginPrep{password: password, trusted: append(trusted, savedExceptions(env, addr, trusted)...)}
	var err error
	p.r, p.savedPath, code, err = resolveConfig(ctx, env, addr, sc)
	if err != nil {
		return loginPrep{}, configFailed(env, lang, addr, code, err)
	}
	accept.confirm(env, &p.r)
	p.login, p.signed, code = loginFor(ctx, env, lang, cmd, addr, saved, p.r, password, jsonOut)
	return p, code
}

// loginFor is how cmd logs in to r's servers: a saved account's sign-in
// (its token fetched only after the trust gate passed), else the password.
// A code other than ExitOK was reported.
func loginFor(ctx context.Context, env *Env, lang, cmd string, addr account.Address, saved *store.Account, r wizard.Resolved, password string, jsonOut bool) (*probe.OAuth2Login, bool, int) {
	var login *probe.OAuth2Login
	signed := false
	if r.FromSaved {
		// Gate first: a token is no more for an unvouched host than a password.
		if err := r.Check(); err != nil {
			return nil, false, planFailed(env, lang, cmd, addr, r, err, jsonOut)
		}
		var err error
		cfg := r.Config.For(addr)
		flow := func() (*oauth.Flow, error) { return env.oauth2Flow(cfg, "") }
		if login, signed, err = wizard.KeptSignIn(ctx, saved, cfg, flow); err != nil {
			return nil, false, signinTrouble(env, lang, addr, err)
		}
	}
	if !signed && password == "" {
		return nil, false, needsPassword(env, cmd)
	}
	return login, signed, ExitOK
}
