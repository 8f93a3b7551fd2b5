package keychain

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCallStopsWaiting: a keychain call that never returns (an unlock prompt
// left open) releases the caller when its context ends, with the right kind.
func TestCallStopsWaiting(t *testing.T) {
	block := make(chan struct{})
	defer close(block) // lets the abandoned goroutines finish
	never := func() (string, error) { <-block; return "", nil }

	// The deadline passes once the keychain was asked, whatever the clock
	// says: with a real 50 ms deadline, a test stalled that long before
	// call (a loaded machine, -cpu 1) found the deadline gone before the
	// call and got the "longer timeout" error instead. The error names the
	// time allowed, not the time it took to notice.
	dl := newManualDeadline(2 * time.Second)
	_, err := call(dl, "get", "imap://a@h", "", func() (string, error) { dl.expire(); return never() })
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "no answer within 2s; a locked keyring may be waiting for its unlock prompt") {
		t.Errorf("after the deadline: %v, want ErrUnavailable naming the 2 s allowed and the prompt", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	go cancel()
	_, err = call(ctx, "get", "imap://a@h", "", never)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
		t.Errorf("after cancel: %v, want context.Canceled", err)
	}

	// A context already done never starts the call. (atomic: were it
	// started, it would run on call's own goroutine.)
	var started atomic.Bool
	_, err = call(ctx, "get", "imap://a@h", "", func() (string, error) { started.Store(true); return "", nil })
	if started.Load() || !errors.Is(err, context.Canceled) {
		t.Errorf("done context: started=%v err=%v", started.Load(), err)
	}

	// A deadline gone before the call is not blamed on the keychain.
	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err = call(ctx, "get", "imap://a@h", "", never)
	if !errors.Is(err, ErrUnavailable) || strings.Contains(err.Error(), "no answer within") || !strings.Contains(err.Error(), "longer timeout") {
		t.Errorf("expired deadline: %v, want ErrUnavailable saying the time ran out before the call", err)
	}
}

// manualDeadline is a context with a deadline that passes when the test
// says so, not when a clock does.
type manualDeadline struct {
	context.Context
	deadline time.Time
	done     chan struct{}
	once     sync.Once
}

func newManualDeadline(limit time.Duration) *manualDeadline {
	return &manualDeadline{Context: context.Background(), deadline: time.Now().Add(limit), done: make(chan struct{})}
}

func (m *manualDeadline) expire() { m.once.Do(func() { close(m.done) }) }

// Deadline reports one, so call adds no DefaultTimeout of its own.
func (m *manualDeadline) Deadline() (time.Time, bool) { return m.deadline, true }
func (m *manualDeadline) Done() <-chan struct{}       { return m.done }
func (m *manualDeadline) Err() error {
	select {
	case <-m.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ msg, secret, want string }{
		{"refused hunter2 for x", "hunter2", "refused [password] for x"},
		{"line one\n  line two", "", "line one line two"},
		{"no secret here", "s", "no [password]ecret here"},
		{strings.Repeat("é", 400), "", strings.Repeat("é", 150) + "…"},
	}
	for _, tc := range tests {
		if got := redact(tc.msg, tc.secret); got != tc.want {
			t.Errorf("redact(%q, %q) = %q, want %q", tc.msg, tc.secret, got, tc.want)
		}
	}
}
