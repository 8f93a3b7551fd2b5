package probe

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

func dovecotServers(d *testenv.Dovecot) []account.Server {
	s := func(p account.Protocol, port int, sec account.Security) account.Server {
		return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: sec, Username: testenv.DovecotUser, Auth: account.AuthPassword}
	}
	return []account.Server{
		s(account.IMAP, d.IMAPS, account.SSL),
		s(account.IMAP, d.IMAP, account.STARTTLS),
		s(account.POP3, d.POP3S, account.SSL),
		s(account.POP3, d.POP3, account.STARTTLS),
		s(account.SMTP, d.Submissions, account.SSL),
		s(account.SMTP, d.Submission, account.STARTTLS),
	}
}

func TestDovecot(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	servers := dovecotServers(d)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	t.Run("good logins", func(t *testing.T) {
		var mu sync.Mutex
		var events []Event
		rep := Run(ctx, Request{Servers: servers, Password: testenv.DovecotPassword, RootCAs: ca.Pool(), Timeout: 5 * time.Second,
			Events: func(e Event) { mu.Lock(); events = append(events, e); mu.Unlock() }})
		for _, r := range rep.Results {
			if !r.OK || r.Stage != StageDone {
				t.Errorf("%s: ok=%v stage=%s error=%s\n%s", r.Server, r.OK, r.Stage, r.Error, d.LogText())
				continue
			}
			if r.TLS == nil || !r.TLS.Verified || r.TLS.Version == "" || !strings.Contains(r.TLS.Subject, testenv.DovecotHost) || len(r.TLS.SHA256) != 95 {
				t.Errorf("%s: TLS = %+v; want a verified certificate for %s", r.Server, r.TLS, testenv.DovecotHost)
			}
		}
		if !rep.OK {
			t.Error("Report.OK = false")
		}
		// Every server reports each of its stages starting and ending.
		want := map[account.Security][]Stage{
			account.SSL:      {StageDNS, StageConnect, StageTLS, StageGreeting, StageAuth, StageDone},
			account.STARTTLS: {StageDNS, StageConnect, StageGreeting, StageSTARTTLS, StageAuth, StageDone},
		}
		for i, srv := range servers {
			var got []Stage
			for _, e := range events {
				if e.Index == i && e.Done {
					got = append(got, e.Stage)
				}
			}
			if strings.Join(stageNames(got), ",") != strings.Join(stageNames(want[srv.Security]), ",") {
				t.Errorf("%s: stages %v; want %v", srv, got, want[srv.Security])
			}
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		rep := Run(ctx, Request{Servers: servers, Password: "wrong", RootCAs: ca.Pool(), Timeout: 5 * time.Second})
		for _, r := range rep.Results {
			if r.OK || r.Stage != StageAuth || r.Diagnosis == nil || r.Diagnosis.Kind != KindBadCredentials {
				t.Errorf("%s: ok=%v stage=%s kind=%v error=%q; want bad-credentials at auth", r.Server, r.OK, r.Stage, kindOf(r), r.Error)
			}
			if r.Error == "" {
				t.Errorf("%s: the server's words are missing", r.Server)
			}
		}
	})

	t.Run("untrusted CA", func(t *testing.T) {
		other := testenv.NewCA(t)
		rep := Run(ctx, Request{Servers: servers, Password: testenv.DovecotPassword, RootCAs: other.Pool(), Timeout: 5 * time.Second})
		for _, r := range rep.Results {
			want := StageTLS
			if r.Server.Security == account.STARTTLS {
				want = StageSTARTTLS
			}
			if r.OK || r.Stage != want || kindOf(r) != KindTLSUntrusted || r.TLS == nil || r.TLS.Verified {
				t.Errorf("%s: ok=%v stage=%s kind=%v tls=%+v; want tls-untrusted at %s with the certificate described", r.Server, r.OK, r.Stage, kindOf(r), r.TLS, want)
			}
		}
	})

	t.Run("plaintext without consent", func(t *testing.T) {
		var plain []account.Server
		for _, s := range servers {
			if s.Security == account.STARTTLS {
				s.Security = account.None
				plain = append(plain, s)
			}
		}
		rep := Run(ctx, Request{Servers: plain, Password: testenv.DovecotPassword, RootCAs: ca.Pool(), Timeout: 5 * time.Second})
		for _, r := range rep.Results {
			if r.OK || r.Stage != StageAuth || kindOf(r) != KindPlaintextRefused {
				t.Errorf("%s: ok=%v stage=%s kind=%v error=%q; want plaintext-refused at auth", r.Server, r.OK, r.Stage, kindOf(r), r.Error)
			}
		}
		// With consent the password goes (Dovecot treats loopback as secure
		// and takes it).
		rep = Run(ctx, Request{Servers: plain, Password: testenv.DovecotPassword, RootCAs: ca.Pool(), Timeout: 5 * time.Second, AllowPlaintext: true})
		for _, r := range rep.Results {
			if !r.OK || r.TLS != nil {
				t.Errorf("%s (consent): ok=%v error=%q tls=%v; want a plaintext login", r.Server, r.OK, r.Error, r.TLS)
			}
		}
	})
}

func kindOf(r Result) Kind {
	if r.Diagnosis == nil {
		return ""
	}
	return r.Diagnosis.Kind
}

func stageNames(s []Stage) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return out
}
