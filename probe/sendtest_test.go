package probe

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

func TestSendTest(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	servers := dovecotServers(d)
	addr, err := account.ParseAddress(testenv.DovecotUser)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	for _, tc := range []struct {
		name    string
		servers []account.Server
	}{
		{"imap", []account.Server{servers[0], servers[4]}},
		{"pop3", []account.Server{servers[2], servers[5]}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := Run(ctx, Request{Address: addr, Servers: tc.servers, Password: testenv.DovecotPassword, RootCAs: ca.Pool(),
				Timeout: 5 * time.Second, DeliveryTimeout: 20 * time.Second, SendTest: true})
			st := rep.SendTest
			if st == nil || !st.OK || st.Stage != StageDone || !rep.OK {
				t.Fatalf("send test = %+v; want ok at done\n%s", st, d.LogText())
			}
		})
	}

	// A server that takes the search but never answers it: the delivery
	// timeout must end the wait, though go-imap's search takes no context.
	// swallowing is the STARTTLS IMAP server behind a proxy that passes
	// nothing back once a search was sent, on plaintext (consent given).
	swallowing := func(t *testing.T) account.Server {
		var searching atomic.Bool
		port := testenv.StartProxy(t, testenv.Addr(d.IMAP), 0, func(toServer bool, b []byte) []byte {
			if toServer && bytes.Contains(b, []byte("UID SEARCH")) {
				searching.Store(true)
			}
			if !toServer && searching.Load() {
				return nil
			}
			return b
		})
		in := servers[1]
		in.Port, in.Security = port, account.None
		return in
	}
	t.Run("search never answered", func(t *testing.T) {
		in := swallowing(t)
		var deliver *Event
		rep := Run(ctx, Request{Address: addr, Servers: []account.Server{in, servers[4]}, Password: testenv.DovecotPassword, RootCAs: ca.Pool(),
			AllowPlaintext: true, Timeout: 5 * time.Second, DeliveryTimeout: 500 * time.Millisecond, SendTest: true,
			Events: func(e Event) {
				if e.Index == -1 && e.Stage == StageDeliver && e.Done {
					deliver = &e
				}
			}})
		st := rep.SendTest
		if st == nil || st.OK || st.Stage != StageDeliver || !errors.Is(st.Err, ErrNotDelivered) {
			t.Fatalf("send test = %+v; want not-delivered at the deliver stage", st)
		}
		// The event says it too, about the server that did not deliver.
		if deliver == nil || deliver.Server != in || deliver.Diagnosis == nil || deliver.Diagnosis.Kind != st.Diagnosis.Kind {
			t.Errorf("deliver event = %+v; want the incoming server %s with the report's diagnosis %+v", deliver, in, st.Diagnosis)
		}
		if ctx.Err() != nil {
			t.Fatal("the send test waited for the whole test's context, not the delivery timeout")
		}
	})

	// Cancelled while it waits: Run returns at once and says so.
	t.Run("cancelled", func(t *testing.T) {
		in := swallowing(t)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		waiting := make(chan struct{})
		done := make(chan Report, 1)
		go func() {
			done <- Run(cctx, Request{Address: addr, Servers: []account.Server{in, servers[4]}, Password: testenv.DovecotPassword, RootCAs: ca.Pool(),
				AllowPlaintext: true, Timeout: 5 * time.Second, DeliveryTimeout: time.Minute, SendTest: true,
				Events: func(e Event) {
					if e.Index == -1 && e.Stage == StageDeliver && !e.Done {
						close(waiting)
					}
				}})
		}()
		select {
		case <-waiting:
		case rep := <-done:
			t.Fatalf("Run ended before the deliver stage: %+v %+v", rep.Results, rep.SendTest)
		}
		cancel()
		select {
		case rep := <-done:
			st := rep.SendTest
			var te *StageTimeoutError
			if st == nil || st.OK || st.Stage != StageDeliver || !errors.As(st.Err, &te) || !te.Cancelled || st.Diagnosis == nil || st.Diagnosis.Kind != KindTimeout {
				t.Errorf("send test = %+v; want cancelled at the deliver stage, kind timeout", st)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("Run still running 20 s after cancel, with a one-minute delivery timeout")
		}
	})
}

// TestSendTestFindsSpamFolder: a provider that files the letter as spam
// (Dovecot delivering into its \Junk mailbox) still has it found, in that
// folder, named in the result, and deleted from there; the INBOX stays
// as it was.
func TestSendTestFindsSpamFolder(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	d.FileAsJunk(func(string) bool { return true })
	servers := dovecotServers(d)
	addr, _ := account.ParseAddress(testenv.DovecotUser)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep := Run(ctx, Request{Address: addr, Servers: []account.Server{servers[0], servers[4]}, Password: testenv.DovecotPassword, RootCAs: ca.Pool(),
		Timeout: 5 * time.Second, DeliveryTimeout: 20 * time.Second, SendTest: true, ReadBack: true})
	st := rep.SendTest
	if st == nil || !st.OK || st.JunkFolder != "Junk" || st.Header == nil {
		t.Fatalf("send test = %+v; want it found in Junk, read back\n%s", st, d.LogText())
	}
	if v := rep.View("en").SendTest; v == nil || v.JunkFolder != "Junk" {
		t.Errorf("view %+v; want junk_folder Junk", v)
	}
	for _, box := range []string{"INBOX", "Junk"} {
		if n := testenv.CountMessages(t, d, ca, box); n != 0 {
			t.Errorf("%s holds %d messages after the test; want 0", box, n)
		}
	}
	// A spam folder the server lists but will not open (a proxy renames
	// it in the LIST reply): the wait goes on in the INBOX.
	d.FileAsJunk(nil)
	var listed atomic.Bool
	port := testenv.StartProxy(t, testenv.Addr(d.IMAP), 0, func(toServer bool, b []byte) []byte {
		if !toServer && bytes.Contains(b, []byte(`\Junk`)) {
			listed.Store(true)
			return bytes.ReplaceAll(b, []byte("Junk\r\n"), []byte("Gone\r\n"))
		}
		return b
	})
	in := servers[1]
	in.Port, in.Security = port, account.None
	rep = Run(ctx, Request{Address: addr, Servers: []account.Server{in, servers[4]}, Password: testenv.DovecotPassword, RootCAs: ca.Pool(),
		AllowPlaintext: true, Timeout: 5 * time.Second, DeliveryTimeout: 20 * time.Second, SendTest: true})
	if st := rep.SendTest; !listed.Load() || st == nil || !st.OK || st.JunkFolder != "" {
		t.Errorf("unusable spam folder (listed %v): %+v; want ok from the INBOX\n%s", listed.Load(), st, d.LogText())
	}
	// Mail the provider does not file as spam is found in the INBOX.
	d.FileAsJunk(nil)
	rep = Run(ctx, Request{Address: addr, Servers: []account.Server{servers[0], servers[4]}, Password: testenv.DovecotPassword, RootCAs: ca.Pool(),
		Timeout: 5 * time.Second, DeliveryTimeout: 20 * time.Second, SendTest: true})
	if st := rep.SendTest; st == nil || !st.OK || st.JunkFolder != "" {
		t.Errorf("inbox delivery: %+v; want ok with no junk folder", st)
	}
}
