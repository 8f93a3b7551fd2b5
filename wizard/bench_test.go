package wizard

import (
	"context"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
)

// BenchmarkCancel measures how long discovery takes to stop after Cancel:
// from the call to the moment its goroutine has returned (Close). The goal
// is 100 ms; the ratio to it is reported, not asserted.
func BenchmarkCancel(b *testing.B) {
	var total time.Duration
	for i := 0; i < b.N; i++ {
		started := make(chan struct{})
		w := New(Deps{Discover: func(ctx context.Context, _ account.Address, _ func(Event)) (account.Config, error) {
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
