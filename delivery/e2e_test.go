package delivery

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe"
)

// TestSendingWithPostfix sends the check's message through a real Postfix
// into Dovecot: once where Postfix refuses a sender the login does not
// own (reject_sender_login_mismatch, as Yandex and Mail.ru do), once
// where it lets any sender through; reads it back over IMAP and checks
// what Check makes of it, in English and Russian.
func TestSendingWithPostfix(t *testing.T) {
	ca := testenv.NewCA(t)
	strict := testenv.StartPostfix(t, ca, testenv.PostfixOptions{SenderLogins: map[string]string{"owned@good.test": testenv.DovecotUser}})
	open := testenv.StartPostfix(t, ca, testenv.PostfixOptions{})
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
	}{
		{"refused", strict, "news@none.test", false, map[string]Level{"substitution": Fail, "spf": Fail}},
		{"owned alias", strict, "owned@good.test", true, map[string]Level{"substitution": OK, "spf": OK, "dmarc": OK}},
		{"accepted, no SPF", open, "news@none.test", true, map[string]Level{"substitution": OK, "spf": Fail, "dmarc": Info}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			in := srv(account.IMAP, tt.pf.Dovecot.IMAPS, account.SSL)
			out := srv(account.SMTP, tt.pf.Submissions, account.SSL)
			rep := probe.Run(ctx, probe.Request{Address: addr, Servers: []account.Server{in, out},
				Password: testenv.DovecotPassword, RootCAs: ca.Pool(), Timeout: 5 * time.Second,
				DeliveryTimeout: 20 * time.Second, SendTest: true, SendFrom: tt.from, ReadBack: true})
			sent := SentFrom(rep.SendTest)
			if sent == nil || sent.Accepted != tt.accepted {
				t.Fatalf("send test %+v; want accepted %v\n%s", rep.SendTest, tt.accepted, tt.pf.LogText())
			}
			if !tt.accepted && (sent.Reply == nil || sent.Reply.Code != 553 || !strings.Contains(sent.Reply.Words, "not owned by user")) {
				t.Fatalf("refusal %+v; want Postfix's 553 not owned by user", sent.Reply)
			}
			if tt.accepted && !bytes.Contains(sent.Message, []byte("From: "+tt.from)) {
				t.Fatalf("read back header lacks From %s:\n%s", tt.from, sent.Message)
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

// TestDSNFromPostfix has Postfix bounce a message to a reserved .invalid
// domain (RFC 2606: nobody receives it) and parses the delivery status
// notification it puts in the sender's INBOX.
func TestDSNFromPostfix(t *testing.T) {
	ca := testenv.NewCA(t)
	pf := testenv.StartPostfix(t, ca, testenv.PostfixOptions{MainCF: []string{"smtpd_reject_unlisted_recipient = no"}})
	tlsCfg := &tls.Config{RootCAs: ca.Pool(), ServerName: "127.0.0.1"}
	c, err := smtp.DialTLS(testenv.Addr(pf.Submissions), tlsCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Auth(sasl.NewPlainClient("", testenv.DovecotUser, testenv.DovecotPassword)); err != nil {
		t.Fatal(err)
	}
	msg := "From: " + testenv.DovecotUser + "\r\nTo: nobody@nowhere.invalid\r\nSubject: bounce test\r\nMessage-ID: <bounce-1@example.test>\r\n\r\nbody\r\n"
	if err := c.SendMail(testenv.DovecotUser, []string{"nobody@nowhere.invalid"}, strings.NewReader(msg)); err != nil {
		t.Fatalf("Postfix refused the message instead of bouncing it: %v", err)
	}
	c.Quit() //nolint:errcheck

	ic, err := imapclient.DialTLS(testenv.Addr(pf.Dovecot.IMAPS), &imapclient.Options{TLSConfig: tlsCfg})
	if err != nil {
		t.Fatal(err)
	}
	defer ic.Close()
	if err := ic.Login(testenv.DovecotUser, testenv.DovecotPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	var raw []byte
	deadline := time.Now().Add(20 * time.Second)
	for raw == nil && time.Now().Before(deadline) {
		if _, err := ic.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		data, err := ic.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Content-Type", Value: "multipart/report"}}}, nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if uids := data.AllUIDs(); len(uids) > 0 {
			section := &imap.FetchItemBodySection{Peek: true}
			msgs, err := ic.Fetch(imap.UIDSetNum(uids[0]), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
			if err != nil || len(msgs) == 0 {
				t.Fatalf("fetch: %v", err)
			}
			raw = msgs[0].FindBodySection(section)
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if raw == nil {
		t.Fatalf("no delivery status notification arrived in 20 s\n%s", pf.LogText())
	}
	dsn, err := ParseDSN(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("ParseDSN: %v\n%s", err, raw)
	}
	if len(dsn.Recipients) != 1 {
		t.Fatalf("recipients %+v", dsn.Recipients)
	}
	r := dsn.Recipients[0]
	if r.Recipient != "nobody@nowhere.invalid" || r.Action != "failed" || !strings.HasPrefix(r.Status, "5.") || r.Diagnostic == "" {
		t.Errorf("recipient %+v; want nobody@nowhere.invalid failed 5.x.x with a diagnostic", r)
	}
	if dsn.OriginalMessageID != "<bounce-1@example.test>" {
		t.Errorf("original Message-ID %q", dsn.OriginalMessageID)
	}
	en, ru := Explain("en", r.Status), Explain("ru", r.Status)
	if en == ru {
		t.Errorf("no Russian explanation for %s", r.Status)
	}
	t.Logf("DSN: %+v; %s / %s", r, en, ru)
}
