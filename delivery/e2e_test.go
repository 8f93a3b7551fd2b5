package delivery

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe"
)

// TestSendingWithPostfix sends the check's message through a real Postfix
// into Dovecot: once where Postfix refuses a sender the login does not
// own (reject_sender_login_mismatch, as Yandex and Mail.ru do), once
// where it lets any sender through, and once through Exim, which lets
// any sender through as shared hosting's usually does; reads it back over IMAP and checks
// what Check makes of it, in English and Russian.
func TestSendingWithPostfix(t *testing.T) {
	ca := testenv.NewCA(t)
	strict := testenv.StartPostfix(t, ca, testenv.PostfixOptions{SenderLogins: map[string]string{"owned@good.test": testenv.DovecotUser}})
	open := testenv.StartPostfix(t, ca, testenv.PostfixOptions{})
	// Exim, as shared hosting runs it, delivering into open's Dovecot.
	exim := testenv.StartExim(t, ca, open.LMTP)
	dns := testenv.StartDNS(t, zone())
	addr, err := account.ParseAddress(testenv.DovecotUser)
	if err != nil {
		t.Fatal(err)
	}
	srv := func(p account.Protocol, port int, sec account.Security) account.Server {
		return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: sec, Username: testenv.DovecotUser, Auth: account.AuthPassword}
	}
	tests := []struct {
		name     string
		pf       *testenv.Postfix
		from     string
		accepted bool
		want     map[string]Level
		// smtp, when not 0, is the submission port instead of pf's.
		smtp int
	}{
		{"refused", strict, "news@none.test", false, map[string]Level{"substitution": Fail, "spf": Fail}, 0},
		{"owned alias", strict, "owned@good.test", true, map[string]Level{"substitution": OK, "spf": OK, "dmarc": OK}, 0},
		{"accepted, no SPF", open, "news@none.test", true, map[string]Level{"substitution": OK, "spf": Fail, "dmarc": Info}, 0},
		{"Exim, another sender", open, "news@good.test", true, map[string]Level{"substitution": OK, "spf": OK}, exim.Submissions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			in := srv(account.IMAP, tt.pf.Dovecot.IMAPS, account.SSL)
			out := srv(account.SMTP, tt.pf.Submissions, account.SSL)
			if tt.smtp != 0 {
				out.Port = tt.smtp
			}
			rep := probe.Run(ctx, probe.Request{Address: addr, Servers: []account.Server{in, out},
				Password: testenv.DovecotPassword, RootCAs: ca.Pool(), Timeout: 5 * time.Second,
				DeliveryTimeout: 20 * time.Second, SendTest: true, SendFrom: tt.from, ReadBack: true, Lang: "ru"})
			sent := SentFrom(rep.SendTest)
			if sent == nil || sent.Accepted != tt.accepted {
				t.Fatalf("send test %+v; want accepted %v\n%s", rep.SendTest, tt.accepted, tt.pf.LogText())
			}
			if !tt.accepted && (sent.Reply == nil || sent.Reply.Code != 553 || !strings.Contains(sent.Reply.Words, "not owned by user")) {
				t.Fatalf("refusal %+v; want Postfix's 553 not owned by user", sent.Reply)
			}
			if tt.smtp != 0 && !bytes.Contains(sent.Message, []byte("(Exim 4.96)")) {
				t.Fatalf("read back header shows no Exim hop:\n%s", sent.Message)
			}
			if tt.accepted && !bytes.Contains(sent.Message, []byte("From: "+tt.from)) {
				t.Fatalf("read back header lacks From %s:\n%s", tt.from, sent.Message)
			}
			if tt.accepted {
				// The letter went through Postfix into Dovecot in Russian.
				m, err := mail.ReadMessage(bytes.NewReader(append(sent.Message, "\r\n"...)))
				if err != nil {
					t.Fatal(err)
				}
				subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
				if want := catalog.T("ru", "mailwiz test message"); err != nil || subject != want {
					t.Errorf("read back subject %q (%v); want %q", subject, err, want)
				}
			}
			for _, lang := range []string{"en", "ru"} {
				r := Check(ctx, dns.Resolver(), Request{Account: addr.String(), From: tt.from, SMTP: out, IncomingHost: "127.0.0.1", Sent: sent, Lang: lang})
				got := map[string]Level{}
				for _, f := range r.Findings {
					got[f.Check] = f.Level
				}
				for c, l := range tt.want {
					if got[c] != l {
						t.Errorf("%s: finding %s = %q, want %q (%+v)", lang, c, got[c], l, r.Findings)
					}
				}
				j, _ := json.Marshal(r)
				if bytes.Contains(j, []byte(testenv.DovecotPassword)) {
					t.Errorf("the password is in the report: %s", j)
				}
			}
		})
	}
}

// TestBounceTestWithPostfix runs the bounce test as `mailwiz sending
// --bounce-test` and the window do (Run), through a real Postfix into
// Dovecot: a Postfix that takes mail for any domain and bounces what it
// cannot deliver (the report, RFC 3464, lands in the account's INBOX and
// is found, explained and deleted), one that refuses an undeliverable
// address at RCPT (the error is the answer), and a POP3 account (the test
// needs IMAP, and sends nothing).
func TestBounceTestWithPostfix(t *testing.T) {
	ca := testenv.NewCA(t)
	bouncing := testenv.StartPostfix(t, ca, testenv.PostfixOptions{MainCF: []string{"smtpd_reject_unlisted_recipient = no"}})
	refusing := testenv.StartPostfix(t, ca, testenv.PostfixOptions{})
	addr, err := account.ParseAddress(testenv.DovecotUser)
	if err != nil {
		t.Fatal(err)
	}
	srv := func(p account.Protocol, port int) account.Server {
		return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: account.SSL, Username: testenv.DovecotUser, Auth: account.AuthPassword}
	}
	run := func(t *testing.T, pf *testenv.Postfix, in account.Server, lang string) Report {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		dns := testenv.StartDNS(t, zone())
		rep, err := Run(ctx, RunRequest{Address: addr, Servers: []account.Server{in, srv(account.SMTP, pf.Submissions)},
			Password: testenv.DovecotPassword, BounceTest: true, RootCAs: ca.Pool(), Resolver: dns.Resolver(),
			DeliveryTimeout: 30 * time.Second, Lang: lang})
		if err != nil {
			t.Fatalf("Run: %v\n%s", err, pf.LogText())
		}
		j, _ := json.Marshal(rep)
		if bytes.Contains(j, []byte(testenv.DovecotPassword)) {
			t.Errorf("the password is in the report: %s", j)
		}
		return rep
	}
	finding := func(r Report) Finding {
		for _, f := range r.Findings {
			if f.Check == "bounce-test" {
				return f
			}
		}
		t.Fatalf("no bounce-test finding in %+v", r.Findings)
		return Finding{}
	}

	texts := map[string]string{}
	for _, lang := range []string{"en", "ru"} {
		t.Run("report/"+lang, func(t *testing.T) {
			rep := run(t, bouncing, srv(account.IMAP, bouncing.Dovecot.IMAPS), lang)
			bt := rep.BounceTest
			if bt == nil || bt.Outcome != BounceReported || bt.DSN == nil || !bt.Deleted {
				t.Fatalf("bounce test %+v; want a report, parsed and deleted\n%s", bt, bouncing.LogText())
			}
			if !strings.HasPrefix(bt.To, "mailwiz-") || !strings.HasSuffix(bt.To, "@"+probe.BounceDomain) {
				t.Errorf("the letter went to %q; want a made-up address at %s", bt.To, probe.BounceDomain)
			}
			if len(bt.DSN.Recipients) != 1 {
				t.Fatalf("recipients %+v", bt.DSN.Recipients)
			}
			r := bt.DSN.Recipients[0]
			if !strings.EqualFold(r.Recipient, bt.To) || r.Action != "failed" || !strings.HasPrefix(r.Status, "5.") || r.Diagnostic == "" {
				t.Errorf("recipient %+v; want %s failed 5.x.x with a diagnostic", r, bt.To)
			}
			f := finding(rep)
			if f.Level != OK || !strings.Contains(f.Text, r.Status) || !strings.Contains(f.Text, Explain(lang, r.Status)) || f.ServerWords != r.Diagnostic {
				t.Errorf("finding %+v; want OK naming status %s, its meaning and the server's words", f, r.Status)
			}
			texts[lang] = f.Text
			// Cleaned up: nothing with the token is left in the INBOX.
			token := strings.TrimPrefix(strings.TrimSuffix(bt.To, "@"+probe.BounceDomain), "mailwiz-")
			if n := countBody(t, ca, bouncing, token); n != 0 {
				t.Errorf("%d messages with the token are left in the INBOX", n)
			}
		})
	}
	if texts["en"] == texts["ru"] || !strings.Contains(texts["ru"], "Отчёт") {
		t.Errorf("the Russian finding is not Russian: %q", texts["ru"])
	}

	t.Run("POP3", func(t *testing.T) {
		// First on this Postfix, so no earlier letter's log line can
		// arrive late and be counted.
		rep := run(t, refusing, srv(account.POP3, refusing.Dovecot.POP3S), "en")
		if bt := rep.BounceTest; bt == nil || bt.Outcome != BounceNotRun {
			t.Fatalf("bounce test %+v; want not run", bt)
		}
		if f := finding(rep); f.Level != Info || !strings.Contains(f.Text, "IMAP") {
			t.Errorf("finding %+v; want a note that the test needs IMAP", f)
		}
		time.Sleep(200 * time.Millisecond) // Postfix logs asynchronously
		if strings.Contains(refusing.LogText(), probe.BounceDomain) {
			t.Errorf("a letter went to %s for a POP3 account", probe.BounceDomain)
		}
	})
	t.Run("refused at RCPT", func(t *testing.T) {
		rep := run(t, refusing, srv(account.IMAP, refusing.Dovecot.IMAPS), "en")
		bt := rep.BounceTest
		if bt == nil || bt.Outcome != BounceRefused || bt.Reply == nil || bt.Reply.Code/100 != 5 {
			t.Fatalf("bounce test %+v; want refused with Postfix's 5xx", bt)
		}
		if f := finding(rep); f.Level != Info || f.ServerWords == "" || !strings.Contains(f.Text, bt.To) {
			t.Errorf("finding %+v; want a note naming the address with the server's words", f)
		}
	})

}

// countBody counts the messages in the test user's INBOX at pf whose body
// holds s.
func countBody(t *testing.T, ca *testenv.CA, pf *testenv.Postfix, s string) int {
	t.Helper()
	ic, err := imapclient.DialTLS(testenv.Addr(pf.Dovecot.IMAPS), &imapclient.Options{TLSConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: "127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ic.Close()
	if err := ic.Login(testenv.DovecotUser, testenv.DovecotPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	data, err := ic.UIDSearch(&imap.SearchCriteria{Body: []string{s}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return len(data.AllUIDs())
}
