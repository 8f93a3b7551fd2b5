package wizard

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/delivery"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// TestSendingCheckRealServers: the window's sending check, wired to
// package delivery, against a real Postfix that refuses a sender the login
// does not own, with DNS on loopback: the refusal is a finding with the
// server's words; the owned address is accepted; a wrong password is one
// finding with the login's explanation, not an error; the bounce test
// finds Postfix's delivery report.
func TestSendingCheckRealServers(t *testing.T) {
	ca := testenv.NewCA(t)
	pf := testenv.StartPostfix(t, ca, testenv.PostfixOptions{
		Users:        []string{"bob@example.test:bob-secret-7"},
		SenderLogins: map[string]string{"news@good.test": "someone-else@example.test"},
		MainCF:       []string{"smtpd_reject_unlisted_recipient = no"}, // bounce, do not refuse
	})
	dns := testenv.StartDNS(t, testenv.Zone{"good.test": {TXT: []string{"v=spf1 ip4:127.0.0.1 -all"}}})
	check := SendingCheck(delivery.RunRequest{RootCAs: ca.Pool(), Resolver: dns.Resolver(), DeliveryTimeout: 20 * time.Second})
	srv := func(p account.Protocol, port int) account.Server {
		return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: account.SSL, Username: "bob@example.test", Auth: account.AuthPassword}
	}
	addr, _ := account.ParseAddress("bob@example.test")
	cfg := account.Config{Incoming: []account.Server{srv(account.IMAP, pf.Dovecot.IMAPS)}, Outgoing: []account.Server{srv(account.SMTP, pf.Submissions)},
		Source: account.SourceManual, SecureSource: true}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	texts := func(rep SendingReport) string {
		var b strings.Builder
		for _, f := range rep.Findings {
			b.WriteString(string(f.Level) + " " + f.Title + " " + f.Text + " " + f.ServerWords + "\n")
		}
		return b.String()
	}

	rep, err := check(ctx, SendingRequest{Address: addr, Config: cfg, Password: "bob-secret-7", From: "news@good.test", Lang: "en"})
	if err != nil || rep.Worst() != SendingFail || !strings.Contains(texts(rep), "not owned by user") {
		t.Errorf("a sender the login does not own: %v, worst %s\n%s", err, rep.Worst(), texts(rep))
	}
	rep, err = check(ctx, SendingRequest{Address: addr, Config: cfg, Password: "bob-secret-7", From: "bob@example.test", Lang: "ru"})
	// Sent and back (an "ok" first finding, in Russian); the sender domain
	// example.test has no SPF record on the loopback DNS, which is a
	// finding of its own.
	if err != nil || len(rep.Findings) < 3 || rep.Findings[0].Level != SendingOK || !strings.Contains(texts(rep), "SPF") ||
		!strings.ContainsAny(rep.Findings[0].Title, "абвгдежзийклмнопрстуфхцчшщыэюя") {
		t.Errorf("the login's own address: %v\n%s", err, texts(rep))
	}
	// The bounce test: Postfix's own delivery report, found and explained.
	rep, err = check(ctx, SendingRequest{Address: addr, Config: cfg, Password: "bob-secret-7", BounceTest: true, Lang: "en"})
	if last := rep.Findings[len(rep.Findings)-1]; err != nil || last.Title != "Bounce test" || last.Level != SendingOK ||
		!strings.Contains(last.Text, "mailwiz deleted the report") || last.ServerWords == "" {
		t.Errorf("the bounce test: %v\n%s", err, texts(rep))
	}
	rep, err = check(ctx, SendingRequest{Address: addr, Config: cfg, Password: "wrong", From: "bob@example.test", Lang: "en"})
	if err != nil || len(rep.Findings) != 1 || rep.Worst() != SendingFail || !strings.Contains(texts(rep), "did not accept the user name or password") {
		t.Errorf("a wrong password: %v\n%s", err, texts(rep))
	}
	for _, r := range []string{texts(rep)} {
		if strings.Contains(r, "bob-secret-7") {
			t.Error("the password reached a finding")
		}
	}
}
