package probe

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// TestLoginDelayParsed: the capability list keeps LOGIN-DELAY's seconds
// (and only a number), and loginDelay reads them back.
func TestLoginDelayParsed(t *testing.T) {
	for _, tt := range []struct {
		caps []string
		want time.Duration
	}{
		{[]string{"LOGIN-DELAY 900", "USER"}, 15 * time.Minute},
		{[]string{"LOGIN-DELAY 0"}, 0},
		{[]string{"LOGIN-DELAY"}, 0},
		{[]string{"USER", "TOP"}, 0},
	} {
		if got := loginDelay(tt.caps); got != tt.want {
			t.Errorf("loginDelay(%q) = %s; want %s", tt.caps, got, tt.want)
		}
	}
}

// TestSendTestLoginDelay: a POP3 server that allows one login every 15
// minutes cannot give back a test message within the wait, so none is
// sent (the outgoing server hears nothing, nothing is left in the
// mailbox) and the result says why in both languages, instead of
// failing every 100 ms with generic advice.
func TestSendTestLoginDelay(t *testing.T) {
	heard := &testenv.Heard{}
	port := testenv.StartScripted(t, testenv.Scripted{Protocol: "smtp", Heard: heard, Login: []string{"235 ok"}})
	in := account.Server{Protocol: account.POP3, Host: "127.0.0.1", Port: 1, Security: account.SSL, Username: "u"}
	out := account.Server{Protocol: account.SMTP, Host: "127.0.0.1", Port: port, Security: account.None, Username: "u"}
	req := &Request{Address: account.Address{Local: "u", Domain: "example.test"}, Password: "pw", AllowPlaintext: true,
		Timeout: 5 * time.Second, DeliveryTimeout: 2 * time.Minute}
	results := []Result{
		{Server: in, OK: true, Capabilities: []string{"LOGIN-DELAY 900", "USER"}},
		{Server: out, OK: true},
	}
	res := sendTest(context.Background(), req, results, &emitter{})
	var le *LoginDelayError
	if res.OK || !errors.As(res.Err, &le) || le.Delay != 15*time.Minute || res.Stage != StageDeliver {
		t.Fatalf("ok=%v stage=%s err=%v; want a LoginDelayError of 15 min at deliver", res.OK, res.Stage, res.Err)
	}
	if res.Diagnosis == nil || res.Diagnosis.Kind != KindLoginDelay ||
		!strings.Contains(res.Diagnosis.In("en"), "15 min") || !strings.Contains(res.Diagnosis.In("ru"), "15 мин") {
		t.Errorf("diagnosis %+v; want login-delay naming 15 minutes in both languages", res.Diagnosis)
	}
	if l := heard.Lines(); len(l) != 0 {
		t.Errorf("the outgoing server heard %q; want nothing sent", l)
	}
}
