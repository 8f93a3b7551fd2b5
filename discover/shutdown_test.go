package discover

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// TestRunLeavesNothingRunning: when the best source answers while others
// still ask (here every other source hangs), Run stops them, waits for
// them and closes its connections before it returns: the goroutines
// come back to where they were.
func TestRunLeavesNothingRunning(t *testing.T) {
	w := newWorld(t)
	w.a("autoconfig.fast.test", "fast.test", "autodiscover.fast.test")
	w.web.Handle("https", "autoconfig.fast.test", "/mail/config-v1.1.xml", testenv.XML(clientConfig("fast.test", "imap.fast.test", "smtp.fast.test")))
	w.web.Handle("https", "fast.test", "/autodiscover/autodiscover.xml", w.web.Hang())
	w.web.Handle("https", "autodiscover.fast.test", "/autodiscover/autodiscover.xml", w.web.Hang())
	addr, _ := account.ParseAddress("a@fast.test")
	// Warm up once: the first run starts long-lived helpers (the resolver's).
	Run(t.Context(), addr, w.opts) //nolint:errcheck
	cfg, err := Run(t.Context(), addr, w.opts)
	if err != nil || cfg.Source != account.SourceAutoconfig {
		t.Fatalf("Run: %v, %s", err, cfg.Source)
	}
	// No source may still run when Run has returned: checked at once.
	if left := clientGoroutines("mailwiz/discover.safeRun", "mailwiz/discover.(*runner)"); len(left) > 0 {
		t.Fatalf("%d sources still run after Run returned:\n%s", len(left), strings.Join(left, "\n\n"))
	}
	// An HTTP client connection's reader and writer end a moment after
	// Run closed it. The test servers' goroutines do not count.
	var left []string
	deadline := time.Now().Add(2 * time.Second)
	for {
		left = clientGoroutines("net/http.(*persistConn)")
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Fatalf("%d goroutines of Run's are still running after it returned:\n%s", len(left), strings.Join(left, "\n\n"))
	}
}

// clientGoroutines returns the stacks of goroutines with a frame matching
// one of marks (outside this test).
func clientGoroutines(marks ...string) []string {
	buf := make([]byte, 1<<20)
	all := string(buf[:runtime.Stack(buf, true)])
	var out []string
	for _, g := range strings.Split(all, "\n\n") {
		if strings.Contains(g, "TestRunLeavesNothingRunning") || strings.Contains(g, "testing.tRunner") {
			continue
		}
		for _, m := range marks {
			if strings.Contains(g, m) {
				out = append(out, g)
				break
			}
		}
	}
	return out
}
