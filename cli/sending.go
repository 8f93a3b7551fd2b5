package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/delivery"
	"github.com/mailwiz/mailwiz/internal/safetext"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/wizard"
)

func init() {
	register(&command{
		name:    "sending",
		summary: catalog.Key("check the account for a mailing program: sending as another sender, SPF/DKIM/DMARC, limits, bounces"),
		usage:   "sending [--from SENDER] [--bounce-mailbox ADDRESS] [--bounce-test] [--json] [--yes] [--lang en|ru] [--incoming URL] [--outgoing URL] [--trust-cert SHA256]... [--accept-unverified HOST[,HOST]] [--allow-redirect HOST] [--send-timeout D] --password-stdin ADDRESS",
		run:     runSending,
	})
}

type sendingFlags struct {
	json, yes, passwordStdin bool
	bounceTest               bool
	from, bounce, lang       string
	sendTimeout              time.Duration
	trust                    certList
	accept                   hostList
	servers                  serverFlags
}

// sendingJSON is sending --json: the check's report (delivery.Report),
// whether the test letter was sent, and the trust mark.
type sendingJSON struct {
	delivery.Report
	Sent  bool      `json:"sent"`
	Trust trustView `json:"trust"`
}

func runSending(ctx context.Context, env *Env, args []string) int {
	var f sendingFlags
	fs := commands["sending"].flags(env, func(fs *flag.FlagSet) {
		fs.StringVar(&f.from, "from", "", catalog.Key("the sender address the mailing program will use (default: the account's own); the test letter is sent with it as From and envelope sender"))
		fs.StringVar(&f.bounce, "bounce-mailbox", "", catalog.Key("the mailbox that is to receive delivery reports (default: the account itself)"))
		fs.BoolVar(&f.bounceTest, "bounce-test", false, catalog.Key("also send one letter to a made-up address at a reserved .invalid domain (nobody receives it), wait for the provider's delivery report in the account's inbox (IMAP), explain it and delete it"))
		fs.BoolVar(&f.json, "json", false, catalog.Key("print one JSON object (the contract in DESIGN.md) instead of a report"))
		fs.BoolVar(&f.yes, "yes", false, catalog.Key("consent to sending one test letter to the account's own address (without it, and without a terminal to ask on, only the DNS checks run)"))
		fs.StringVar(&f.lang, "lang", "", catalog.Key("language of the report: en or ru (default: from LANG)"))
		f.servers.define(fs, catalog.Key("incoming server, e.g. imap://imap.example.com:993?security=ssl, where the test letter and the delivery report are read (default: the saved account's, else what detect finds)"), catalog.Key("outgoing server the mailing program will use, e.g. smtp://smtp.example.com:465?security=ssl (default: the saved account's, else what detect finds)"))
		fs.Var(&f.trust, "trust-cert", trustCertUsage)
		fs.Var(&f.accept, "accept-unverified", acceptUsage)
		fs.DurationVar(&f.sendTimeout, "send-timeout", probe.DefaultDeliveryTimeout, catalog.Key("how long to wait for the test letter to arrive"))
		fs.BoolVar(&f.passwordStdin, "password-stdin", false, catalog.Key("read the password from standard input (required unless the account is signed in with mailwiz signin)"))
	})
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	addr, lang, code := oneAddress(env, pos, catalog.Key(`sending takes one email address, e.g. printf %s "$PASSWORD" | mailwiz sending --yes --from news@example.com --password-stdin alice@example.com`),
		f.lang, positive{"send-timeout", f.sendTimeout, "60s"})
	if code != ExitOK {
		return code
	}
	trusted, err := f.trust.fingerprints(env)
	if err != nil {
		return fail(env, ExitUsage, "%v", err)
	}
	from := addr.String()
	if f.from != "" {
		a, err := account.ParseAddress(f.from)
		if err != nil {
			return fail(env, ExitUsage, "--from %s", addressMessage(env, f.lang, f.from, err))
		}
		from = a.String()
	}
	bounce := ""
	if f.bounce != "" {
		a, err := account.ParseAddress(f.bounce)
		if err != nil {
			return fail(env, ExitUsage, "--bounce-mailbox %s", addressMessage(env, f.lang, f.bounce, err))
		}
		bounce = a.String()
	}

	p, code := prepareLogin(ctx, env, lang, "sending", addr, f.servers.choice(env, lang, false), f.passwordStdin, trusted, &f.accept, f.json)
	if code != ExitOK {
		return code
	}
	r, password, login, trusted := p.r, p.password, p.login, p.trusted
	// The same decisions as test: the trust gate, OAuth2 servers, which
	// servers. Nothing is sent, not even a login, to a host the gate refuses.
	plan, err := r.PlanTest(wizard.TestOptions{SignedIn: p.signed})
	if err != nil {
		return planFailed(env, lang, "sending", addr, r, err, f.json)
	}
	run := delivery.RunRequest{
		Address: addr, Config: r.Config, Servers: plan.Servers, Alternatives: plan.Alternatives,
		Password: password, OAuth2: login, From: from, Bounce: bounce,
		TrustedCerts: trusted, RootCAs: env.RootCAs, Resolver: env.Resolver,
		DeliveryTimeout: f.sendTimeout, Lang: lang,
	}
	_, out, err := run.Pair()
	if err != nil {
		return fail(env, ExitFailed, "%s", catalog.T(lang, "The sending check needs both an incoming and an outgoing server for {{.Address}}.", "Address", addr.Display()))
	}

	// Before anything is sent: what the database knows, and consent.
	T := func(key string, args ...any) string { return catalog.T(lang, key, args...) }
	say := env.Stdout
	if f.json {
		say = env.Stderr
	}
	for _, w := range wizard.SenderWarnings(r.Config, addr, from, lang) {
		fmt.Fprintln(say, T("The provider database says:")+" "+w)
	}
	consent := f.yes
	if !consent {
		consent = ask(env, say, T("mailwiz will send one letter to {{.Address}} itself (nobody else), with From and envelope sender {{.From}}, through {{.Host}}, read it back and delete it. Send it? [y/N] ",
			"Address", addr.String(), "From", from, "Host", out.Host))
	}
	bounceConsent := f.bounceTest && f.yes
	if f.bounceTest && !f.yes {
		bounceConsent = ask(env, say, T("mailwiz will also send one letter to a made-up address at {{.Domain}}, a domain that cannot exist (nobody receives it), wait for the delivery report in {{.Address}}'s inbox, read it and delete it. Send it? [y/N] ",
			"Domain", probe.BounceDomain, "Address", addr.String()))
	}
	if !consent {
		fmt.Fprintln(say, T("No letter sent: only the checks that need no letter ran. Give --yes to send it."))
	}
	if bounceConsent {
		fmt.Fprintln(say, T("The bounce test waits up to {{.Wait}} for the delivery report (Ctrl-C stops it).", "Wait", delivery.Seconds(lang, f.sendTimeout)))
	}
	run.Send, run.BounceTest = consent, bounceConsent
	report, err := delivery.Run(ctx, run)
	var le *delivery.LoginError
	if errors.As(err, &le) {
		// A login failed: that is test's to explain, in test's words.
		view := le.Report.View(lang)
		if f.json {
			if c := writeJSON(env, testJSON{view, newTrustView(r)}); c != ExitOK {
				return c
			}
			return ExitFailed
		}
		printReport(env.Stdout, addr, view, lang)
		return ExitFailed
	}
	if err != nil {
		// A network's or server's words: made safe for the terminal.
		return fail(env, ExitFailed, "%s", safetext.Show(err.Error()))
	}
	code = ExitOK
	if report.Worst() == delivery.Fail {
		code = ExitFailed
	}
	if f.json {
		if c := writeJSON(env, sendingJSON{Report: report, Sent: report.Substitution.Tested, Trust: newTrustView(r)}); c != ExitOK {
			return c
		}
		return code
	}
	printSending(env.Stdout, report, lang)
	return code
}

// ask asks a yes/no question on a terminal; without one (standard input
// piped, or already read for the password) the answer is no.
func ask(env *Env, w io.Writer, question string) bool {
	file, ok := env.Stdin.(*os.File)
	if !ok {
		return false
	}
	st, err := file.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	fmt.Fprint(w, question)
	var answer string
	fmt.Fscanln(file, &answer) //nolint:errcheck // no answer is no
	a := strings.ToLower(strings.TrimSpace(answer))
	return a == "y" || a == "yes" || a == "д" || a == "да"
}

// printSending prints the report: one block per finding, worst marked.
func printSending(w io.Writer, r delivery.Report, lang string) {
	T := func(key string, args ...any) string { return catalog.T(lang, key, args...) }
	fmt.Fprintln(w, T("Sending check for {{.Account}}: From {{.From}} through {{.SMTP}}", "Account", r.Account, "From", r.From, "SMTP", r.SMTP))
	label := map[delivery.Level]string{delivery.OK: T("ok"), delivery.Info: T("note"), delivery.Warn: T("warning"), delivery.Fail: T("PROBLEM")}
	for _, f := range r.Findings {
		fmt.Fprintf(w, "\n[%s] %s\n", label[f.Level], f.Title)
		fmt.Fprintf(w, "  %s\n", f.Text)
		if f.ServerWords != "" {
			fmt.Fprintf(w, "  %s %s\n", T("The server said:"), f.ServerWords)
		}
		if f.Record != "" {
			fmt.Fprintf(w, "    %s\n", f.Record)
		}
	}
}
