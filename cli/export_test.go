package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/cli"
	"github.com/mailwiz/mailwiz/export"
)

// exportCanary is a password a careless user might hand the command: on
// standard input (as for test and save) and in a server URL. It must never
// reach any output.
const exportCanary = "Exp0rt-canary-pw!"

// runExport drives `mailwiz export` in-process, with the canary on stdin.
func runExport(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &cli.Env{
		Stdin:  strings.NewReader(exportCanary + "\n"),
		Stdout: &out,
		Stderr: &errb,
		Getenv: func(k string) string { return env[k] },
	}
	code = cli.Run(context.Background(), e, append([]string{"export"}, args...))
	if strings.Contains(out.String(), exportCanary) || strings.Contains(errb.String(), exportCanary) {
		t.Errorf("export %v printed the canary password", args)
	}
	return code, out.String(), errb.String()
}

func exportGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "export", name)
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cli -run TestExport -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s; if the change is right, run go test ./cli -run TestExport -update and review the diff.\ngot:\n%.2000s", path, got)
	}
}

// servers fixes the account on the command line, so these goldens do not
// move when the provider database is researched further.
var exportServers = []string{
	"--incoming", "imap://imap.example.org:993?security=ssl",
	"--outgoing", "smtp://smtp.example.org:587?security=starttls",
	"--name", "Ann Example",
}

// TestExportEveryFormat runs every format through cli.Run, as a user would,
// to standard output for text and to a file for binary formats.
func TestExportEveryFormat(t *testing.T) {
	for _, f := range export.Formats() {
		t.Run(f.Name, func(t *testing.T) {
			args := append([]string{"--format", f.Name}, exportServers...)
			if f.Binary {
				path := filepath.Join(t.TempDir(), "out"+f.Ext)
				code, stdout, stderr := runExport(t, nil, append(args, "-o", path, "ann@example.org")...)
				if code != cli.ExitOK || stderr != "" {
					t.Fatalf("exit %d, stderr %q", code, stderr)
				}
				if !strings.HasPrefix(stdout, "wrote "+path) {
					t.Errorf("stdout %q; want it to say which file was written", stdout)
				}
				got, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				checkNoCanary(t, got)
				// "-o -" asks for the same bytes on standard output.
				code, piped, _ := runExport(t, nil, append(args, "-o", "-", "ann@example.org")...)
				if code != cli.ExitOK || piped != string(got) {
					t.Errorf("-o -: exit %d, %d bytes; want the %d bytes of the file", code, len(piped), len(got))
				}
				if f.Name != "android" {
					exportGolden(t, "ann-"+f.Name+f.Ext, got)
				}
				return
			}
			code, stdout, stderr := runExport(t, nil, append(args, "ann@example.org")...)
			if code != cli.ExitOK || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			checkNoCanary(t, []byte(stdout))
			exportGolden(t, "ann-"+f.Name+f.Ext, []byte(stdout))
		})
	}
}

func checkNoCanary(t *testing.T, b []byte) {
	t.Helper()
	if bytes.Contains(b, []byte(exportCanary)) {
		t.Error("the export contains the canary password")
	}
}

// TestExportFromDatabase uses the built-in provider database, with the
// language from LANG and the POP3 choice on the command line.
func TestExportFromDatabase(t *testing.T) {
	code, out, errOut := runExport(t, map[string]string{"LANG": "ru_RU.UTF-8"}, "--format", "sheet", "olga@gmail.com")
	if code != cli.ExitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{`lang="ru"`, "imap.gmail.com", "smtp.gmail.com", "olga@gmail.com", "Входящая почта"} {
		if !strings.Contains(out, want) {
			t.Errorf("the Russian Gmail sheet lacks %q", want)
		}
	}

	code, out, errOut = runExport(t, nil, "--format", "thunderbird", "--incoming", "pop3://pop.gmail.com:995", "--leave-on-server", "olga@gmail.com")
	if code != cli.ExitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{`"mail.server.server1.type", "pop3"`, `"mail.server.server1.hostname", "pop.gmail.com"`,
		`"mail.server.server1.leave_on_server", true`, `"mail.server.server1.userName", "olga@gmail.com"`, `"mail.smtpserver.smtp1.hostname", "smtp.gmail.com"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the POP3 user.js lacks %s:\n%s", want, out)
		}
	}
}

// TestExportOAuth2Warning: for an OAuth2-only provider (Outlook.com in the
// built-in database), the formats that cannot sign in with OAuth2 warn on
// stderr and in the file; Thunderbird and Android set OAuth2 and do not warn.
func TestExportOAuth2Warning(t *testing.T) {
	for _, f := range []string{"apple", "thebat"} {
		code, out, errOut := runExport(t, nil, "--format", f, "carol@outlook.com")
		if code != cli.ExitOK {
			t.Fatalf("%s: exit %d, stderr %q", f, code, errOut)
		}
		if !strings.Contains(errOut, "mailwiz: warning: ") || !strings.Contains(errOut, "OAuth2") {
			t.Errorf("%s: stderr %q; want the OAuth2 warning", f, errOut)
		}
		if !strings.Contains(out, "OAuth2") {
			t.Errorf("%s: the file lacks the OAuth2 warning", f)
		}
	}
	code, out, errOut := runExport(t, nil, "--format", "thunderbird", "carol@outlook.com")
	if code != cli.ExitOK || errOut != "" {
		t.Fatalf("thunderbird: exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{`"mail.server.server1.authMethod", 10`, `"mail.smtpserver.smtp1.authMethod", 10`} {
		if !strings.Contains(out, want) {
			t.Errorf("the Outlook.com user.js lacks %s (OAuth2)", want)
		}
	}

	code, out, errOut = runExport(t, nil, "--format", "apple",
		"--incoming", "imap://mail.example.org:143?security=none",
		"--outgoing", "smtp://mail.example.org:25?security=none", "bob@example.org")
	if code != cli.ExitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(errOut, "mailwiz: warning: ") || !strings.Contains(errOut, "unencrypted") {
		t.Errorf("stderr %q; want the plaintext warning", errOut)
	}
	if !strings.Contains(out, "unencrypted") {
		t.Error("the profile's consent text lacks the plaintext warning")
	}
}

func TestExportErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no address", []string{"--format", "json"}, cli.ExitUsage, "one email address"},
		{"no format", []string{"ann@gmail.com"}, cli.ExitUsage, "needs --format"},
		{"unknown format", []string{"--format", "eudora", "ann@gmail.com"}, cli.ExitUsage, `no export format "eudora"`},
		{"bad address", []string{"--format", "json", "ann.gmail.com"}, cli.ExitUsage, "has no @"},
		{"bad language", []string{"--format", "json", "--lang", "de", "ann@gmail.com"}, cli.ExitUsage, "use en or ru"},
		{"unknown domain offline", []string{"--format", "json", "--offline", "ann@unknown-domain.example"}, cli.ExitFailed, "give both servers"},
		{"one server offline", []string{"--format", "json", "--offline", "--incoming", "imap://imap.unknown-domain.example", "ann@unknown-domain.example"}, cli.ExitFailed, "drop --offline"},
		{"smtp as incoming", []string{"--format", "json", "--incoming", "smtp://h.example:465", "ann@gmail.com"}, cli.ExitUsage, "use imap:// or pop3://"},
		{"imap as outgoing", []string{"--format", "json", "--outgoing", "imap://h.example:993", "ann@gmail.com"}, cli.ExitUsage, "use smtp://"},
		{"password in URL", []string{"--format", "json", "--incoming", "imap://ann:" + exportCanary + "@h.example:993", "ann@gmail.com"}, cli.ExitUsage, "holds a password"},
		{"bad host", []string{"--format", "thebat", "--incoming", "imap://h%22x.example:993", "ann@gmail.com"}, cli.ExitUsage, ""},
		{"binary to terminal", []string{"--format", "android", "ann@gmail.com"}, cli.ExitUsage, "give -o"},
		{"unwritable file", []string{"--format", "json", "-o", filepath.Join(dir, "no", "such", "dir", "x.json"), "ann@gmail.com"}, cli.ExitFailed, "cannot write"},
		{"bad leave value", []string{"--format", "json", "--leave-on-server=maybe", "ann@gmail.com"}, cli.ExitUsage, "write true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runExport(t, nil, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d; want %d (stderr %q)", code, tt.code, errOut)
			}
			if out != "" {
				t.Errorf("stdout %q; want nothing on failure", out)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q; want it to contain %q", errOut, tt.want)
			}
			if tt.code == cli.ExitFailed || !strings.Contains(errOut, "usage:") {
				if n := strings.Count(strings.TrimSpace(errOut), "\n"); n != 0 {
					t.Errorf("stderr has %d lines; want one clear line:\n%s", n+1, errOut)
				}
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed export left files behind: %v", entries)
	}
}

// TestExportToDirectory: -o DIR writes the format's own file name there.
func TestExportToDirectory(t *testing.T) {
	dir := t.TempDir()
	for format, name := range map[string]string{"thunderbird": "user.js", "apple": "ann@example.org.mobileconfig", "android": "ann@example.org-android.png"} {
		code, out, errOut := runExport(t, nil, append(append([]string{"--format", format}, exportServers...), "-o", dir, "ann@example.org")...)
		if code != cli.ExitOK || errOut != "" {
			t.Fatalf("%s: exit %d, stderr %q", format, code, errOut)
		}
		want := filepath.Join(dir, name)
		if _, err := os.Stat(want); err != nil || !strings.Contains(out, want) {
			t.Errorf("%s: %v; stdout %q; want %s written", format, err, out, want)
		}
	}
}

func TestExportHelpListsFormats(t *testing.T) {
	var out bytes.Buffer
	code := cli.Run(context.Background(), &cli.Env{Stdout: &out, Stderr: &out}, []string{"help", "export"})
	if code != cli.ExitOK {
		t.Fatalf("help export: exit %d", code)
	}
	for _, f := range export.Formats() {
		if !strings.Contains(out.String(), "  "+f.Name+" ") {
			t.Errorf("help export does not list %s:\n%s", f.Name, out.String())
		}
	}
}

// TestExportNoClobber: -o onto a file that is there refuses without
// --force and leaves it untouched; with --force the file is replaced and
// keeps a stricter mode it had.
func TestExportNoClobber(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "user.js")
	if err := os.WriteFile(path, []byte("mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{"--format", "thunderbird"}, exportServers...), "-o", path, "ann@example.org")
	code, _, errOut := runExport(t, nil, args...)
	if code != cli.ExitFailed || !strings.Contains(errOut, "already there") || !strings.Contains(errOut, "--force") {
		t.Fatalf("exit %d, stderr %q; want 1 naming --force", code, errOut)
	}
	if b, _ := os.ReadFile(path); string(b) != "mine\n" {
		t.Fatalf("the file was changed: %q", b)
	}
	// The same through a directory: the format's own name is there.
	code, _, _ = runExport(t, nil, append(append([]string{"--format", "thunderbird"}, exportServers...), "-o", dir, "ann@example.org")...)
	if code != cli.ExitFailed {
		t.Fatalf("-o DIR onto an existing user.js: exit %d", code)
	}
	code, _, errOut = runExport(t, nil, append([]string{"--force"}, args...)...)
	if code != cli.ExitOK {
		t.Fatalf("--force: exit %d, %s", code, errOut)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "imap.example.org") || fi.Mode().Perm() != 0o600 {
		t.Errorf("after --force: mode %04o, content %q", fi.Mode().Perm(), b[:min(len(b), 60)])
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
