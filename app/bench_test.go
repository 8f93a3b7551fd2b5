package app

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/wizard"
)

// BenchmarkNewUI measures building the window's content (translations,
// frame, first page) on the test driver: the part of cold start that is
// ours, next to Fyne's own driver start-up. The goal for the whole first
// frame is 1 s; the ratio of this part to it is reported.
func BenchmarkNewUI(b *testing.B) {
	a := test.NewApp()
	defer a.Quit()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		w := a.NewWindow("")
		t0 := time.Now()
		u := newUI(a, w, wizard.Deps{Lookup: lookupExample}, func(f func()) { f() })
		total += time.Since(t0)
		u.Close()
		w.Close()
	}
	avg := total / time.Duration(b.N)
	b.ReportMetric(float64(avg.Microseconds()), "µs/window")
	b.ReportMetric(float64(avg)/float64(time.Second), "of-1s-goal")
}

// Opening the window asks no network and no keychain: every dependency
// fails the test if called before the person presses Enter.
func TestStartupTouchesNothing(t *testing.T) {
	called := func(what string) { t.Errorf("%s was called at start-up", what) }
	newHarness(t, wizard.Deps{
		Lookup: func(string) (account.Config, bool) { called("Lookup"); return account.Config{}, false },
		Discover: func(context.Context, account.Address, []string, func(wizard.Event)) (account.Config, error) {
			called("Discover")
			return account.Config{}, nil
		},
		Test: func(context.Context, wizard.TestRequest, func(wizard.StageProgress)) wizard.TestReport {
			called("Test")
			return wizard.TestReport{}
		},
		Save: func(context.Context, wizard.SaveRequest) error { called("Save"); return nil },
	})
}
