package interop

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/delivery"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe"
)

// TestSendTest runs the probe's round trip (a message sent through SMTP,
// watched for on the incoming server, deleted) through Postfix into
// Dovecot and into Cyrus, and through Exim into Dovecot, over IMAP and
// POP3; and against a Cyrus whose
// POP3 allows a login only once a minute (LOGIN-DELAY 60), where the send
// test must stop at once with login-delay rather than wait out its window.
func TestSendTest(t *testing.T) {
	start := time.Now()
	ca := testenv.NewCA(t)
	toDovecot := testenv.StartPostfix(t, ca, testenv.PostfixOptions{})
	cy := testenv.StartCyrus(t, ca, testenv.CyrusOptions{})
	toCyrus := testenv.StartPostfix(t, ca, testenv.PostfixOptions{LMTP: cy.LMTP})
	slow := testenv.StartCyrus(t, ca, testenv.CyrusOptions{ImapdConf: []string{"popminpoll: 1"}})
	exim := testenv.StartExim(t, ca, toDovecot.LMTP)
	t.Logf("servers up in %v", time.Since(start).Round(time.Millisecond))
	d := toDovecot.Dovecot

	srv := func(p account.Protocol, port int, sec account.Security) account.Server {
		return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: sec, Username: testenv.DovecotUser, Auth: account.AuthPassword}
	}
	addr, err := account.ParseAddress(testenv.DovecotUser)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		in, out  account.Server
		wantKind probe.Kind // "": ok
		within   time.Duration
		// via, when set, is the Postfix whose log must show the
		// message handed over LMTP to port lmtp.
		via  *testenv.Postfix
		lmtp int
		// eximLMTP: Exim's log must show it handed over LMTP.
		eximLMTP bool
	}{
		{"Postfix to Dovecot, IMAP", srv(account.IMAP, d.IMAPS, account.SSL), srv(account.SMTP, toDovecot.Submission, account.STARTTLS), "", 10 * time.Second, toDovecot, 0, false},
		{"Postfix to Dovecot, POP3", srv(account.POP3, d.POP3, account.STARTTLS), srv(account.SMTP, toDovecot.Submissions, account.SSL), "", 10 * time.Second, toDovecot, 0, false},
		{"Postfix to Cyrus, IMAP", srv(account.IMAP, cy.IMAP, account.STARTTLS), srv(account.SMTP, toCyrus.Submissions, account.SSL), "", 10 * time.Second, toCyrus, cy.LMTP, false},
		{"Postfix to Cyrus, POP3", srv(account.POP3, cy.POP3S, account.SSL), srv(account.SMTP, toCyrus.Submission, account.STARTTLS), "", 10 * time.Second, toCyrus, cy.LMTP, false},
		{"Exim to Dovecot, IMAP", srv(account.IMAP, d.IMAPS, account.SSL), srv(account.SMTP, exim.Submissions, account.SSL), "", 10 * time.Second, nil, 0, true},
		{"Exim to Dovecot, POP3", srv(account.POP3, d.POP3S, account.SSL), srv(account.SMTP, exim.Submission, account.STARTTLS), "", 10 * time.Second, nil, 0, true},
		{"Cyrus POP3 with LOGIN-DELAY 60", srv(account.POP3, slow.POP3S, account.SSL), srv(account.SMTP, toCyrus.Submission, account.STARTTLS), probe.KindLoginDelay, 3 * time.Second, nil, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			begin := time.Now()
			rep := probe.Run(ctx, probe.Request{Address: addr, Servers: []account.Server{tc.in, tc.out},
				Password: testenv.DovecotPassword, RootCAs: ca.Pool(), Timeout: 5 * time.Second,
				DeliveryTimeout: 20 * time.Second, SendTest: true})
			took := time.Since(begin)
			st := rep.SendTest
			assertNoSecret(t, rep, testenv.DovecotPassword)
			switch {
			case st == nil:
				t.Fatalf("no send test ran: %+v", rep.Results)
			case tc.wantKind == "" && (!st.OK || !rep.OK):
				t.Errorf("send test ended at %s: %s; want ok", st.Stage, st.Error)
			case tc.wantKind != "" && (st.OK || st.Diagnosis == nil || st.Diagnosis.Kind != tc.wantKind):
				t.Errorf("send test ok=%v at %s: %s (%+v); want %s", st.OK, st.Stage, st.Error, st.Diagnosis, tc.wantKind)
			}
			if tc.via != nil && tc.lmtp != 0 {
				want := fmt.Sprintf("relay=127.0.0.1[127.0.0.1]:%d", tc.lmtp)
				if log := tc.via.LogText(); !strings.Contains(log, want) || !strings.Contains(log, "status=sent") {
					t.Errorf("Postfix's log shows no delivery with %s:\n%s", want, log)
				}
			}
			if want := "=> " + testenv.DovecotUser + " R=mailbox T=lmtp"; tc.eximLMTP && !strings.Contains(exim.LogText(), want) {
				t.Errorf("Exim's log shows no delivery %q:\n%s", want, exim.LogText())
			}
			if took > tc.within {
				t.Errorf("took %v; want under %v", took, tc.within)
			}
			t.Logf("%s: %v in all, delivery %v; %s", tc.name, took.Round(time.Millisecond), st.Delivery.Round(time.Millisecond), st.Error)
			if st.Diagnosis != nil {
				t.Logf("diagnosis: %s", st.Diagnosis.Text["en"])
			}
		})
	}
}

// TestBounceTestCyrus: the bounce test on the second IMAP server: Postfix
// takes the letter to a .invalid address, bounces it, and hands its own
// delivery report over LMTP to Cyrus, where the test finds it by the
// letter's token (Cyrus's SEARCH BODY), reads it and deletes it.
func TestBounceTestCyrus(t *testing.T) {
	ca := testenv.NewCA(t)
	cy := testenv.StartCyrus(t, ca, testenv.CyrusOptions{})
	pf := testenv.StartPostfix(t, ca, testenv.PostfixOptions{LMTP: cy.LMTP, MainCF: []string{"smtpd_reject_unlisted_recipient = no"}})
	addr, err := account.ParseAddress(testenv.DovecotUser)
	if err != nil {
		t.Fatal(err)
	}
	srv := func(p account.Protocol, port int, sec account.Security) account.Server {
		return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: sec, Username: testenv.DovecotUser, Auth: account.AuthPassword}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep := probe.Run(ctx, probe.Request{Address: addr, Servers: []account.Server{srv(account.IMAP, cy.IMAPS, account.SSL), srv(account.SMTP, pf.Submissions, account.SSL)},
		Password: testenv.DovecotPassword, RootCAs: ca.Pool(), Timeout: 5 * time.Second,
		DeliveryTimeout: 20 * time.Second, SendTest: true, BounceTest: true})
	assertNoSecret(t, rep, testenv.DovecotPassword)
	st := rep.SendTest
	if st == nil || !st.OK || st.Report == nil {
		t.Fatalf("bounce test %+v; want the report found and deleted\n%s", st, pf.LogText())
	}
	dsn, err := delivery.ParseDSN(bytes.NewReader(st.Report))
	if err != nil || len(dsn.Recipients) != 1 || !strings.EqualFold(dsn.Recipients[0].Recipient, st.To) || dsn.Recipients[0].Action != "failed" {
		t.Errorf("report %+v (%v); want a failed delivery to %s", dsn, err, st.To)
	}
	t.Logf("report after %v", st.Delivery.Round(time.Millisecond))
}
