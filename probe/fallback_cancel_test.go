package probe

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// cancelMidFallback starts Run with a silent preferred server and silent
// alternatives on both sides, cancels it once every alternative is
// waiting for its greeting, and returns the report, the time from the
// cancel to Run's return, the goroutines of the run still working at that
// moment (probeGoroutines), and whether an event came after Run returned.
func cancelMidFallback(tb testing.TB, silent []int) (rep Report, took time.Duration, left []string, late func() bool) {
	tb.Helper()
	srv := func(p account.Protocol, port int, sec account.Security) account.Server {
		return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: sec, Username: "u", Auth: account.AuthPassword}
	}
	req := Request{
		Servers: []account.Server{srv(account.IMAP, silent[0], account.SSL), srv(account.SMTP, silent[1], account.SSL)},
		Alternatives: [][]account.Server{
			{srv(account.IMAP, silent[2], account.STARTTLS), srv(account.IMAP, silent[3], account.SSL)},
			{srv(account.SMTP, silent[4], account.STARTTLS), srv(account.SMTP, silent[5], account.STARTTLS)},
		},
		Password: "x", Timeout: time.Minute, FallbackDelay: time.Millisecond,
	}
	var (
		mu       sync.Mutex
		waiting  = map[int]bool{}
		all      = make(chan struct{})
		returned atomic.Bool
		lateEv   atomic.Bool
	)
	req.Events = func(e Event) {
		if returned.Load() {
			lateEv.Store(true)
		}
		// An alternative waiting for its greeting, or in its TLS
		// handshake: started, connected, silent.
		if e.Alternative && !e.Done && (e.Stage == StageGreeting || e.Stage == StageTLS) {
			mu.Lock()
			waiting[e.Server.Port] = true
			if len(waiting) == 4 {
				close(all)
			}
			mu.Unlock()
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan Report, 1)
	var leftAtReturn []string
	go func() {
		r := Run(ctx, req)
		returned.Store(true)
		leftAtReturn = probeGoroutines()
		done <- r
	}()
	select {
	case <-all:
	case <-time.After(20 * time.Second):
		cancel()
		tb.Fatal("the four alternatives never all reached their greeting or handshake")
	}
	start := time.Now()
	cancel()
	select {
	case rep = <-done:
		took = time.Since(start)
	case <-time.After(20 * time.Second):
		tb.Fatal("Run did not return after cancel")
	}
	return rep, took, leftAtReturn, lateEv.Load
}

// probeGoroutines lists the goroutines running this package's code, but
// for those that may be finishing as Run returns without doing anything a
// caller can see: a context.AfterFunc closing a connection (cancelling
// starts it, nothing waits for it), the head-start timer finding the
// preferred done, and a goroutine past its last statement.
func probeGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if !strings.Contains(g, "mailwiz/probe.") || strings.Contains(g, "mailwiz/probe.probeGoroutines") {
			continue // not ours, or this one
		}
		if strings.Contains(g, "mailwiz/probe.Test") || strings.Contains(g, "mailwiz/probe.Benchmark") ||
			strings.Contains(g, "probe.(*runner).closeConn") || strings.Contains(g, "probe.(*fallback).headStartOver") {
			continue
		}
		// A goroutine that has signalled its end (wg.Done, close(done))
		// may not have been scheduled to exit yet: runnable, in its own
		// function and nothing below it (a header, one frame of two
		// lines, the "created by" pair), or already in goexit.
		if lines := strings.Split(strings.TrimSpace(g), "\n"); len(lines) == 5 && strings.Contains(lines[0], "[runnable]") || strings.Contains(g, "runtime.goexit1(") {
			continue
		}
		out = append(out, g)
	}
	return out
}

// TestFallbackCancelStopsEverything: cancelling a run while the preferred
// servers are silent and their alternatives wait for a greeting returns
// with 'cancelled' on both places and no fallback; when Run has returned
// no goroutine of it is left (alternatives included) and no event comes
// after (checked once, at once: a leak that ends soon after is a leak).
// How fast the cancel is, is BenchmarkFallbackCancel's to measure.
func TestFallbackCancelStopsEverything(t *testing.T) {
	var silent []int
	for range 6 {
		silent = append(silent, testenv.StartSilent(t))
	}
	rep, took, left, late := cancelMidFallback(t, silent)
	t.Logf("Run returned %v after the cancel", took)
	for _, r := range rep.Results {
		if r.OK || r.FallbackFrom != nil || len(r.Tried) != 0 || kindOf(r) != KindTimeout || !strings.Contains(r.Error, "cancel") {
			t.Errorf("%s: ok=%v fallback=%v tried=%d kind=%q error=%q; want the preferred, cancelled, nothing tried", r.Server, r.OK, r.FallbackFrom, len(r.Tried), kindOf(r), r.Error)
		}
	}
	if len(left) > 0 {
		t.Errorf("%d goroutines of the run were still running when it returned:\n%s", len(left), strings.Join(left, "\n\n"))
	}
	if late() {
		t.Error("an event came after Run returned")
	}
}

// BenchmarkFallbackCancel measures the time from cancelling a run to Run's
// return while two silent preferred servers and four silent alternatives
// are connected and waiting (DESIGN: cancelling stops the work within
// 100 ms). It reports the mean as cancel-ms and the worst as max-cancel-ms.
func BenchmarkFallbackCancel(b *testing.B) {
	var silent []int
	for range 6 {
		silent = append(silent, testenv.StartSilent(b))
	}
	var total, worst time.Duration
	for b.Loop() {
		_, took, _, _ := cancelMidFallback(b, silent)
		total += took
		worst = max(worst, took)
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "cancel-ms")
	b.ReportMetric(float64(worst.Microseconds())/1000, "max-cancel-ms")
}
