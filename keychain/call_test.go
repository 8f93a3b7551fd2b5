package keychain

import (
	"context"
	"errors"
	"strings"
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

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := call(ctx, "get", "imap://a@h", "", never)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "unlock prompt") {
		t.Errorf("after the deadline: %v, want ErrUnavailable about the prompt", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
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
