package probe

import (
	"context"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// BenchmarkConcurrency compares testing the incoming and outgoing servers at
// once with testing each alone, against the real Dovecot behind a proxy that
// holds every chunk 50 ms in each direction (a far-away server). The goal:
// total/slowest, the concurrent run's time over the slower server's alone,
// at most 1.2. sequential/slowest shows what one-after-the-other would cost.
func BenchmarkConcurrency(b *testing.B) {
	ca := testenv.NewCA(b)
	d := testenv.StartDovecot(b, ca)
	const delay = 50 * time.Millisecond
	srv := func(p account.Protocol, port int) account.Server {
		return account.Server{Protocol: p, Host: "127.0.0.1", Port: testenv.StartProxy(b, testenv.Addr(port), delay, nil),
			Security: account.SSL, Username: testenv.DovecotUser, Auth: account.AuthPassword}
	}
	smtp := srv(account.SMTP, d.Submissions)
	pairs := []struct {
		name string
		in   account.Server
	}{
		{"imap+smtp", srv(account.IMAP, d.IMAPS)},
		{"pop3+smtp", srv(account.POP3, d.POP3S)},
	}
	run := func(b *testing.B, servers ...account.Server) time.Duration {
		start := time.Now()
		rep := Run(context.Background(), Request{Servers: servers, Password: testenv.DovecotPassword, RootCAs: ca.Pool(), Timeout: 10 * time.Second})
		took := time.Since(start)
		if !rep.OK {
			for _, r := range rep.Results {
				b.Logf("%s: %s %s", r.Server, r.Stage, r.Error)
			}
			b.Fatal("a login failed")
		}
		return took
	}
	for _, p := range pairs {
		b.Run(p.name, func(b *testing.B) {
			var both, slowest, sequential time.Duration
			for i := 0; i < b.N; i++ {
				both += run(b, p.in, smtp)
				in, out := run(b, p.in), run(b, smtp)
				slowest += max(in, out)
				sequential += in + out
			}
			n := float64(b.N)
			b.ReportMetric(float64(both)/float64(slowest), "total/slowest")
			b.ReportMetric(float64(sequential)/float64(slowest), "sequential/slowest")
			b.ReportMetric(float64(both.Milliseconds())/n, "concurrent-ms")
			b.ReportMetric(float64(slowest.Milliseconds())/n, "slowest-single-ms")
		})
	}
}
