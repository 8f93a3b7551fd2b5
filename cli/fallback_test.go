package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// fallbackOutput is the part of `test --json` that port fallback adds.
type fallbackOutput struct {
	OK      bool `json:"ok"`
	Results []struct {
		Host         string `json:"host"`
		Port         int    `json:"port"`
		Security     string `json:"security"`
		OK           bool   `json:"ok"`
		FallbackFrom string `json:"fallback_from"`
		FallbackText string `json:"fallback_text"`
		Diagnosis    *struct {
			Kind string `json:"kind"`
			Text string `json:"text"`
		} `json:"diagnosis"`
		Tried []struct {
			Port      int `json:"port"`
			OK        bool
			Diagnosis *struct {
				Kind string `json:"kind"`
			} `json:"diagnosis"`
		} `json:"tried"`
	} `json:"results"`
}

// TestTestFallback runs `mailwiz test` end to end on a config, as detection
// would find it, whose preferred SMTP port does not answer (silent, or
// refused) and whose alternative is Dovecot's Submission.
func TestTestFallback(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	withRoots(t, ca.Pool())
	silent := testenv.StartSilent(t)
	closed := testenv.ClosedPort(t)
	srv := func(p account.Protocol, port int, sec account.Security) account.Server {
		return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: sec, Username: account.PlaceholderAddress, Auth: account.AuthPassword}
	}
	detected := func(outgoing ...account.Server) {
		withDetect(t, func(context.Context, account.Address) (account.Config, error) {
			return account.Config{
				Provider: &account.Provider{ID: "example", Name: "Example Mail"},
				Incoming: []account.Server{srv(account.IMAP, d.IMAPS, account.SSL)},
				Outgoing: outgoing,
				Source:   account.SourceAutoconfig, SecureSource: true,
			}, nil
		})
	}
	user := testenv.DovecotUser
	submission := srv(account.SMTP, d.Submission, account.STARTTLS)
	plain := submission
	plain.Security = account.None
	port := strconv.Itoa

	tests := []struct {
		name     string
		outgoing []account.Server
		password string
		args     []string
		// want: the outgoing result's port, ok, diagnosis kind, fallback_from
		// port (0: none), number tried.
		port     int
		ok       bool
		kind     string
		fromPort int
		tried    int
	}{
		{name: "silent 465, Submission works", outgoing: []account.Server{srv(account.SMTP, silent, account.SSL), submission},
			port: d.Submission, ok: true, fromPort: silent, tried: 1},
		{name: "refused 465, Submission works", outgoing: []account.Server{srv(account.SMTP, closed, account.SSL), submission},
			port: d.Submission, ok: true, fromPort: closed, tried: 1},
		{name: "--no-fallback tests exactly the preferred", outgoing: []account.Server{srv(account.SMTP, closed, account.SSL), submission},
			args: []string{"--no-fallback"}, port: closed, kind: "refused"},
		{name: "a given --outgoing means exactly that server", outgoing: []account.Server{srv(account.SMTP, closed, account.SSL), submission},
			args: []string{"--outgoing", srvURL("smtp", closed, "ssl")}, port: closed, kind: "refused"},
		{name: "wrong password on the preferred: no fallback", outgoing: []account.Server{srv(account.SMTP, d.Submissions, account.SSL), submission},
			password: "wrong", port: d.Submissions, kind: "bad-credentials"},
		{name: "plaintext alternative without --allow-plaintext: not taken", outgoing: []account.Server{srv(account.SMTP, closed, account.SSL), plain},
			port: closed, kind: "refused"},
		{name: "plaintext alternative for an encrypted preferred, even with --allow-plaintext: not taken", outgoing: []account.Server{srv(account.SMTP, closed, account.SSL), plain},
			args: []string{"--allow-plaintext"}, port: closed, kind: "refused"},
		{name: "plaintext alternative for a plaintext preferred, with --allow-plaintext", outgoing: []account.Server{srv(account.SMTP, closed, account.None), plain},
			args: []string{"--allow-plaintext"}, port: d.Submission, ok: true, fromPort: closed, tried: 1},
		{name: "nothing answers", outgoing: []account.Server{srv(account.SMTP, closed, account.SSL), srv(account.SMTP, silent, account.STARTTLS)},
			port: closed, kind: "refused", tried: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			detected(tt.outgoing...)
			pw := tt.password
			if pw == "" {
				pw = testenv.DovecotPassword
			}
			var out, errb bytes.Buffer
			env := newEnv(t, pw, &out, &errb)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			args := append([]string{"test", "--json", "--password-stdin", "--timeout", "2s"}, tt.args...)
			code := Run(ctx, env, append(args, user))
			var o fallbackOutput
			if err := json.Unmarshal(out.Bytes(), &o); err != nil {
				t.Fatalf("exit %d: stdout is not the JSON object: %v\n%s\n%s", code, err, out.String(), errb.String())
			}
			if len(o.Results) != 2 {
				t.Fatalf("%d results:\n%s", len(o.Results), out.String())
			}
			r := o.Results[1]
			kind := ""
			if r.Diagnosis != nil {
				kind = r.Diagnosis.Kind
			}
			if r.Port != tt.port || r.OK != tt.ok || kind != tt.kind {
				t.Fatalf("outgoing port %d ok=%v kind=%q; want %d ok=%v kind=%q\n%s", r.Port, r.OK, kind, tt.port, tt.ok, tt.kind, out.String())
			}
			wantCode := ExitFailed
			if tt.ok {
				wantCode = ExitOK
			}
			if code != wantCode || o.OK != tt.ok {
				t.Errorf("exit %d ok=%v; want exit %d", code, o.OK, wantCode)
			}
			if tt.fromPort == 0 {
				if r.FallbackFrom != "" || r.FallbackText != "" {
					t.Errorf("fallback_from %q text %q; want none", r.FallbackFrom, r.FallbackText)
				}
			} else {
				if want := srvURL("smtp", tt.fromPort, string(tt.outgoing[0].Security)); r.FallbackFrom != want {
					t.Errorf("fallback_from = %q; want %q", r.FallbackFrom, want)
				}
				if !strings.HasPrefix(r.FallbackText, "Port "+port(tt.fromPort)+" did not answer from your network; 127.0.0.1:"+port(r.Port)) {
					t.Errorf("fallback_text = %q", r.FallbackText)
				}
			}
			if len(r.Tried) != tt.tried {
				t.Errorf("tried %d servers; want %d\n%s", len(r.Tried), tt.tried, out.String())
			}
			if tt.tried > 0 && tt.fromPort == 0 && !strings.Contains(r.Diagnosis.Text, "also tried") {
				t.Errorf("the diagnosis does not say the alternatives were tried: %q", r.Diagnosis.Text)
			}
			if strings.Contains(out.String()+errb.String(), testenv.DovecotPassword) {
				t.Error("the password is in the output")
			}
		})
	}

	// The readable report says what happened, in en and ru, and how to
	// save the server that worked (save tests nothing).
	for _, lang := range []string{"en", "ru"} {
		t.Run("report "+lang, func(t *testing.T) {
			detected(srv(account.SMTP, closed, account.SSL), submission)
			var out, errb bytes.Buffer
			env := newEnv(t, testCanary, &out, &errb)
			code := Run(t.Context(), env, []string{"test", "--lang", lang, "--password-stdin", "--timeout", "2s", "--username", user, "--incoming", srvURL("imap", d.IMAPS, "ssl"), "alice@example.test"})
			// The canary is the wrong password: the alternative answers
			// with bad-credentials and is the one reported.
			if code != ExitFailed {
				t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
			}
			want := map[string][]string{
				"en": {"Port " + port(closed) + " did not answer from your network; 127.0.0.1:" + port(d.Submission) + " STARTTLS answered", "also tried 127.0.0.1:" + port(closed) + " (SSL/TLS): connection refused"},
				"ru": {"Порт " + port(closed) + " не ответил из вашей сети; ответил 127.0.0.1:" + port(d.Submission) + " STARTTLS", "пробовали также 127.0.0.1:" + port(closed) + " (SSL/TLS): соединение отклонено"},
			}[lang]
			for _, w := range want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("the report lacks %q:\n%s", w, out.String())
				}
			}
			if strings.Contains(out.String()+errb.String(), testCanary) {
				t.Error("the password is in the output")
			}
		})
	}
	t.Run("save hint", func(t *testing.T) {
		detected(srv(account.SMTP, closed, account.SSL), submission)
		var out, errb bytes.Buffer
		env := newEnv(t, testenv.DovecotPassword, &out, &errb)
		code := Run(t.Context(), env, []string{"test", "--password-stdin", "--timeout", "2s", user})
		want := "mailwiz save --outgoing '" + srvURL("smtp", d.Submission, "starttls") + "' --password-stdin ADDRESS"
		if code != ExitOK || !strings.Contains(out.String(), want) {
			t.Errorf("exit %d; the report lacks %q:\n%s%s", code, want, out.String(), errb.String())
		}
	})
}
