package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/cli"
)

// The -update flag may be defined by another test file of this package too;
// whoever comes first defines it and everyone reads it by name.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/ from the current output")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// run drives the CLI in-process as a user's shell would.
func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &cli.Env{
		Stdin:  strings.NewReader(""),
		Stdout: &out,
		Stderr: &errb,
		Getenv: func(k string) string { return env[k] },
	}
	code = cli.Run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

// golden compares got with testdata/detect/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "detect", name)
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cli -run TestDetect -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s; if the provider data changed on purpose, run go test ./cli -run TestDetect -update and review the diff.\n%s", path, firstDiff(string(want), got))
	}
}

// firstDiff shows the first line where got departs from want.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\nwant %s\ngot  %s", i+1, wl, gl)
		}
	}
	return "(same lines)"
}

// TestDetectGolden pins the whole output for a few addresses. The provider
// files change as they are researched: refresh with -update and read the diff.
func TestDetectGolden(t *testing.T) {
	tests := []struct {
		golden string
		env    map[string]string
		args   []string
	}{
		{"gmail.json", nil, []string{"detect", "--offline", "--json", "alice@gmail.com"}},
		{"yandex-plus-ru.json", map[string]string{"LANG": "ru_RU.UTF-8"}, []string{"detect", "--offline", "--json", "  Login+Shop@YA.RU "}},
		{"mailru.txt", nil, []string{"detect", "--offline", "bob@inbox.ru"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			code, out, errOut := run(t, tt.env, tt.args...)
			if code != cli.ExitOK || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			golden(t, tt.golden, out)
		})
	}
}

// detectJSON runs detect --offline --json and decodes the answer.
func detectJSON(t *testing.T, env map[string]string, addr string) account.View {
	t.Helper()
	code, out, errOut := run(t, env, "detect", "--offline", "--json", addr)
	if code != cli.ExitOK {
		t.Fatalf("detect %q: exit %d, stderr %q", addr, code, errOut)
	}
	var v account.View
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("detect %q: the output is not the contract's JSON: %v\n%s", addr, err, out)
	}
	return v
}

// TestDetectContract checks the JSON's keys against DESIGN.md's contract, so
// a renamed field fails here even when a golden is refreshed carelessly.
func TestDetectContract(t *testing.T) {
	_, out, _ := run(t, nil, "detect", "--offline", "--json", "alice@gmail.com")
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"email", "domain", "provider", "source", "secure_source", "incoming", "outgoing", "hints"} {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing from %s", k, out)
		}
	}
	var servers []map[string]any
	if err := json.Unmarshal(m["incoming"], &servers); err != nil || len(servers) == 0 {
		t.Fatalf("incoming: %v %s", err, m["incoming"])
	}
	for _, k := range []string{"protocol", "host", "port", "security", "username", "auth"} {
		if _, ok := servers[0][k]; !ok {
			t.Errorf("incoming server key %q missing: %v", k, servers[0])
		}
	}
}

// TestDetectAliases: a sample of alias domains of the users' guide's four
// providers, the preferred servers, and the login each gives.
func TestDetectAliases(t *testing.T) {
	tests := []struct {
		addr, provider, imap, smtp, user string
	}{
		{"alice@gmail.com", "gmail", "imap.gmail.com", "smtp.gmail.com", "alice@gmail.com"},
		{"alice@googlemail.com", "gmail", "imap.gmail.com", "smtp.gmail.com", "alice@googlemail.com"},
		{"Bob@Mail.Ru", "mailru", "imap.mail.ru", "smtp.mail.ru", "Bob@mail.ru"},
		{"bob@internet.ru", "mailru", "imap.mail.ru", "smtp.mail.ru", "bob@internet.ru"},
		{"bob@list.ru", "mailru", "imap.mail.ru", "smtp.mail.ru", "bob@list.ru"},
		{"carol+tag@ya.ru", "yandex", "imap.yandex.ru", "smtp.yandex.ru", "carol@ya.ru"},
		{"carol@narod.ru", "yandex", "imap.yandex.ru", "smtp.yandex.ru", "carol@narod.ru"},
		{"carol@yandex.kz", "yandex", "imap.yandex.ru", "smtp.yandex.ru", "carol@yandex.kz"},
		{"dan@r0.ru", "rambler", "imap.rambler.ru", "smtp.rambler.ru", "dan@r0.ru"},
		{"dan@autorambler.ru", "rambler", "imap.rambler.ru", "smtp.rambler.ru", "dan@autorambler.ru"},
		{"<dan@LENTA.RU>", "rambler", "imap.rambler.ru", "smtp.rambler.ru", "dan@lenta.ru"},
		{"mailto:dan@rambler.ua", "rambler", "imap.rambler.ru", "smtp.rambler.ru", "dan@rambler.ua"},
		// Providers added after the guide's four: Elisa (issue 3) by an alias domain, Windstream.
		{"erin@saunalahti.fi", "elisa", "imap.elisa.fi", "smtp.elisa.fi", "erin@saunalahti.fi"},
		{"erin@windstream.net", "windstream", "imap.windstream.net", "smtp.windstream.net", "erin@windstream.net"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			v := detectJSON(t, nil, tt.addr)
			if v.Provider == nil || v.Provider.ID != tt.provider {
				t.Fatalf("provider = %+v, want %s", v.Provider, tt.provider)
			}
			if v.Source != account.SourceBuiltin || !v.SecureSource {
				t.Errorf("source %q secure %v; want builtin, true", v.Source, v.SecureSource)
			}
			in, out := v.Incoming[0], v.Outgoing[0]
			if in.Protocol != account.IMAP || in.Host != tt.imap || in.Port != 993 || in.Security != account.SSL {
				t.Errorf("preferred incoming = %v, want imap://%s:993?security=ssl", in, tt.imap)
			}
			if out.Host != tt.smtp || out.Security == account.None {
				t.Errorf("preferred outgoing = %v, want an encrypted %s", out, tt.smtp)
			}
			if in.Username != tt.user || out.Username != tt.user {
				t.Errorf("usernames %q / %q, want %q", in.Username, out.Username, tt.user)
			}
			for _, s := range append(v.Incoming, v.Outgoing...) {
				if strings.Contains(s.Username, "%") {
					t.Errorf("unexpanded placeholder in %v", s)
				}
			}
		})
	}
}

// TestDetectLanguage: hints follow --lang, then LANG.
func TestDetectLanguage(t *testing.T) {
	cyrillic := func(s string) bool {
		return strings.ContainsAny(s, "абвгдеёжзийклмнопрстуфхцчшщыьэюя")
	}
	en := detectJSON(t, map[string]string{"LANG": "en_US.UTF-8"}, "alice@gmail.com")
	ru := detectJSON(t, map[string]string{"LANG": "ru_RU.UTF-8"}, "alice@gmail.com")
	if len(en.Hints) == 0 || len(en.Hints) != len(ru.Hints) {
		t.Fatalf("Gmail hints: %d in English, %d in Russian; want the same, at least one", len(en.Hints), len(ru.Hints))
	}
	for i := range en.Hints {
		if cyrillic(en.Hints[i].Text) || !cyrillic(ru.Hints[i].Text) {
			t.Errorf("hint %d: en %q / ru %q", i, en.Hints[i].Text, ru.Hints[i].Text)
		}
	}
	_, out, _ := run(t, map[string]string{"LANG": "ru_RU.UTF-8"}, "detect", "--offline", "--json", "--lang", "en", "alice@gmail.com")
	if cyrillic(out) {
		t.Errorf("--lang en did not win over LANG=ru")
	}
}

// TestDetectExitCodes: 0 found, 1 unknown domain, 2 bad input or usage with
// one line on stderr that says what is wrong.
func TestDetectExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"idn unknown", []string{"detect", "--offline", "алиса@почта.рф"}, cli.ExitFailed, "почта.рф is not in the built-in database"},
		{"unknown", []string{"detect", "--offline", "--json", "a@unknown-provider.example"}, cli.ExitFailed, "unknown-provider.example"},
		{"flags after address", []string{"detect", "a@unknown-provider.example", "--offline"}, cli.ExitFailed, "network"},
		{"empty", []string{"detect", "--offline", "  "}, cli.ExitUsage, "empty"},
		{"no at", []string{"detect", "--offline", "alice.gmail.com"}, cli.ExitUsage, "no @"},
		{"two at", []string{"detect", "--offline", "a@b@gmail.com"}, cli.ExitUsage, "more than one @ sign"},
		{"space inside", []string{"detect", "--offline", "al ice@gmail.com"}, cli.ExitUsage, "space"},
		{"single label", []string{"detect", "--offline", "root@localhost"}, cli.ExitUsage, "no dot"},
		{"underscore", []string{"detect", "--offline", "a@my_host.example"}, cli.ExitUsage, "_"},
		{"no address", []string{"detect", "--offline"}, cli.ExitUsage, "one email address"},
		{"two addresses", []string{"detect", "--offline", "a@gmail.com", "b@gmail.com"}, cli.ExitUsage, "one email address"},
		{"bad flag", []string{"detect", "--frobnicate", "a@gmail.com"}, cli.ExitUsage, "frobnicate"},
		{"unknown language", []string{"detect", "--offline", "--lang", "de", "a@gmail.com"}, cli.ExitUsage, `--lang "de": use en or ru`},
		{"no command", []string{"detekt", "a@gmail.com"}, cli.ExitUsage, `no command "detekt"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, nil, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q does not say %q", errOut, tt.want)
			}
			if tt.name != "bad flag" { // the flag package adds the usage after its line
				if n := strings.Count(errOut, "\n"); n != 1 {
					t.Errorf("stderr has %d lines, want one: %q", n, errOut)
				}
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing on failure", out)
			}
		})
	}
}

// TestDetectOddButValid: addresses as people paste them are accepted.
func TestDetectOddButValid(t *testing.T) {
	for _, addr := range []string{
		"ALICE@GMAIL.COM", " alice@gmail.com\t", "Alice Smith <alice@gmail.com>",
		"alice+lists@gmail.com", "alice.smith@gmail.com", "alice@ＧＭＡＩＬ.com", // full-width letters from a CJK keyboard,
	} {
		v := detectJSON(t, nil, addr)
		if v.Domain != "gmail.com" || v.Provider == nil || v.Provider.ID != "gmail" {
			t.Errorf("detect %q: domain %q provider %+v", addr, v.Domain, v.Provider)
		}
	}
}

func TestDetectHelp(t *testing.T) {
	code, out, _ := run(t, nil, "help", "detect")
	if code != cli.ExitOK {
		t.Errorf("help detect: exit %d", code)
	}
	for _, f := range []string{"usage: mailwiz detect", "-offline", "-json", "-lang"} {
		if !strings.Contains(out, f) {
			t.Errorf("help detect does not mention %q:\n%s", f, out)
		}
	}
	code, out, _ = run(t, nil, "--help")
	if code != cli.ExitOK || !strings.Contains(out, "detect") || !strings.Contains(out, "Exit codes") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	code, _, errOut := run(t, nil, "detect", "--help")
	if code != cli.ExitOK || !strings.Contains(errOut, "-offline") {
		t.Errorf("detect --help: exit %d\n%s", code, errOut)
	}
}

// TestDetectNoIMAPProvider: a provider with no IMAP, POP3 or SMTP (Tuta) is
// found, says so plainly, and lists no servers.
func TestDetectNoIMAPProvider(t *testing.T) {
	v := detectJSON(t, nil, "someone@tutanota.com")
	if len(v.Incoming) != 0 || len(v.Outgoing) != 0 {
		t.Errorf("servers listed for Tuta: %v %v", v.Incoming, v.Outgoing)
	}
	found := false
	for _, h := range v.Hints {
		found = found || h.Kind == account.HintNoIMAP
	}
	if !found {
		t.Errorf("no no-imap hint: %+v", v.Hints)
	}
	code, out, _ := run(t, nil, "detect", "--offline", "someone@tutanota.com")
	if code != cli.ExitOK || !strings.Contains(out, "No IMAP, POP3 or SMTP server") || strings.Contains(out, "DIRECTION") {
		t.Errorf("exit %d, table output:\n%s", code, out)
	}
}
