package discover

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
)

// benchLatency is added to every DNS answer and every HTTP answer.
const benchLatency = 200 * time.Millisecond

// sequentialOrder is the one-after-another chain the benchmark compares
// with, the way Thunderbird largely proceeds: the domain's autoconfig
// (https, then http), well-known, ISPDB, MX, SRV, Autodiscover, guessing.
var sequentialOrder = []int{0, 2, 1, 3, 4, 5, 6, 7} // indexes into sources

// runSequential asks each source in turn and stops at the first usable
// answer, all under the same overall deadline as Run.
func runSequential(ctx context.Context, addr account.Address, opts Options) (account.Config, error) {
	ctx, cancel := context.WithTimeout(ctx, opts.timeout())
	defer cancel()
	r := newRunner(ctx, addr, &opts)
	defer r.close()
	var errs []string
	for _, i := range sequentialOrder {
		s := sources[i]
		sctx, scancel := context.WithTimeout(ctx, opts.sourceTimeout())
		cfg, err := safeRun(sctx, r, s)
		scancel()
		if err == nil {
			if cfg, err = r.accept(s, cfg); err == nil {
				return cfg, nil
			}
		}
		errs = append(errs, fmt.Sprintf("%s: %v", s.name, err))
		if ctx.Err() != nil {
			break
		}
	}
	return account.Config{}, fmt.Errorf("nothing found: %s", strings.Join(errs, "; "))
}

// BenchmarkDiscovery measures, per scenario, the time to the final answer
// as a multiple of the injected latency (xL), for Run (every source at
// once) and for the sequential chain. One source's answer costs at least
// 2L (a DNS answer, then an HTTP answer), so "1.0 answers" is the floor
// for any source fetched over HTTP. Run with: make bench, or
// go test -run '^$' -bench Discovery -benchtime 1x ./discover
func BenchmarkDiscovery(b *testing.B) {
	w, _ := scenarioWorld(b)
	// The hung scenario: the domain's own autoconfig never answers, the
	// ISPDB does. The answer comes at the overall deadline.
	w.a("autoconfig.hung.test")
	w.web.Handle("https", "autoconfig.hung.test", "/mail/config-v1.1.xml", w.web.Hang())
	w.ispdb("hung.test", clientConfig("hung.test", "imap.hung.test", "smtp.hung.test"))
	// Warm up once without latency: the first TLS handshake of a process
	// pays for code paths and key setup that no later one does.
	if addr, err := account.ParseAddress("alice@own.test"); err == nil {
		Run(b.Context(), addr, w.opts)
	}
	w.dns.SetLatency(benchLatency)
	w.web.SetLatency(benchLatency)

	scenarios := []struct {
		name, email string
		want        account.Source // "" when nothing is to be found
		hung        bool
	}{
		{"autoconfig", "alice@own.test", account.SourceAutoconfig, false},
		{"wellknown", "a@wellknown.test", account.SourceWellKnown, false},
		{"http-only", "a@httponly.test", account.SourceAutoconfig, false},
		{"ispdb", "a@inispdb.test", account.SourceISPDB, false},
		{"mx-known", "a@mxknown.test", account.SourceMX, false},
		{"mx-ispdb", "a@mxispdb.test", account.SourceMX, false},
		{"srv", "a@srvonly.test", account.SourceSRV, false},
		{"autodiscover", "a@adonly.test", account.SourceAutodiscover, false},
		{"autodiscover-redirect", "a@adredir.test", account.SourceAutodiscover, false},
		{"guess", "a@guessonly.test", account.SourceGuess, false},
		{"nothing", "a@nothing.test", "", false},
		{"hung-autoconfig", "a@hung.test", account.SourceISPDB, true},
	}
	var table []string
	var mu sync.Mutex
	for _, sc := range scenarios {
		addr, _ := account.ParseAddress(sc.email)
		opts := w.opts
		opts.AllowRedirect = []string{"adtarget.test"}
		opts.Timeout = 10 * time.Second
		opts.SourceTimeout = 5 * time.Second
		if sc.hung {
			// The deadline, not the source timeout, must end the wait.
			opts.Timeout = 3 * time.Second
			opts.SourceTimeout = 10 * time.Second
		}
		measure := func(b *testing.B, run func(context.Context, account.Address, Options) (account.Config, error), want account.Source) float64 {
			var total time.Duration
			for b.Loop() {
				start := time.Now()
				cfg, err := run(b.Context(), addr, opts)
				total += time.Since(start)
				if want != "" && (err != nil || cfg.Source != want) {
					b.Fatalf("%s: got %s, %v; want source %s", sc.email, cfg.Source, err, want)
				}
				if want == "" && err == nil {
					b.Fatalf("%s: found %s, want nothing", sc.email, cfg.Source)
				}
			}
			x := float64(total) / float64(b.N) / float64(benchLatency)
			b.ReportMetric(x, "xL")
			b.ReportMetric(x/2, "answers")
			return x
		}
		var par, seq float64
		seqWant := sc.want
		if sc.hung {
			// One after another, the hung host eats the whole deadline and
			// the ISPDB is never asked: nothing is found.
			seqWant = ""
		}
		b.Run(sc.name+"/parallel", func(b *testing.B) { par = measure(b, Run, sc.want) })
		b.Run(sc.name+"/sequential", func(b *testing.B) { seq = measure(b, runSequential, seqWant) })
		mu.Lock()
		table = append(table, fmt.Sprintf("| %-22s | %5.1f L (%4.2f answers) | %5.1f L (%4.2f answers) | %7.1f× |",
			sc.name, par, par/2, seq, seq/2, seq/par))
		mu.Unlock()
	}
	// Printed, not logged: the table is the benchmark's report.
	fmt.Printf("\nlatency L = %v on every DNS and HTTP answer; one source's answer = DNS + HTTP = 2L\n"+
		"| scenario               | parallel (Run)         | sequential chain       | speed-up |\n"+
		"|------------------------|------------------------|------------------------|----------|\n%s\n\n",
		benchLatency, strings.Join(table, "\n"))
}
