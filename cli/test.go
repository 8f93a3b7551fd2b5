package cli

import (
	"context"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/probe"
)

func init() {
	register(&command{
		name:    "test",
		summary: "log in to the incoming and outgoing servers for real and say what is wrong",
		usage:   "test [--json] [--lang en|ru] [--incoming URL] [--outgoing URL] [--username U] [--timeout D] [--allow-plaintext] [--trust-cert SHA256]... [--no-fallback] [--send-test] --password-stdin ADDRESS",
		run:     runTest,
	})
}

// Test seams: this package's tests trust their own CA and resolve names on
// loopback. Nil means the system pool and resolver.
var (
	testRootCAs  *x509.CertPool
	testResolver *net.Resolver
)

type testFlags struct {
	json, allowPlaintext, sendTest, passwordStdin bool
	noFallback                                    bool
	incoming, outgoing, username, lang            string
	timeout                                       time.Duration
	trust                                         certList
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
	trusted = append(trusted, savedExceptions(addr, trusted)...)
	servers, alts, provider, from, code, err := testPlan(ctx, addr, &f, warner(env))
	if err != nil {
		return configFailed(env, addr, code, err)
	}
	rep := probe.Run(ctx, probe.Request{
		Address:        addr,
		Servers:        servers,
		Alternatives:   alts,
		Password:       password,
		Provider:       provider,
		AllowPlaintext: f.allowPlaintext,
		SendTest:       f.sendTest,
		Timeout:        f.timeout,
		RootCAs:        testRootCAs,
		TrustedCerts:   trusted,
		Resolver:       testResolver,
	})
	code = ExitOK
	if !rep.OK {
		code = ExitFailed
	}
	if f.json {
		if c := writeJSON(env, rep.View(lang)); c != ExitOK {
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
	printReport(env.Stdout, addr, rep.View(lang), lang)
	printSaveHint(env.Stdout, rep, lang)
	return code
}

// savedExceptions returns the certificate exceptions kept for addr by
// `mailwiz save --trust-cert` that are not in have already: a saved
// account keeps the certificates its user accepted. No settings, or
// unreadable ones, add nothing; the test then says what it finds.
func savedExceptions(addr account.Address, have []string) []string {
	st, err := openStore()
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

// testServers is testPlan without the alternatives.
func testServers(ctx context.Context, addr account.Address, f *testFlags) ([]account.Server, *account.Config, int, error) {
	servers, _, provider, _, code, err := testPlan(ctx, addr, f, nil)
	return servers, provider, code, err
}

// testPlan picks the servers to test: the ones given on the command
// line, and for what they leave out the servers of the account saved for
// addr, else the preferred incoming and outgoing server of the built-in
// database or discovery; from is the saved account's file when it gave
// servers, and warn hears of a saved file passed over. alts[i] are the servers
// that may stand in for servers[i] when it does not answer from this
// network: the config's other servers of the same protocol, only for a
// server the command line did not name (a URL means exactly that server)
// and not with --no-fallback. provider is the config whose hints explain
// failures (nil when unknown).
func testPlan(ctx context.Context, addr account.Address, f *testFlags, warn func(string)) (servers []account.Server, alts [][]account.Server, provider *account.Config, from string, code int, err error) {
	cfg, from, code, err := resolveConfig(ctx, addr, serverChoice{incoming: f.incoming, outgoing: f.outgoing, saved: true, warn: warn})
	if err != nil {
		return nil, nil, nil, "", code, err
	}
	for _, side := range []struct {
		list  []account.Server
		given bool
		flag  string
	}{{cfg.Incoming, f.incoming != "", "--incoming"}, {cfg.Outgoing, f.outgoing != "", "--outgoing"}} {
		if len(side.list) == 0 {
			continue
		}
		s := side.list[0]
		if f.username != "" {
			s.Username = f.username
		}
		if s.Auth == account.AuthOAuth2 {
			if !side.given {
				return nil, nil, nil, "", ExitUsage, fmt.Errorf("%s signs in through the browser (OAuth2), which mailwiz test cannot do; to test an app password, if the provider offers them, name the server: %s '%s'", s, side.flag, s)
			}
			// Named on the command line, the server is tested as asked:
			// with the password given (an app password, say). fillServer
			// copied OAuth2 from the database's entry for the host; a
			// server that insists on it refuses, and probe says so.
			s.Auth = account.AuthPassword
		}
		servers = append(servers, s)
		var others []account.Server
		if !side.given && !f.noFallback {
			for _, a := range probe.Alternatives(s, side.list[1:]) {
				if f.username != "" {
					a.Username = f.username
				}
				others = append(others, a)
			}
		}
		alts = append(alts, others)
	}
	if len(servers) == 0 {
		return nil, nil, nil, "", ExitFailed, fmt.Errorf("no servers known for %s: give them with --incoming and --outgoing", addr.DomainUnicode)
	}
	if cfg.Provider != nil {
		provider = &cfg
	}
	return servers, alts, provider, from, ExitOK, nil
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
