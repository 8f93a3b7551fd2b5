package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/keychain"
	"github.com/mailwiz/mailwiz/providers"
	"github.com/mailwiz/mailwiz/store"
	"github.com/mailwiz/mailwiz/wizard"
)

func init() {
	register(&command{
		name:    "save",
		summary: catalog.Key("keep the password in the OS keychain and the settings in mailwiz's config directory"),
		usage:   "save [--incoming URL] [--outgoing URL] [--name NAME] [--leave-on-server] [--days-on-server N] [--offline] [--trust-cert SHA256]... [--accept-unverified HOST[,HOST]] [--allow-redirect HOST] [--timeout D] [--json] --password-stdin ADDRESS",
		run:     runSave,
	})
	register(&command{
		name:    "forget",
		summary: catalog.Key("remove the account's password from the OS keychain and its saved settings"),
		usage:   "forget [--timeout D] [--json] ADDRESS",
		run:     runForget,
	})
}

// maxPasswordBytes bounds what --password-stdin reads: more is a file piped
// by mistake, and keychains refuse long secrets anyway (Windows: 2560 bytes).
const maxPasswordBytes = 2048

type saveFlags struct {
	name          string
	passwordStdin bool
	leave         optionalBool
	days          int
	offline, json bool
	timeout       time.Duration
	trust         certList
	accept        hostList
	servers       serverFlags
}

// timeoutUsage explains --timeout for save and forget.
var timeoutUsage = catalog.Key("give up on the OS keychain after this long; raise it if your keyring asks for its password first, e.g. 1m")

func runSave(ctx context.Context, env *Env, args []string) int {
	var f saveFlags
	fs := commands["save"].flags(env, func(fs *flag.FlagSet) {
		f.servers.define(fs, incomingUsage, outgoingUsage)
		fs.StringVar(&f.name, "name", "", catalog.Key("your name, for the From line"))
		fs.BoolVar(&f.passwordStdin, "password-stdin", false, catalog.Key("read the password from standard input (required: it never goes on a command line)"))
		fs.Var(&f.leave, "leave-on-server", catalog.Key("POP3: keep mail on the server after downloading it (default: the provider's choice)"))
		fs.IntVar(&f.days, "days-on-server", 0, catalog.Key("POP3 with --leave-on-server: delete from the server after this many days (0 keeps it)"))
		fs.BoolVar(&f.offline, "offline", false, catalog.Key("use only the built-in provider database; ask no network"))
		fs.Var(&f.trust, "trust-cert", catalog.Key("keep in the settings a certificate exception you accepted with test --trust-cert: fingerprint `SHA256` (colons and case do not matter; repeatable; a fingerprint is no secret); later tests of the address use it"))
		fs.Var(&f.accept, "accept-unverified", acceptUsage)
		fs.BoolVar(&f.json, "json", false, catalog.Key("print one JSON object: email, keychain_items, settings"))
		fs.DurationVar(&f.timeout, "timeout", keychain.DefaultTimeout, timeoutUsage)
	})
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	addr, lang, code := oneAddress(env, pos, catalog.Key(`save takes one email address, e.g. printf %s "$PASSWORD" | mailwiz save --password-stdin alice@example.com`),
		"", positive{"timeout", f.timeout, "1m"})
	if code != ExitOK {
		return code
	}
	if !f.passwordStdin {
		return fail(env, ExitUsage, "%s", env.T("save needs --password-stdin and the password on standard input (a password on the command line would show in the process list)"))
	}
	if f.days < 0 {
		return fail(env, ExitUsage, "%s", env.T("--days-on-server {{.N}}: use 0 (keep) or a number of days", "N", f.days))
	}
	trusted, err := f.trust.fingerprints(env)
	if err != nil {
		return fail(env, ExitUsage, "%v", err)
	}
	password, err := stdinPassword(env, "save")
	if err != nil {
		return fail(env, ExitUsage, "%v", err)
	}
	r, from, code, err := saveConfig(ctx, env, addr, &f)
	if err != nil {
		lang, _ := language(env, "")
		return configFailed(env, lang, addr, code, err)
	}
	f.accept.confirm(env, &r)
	if err := r.Check(); err != nil {
		return planFailed(env, lang, "save", addr, r, err, false)
	}
	st, err := env.store()
	if err != nil {
		return fail(env, ExitFailed, "%v", err)
	}
	if from != "" {
		// The servers are the ones saved before: so are the certificate
		// exceptions accepted for them.
		trusted = append(trusted, savedExceptions(env, addr, trusted)...)
	}
	name := f.name
	if name == "" {
		name = r.Name
	}
	kctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	acct, err := wizard.SaveAccount(kctx, st, wizard.SaveRequest{Address: addr, Config: r.Config, Name: name,
		Password: password, TrustedCerts: trusted, Vouched: r.Record()})
	if err != nil {
		return fail(env, ExitFailed, "%s", keychainMessage(err))
	}
	path := st.Path(acct.Email)
	if f.json {
		return writeJSON(env, struct {
			Email         string   `json:"email"`
			KeychainItems []string `json:"keychain_items"`
			Settings      string   `json:"settings"`
		}{acct.Email, acct.KeychainItems, path})
	}
	fmt.Fprintf(env.Stdout, "saved %s\n", addr.Display())
	fmt.Fprintf(env.Stdout, "  password in the OS keychain (service %q):\n", keychain.Service)
	for _, it := range acct.KeychainItems {
		fmt.Fprintf(env.Stdout, "    %s\n", it)
	}
	fmt.Fprintf(env.Stdout, "  settings: %s\n", path)
	if from != "" {
		fmt.Fprintf(env.Stdout, "  servers: as saved before (mailwiz test %s checks them)\n", addr.Display())
	}
	for _, fp := range acct.TrustedCerts {
		fmt.Fprintf(env.Stdout, "  certificate accepted as an exception: SHA-256 %s\n", fp)
	}
	return ExitOK
}

// saveConfig is the config to save: the servers given on the command line
// first, then (for what they leave out) the ones saved before for the
// address, the built-in database or, without --offline, discovery on the
// network. from is the earlier save's file when its servers are kept. The
// int is the exit code for an error.
func saveConfig(ctx context.Context, env *Env, addr account.Address, f *saveFlags) (wizard.Resolved, string, int, error) {
	r, from, code, err := resolveConfig(ctx, env, addr, f.servers.choice(env, localeLanguage(env), f.offline))
	if err != nil {
		return wizard.Resolved{}, "", code, err
	}
	if len(r.Config.Incoming) == 0 {
		return wizard.Resolved{}, "", ExitFailed, errors.New(env.T("no incoming server is known for {{.Address}}: give one, e.g. --incoming imap://imap.{{.Domain}}:993", "Address", addr.DomainUnicode, "Domain", addr.Domain))
	}
	if f.leave.set {
		r.Config.LeaveOnServer = f.leave.value
	}
	if f.days != 0 {
		r.Config.DaysOnServer = f.days
	}
	return r, from, ExitOK, nil
}

func runForget(ctx context.Context, env *Env, args []string) int {
	var jsonOut bool
	var timeout time.Duration
	fs := commands["forget"].flags(env, func(fs *flag.FlagSet) {
		fs.BoolVar(&jsonOut, "json", false, catalog.Key("print one JSON object: email, keychain_items_removed, settings_removed"))
		fs.DurationVar(&timeout, "timeout", keychain.DefaultTimeout, timeoutUsage)
	})
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	addr, _, code := oneAddress(env, pos, catalog.Key("forget takes one email address, e.g. mailwiz forget alice@example.com"), "", positive{"timeout", timeout, "1m"})
	if code != ExitOK {
		return code
	}
	st, err := env.store()
	if err != nil {
		return fail(env, ExitFailed, "%v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// Without saved settings, the provider's servers name the items: a
	// password saved before the settings existed still goes. Offline only:
	// removing needs no network.
	known, _ := providers.Lookup(addr.Domain)
	removed, hadSettings, err := wizard.ForgetAccount(ctx, st, addr.String(), known.For(addr))
	if errors.Is(err, store.ErrNotFound) {
		lang, _ := language(env, "")
		return fail(env, ExitFailed, "%s", catalog.T(lang, "Nothing is saved for {{.Address}}: no settings in {{.Dir}} and no password in the OS keychain for its servers.", "Address", addr.Display(), "Dir", st.Dir))
	}
	if err != nil {
		return fail(env, ExitFailed, "%s", keychainMessage(err))
	}
	if jsonOut {
		return writeJSON(env, struct {
			Email           string `json:"email"`
			KeychainRemoved int    `json:"keychain_items_removed"`
			SettingsRemoved bool   `json:"settings_removed"`
		}{addr.String(), removed, hadSettings})
	}
	what := fmt.Sprintf("%d keychain item(s)", removed)
	if hadSettings {
		what += " and the settings " + st.Path(addr.String())
	}
	fmt.Fprintf(env.Stdout, "forgot %s: removed %s\n", addr.Display(), what)
	return ExitOK
}

// stdinPassword reads the password --password-stdin promises: all of
// standard input, without the one line ending a shell's echo or a file adds.
// Other spaces are kept: they may be part of the password. cmd names the
// command ("save", "test") in the example an error gives.
func stdinPassword(env *Env, cmd string) (string, error) {
	r := env.Stdin
	if r == nil {
		return "", errors.New(env.T("--password-stdin: standard input is closed; pipe the password in"))
	}
	data, err := io.ReadAll(io.LimitReader(bufio.NewReader(r), maxPasswordBytes+1))
	if err != nil {
		return "", fmt.Errorf("%s %w", env.T("--password-stdin: reading standard input:"), err)
	}
	if len(data) > maxPasswordBytes {
		return "", errors.New(env.T("--password-stdin: standard input holds more than {{.N}} bytes; pipe in only the password", "N", maxPasswordBytes))
	}
	pw := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	if pw == "" {
		return "", errors.New(env.T(`--password-stdin: standard input is empty; pipe the password in, e.g. printf %s "$PASSWORD" | mailwiz {{.Command}} --password-stdin ADDRESS`, "Command", cmd))
	}
	if strings.ContainsAny(pw, "\n\x00") {
		return "", errors.New(env.T("--password-stdin: standard input holds more than one line; pipe in only the password"))
	}
	return pw, nil
}

// keychainMessage is the one line for a failed save or forget: the
// keychain's or the store's own message, which says what to do.
func keychainMessage(err error) string {
	var ke *keychain.Error
	var de *store.DirError
	switch {
	case errors.As(err, &ke):
		return ke.Message()
	case errors.As(err, &de):
		return de.Message()
	}
	return err.Error()
}
