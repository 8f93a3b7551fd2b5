package probe

import (
	"context"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// BenchmarkFallback measures the time to a working answer when the
// preferred SMTP port is silent (a firewall that swallows the connection),
// on a real Dovecot:
//
//   - sequential: each server alone, the next after the previous failed
//     (what a user retyping ports, or a naive client, gets);
//   - parallel: every alternative at once after the preferred failed
//     (FallbackDelay < 0);
//   - headstart: the alternatives start once the preferred has been silent
//     for the head start (what Run does).
//
// The stage timeout and the head start are scaled down from the defaults
// (15 s and 2 s) to 1.5 s and 200 ms, keeping their ratio, so the numbers
// read as a tenth of real life. "one" has one alternative that works (Gmail:
// 465 silent, 587 works); "two" has a silent one before it (Mail.ru: 465
// and 587 blocked, 2525 works). Reported: each mode's milliseconds and
// sequential over the others.
func BenchmarkFallback(b *testing.B) {
	ca := testenv.NewCA(b)
	d := testenv.StartDovecot(b, ca)
	const (
		timeout   = 1500 * time.Millisecond
		headStart = 200 * time.Millisecond
	)
	pref := loopbackServer(account.SMTP, testenv.StartSilent(b), account.SSL)
	works := loopbackServer(account.SMTP, d.Submission, account.STARTTLS)
	silent2 := loopbackServer(account.SMTP, testenv.StartSilent(b), account.STARTTLS)
	req := func(servers []account.Server, alts []account.Server, delay time.Duration) Request {
		r := Request{Servers: servers, Password: testenv.DovecotPassword, RootCAs: ca.Pool(), Timeout: timeout, FallbackDelay: delay}
		if alts != nil {
			r.Alternatives = [][]account.Server{alts}
		}
		return r
	}
	fallback := func(b *testing.B, alts []account.Server, delay time.Duration) time.Duration {
		start := time.Now()
		rep := Run(context.Background(), req([]account.Server{pref}, alts, delay))
		if !rep.OK {
			b.Fatalf("fallback failed: %s %s", rep.Results[0].Server, rep.Results[0].Error)
		}
		return time.Since(start)
	}
	sequential := func(b *testing.B, alts []account.Server) time.Duration {
		start := time.Now()
		for _, s := range append([]account.Server{pref}, alts...) {
			if Run(context.Background(), req([]account.Server{s}, nil, 0)).OK {
				return time.Since(start)
			}
		}
		b.Fatal("no server worked")
		return 0
	}
	for _, c := range []struct {
		name string
		alts []account.Server
	}{
		{"one", []account.Server{works}},
		{"two", []account.Server{silent2, works}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var seq, par, head time.Duration
			for i := 0; i < b.N; i++ {
				seq += sequential(b, c.alts)
				par += fallback(b, c.alts, -1)
				head += fallback(b, c.alts, headStart)
			}
			n := float64(b.N)
			b.ReportMetric(float64(seq.Milliseconds())/n, "sequential-ms")
			b.ReportMetric(float64(par.Milliseconds())/n, "parallel-ms")
			b.ReportMetric(float64(head.Milliseconds())/n, "headstart-ms")
			b.ReportMetric(float64(seq)/float64(par), "sequential/parallel")
			b.ReportMetric(float64(seq)/float64(head), "sequential/headstart")
		})
	}
}
