package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/delivery"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// sendingCanary is the password of the account the sending tests log in
// with; it must appear in no output, in no encoding.
const sendingCanary = "cAnArY-sending-7c1e"

// TestSending runs mailwiz sending against a real Postfix that refuses a
// sender the login does not own (reject_sender_login_mismatch, like
// Yandex's "not owned by auth user"), delivering into Dovecot, with a
// loopback DNS holding the sender domains' records.
func TestSending(t *testing.T) {
	ca := testenv.NewCA(t)
	pf := testenv.StartPostfix(t, ca, testenv.PostfixOptions{
		Users:        []string{"bob@example.test:" + sendingCanary},
		SenderLogins: map[string]string{"news@good.test": "bob@example.test"},
		// Mail for other domains is taken and bounced: the bounce test's
		// delivery report comes from Postfix itself.
		MainCF: []string{"smtpd_reject_unlisted_recipient = no"},
	})
	dns := testenv.StartDNS(t, testenv.Zone{
		"good.test":        {TXT: []string{"v=spf1 ip4:127.0.0.1 -all"}},
		"_dmarc.good.test": {TXT: []string{"v=DMARC1; p=reject"}},
		"none.test":        {A: []string{"192.0.2.7"}},
	})
	withRoots(t, ca.Pool())
	var sent atomic.Int64
	count := func(toServer bool, b []byte) []byte {
		if toServer {
			sent.Add(int64(len(b)))
		}
		return b
	}
	imapPort := testenv.StartProxy(t, "127.0.0.1:"+strconv.Itoa(pf.Dovecot.IMAPS), 0, count)
	smtpPort := testenv.StartProxy(t, "127.0.0.1:"+strconv.Itoa(pf.Submissions), 0, count)
	source := account.SourceBuiltin
	withDetect(t, func(context.Context, account.Address) (account.Config, error) {
		srv := func(p account.Protocol, port int) account.Server {
			return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthPassword}
		}
		cfg := account.Config{
			Provider: &account.Provider{ID: "yandex", Name: "Yandex"}, Domains: []string{"example.test"},
			Incoming: []account.Server{srv(account.IMAP, imapPort)}, Outgoing: []account.Server{srv(account.SMTP, smtpPort)},
			Source: source, SecureSource: source == account.SourceBuiltin,
			Hints: []account.Hint{{Kind: account.HintFromMustMatch, Text: map[string]string{"en": "Yandex sends only as the login.", "ru": "Яндекс отправляет только от имени логина."}}},
		}
		if source != account.SourceBuiltin {
			cfg.Hints = append(cfg.Hints, account.Hint{Kind: account.HintUnverifiedSource, Text: map[string]string{"en": "From DNS SRV records, unsigned."}})
		}
		return cfg, nil
	})
	password := sendingCanary
	run := func(t *testing.T, lang string, args ...string) (int, string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		env := newEnv(t, password+"\n", &out, &errb)
		env.Resolver = dns.Resolver()
		env.Getenv = func(k string) string {
			if k == "LANG" {
				return lang
			}
			return ""
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		code := Run(ctx, env, append([]string{"sending", "--password-stdin", "--send-timeout", "20s"}, args...))
		all := out.String() + errb.String()
		for _, form := range []string{sendingCanary, base64.StdEncoding.EncodeToString([]byte(sendingCanary)),
			base64.StdEncoding.EncodeToString([]byte("\x00bob@example.test\x00" + sendingCanary))} {
			if strings.Contains(all, form) {
				t.Errorf("the password (or its encoding %q) is in the output:\n%s", form, all)
			}
		}
		return code, out.String(), errb.String()
	}
	type out struct {
		delivery.Report
		Sent bool `json:"sent"`
	}
	decode := func(t *testing.T, s string) out {
		t.Helper()
		var o out
		if err := json.Unmarshal([]byte(s), &o); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, s)
		}
		return o
	}
	levels := func(o out) map[string]delivery.Level {
		m := map[string]delivery.Level{}
		for _, f := range o.Findings {
			m[f.Check] = f.Level
		}
		return m
	}

	t.Run("refused sender, Russian", func(t *testing.T) {
		code, stdout, stderr := run(t, "ru_RU.UTF-8", "--json", "--yes", "--from", "news@none.test", "bob@example.test")
		if code != ExitFailed {
			t.Fatalf("exit %d; want 1\n%s\n%s\n%s", code, stdout, stderr, pf.LogText())
		}
		o := decode(t, stdout)
		s := o.Substitution
		if !o.Sent || !s.Tested || s.Accepted || s.Refusal != delivery.RefusedSender || s.Reply == nil || s.Reply.Code != 553 || !s.KnownForbidden {
			t.Errorf("substitution %+v; want refused by the server with 553", s)
		}
		if l := levels(o); l["database"] != delivery.Warn || l["substitution"] != delivery.Fail || l["spf"] != delivery.Fail {
			t.Errorf("findings %v", l)
		}
		if !strings.Contains(stdout, "Подмена отправителя") || !strings.Contains(stdout, `none.test. TXT \"v=spf1 include:_spf.yandex.net ~all\"`) {
			t.Errorf("no Russian finding or no SPF record:\n%s", stdout)
		}
		if !strings.Contains(stderr, "Яндекс отправляет только от имени логина.") {
			t.Errorf("the database's word was not said before sending:\n%s", stderr)
		}
	})

	t.Run("owned sender, English text", func(t *testing.T) {
		code, stdout, stderr := run(t, "", "--yes", "--from", "news@good.test", "bob@example.test")
		if code != ExitOK {
			t.Fatalf("exit %d; want 0\n%s\n%s\n%s", code, stdout, stderr, pf.LogText())
		}
		for _, want := range []string{"[ok] Sender substitution", "arrived with that From address", "[ok] SPF", "[ok] DMARC", "[note] Sending limits", "35 recipients"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("the report lacks %q:\n%s", want, stdout)
			}
		}
	})

	t.Run("bounce test, Russian", func(t *testing.T) {
		code, stdout, stderr := run(t, "ru_RU.UTF-8", "--yes", "--bounce-test", "bob@example.test")
		if code != ExitOK {
			t.Fatalf("exit %d; want 0\n%s\n%s\n%s", code, stdout, stderr, pf.LogText())
		}
		for _, want := range []string{"[в порядке] Проверка возвратов", "не доставлено, статус 5.", "Отчёт почтовой службы о доставке для mailwiz-", "статус 5.", "mailwiz удалил этот отчёт.", "Сервер ответил:"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("the report lacks %q:\n%s", want, stdout)
			}
		}
		if !strings.Contains(stdout, "Проверка возвратов ждёт отчёта о доставке до 20 с") {
			t.Errorf("the wait was not announced:\n%s", stdout)
		}
	})

	t.Run("bounce test, JSON", func(t *testing.T) {
		code, stdout, stderr := run(t, "", "--json", "--yes", "--bounce-test", "bob@example.test")
		o := decode(t, stdout)
		bt := o.BounceTest
		if code != ExitOK || bt == nil || bt.Outcome != delivery.BounceReported || bt.DSN == nil || !bt.Deleted ||
			!strings.HasSuffix(bt.To, ".invalid") || len(bt.DSN.Recipients) != 1 || bt.DSN.Recipients[0].Action != "failed" {
			t.Errorf("exit %d, bounce_test %+v; want a parsed, deleted report\n%s", code, bt, stderr)
		}
	})

	t.Run("no consent: nothing sent", func(t *testing.T) {
		sent.Store(0)
		code, stdout, stderr := run(t, "", "--json", "--bounce-test", "--from", "news@none.test", "bob@example.test")
		o := decode(t, stdout)
		if o.Sent || o.Substitution.Tested || o.BounceTest != nil || sent.Load() != 0 {
			t.Errorf("sent %v, %d bytes to the servers; want nothing without --yes", o.Sent, sent.Load())
		}
		if code != ExitFailed || !strings.Contains(stderr, "Give --yes") {
			t.Errorf("exit %d (want 1: the SPF record is missing); stderr %s", code, stderr)
		}
	})

	t.Run("wrong password: test's report, no letter", func(t *testing.T) {
		password = "wrong-" + sendingCanary
		defer func() { password = sendingCanary }()
		code, stdout, stderr := run(t, "", "--yes", "--from", "news@good.test", "bob@example.test")
		if code != ExitFailed || !strings.Contains(stdout, "did not accept the user name or password") || strings.Contains(stdout, "Sender substitution") {
			t.Errorf("exit %d; want 1 with the login failure explained\n%s\n%s", code, stdout, stderr)
		}
		if strings.Contains(stdout+stderr, password) {
			t.Errorf("the wrong password is in the output")
		}
	})

	t.Run("servers named by flag", func(t *testing.T) {
		// What detection finds is unvouched (SRV), but the person named
		// the servers: they are used, and nothing else is.
		source = account.SourceSRV
		defer func() { source = account.SourceBuiltin }()
		sent.Store(0)
		code, stdout, stderr := run(t, "", "--json", "--yes", "--bounce-test",
			"--incoming", "imap://127.0.0.1:"+strconv.Itoa(pf.Dovecot.IMAPS)+"?security=ssl",
			"--outgoing", "smtp://127.0.0.1:"+strconv.Itoa(pf.Submissions)+"?security=ssl", "bob@example.test")
		o := decode(t, stdout)
		if code == ExitUsage || !o.Substitution.Arrived || o.BounceTest == nil || o.BounceTest.Outcome != delivery.BounceReported {
			t.Errorf("exit %d, substitution %+v, bounce test %+v\n%s", code, o.Substitution, o.BounceTest, stderr)
		}
		if want := "127.0.0.1:" + strconv.Itoa(pf.Submissions); o.SMTP != want || sent.Load() != 0 {
			t.Errorf("smtp %q (want %s), %d bytes through the detected servers' proxies (want 0)", o.SMTP, want, sent.Load())
		}
	})

	t.Run("trust gate: no password to unvouched servers", func(t *testing.T) {
		source = account.SourceSRV
		defer func() { source = account.SourceBuiltin }()
		sent.Store(0)
		code, stdout, stderr := run(t, "", "--yes", "--from", "news@good.test", "bob@example.test")
		if code != ExitFailed || sent.Load() != 0 || !strings.Contains(stderr, "nothing vouches for 127.0.0.1") {
			t.Errorf("exit %d, %d bytes sent; want 1 and none\n%s\n%s", code, sent.Load(), stdout, stderr)
		}
	})
}

func TestSendingUsage(t *testing.T) {
	for _, args := range [][]string{
		{"sending"},
		{"sending", "--password-stdin", "not-an-address"},
		{"sending", "--password-stdin", "--from", "bad", "a@example.test"},
		{"sending", "a@example.test"}, // no password
	} {
		var out, errb bytes.Buffer
		if code := Run(context.Background(), newEnv(t, "pw\n", &out, &errb), args); code != ExitUsage {
			t.Errorf("%v: exit %d; want 2\n%s", args, code, errb.String())
		}
	}
}
