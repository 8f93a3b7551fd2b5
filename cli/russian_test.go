package cli

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// catalogEnglish returns the English sentences of the catalog that Russian
// says differently and that are long enough to be words, not names.
func catalogEnglish() []string {
	word := regexp.MustCompile(`[A-Za-z]{4,}`)
	var out []string
	for _, k := range catalog.Keys("en") {
		plain := regexp.MustCompile(`{{[^}]*}}`).ReplaceAllString(k, "")
		if catalog.T("ru", k) == k || !word.MatchString(plain) {
			continue
		}
		// Match on the longest stretch between placeholders.
		best := ""
		for _, part := range regexp.MustCompile(`{{[^}]*}}`).Split(k, -1) {
			if len(strings.TrimSpace(part)) > len(best) {
				best = strings.TrimSpace(part)
			}
		}
		if len(best) >= 4 && word.MatchString(best) {
			out = append(out, best)
		}
	}
	return out
}

// TestRussianHasNoCatalogEnglish: with --lang ru, a command's human output
// holds none of the catalog's English: headings, table, limits, hints,
// stage names, trust lines are all Russian (host names, URLs and the
// servers' own words stay as they are).
func TestRussianHasNoCatalogEnglish(t *testing.T) {
	english := catalogEnglish()
	if len(english) < 100 {
		t.Fatalf("only %d English sentences to look for: is the catalog read?", len(english))
	}
	for _, args := range [][]string{
		{"detect", "--offline", "--lang", "ru", "ivan@mail.ru"},
		{"detect", "--offline", "--lang", "ru", "ivan@gmail.com"},
		{"detect", "--offline", "--lang", "ru", "ivan@outlook.com"},
		{"detect", "--offline", "--lang", "ru", "ivan@tuta.com"},
		{"detect", "--offline", "--lang", "ru", "ivan@rambler.ru"},
		{"detect", "--offline", "--lang", "ru", "ivan@yandex.ru"},
		{"export", "--offline", "--lang", "ru", "--format", "sheet", "-o", t.TempDir(), "ivan@outlook.com"},
		{"export", "--offline", "--lang", "ru", "--format", "thunderbird-profile", "-o", t.TempDir(), "ivan@mail.ru"},
		{"detect", "--offline", "--lang", "ru", "ivan@nowhere.test"},
		{"export", "--offline", "--lang", "ru", "--format", "android", "ivan@mail.ru"},
	} {
		var out, errb bytes.Buffer
		Run(context.Background(), newEnv(t, "", &out, &errb), args)
		// URLs and host names are English by nature.
		text := regexp.MustCompile(`https?://\S+`).ReplaceAllString(out.String()+errb.String(), "URL")
		if !strings.Contains(text, "Перед входом") && !strings.Contains(text, "Нет серверов") && !strings.Contains(text, "записан") &&
			!strings.Contains(text, "нет во встроенной базе") && !strings.Contains(text, "двоичный файл") {
			t.Errorf("%v: not Russian at all?\n%s", args, text)
		}
		for _, e := range english {
			if strings.Contains(text, e) {
				t.Errorf("%v prints the catalog's English %q:\n%s", args, e, text)
			}
		}
	}
}

// TestRussianTestReport: `mailwiz test --lang ru` against scripted servers
// that refuse (a wrong password, basic authentication off) and fall back:
// the report has none of the catalog's English.
func TestRussianTestReport(t *testing.T) {
	ca := testenv.NewCA(t)
	withRoots(t, ca.Pool())
	leaf := ca.Issue(t, "127.0.0.1")
	in := testenv.StartScripted(t, testenv.Scripted{Protocol: "imap", TLS: leaf, Login: []string{"NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"}})
	out := testenv.StartScripted(t, testenv.Scripted{Protocol: "smtp", TLS: leaf, Login: []string{"535 5.7.139 Authentication unsuccessful, basic authentication is disabled."}})
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), newEnv(t, "pw", &stdout, &stderr), []string{"test", "--lang", "ru", "--password-stdin",
		"--incoming", srvURL("imap", in, "ssl"), "--outgoing", srvURL("smtp", out, "ssl"), "ann@example.test"})
	text := regexp.MustCompile(`https?://\S+`).ReplaceAllString(stdout.String()+stderr.String(), "URL")
	// The servers' own words are theirs: drop those lines.
	text = regexp.MustCompile(`(?m)^\s*ответ сервера: .*$`).ReplaceAllString(text, "")
	if code != ExitFailed || !strings.Contains(text, "есть проблемы") {
		t.Fatalf("exit %d:\n%s", code, text)
	}
	for _, e := range catalogEnglish() {
		if strings.Contains(text, e) {
			t.Errorf("the Russian report prints the catalog's English %q:\n%s", e, text)
		}
	}
	if regexp.MustCompile(`[a-z]+-[a-z]+:`).MatchString(text) {
		t.Errorf("a diagnosis kind label in the Russian report:\n%s", text)
	}
}

// TestRussianAddressError: a refused address is explained in Russian with
// --lang ru or a Russian locale, as the window explains it.
func TestRussianAddressError(t *testing.T) {
	for _, args := range [][]string{
		{"detect", "--offline", "--lang", "ru", "a@@example.test"},
		{"test", "--lang", "ru", "--password-stdin", "a@@example.test"},
		{"export", "--lang", "ru", "--format", "json", "a@@example.test"},
	} {
		var out, errb bytes.Buffer
		code := Run(context.Background(), newEnv(t, "pw", &out, &errb), args)
		if code != ExitUsage || !strings.Contains(errb.String(), "больше одного знака @") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
	}
	var out, errb bytes.Buffer
	env := newEnv(t, "pw", &out, &errb)
	env.Getenv = func(k string) string {
		if k == "LANG" {
			return "ru_RU.UTF-8"
		}
		return ""
	}
	if code := Run(context.Background(), env, []string{"save", "--password-stdin", "a@@example.test"}); code != ExitUsage || !strings.Contains(errb.String(), "больше одного знака @") {
		t.Errorf("save under a Russian locale: exit %d, stderr %q", code, errb.String())
	}
}

// TestRussianHelpAndUsage: with --lang ru or a Russian locale, the help
// (the command list, each command's summary and flags, the export
// formats) and the usage errors are Russian, with none of the catalog's
// English; without either they stay English.
func TestRussianHelpAndUsage(t *testing.T) {
	english := catalogEnglish()
	cyrillic := regexp.MustCompile(`[а-яА-Я]`)
	run := func(t *testing.T, locale string, args ...string) (int, string) {
		t.Helper()
		var out, errb bytes.Buffer
		env := newEnv(t, "", &out, &errb)
		env.Getenv = func(k string) string {
			if k == "LANG" {
				return locale
			}
			return ""
		}
		code := Run(context.Background(), env, args)
		return code, out.String() + errb.String()
	}
	cases := [][]string{{"help"}, {"--help"}}
	for name := range commands {
		cases = append(cases, []string{"help", name}, []string{name, "--help"})
	}
	cases = append(cases,
		[]string{"test"}, []string{"test", "--password-stdin", "--timeout", "0s", "a@example.test"},
		[]string{"test", "--lang", "de", "a@example.test"}, []string{"test", "--password-stdin", "--trust-cert", "AB", "a@example.test"},
		[]string{"save", "a@example.test"}, []string{"save", "--password-stdin", "a@example.test"},
		[]string{"save", "--password-stdin", "--days-on-server", "-1", "a@example.test"},
		[]string{"export", "a@example.test"}, []string{"export", "--format", "nope", "a@example.test"},
		[]string{"nosuchcommand"}, []string{"help", "nosuchcommand"},
		[]string{"export", "--format", "json", "--incoming", "imap://h:99999", "a@example.test"},
		[]string{"export", "--format", "json", "--outgoing", "imap://h", "a@example.test"},
		[]string{"detect", "--dns", "nope", "a@example.test"},
		[]string{"test", "--bogus", "a@example.test"}, []string{"test", "a@example.test", "--timeout"},
		// The flag package's own words for a refused value.
		[]string{"test", "--timeout", "abc", "a@example.test"}, []string{"save", "--days-on-server", "x1", "a@example.test"},
		[]string{"save", "--days-on-server", "99999999999999999999", "a@example.test"},
		[]string{"save", "--leave-on-server=maybe", "a@example.test"}, []string{"detect", "--json=maybe", "a@example.test"},
	)
	for _, args := range cases {
		for _, how := range []string{"flag", "locale"} {
			t.Run(how+" "+strings.Join(args, " "), func(t *testing.T) {
				a, locale := append([]string{}, args...), "ru_RU.UTF-8"
				if how == "flag" {
					a, locale = append(a, "--lang", "ru"), ""
				}
				_, got := run(t, locale, a...)
				if !cyrillic.MatchString(got) {
					t.Fatalf("no Russian in:\n%s", got)
				}
				for _, e := range []string{"parse error", "value out of range", "is not true or false"} {
					if strings.Contains(got, e) {
						t.Errorf("the flag package's English %q in:\n%s", e, got)
					}
				}
				for _, e := range english {
					// An all-capitals part (HOST, ADDRESS) is a placeholder
					// of the usage line, the same in every language.
					// A flag's or URL's name (--incoming, auth=oauth2) is
					// no sentence either: only a word on its own counts.
					alone := regexp.MustCompile(`(^|[^-=\w.])` + regexp.QuoteMeta(e) + `($|[^-\w])`)
					if alone.MatchString(got) && strings.ToUpper(e) != e {
						t.Errorf("catalog English %q in:\n%s", e, got)
					}
				}
			})
		}
	}
	if _, got := run(t, "", "help"); cyrillic.MatchString(got) || !strings.Contains(got, "Without arguments it opens the wizard.") {
		t.Errorf("English help without a language:\n%s", got)
	}
}
