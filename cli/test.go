package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/internal/safetext"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/wizard"
)

func init() {
	register(&command{
		name:    "test",
		summary: catalog.Key("log in to the incoming and outgoing servers for real and say what is wrong"),
		usage:   "test [--json] [--lang en|ru] [--incoming URL] [--outgoing URL] [--username U] [--timeout D] [--allow-plaintext] [--trust-cert SHA256]... [--accept-unverified HOST[,HOST]] [--allow-redirect HOST] [--no-fallback] [--send-test] [--send-timeout D] --password-stdin ADDRESS",
		run:     runTest,
	})
}

type testFlags struct {
	json, allowPlaintext, sendTest, passwordStdin bool
	noFallback                                    bool
	username, lang                                string
	timeout, sendTimeout                          time.Duration
	trust                                         certList
	accept                                        hostList
	servers                                       serverFlags
}

// trustCertUsage explains test's --trust-cert (save has its own words).
var trustCertUsage = catalog.Key("accept the certificate with fingerprint `SHA256` (as the report's SHA-256 line shows it; colons and case do not matter) although it is not trusted: self-signed, expired or for another name; repeatable; only after the server's administrator has confirmed it. Those kept for the address with save --trust-cert are used too")

// certList is a repeatable --trust-cert. Set only collects: a malformed
// value is reported after parsing as one line (the flag package would add
// the whole usage text).
type certList struct{ raw []string }

func (l *certList) String() string { return strings.Join(l.raw, ",") }

func (l *certList) Set(s string) error {
	l.raw = append(l.raw, s)
	return nil
}

// fingerprints returns the values in the canonical form, or an error
// naming the first malformed one and the form wanted.
func (l *certList) fingerprints(env *Env) ([]string, error) {
	var out []string
	for _, s := range l.raw {
		fp, err := probe.ParseFingerprint(s)
		if err != nil {
			return nil, errors.New(env.T("--trust-cert {{.Value}} is not a SHA-256 fingerprint: give the 64 hex digits of the report's SHA-256 line (colons and case do not matter)", "Value", strconv.Quote(s)))
		}
		if !slices.Contains(out, fp) {
			out = append(out, fp)
		}
	}
	return out, nil
}

func runTest(ctx context.Context, env *Env, args []string) int {
	var f testFlags
	fs := commands["test"].flags(env, func(fs *flag.FlagSet) {
		fs.BoolVar(&f.json, "json", false, catalog.Key("print one JSON object (the contract in DESIGN.md) instead of a report"))
		fs.StringVar(&f.lang, "lang", "", catalog.Key("language of the explanations: en or ru (default: from LANG)"))
		f.servers.define(fs, incomingUsage, outgoingUsage)
		fs.StringVar(&f.username, "username", "", catalog.Key("log in as this user on both servers (default: the provider's rule, usually the address)"))
		fs.DurationVar(&f.timeout, "timeout", probe.DefaultTimeout, catalog.Key("how long each step (connect, TLS, login...) may take"))
		fs.BoolVar(&f.allowPlaintext, "allow-plaintext", false, catalog.Key("send the password even over a connection without encryption (a preferred server without encryption that does not answer may then fall back to another such port of the provider's; an encrypted one never falls back to one without encryption)"))
		fs.Var(&f.trust, "trust-cert", trustCertUsage)
		fs.Var(&f.accept, "accept-unverified", acceptUsage)
		fs.BoolVar(&f.noFallback, "no-fallback", false, catalog.Key("test exactly the preferred servers: do not try the provider's other ports when one does not answer from this network"))
		fs.BoolVar(&f.sendTest, "send-test", false, catalog.Key("also send a message to the address itself and wait for it to arrive, then delete it"))
		fs.DurationVar(&f.sendTimeout, "send-timeout", probe.DefaultDeliveryTimeout, catalog.Key("with --send-test: how long to wait for the message to arrive"))
		fs.BoolVar(&f.passwordStdin, "password-stdin", false, catalog.Key("read the password from standard input (required: it never goes on a command line)"))
	})
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	addr, lang, code := oneAddress(env, pos, catalog.Key(`test takes one email address, e.g. printf %s "$PASSWORD" | mailwiz test --password-stdin alice@example.com`),
		f.lang, positive{"timeout", f.timeout, "10s"}, positive{"send-timeout", f.sendTimeout, "30s"})
	if code != ExitOK {
		return code
	}
	trusted, err := f.trust.fingerprints(env)
	if err != nil {
		return fail(env, ExitUsage, "%v", err)
	}
	// An account signed in through the provider's page (mailwiz signin)
	// is tested with that sign-in: no password needed.
	p, code := prepareLogin(ctx, env, lang, "test", addr, f.servers.choice(env, lang, false), f.passwordStdin, trusted, &f.accept, f.json)
	if code != ExitOK {
		return code
	}
	r, from, password, login, trusted := p.r, p.savedPath, p.password, p.login, p.trusted
	plan, err := r.PlanTest(wizard.TestOptions{Username: f.username, NoFallback: f.noFallback, SignedIn: p.signed})
	if err != nil {
		return planFailed(env, lang, "test", addr, r, err, f.json)
	}
	var provider *account.Config
	if r.Config.Provider != nil {
		provider = &r.Config
	}
	rep := probe.Run(ctx, probe.Request{
		Address:         addr,
		Servers:         plan.Servers,
		Alternatives:    plan.Alternatives,
		Password:        password,
		Provider:        provider,
		AllowPlaintext:  f.allowPlaintext,
		OAuth2:          login,
		SendTest:        f.sendTest,
		Lang:            lang,
		DeliveryTimeout: f.sendTimeout,
		Timeout:         f.timeout,
		RootCAs:         env.RootCAs,
		TrustedCerts:    trusted,
		Resolver:        env.Resolver,
	})
	code = ExitOK
	if !rep.OK {
		code = ExitFailed
	}
	trust := newTrustView(r)
	view := rep.View(lang)
	addTrustFlag(&view, rep, lang)
	if f.json {
		if c := writeJSON(env, testJSON{view, trust}); c != ExitOK {
			return c
		}
		return code
	}
	if from != "" {
		fmt.Fprintln(env.Stdout, catalog.T(lang, "Servers from your saved account ({{.Path}})", "Path", homeShort(from)))
	}
	printTrust(env.Stdout, trust, lang)
	printReport(env.Stdout, addr, view, lang)
	printSaveHint(env.Stdout, rep, lang)
	return code
}

// savedExceptions returns the certificate exceptions kept for addr by
// `mailwiz save --trust-cert` that are not in have already: a saved
// account keeps the certificates its user accepted. No settings, or
// unreadable ones, add nothing; the test then says what it finds.
func savedExceptions(env *Env, addr account.Address, have []string) []string {
	st, err := env.store()
	if err != nil {
		return nil
	}
	a, err := st.Load(addr.String())
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range a.TrustedCerts {
		if fp, err := probe.ParseFingerprint(s); err == nil && !slices.Contains(have, fp) && !slices.Contains(out, fp) {
			out = append(out, fp)
		}
	}
	return out
}

// printSaveHint tells how to keep a server found by fallback: save
// tests nothing, so it takes the preferred servers unless told.
func printSaveHint(w io.Writer, rep probe.Report, lang string) {
	var flags []string
	for _, r := range rep.Results {
		if r.FallbackFrom == nil || !r.OK {
			continue
		}
		flag := "--outgoing"
		if r.Server.Protocol.Incoming() {
			flag = "--incoming"
		}
		flags = append(flags, fmt.Sprintf("%s '%s'", flag, r.Server))
	}
	if len(flags) == 0 {
		return
	}
	fmt.Fprintln(w, "\n"+catalog.T(lang, "To save the servers that worked: mailwiz save {{.Flags}} --password-stdin ADDRESS", "Flags", strings.Join(flags, " ")))
}

// printReport writes the readable per-server report in lang. Words that
// came from a server are made safe to show (safetext) and labelled as the
// server's.
func printReport(w io.Writer, addr account.Address, v probe.ReportView, lang string) {
	T := func(key string, args ...any) string { return catalog.T(lang, key, args...) }
	verdict := T("all good")
	if !v.OK {
		verdict = T("something is wrong")
	}
	fmt.Fprintf(w, "%s: %s\n", addr.Display(), verdict)
	for _, r := range v.Results {
		fmt.Fprintf(w, "\n%s %s:%d (%s)\n", strings.ToUpper(string(r.Protocol)), r.Host, r.Port, T(wizard.SecurityLabel(r.Security)))
		if r.OK {
			fmt.Fprintln(w, "  "+T("ok: logged in, {{.MS}} ms", "MS", r.DurationMS))
		} else {
			fmt.Fprintln(w, "  "+T("FAILED at “{{.Stage}}” after {{.MS}} ms", "Stage", stageWords(r.Stage, lang), "MS", r.DurationMS))
		}
		if t := r.TLS; t != nil {
			trust := T("trusted")
			switch {
			case t.Exception:
				trust = T("NOT trusted, accepted by you as an exception")
			case !t.Verified:
				trust = T("NOT trusted")
			}
			fmt.Fprintln(w, "  "+T("{{.Version}}, certificate {{.Subject}} ({{.Trust}}), issued by {{.Issuer}}, valid until {{.Date}}",
				"Version", t.Version, "Subject", safetext.Show(t.Subject), "Trust", trust, "Issuer", safetext.Show(t.Issuer), "Date", t.NotAfter.Format("2006-01-02")))
			fmt.Fprintf(w, "  SHA-256 %s\n", t.SHA256)
		}
		if d := r.Diagnosis; d != nil {
			fmt.Fprintf(w, "  %s\n", safetext.Show(d.Text))
			if d.URL != "" {
				fmt.Fprintln(w, "  "+T("see {{.URL}}", "URL", safetext.Show(d.URL)))
			}
		}
		if r.Error != "" {
			fmt.Fprintln(w, "  "+T("the server said: {{.Words}}", "Words", safetext.Show(r.Error)))
		}
		if r.FallbackText != "" {
			fmt.Fprintf(w, "  %s\n", safetext.Show(r.FallbackText))
		}
		for _, t := range r.Tried {
			why := stageWords(t.Stage, lang)
			if t.Diagnosis != nil {
				why = diagnosisWords(t.Diagnosis.Kind, lang)
			}
			fmt.Fprintln(w, "  "+T("also tried {{.Host}}:{{.Port}} ({{.Security}}): {{.Why}}", "Host", t.Host, "Port", t.Port, "Security", T(wizard.SecurityLabel(t.Security)), "Why", why))
		}
	}
	if st := v.SendTest; st != nil {
		fmt.Fprintf(w, "\n%s\n", T("Test message"))
		if st.OK {
			fmt.Fprintln(w, "  "+T("ok: arrived {{.MS}} ms after sending, and was deleted again", "MS", st.DeliveryMS))
			if st.JunkFolder != "" {
				fmt.Fprintln(w, "  "+T(wizard.JunkNote, "Folder", st.JunkFolder))
			}
		} else {
			fmt.Fprintln(w, "  "+T("FAILED at “{{.Stage}}”", "Stage", stageWords(st.Stage, lang)))
			if d := st.Diagnosis; d != nil {
				fmt.Fprintf(w, "  %s\n", safetext.Show(d.Text))
			}
			if st.Error != "" {
				fmt.Fprintln(w, "  "+T("the server said: {{.Words}}", "Words", safetext.Show(st.Error)))
			}
		}
	}
}

// addTrustFlag tells, after a refused certificate's explanation, how to
// accept it from the command line: the diagnosis (shared with the window,
// which has a button) cannot name a flag.
func addTrustFlag(v *probe.ReportView, rep probe.Report, lang string) {
	for i, r := range rep.Results {
		if i < len(v.Results) && r.Diagnosis != nil && r.Diagnosis.CertSHA256 != "" && v.Results[i].Diagnosis != nil {
			v.Results[i].Diagnosis.Text += " " + catalog.T(lang, "To accept it after that check, run the test again with --trust-cert {{.SHA256}}", "SHA256", r.Diagnosis.CertSHA256)
		}
	}
}
