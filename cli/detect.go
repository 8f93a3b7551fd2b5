package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/discover"
	"github.com/mailwiz/mailwiz/internal/safetext"
	"github.com/mailwiz/mailwiz/providers"
	"github.com/mailwiz/mailwiz/wizard"
)

func init() {
	register(&command{
		name:    "detect",
		summary: catalog.Key("find the IMAP, POP3 and SMTP servers for an email address"),
		usage:   "detect [--offline] [--json] [--lang en|ru] [--dns HOST:PORT] [--ispdb-url URL] [--timeout D] [--allow-redirect HOST] ADDRESS",
		run:     runDetect,
	})
}

type detectFlags struct {
	offline bool
	json    bool
	lang    string
	dns     string
	ispdb   string
	timeout time.Duration
	allow   hostList
}

// allowRedirectUsage explains --allow-redirect.
var allowRedirectUsage = catalog.Key("follow a redirect to another domain's `HOST` (an Autodiscover or web redirect), which is otherwise not followed so your address does not reach it; comma-separated or repeated")

func runDetect(ctx context.Context, env *Env, args []string) int {
	var f detectFlags
	fs := commands["detect"].flags(env, func(fs *flag.FlagSet) {
		fs.BoolVar(&f.offline, "offline", false, catalog.Key("use only the built-in provider database; ask no network"))
		fs.BoolVar(&f.json, "json", false, catalog.Key("print one JSON object (the contract in DESIGN.md) instead of a table"))
		fs.StringVar(&f.lang, "lang", "", catalog.Key("language of the hints: en or ru (default: from LANG)"))
		fs.StringVar(&f.dns, "dns", "", catalog.Key("send every DNS question to this server, HOST:PORT (default: the system's)"))
		fs.StringVar(&f.ispdb, "ispdb-url", discover.DefaultISPDBURL, catalog.Key("base URL of the ISPDB (Thunderbird's provider database)"))
		fs.DurationVar(&f.timeout, "timeout", discover.DefaultTimeout, catalog.Key("give up on the network after this long, e.g. 5s"))
		fs.Var(&f.allow, "allow-redirect", allowRedirectUsage)
	})
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	addr, lang, code := oneAddress(env, pos, catalog.Key("detect takes one email address, e.g. mailwiz detect alice@example.com"), f.lang)
	if code != ExitOK {
		return code
	}
	var cfg account.Config
	if f.offline {
		var ok bool
		cfg, ok = providers.Lookup(addr.Domain)
		if !ok {
			return fail(env, ExitFailed, "%s", catalog.T(lang, "{{.Domain}} is not in the built-in database; discovery on the network (without --offline) will look for it.", "Domain", addr.DomainUnicode))
		}
	} else {
		opts, err := f.discoverOptions(env)
		if err != nil {
			return fail(env, ExitUsage, "%v", err)
		}
		opts.Events = redirectNotes(env, lang)
		cfg, err = discover.Run(ctx, addr, opts)
		if err != nil {
			return detectFailed(env, lang, addr, err)
		}
	}
	v := cfg.View(addr, lang)
	if f.json {
		return writeJSON(env, v)
	}
	printConfig(env.Stdout, v, addr, lang)
	return ExitOK
}

// discoverOptions turns the network flags into discovery options.
func (f *detectFlags) discoverOptions(env *Env) (discover.Options, error) {
	opts := discover.Options{ISPDBURL: f.ispdb, Timeout: f.timeout, AllowRedirect: f.allow.hosts}
	if f.timeout <= 0 {
		return opts, errors.New(env.T("--{{.Flag}} {{.Value}}: give a positive duration such as {{.Example}}", "Flag", "timeout", "Value", f.timeout, "Example", "10s"))
	}
	if u, err := url.Parse(f.ispdb); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return opts, errors.New(env.T("--ispdb-url {{.Value}} is not an http(s) URL like {{.Example}}", "Value", strconv.Quote(f.ispdb), "Example", discover.DefaultISPDBURL))
	}
	if f.dns != "" {
		r, err := discover.NewResolver(f.dns)
		if err != nil {
			return opts, errors.New(env.T("--dns {{.Value}} is not a DNS server to ask: give HOST:PORT, e.g. 127.0.0.1:53", "Value", strconv.Quote(f.dns)))
		}
		opts.Resolver = r
	}
	if env.DiscoverOptions != nil {
		env.DiscoverOptions(&opts)
	}
	return opts, nil
}

// detect finds the settings for an address the way `mailwiz detect` does
// without flags, following redirects to the hosts in allow: the built-in
// database, then the network. test, save and export use it when nothing
// else gives the servers.
func (e *Env) detect(ctx context.Context, addr account.Address, allow []string, lang string) (account.Config, error) {
	if e.Detect != nil {
		return e.Detect(ctx, addr)
	}
	f := detectFlags{ispdb: discover.DefaultISPDBURL, timeout: discover.DefaultTimeout, allow: hostList{allow}}
	opts, err := f.discoverOptions(e)
	if err != nil {
		return account.Config{}, err
	}
	opts.Events = redirectNotes(e, lang)
	return discover.Run(ctx, addr, opts)
}

// redirectNotes tells, on standard error, of each redirect to another
// domain that discovery did not follow, and how to follow it.
func redirectNotes(env *Env, lang string) func(discover.Event) {
	return func(ev discover.Event) {
		var re *discover.RedirectError
		if ev.State == discover.Failed && errors.As(ev.Err, &re) {
			fmt.Fprintln(env.Stderr, "mailwiz: "+catalog.T(lang, "{{.From}} redirects to {{.To}}, another domain, so your address was not sent there. If you trust {{.To}}, run the command again with --allow-redirect {{.To}}.",
				"From", safetext.Show(re.From), "To", safetext.Show(re.To)))
		}
	}
}

// detectFailed reports a discovery that found nothing: one line saying so
// and how to go on by hand, then why each source failed.
func detectFailed(env *Env, lang string, addr account.Address, err error) int {
	var nf *discover.NotFoundError
	if !errors.As(err, &nf) {
		return fail(env, ExitFailed, "%v", err)
	}
	example := fmt.Sprintf("mailwiz test --incoming 'imap://mail.%s:993?security=ssl' --outgoing 'smtp://mail.%s:465?security=ssl' --password-stdin %s", addr.Domain, addr.Domain, addr)
	fail(env, ExitFailed, "%s", catalog.T(lang, "No mail settings found for {{.Domain}} on the network; give the servers yourself, e.g. {{.Example}}", "Domain", addr.DomainUnicode, "Example", example))
	for _, f := range nf.Failures {
		// The source's name in lang; the reason is the network's or the
		// server's own words.
		fmt.Fprintf(env.Stderr, "  %s: %s\n", catalog.T(lang, wizard.SourceName(f.Source)), safetext.Show(f.Err.Error()))
	}
	return ExitFailed
}

func writeJSON(env *Env, v any) int {
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fail(env, ExitFailed, "writing JSON: %v", err)
	}
	return ExitOK
}

// printConfig writes the human-readable table of a detected config, in
// lang.
func printConfig(w io.Writer, v account.View, addr account.Address, lang string) {
	T := func(key string, args ...any) string { return catalog.T(lang, key, args...) }
	name := T("unknown provider")
	if v.Provider != nil {
		name = safetext.Show(v.Provider.Name)
	}
	fmt.Fprintf(w, "%s — %s (%s)\n\n", addr.Display(), name, T(wizard.SourcePhrase(v.Source)))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if len(v.Incoming) == 0 && len(v.Outgoing) == 0 {
		// A provider that gives mail apps no access (its no-imap hint says
		// why): an empty table would read as a bug.
		fmt.Fprintln(w, T("No IMAP, POP3 or SMTP server: mail apps cannot connect to this provider."))
	} else {
		fmt.Fprintln(tw, strings.Join([]string{T("DIRECTION"), T("PROTOCOL"), T("HOST"), T("PORT"), T("SECURITY"), T("USERNAME"), T("AUTH")}, "\t"))
	}
	row := func(dir string, s account.Server) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", dir, strings.ToUpper(string(s.Protocol)), s.Host, s.Port,
			T(wizard.SecurityLabel(s.Security)), s.Username, T(authKey(s.Auth)))
	}
	for _, s := range v.Incoming {
		row(T("incoming"), s)
	}
	for _, s := range v.Outgoing {
		row(T("outgoing"), s)
	}
	tw.Flush()
	if !v.SecureSource {
		fmt.Fprintln(w, "\n"+T("These settings come from a source nothing vouches for: check the hosts before you send a password."))
	}
	if len(v.Hints) > 0 {
		fmt.Fprintln(w, "\n"+T("Before you log in:"))
		for _, h := range v.Hints {
			fmt.Fprintf(w, "  • %s\n", safetext.Show(h.Text))
			if h.URL != "" {
				fmt.Fprintf(w, "    %s\n", safetext.Show(h.URL))
			}
		}
	}
	if l := v.Limits; l != nil {
		if lines := wizard.LimitLines(lang, *l); len(lines) > 0 {
			fmt.Fprintln(w, "\n"+T("Limits:"))
			for _, line := range lines {
				fmt.Fprintln(w, "  "+line)
			}
		}
	}
}

// authKey is the catalog key of a sign-in method in a table.
func authKey(a account.Auth) string {
	if k, ok := authKeys[a]; ok {
		return k
	}
	return string(a)
}

var authKeys = map[account.Auth]string{
	account.AuthPassword:          catalog.Key("password"),
	account.AuthPasswordEncrypted: catalog.Key("password-encrypted"),
	account.AuthOAuth2:            catalog.Key("oauth2"),
	account.AuthNone:              catalog.Key("none"),
}
