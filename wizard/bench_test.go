package wizard

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/discover"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe"
)

// BenchmarkCancel measures how long discovery takes to stop after Cancel:
// from the call to the moment its goroutine has returned (Close). The goal
// is 100 ms; the ratio to it is reported, not asserted.
func BenchmarkCancel(b *testing.B) {
	var total time.Duration
	for i := 0; i < b.N; i++ {
		started := make(chan struct{})
		w := New(Deps{Discover: func(ctx context.Context, _ account.Address, _ []string, _ func(Event)) (account.Config, error) {
			close(started)
			<-ctx.Done()
			return account.Config{}, ctx.Err()
		}}, nil)
		w.SetAddress("a@slow.test")
		w.Next()
		<-started
		t0 := time.Now()
		w.Cancel()
		w.Close()
		total += time.Since(t0)
	}
	avg := total / time.Duration(b.N)
	b.ReportMetric(float64(avg.Microseconds()), "µs/cancel")
	b.ReportMetric(float64(avg)/float64(100*time.Millisecond), "of-100ms-goal")
}

// BenchmarkCancelRealWork measures Cancel against the real packages on
// loopback, where every server hangs: discovery (an autoconfig server that
// accepts and never answers, mail ports that never greet) and the
// connection test (IMAP and SMTP servers that never greet). Reported: the
// time from Cancel until the work's goroutine has returned, and its ratio
// to the 100 ms goal.
func BenchmarkCancelRealWork(b *testing.B) {
	ca := testenv.NewCA(b)
	web := testenv.StartWeb(b, ca)
	silent := testenv.StartSilent(b)
	dns := testenv.StartDNS(b, testenv.Zone{
		"hang.test":            {A: []string{"127.0.0.1"}, MX: []testenv.MX{{Pref: 10, Host: "mx.hang.test"}}},
		"autoconfig.hang.test": {A: []string{"127.0.0.1"}},
		"mx.hang.test":         {A: []string{"127.0.0.1"}},
		"imap.hang.test":       {A: []string{"127.0.0.1"}},
		"smtp.hang.test":       {A: []string{"127.0.0.1"}},
	})
	web.Handle("https", "autoconfig.hang.test", "/", web.Hang())
	ports := map[int]int{443: web.HTTPSPort, 80: web.HTTPPort}
	for _, p := range []int{993, 143, 995, 110, 465, 587, 25} {
		ports[p] = silent
	}
	deps := Deps{
		Discover: Discover(discover.Options{Resolver: dns.Resolver(), RootCAs: ca.Pool(), Ports: ports,
			ISPDBURL: "https://autoconfig.hang.test/isp/", Timeout: time.Minute, SourceTimeout: time.Minute}),
		Test: Probe(probe.Request{Resolver: dns.Resolver(), RootCAs: ca.Pool(), Timeout: time.Minute}),
	}
	measure := func(start func(w *Wizard), running func(w *Wizard) bool) time.Duration {
		var total time.Duration
		for i := 0; i < b.N; i++ {
			w := New(deps, nil)
			start(w)
			// Let the work reach the hanging servers before cancelling.
			deadline := time.Now().Add(5 * time.Second)
			for !running(w) && time.Now().Before(deadline) {
				runtime.Gosched()
			}
			t0 := time.Now()
			w.Cancel()
			w.Close()
			total += time.Since(t0)
		}
		return total / time.Duration(b.N)
	}
	find := measure(func(w *Wizard) { w.SetAddress("a@hang.test"); w.Next() },
		func(w *Wizard) bool { return len(w.Finding().Sources) > 3 })
	test := measure(func(w *Wizard) {
		w.step = StepTest
		w.cfg = account.Config{SecureSource: true,
			Incoming: []account.Server{{Protocol: account.IMAP, Host: "imap.hang.test", Port: 993, Security: account.SSL, Username: "a", Auth: account.AuthPassword}},
			Outgoing: []account.Server{{Protocol: account.SMTP, Host: "smtp.hang.test", Port: 465, Security: account.SSL, Username: "a", Auth: account.AuthPassword}}}
		w.SetPassword("pw")
		if err := w.StartTest(false); err != nil {
			b.Fatal(err)
		}
	}, func(w *Wizard) bool { return len(w.Testing().Stages) == 2 })
	b.ReportMetric(float64(find.Microseconds())/1000, "ms/cancel-discovery")
	b.ReportMetric(float64(test.Microseconds())/1000, "ms/cancel-test")
	b.ReportMetric(float64(max(find, test))/float64(100*time.Millisecond), "of-100ms-goal")
}
