package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/wizard"
)

func init() {
	register(&command{
		name:    "test",
		summary: "log in to the incoming and outgoing servers for real and say what is wrong",
		usage:   "test [--json] [--lang en|ru] [--incoming URL] [--outgoing URL] [--username U] [--timeout D] [--allow-plaintext] [--trust-cert SHA256]... [--accept-unverified HOST[,HOST]] [--no-fallback] [--send-test] --password-stdin ADDRESS",
		run:     runTest,
	})
}

type testFlags struct {
	json, allowPlaintext, sendTest, passwordStdin bool
	noFallback                                    bool
	incoming, outgoing, username, lang            string
	timeout                                       time.Duration
	trust                                         certList
	accept                                        hostList
}

// trustCertUsage explains test's --trust-cert (save has its own words).
const trustCertUsage = "accept the certificate with fingerprint `SHA256` (as the report's SHA-256 line shows it; colons and case do not matter) although it is not trusted: self-signed, expired or for another name; repeatable; only after the server's administrator has confirmed it. Those kept for the address with save --trust-cert are used too"

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
func (l *certList) fingerprints() ([]string, error) {
	var out []string
	for _, s := range l.raw {
		fp, err := probe.ParseFingerprint(s)
		if err != nil {
			return nil, fmt.Errorf("--trust-cert: %s", strings.TrimPrefix(err.Error(), "probe: "))
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
		fs.BoolVar(&f.json, "json", false, "print one JSON object (the contract in DESIGN.md) instead of a report")
		fs.StringVar(&f.lang, "lang", "", "language of the explanations: en or ru (default: from LANG)")
		fs.StringVar(&f.incoming, "incoming", "", "incoming server, e.g. imap://imap.example.com:993?security=ssl (default: the saved account's, else what detect finds)")
		fs.StringVar(&f.outgoing, "outgoing", "", "outgoing server, e.g. smtp://smtp.example.com:465?security=ssl (default: the saved account's, else what detect finds)")
		fs.StringVar(&f.username, "username", "", "log in as this user on both servers (default: the provider's rule, usually the address)")
		fs.DurationVar(&f.timeout, "timeout", probe.DefaultTimeout, "how long each step (connect, TLS, login...) may take")
		fs.BoolVar(&f.allowPlaintext, "allow-plaintext", false, "send the password even over a connection without encryption (a preferred server without encryption that does not answer may then fall back to another such port of the provider's; an encrypted one never falls back to one without encryption)")
		fs.Var(&f.trust, "trust-cert", trustCertUsage)
		fs.Var(&f.accept, "accept-unverified", acceptUsage)
		fs.BoolVar(&f.noFallback, "no-fallback", false, "test exactly the preferred servers: do not try the provider's other ports when one does not answer from this network")
		fs.BoolVar(&f.sendTest, "send-test", false, "also send a message to the address itself and wait for it to arrive, then delete it")
		fs.BoolVar(&f.passwordStdin, "password-stdin", false, "read the password from standard input (required: it never goes on a command line)")
	})
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 1 {
		return fail(env, ExitUsage, "test takes one email address, e.g. printf %%s \"$PASSWORD\" | mailwiz test --password-stdin alice@example.com")
	}
	if !f.passwordStdin {
		return fail(env, ExitUsage, "test needs --password-stdin and the password on standard input (a password on the command line would show in the process list)")
	}
	if f.timeout <= 0 {
		return fail(env, ExitUsage, "--timeout %v: give a positive duration such as 10s", f.timeout)
	}
	lang, err := language(env, f.lang)
	if err != nil {
		return fail(env, ExitUsage, "%v", err)
	}
	trusted, err := f.trust.fingerprints()
	if err != nil {
		return fail(env, ExitUsage, "%v", err)
	}
	addr, err := account.ParseAddress(pos[0])
	if err != nil {
		return fail(env, ExitUsage, "%v", err)
	}
	password, err := stdinPassword(env.Stdin, "test")
	if err != nil {
		return fail(env, ExitUsage, "%v", err)
	}
	trusted = append(trusted, savedExceptions(env, addr, trusted)...)
	r, from, code, err := resolveConfig(ctx, env, addr, serverChoice{incoming: f.incoming, outgoing: f.outgoing, saved: true, warn: warner(env)})
	if err != nil {
		return configFailed(env, addr, code, err)
	}
	f.accept.confirm(env, &r)
	plan, err := r.PlanTest(wizard.TestOptions{Username: f.username, NoFallback: f.noFallback})
	if err != nil {
		return planFailed(env, lang, "test", addr, r, err, f.json)
	}
	var provider *account.Config
	if r.Config.Provider != nil {
		provider = &r.Config
	}
	rep := probe.Run(ctx, probe.Request{
		Address:        addr,
		Servers:        plan.Servers,
		Alternatives:   plan.Alternatives,
		Password:       password,
		Provider:       provider,
		AllowPlaintext: f.allowPlaintext,
		SendTest:       f.sendTest,
		Timeout:        f.timeout,
		RootCAs:        env.RootCAs,
		TrustedCerts:   trusted,
		Resolver:       env.Resolver,
	})
	code = ExitOK
	if !rep.OK {
		code = ExitFailed
	}
	trust := newTrustView(r)
	if f.json {
		if c := writeJSON(env, testJSON{rep.View(lang), trust}); c != ExitOK {
			return c
		}
		return code
	}
	if from != "" {
		words, ok := reportWords[lang]
		if !ok {
			words = reportWords["en"]
		}
		fmt.Fprintf(env.Stdout, words["saved"]+"\n", homeShort(from))
	}
	printTrust(env.Stdout, trust, lang)
	printReport(env.Stdout, addr, rep.View(lang), lang)
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
	words, ok := reportWords[lang]
	if !ok {
		words = reportWords["en"]
	}
	fmt.Fprintf(w, "\n"+words["savehint"]+"\n", strings.Join(flags, " "))
}

// reportWords are the report's own labels; the explanations come
// translated from probe.
var reportWords = map[string]map[string]string{
	"en": {"good": "all good", "bad": "something is wrong", "ok": "ok: logged in, %d ms", "failed": "FAILED at “%s” after %d ms",
		"trusted": "trusted", "untrusted": "NOT trusted", "exception": "NOT trusted, accepted by you as an exception", "cert": "%s, certificate %s (%s), issued by %s, valid until %s",
		"see": "see %s", "said": "the server said: %s", "message": "Test message",
		"arrived": "ok: arrived %d ms after sending, and was deleted again", "msgfailed": "FAILED at “%s”",
		"tried": "also tried %s:%d (%s): %s", "savehint": "To save the servers that worked: mailwiz save %s --password-stdin ADDRESS",
		"saved": "Servers from your saved account (%s)"},
	"ru": {"good": "всё в порядке", "bad": "есть проблемы", "ok": "ок: вход выполнен, %d мс", "failed": "ОШИБКА на этапе «%s» через %d мс",
		"trusted": "доверенный", "untrusted": "НЕ доверенный", "exception": "НЕ доверенный, принят вами как исключение", "cert": "%s, сертификат %s (%s), выдан %s, действует до %s",
		"see": "см. %s", "said": "ответ сервера: %s", "message": "Тестовое письмо",
		"arrived": "ок: пришло через %d мс после отправки и удалено", "msgfailed": "ОШИБКА на этапе «%s»",
		"tried": "пробовали также %s:%d (%s): %s", "savehint": "Чтобы сохранить работающие серверы: mailwiz save %s --password-stdin АДРЕС",
		"saved": "Серверы из сохранённой учётной записи (%s)"},
}

// printReport writes the readable per-server report.
func printReport(w io.Writer, addr account.Address, v probe.ReportView, lang string) {
	words, ok := reportWords[lang]
	if !ok {
		words = reportWords["en"]
	}
	verdict := words["good"]
	if !v.OK {
		verdict = words["bad"]
	}
	fmt.Fprintf(w, "%s: %s\n", addr.Display(), verdict)
	for _, r := range v.Results {
		fmt.Fprintf(w, "\n%s %s:%d (%s)\n", strings.ToUpper(string(r.Protocol)), r.Host, r.Port, r.Security)
		if r.OK {
			fmt.Fprintf(w, "  "+words["ok"]+"\n", r.DurationMS)
		} else {
			fmt.Fprintf(w, "  "+words["failed"]+"\n", stageWords(r.Stage, lang), r.DurationMS)
		}
		if t := r.TLS; t != nil {
			trust := words["trusted"]
			switch {
			case t.Exception:
				trust = words["exception"]
			case !t.Verified:
				trust = words["untrusted"]
			}
			fmt.Fprintf(w, "  "+words["cert"]+"\n", t.Version, t.Subject, trust, t.Issuer, t.NotAfter.Format("2006-01-02"))
			fmt.Fprintf(w, "  SHA-256 %s\n", t.SHA256)
		}
		if d := r.Diagnosis; d != nil {
			fmt.Fprintf(w, "  %s: %s\n", d.Kind, d.Text)
			if d.URL != "" {
				fmt.Fprintf(w, "  "+words["see"]+"\n", d.URL)
			}
		}
		if r.Error != "" {
			fmt.Fprintf(w, "  "+words["said"]+"\n", r.Error)
		}
		if r.FallbackText != "" {
			fmt.Fprintf(w, "  %s\n", r.FallbackText)
		}
		for _, t := range r.Tried {
			why := stageWords(t.Stage, lang)
			if t.Diagnosis != nil {
				why = string(t.Diagnosis.Kind)
			}
			fmt.Fprintf(w, "  "+words["tried"]+"\n", t.Host, t.Port, t.Security, why)
		}
	}
	if st := v.SendTest; st != nil {
		fmt.Fprintf(w, "\n%s\n", words["message"])
		if st.OK {
			fmt.Fprintf(w, "  "+words["arrived"]+"\n", st.DeliveryMS)
		} else {
			fmt.Fprintf(w, "  "+words["msgfailed"]+"\n", stageWords(st.Stage, lang))
			if d := st.Diagnosis; d != nil {
				fmt.Fprintf(w, "  %s: %s\n", d.Kind, d.Text)
			}
			if st.Error != "" {
				fmt.Fprintf(w, "  "+words["said"]+"\n", st.Error)
			}
		}
	}
}
