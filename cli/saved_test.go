package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/store"
)

// savedRun runs the CLI in-process with stdin piped in.
func savedRun(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := newEnv(t, stdin, &out, &errb)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code = Run(ctx, env, args)
	return code, out.String(), errb.String()
}

// savedDir gives the test's commands a fresh settings store, laid out as
// in a person's configuration directory, and returns its accounts
// directory.
func savedDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mailwiz", "accounts")
	withStore(t, dir)
	return dir
}

// TestSavedAccountUsed walks what a person does for a domain mailwiz does
// not know: save with the servers typed by hand, then test and export
// with no server flags. Both must use the saved servers (a real Dovecot's
// POP3 and submission ports) and say so, and the export must keep the
// POP3 choices saved with them.
func TestSavedAccountUsed(t *testing.T) {
	testenv.RequireKeyring(t)
	dir := savedDir(t)
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	withRoots(t, ca.Pool())
	user := testenv.DovecotUser // example.test: not in the built-in database
	in, out := srvURL("pop3", d.POP3S, "ssl"), srvURL("smtp", d.Submissions, "ssl")

	code, stdout, stderr := savedRun(t, testenv.DovecotPassword+"\n", "save", "--password-stdin", "--incoming", in, "--outgoing", out,
		"--leave-on-server", "--days-on-server", "7", user)
	if code != ExitOK {
		t.Fatalf("save: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Cleanup(func() { savedRun(t, "", "forget", user) })
	file := filepath.Join(dir, store.FileName(user))

	t.Run("test without flags", func(t *testing.T) {
		code, stdout, stderr := savedRun(t, testenv.DovecotPassword+"\n", "test", "--password-stdin", user)
		if code != ExitOK || !strings.Contains(stdout, "all good") {
			t.Fatalf("exit %d; want 0 and all good\n%s%s", code, stdout, stderr)
		}
		for _, want := range []string{"Servers from your saved account (", store.FileName(user), "POP3 127.0.0.1:" + strconv.Itoa(d.POP3S), "SMTP 127.0.0.1:" + strconv.Itoa(d.Submissions)} {
			if !strings.Contains(stdout, want) {
				t.Errorf("the report lacks %q:\n%s", want, stdout)
			}
		}
		if strings.Contains(stdout+stderr, "no mail settings found") {
			t.Errorf("discovery ran for a saved account:\n%s%s", stdout, stderr)
		}
	})

	t.Run("test --json, Russian", func(t *testing.T) {
		code, o, raw, stderr := mwTest(t, testenv.DovecotPassword, user)
		if code != ExitOK || len(o.Results) != 2 || o.Results[0].Port != d.POP3S || o.Results[1].Port != d.Submissions {
			t.Fatalf("exit %d; want 0 on the saved ports %d, %d\n%s%s", code, d.POP3S, d.Submissions, raw, stderr)
		}
		code, stdout, _ := savedRun(t, testenv.DovecotPassword+"\n", "test", "--password-stdin", "--lang", "ru", user)
		if code != ExitOK || !strings.Contains(stdout, "Серверы из сохранённой учётной записи (") {
			t.Errorf("ru: exit %d\n%s", code, stdout)
		}
	})

	for _, offline := range []bool{false, true} {
		t.Run("export without flags, offline "+strconv.FormatBool(offline), func(t *testing.T) {
			args := []string{"export", "--format", "thunderbird", user}
			if offline {
				args = append(args[:3], "--offline", user)
			}
			code, stdout, stderr := savedRun(t, "", args...)
			if code != ExitOK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			for _, want := range []string{`"pop3"`, strconv.Itoa(d.POP3S), strconv.Itoa(d.Submissions), `"mail.server.server1.leave_on_server", true`, `"mail.server.server1.num_days_to_leave_on_server", 7`} {
				if !strings.Contains(stdout, want) {
					t.Errorf("the export lacks %s:\n%s", want, stdout)
				}
			}
			if !strings.Contains(stderr, "from your saved account (") || strings.Contains(stderr, "nothing vouches") {
				t.Errorf("stderr %q; want where the settings came from, and no warning about their source", stderr)
			}
		})
	}

	t.Run("save again keeps the servers", func(t *testing.T) {
		code, stdout, stderr := savedRun(t, testenv.DovecotPassword+"\n", "save", "--password-stdin", user)
		if code != ExitOK || !strings.Contains(stdout, "as saved before") {
			t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
		}
		a, err := (&store.Store{Dir: dir}).Load(user)
		if err != nil || a.Incoming.Port != d.POP3S || a.Outgoing.Port != d.Submissions || !a.LeaveOnServer || a.DaysOnServer != 7 {
			t.Errorf("after a second save: %+v, %v", a, err)
		}
	})
	if _, err := os.Stat(file); err != nil {
		t.Errorf("the settings file: %v", err)
	}
}

// TestSavedAccountFlagsWin: servers given by flag override the saved ones
// for their side; the other side still comes from the saved account.
func TestSavedAccountFlagsWin(t *testing.T) {
	dir := savedDir(t)
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	withRoots(t, ca.Pool())
	closed := testenv.ClosedPort(t)
	user := testenv.DovecotUser
	st := &store.Store{Dir: dir}
	if err := st.Save(store.Account{Email: user,
		Incoming: account.Server{Protocol: account.IMAP, Host: "127.0.0.1", Port: closed, Security: account.SSL, Username: user, Auth: account.AuthPassword},
		Outgoing: account.Server{Protocol: account.SMTP, Host: "127.0.0.1", Port: d.Submissions, Security: account.SSL, Username: user, Auth: account.AuthPassword},
		Source:   account.SourceManual, Vouched: &store.Vouch{By: store.VouchNamed},
	}); err != nil {
		t.Fatal(err)
	}
	// The saved incoming port is closed: without the flag the test fails there.
	if code, o, raw, _ := mwTest(t, testenv.DovecotPassword, user); code != ExitFailed || o.Results[0].Port != closed {
		t.Fatalf("saved servers: exit %d; want 1 at port %d\n%s", code, closed, raw)
	}
	code, o, raw, stderr := mwTest(t, testenv.DovecotPassword, "--incoming", srvURL("imap", d.IMAPS, "ssl"), user)
	if code != ExitOK || len(o.Results) != 2 || o.Results[0].Port != d.IMAPS || o.Results[1].Port != d.Submissions {
		t.Fatalf("--incoming over a saved account: exit %d; want 0 on %d and the saved %d\n%s%s", code, d.IMAPS, d.Submissions, raw, stderr)
	}
	code, stdout, stderr := savedRun(t, "", "export", "--format", "thunderbird", "--incoming", srvURL("imap", d.IMAPS, "ssl"), "--outgoing", srvURL("smtp", d.Submission, "starttls"), user)
	if code != ExitOK || strings.Contains(stdout, strconv.Itoa(closed)) || !strings.Contains(stdout, strconv.Itoa(d.Submission)) || strings.Contains(stderr, "saved account") {
		t.Errorf("both flags over a saved account: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestSavedAccountCorrupt: a settings file that cannot be read is one line
// naming the file and the way out, exit 2, for test and export; with the
// servers given by flag the command goes on and warns.
func TestSavedAccountCorrupt(t *testing.T) {
	user := "bob@example.test"
	for _, tc := range []struct{ name, content string }{
		{"not JSON", "{ this is not json"},
		{"binary", "\x00\x01\x02\xff"},
		{"newer format", `{"version": 99, "email": "bob@example.test"}`},
		{"wrong types", `{"version": 1, "email": "bob@example.test", "incoming": "imap.example.test"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := savedDir(t)
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, store.FileName(user))
			if err := os.WriteFile(file, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{
				{"test", "--password-stdin", user},
				{"export", "--format", "thunderbird", user},
				{"export", "--format", "thunderbird", "--offline", user},
			} {
				code, stdout, stderr := savedRun(t, testCanary+"\n", args...)
				fix := "mailwiz forget " + user
				if tc.name == "newer format" {
					fix = "update mailwiz"
				}
				if code != ExitUsage || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "mailwiz: ") ||
					!strings.Contains(stderr, file) || !strings.Contains(stderr, fix) || strings.Contains(stderr, testCanary) {
					t.Errorf("%s: exit %d, stdout %q, stderr %q; want 2 and one line naming %s and %q", args[0], code, stdout, stderr, file, fix)
				}
			}
			code, stdout, stderr := savedRun(t, "", "export", "--format", "thunderbird", "--incoming", "imap://imap.example.test", "--outgoing", "smtp://smtp.example.test", user)
			if code != ExitOK || !strings.Contains(stdout, "imap.example.test") || !strings.HasPrefix(stderr, "mailwiz: warning: ") || !strings.Contains(stderr, file) {
				t.Errorf("with both servers given: exit %d, stderr %q; want 0 and a warning naming the file", code, stderr)
			}
		})
	}
}

// TestResolveSavedKnownProvider: for a domain the built-in database knows,
// a saved server the database lists goes first with the provider's other
// servers after it (a test may still fall back from it), a server the
// person typed stands alone, and a side the saved file lacks comes from
// the database. Hints stay the provider's.
func TestResolveSavedKnownProvider(t *testing.T) {
	dir := savedDir(t)
	addr, err := account.ParseAddress("carol@gmail.com")
	if err != nil {
		t.Fatal(err)
	}
	st := &store.Store{Dir: dir}
	srv := func(p account.Protocol, host string, port int, sec account.Security) account.Server {
		return account.Server{Protocol: p, Host: host, Port: port, Security: sec, Username: addr.String(), Auth: account.AuthPassword}
	}
	for _, tc := range []struct {
		name     string
		saved    store.Account
		in, out  []string
		leave    bool
		fromFile bool
	}{
		{"the provider's second servers",
			store.Account{Incoming: srv(account.POP3, "pop.gmail.com", 995, account.SSL), Outgoing: srv(account.SMTP, "smtp.gmail.com", 587, account.STARTTLS), LeaveOnServer: true},
			[]string{"pop.gmail.com:995", "imap.gmail.com:993"}, []string{"smtp.gmail.com:587", "smtp.gmail.com:465"}, true, true},
		{"typed by hand",
			store.Account{Incoming: srv(account.IMAP, "imap.relay.example", 1993, account.SSL), Outgoing: srv(account.SMTP, "smtp.relay.example", 2525, account.STARTTLS),
				Source: account.SourceManual},
			[]string{"imap.relay.example:1993"}, []string{"smtp.relay.example:2525"}, false, true},
		{"no outgoing saved",
			store.Account{Incoming: srv(account.IMAP, "imap.gmail.com", 993, account.SSL)},
			[]string{"imap.gmail.com:993", "pop.gmail.com:995"}, []string{"smtp.gmail.com:465", "smtp.gmail.com:587"}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.saved.Email = addr.String()
			if err := st.Save(tc.saved); err != nil {
				t.Fatal(err)
			}
			r, from, code, err := resolveConfig(t.Context(), newEnv(t, "", io.Discard, io.Discard), addr, serverChoice{offline: true, saved: true})
			cfg := r.Config
			if err != nil || code != ExitOK {
				t.Fatalf("exit %d, %v", code, err)
			}
			hosts := func(list []account.Server) []string {
				var out []string
				for _, s := range list {
					out = append(out, s.Host+":"+strconv.Itoa(s.Port))
				}
				return out
			}
			if got := hosts(cfg.Incoming); strings.Join(got, " ") != strings.Join(tc.in, " ") {
				t.Errorf("incoming %v; want %v", got, tc.in)
			}
			if got := hosts(cfg.Outgoing); strings.Join(got, " ") != strings.Join(tc.out, " ") {
				t.Errorf("outgoing %v; want %v", got, tc.out)
			}
			if cfg.LeaveOnServer != tc.leave || !cfg.SecureSource || cfg.Provider == nil || len(cfg.Hints) == 0 {
				t.Errorf("leave %v secure %v provider %v hints %d; want leave %v, secure, Gmail's provider and hints", cfg.LeaveOnServer, cfg.SecureSource, cfg.Provider, len(cfg.Hints), tc.leave)
			}
			if (from == st.Path(addr.String())) != tc.fromFile {
				t.Errorf("from %q", from)
			}
		})
	}
}
