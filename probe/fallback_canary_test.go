package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// TestFallbackCanary: port fallback adds texts of its own (Tried,
// FallbackText, the "also tried" sentence, the JSON's fallback_from,
// fallback_text and tried) and moves results between places. A server that
// quotes the password, in its words or in a help link, must not get it
// into any of them, nor into an event. Every way a place can end is run:
// an alternative that answered (the chosen one), alternatives that did not
// (Tried), and the preferred's own failure with them all silent.
func TestFallbackCanary(t *testing.T) {
	const canary = "canary-Fb-41c7d"
	ca := testenv.NewCA(t)
	leaf := ca.Issue(t, "127.0.0.1")
	closed := testenv.ClosedPort(t)
	silent := testenv.StartSilent(t)
	// A refusal that is not about the password (4xx), so the link the
	// server sends becomes the diagnosis's URL.
	echoURL := testenv.StartScripted(t, testenv.Scripted{Protocol: "smtp", TLS: leaf,
		Login: []string{"454 4.7.0 temporarily refused for " + canary + ", see https://help.example.test/login?p=" + canary}})
	echoIMAP := testenv.StartScripted(t, testenv.Scripted{Protocol: "imap", TLS: leaf,
		Login: []string{"NO [AUTHENTICATIONFAILED] wrong password " + canary}})
	srv := func(p account.Protocol, port int, sec account.Security) account.Server {
		return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: sec, Username: "u", Auth: account.AuthPassword}
	}
	tests := []struct {
		name string
		pref account.Server
		alts []account.Server
		// want: the port the result is about and whether it is a fallback.
		port     int
		fallback bool
		// echoes: a server that quotes the password is among those tried.
		echoes bool
	}{
		{name: "an alternative answers with the password in its words and link", pref: srv(account.SMTP, closed, account.SSL),
			alts: []account.Server{srv(account.SMTP, silent, account.STARTTLS), srv(account.SMTP, echoURL, account.SSL)}, port: echoURL, fallback: true, echoes: true},
		{name: "imap alternative echoes it", pref: srv(account.IMAP, silent, account.SSL),
			alts: []account.Server{srv(account.IMAP, echoIMAP, account.SSL)}, port: echoIMAP, fallback: true, echoes: true},
		// Not a fallback, but the same link reaches the JSON without one.
		{name: "the preferred echoes it, no alternatives", pref: srv(account.SMTP, echoURL, account.SSL), port: echoURL, echoes: true},
		{name: "nothing answers", pref: srv(account.SMTP, closed, account.SSL),
			alts: []account.Server{srv(account.SMTP, silent, account.STARTTLS)}, port: closed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var rec recorder
			// 3 s per stage: the echoing server must answer within it while
			// the silent ones wait it out (the case's length); 1 s left a
			// stalled -cpu 1 run no room for a TLS handshake.
			rep := Run(ctx, Request{Servers: []account.Server{tt.pref}, Alternatives: [][]account.Server{tt.alts},
				Password: canary, RootCAs: ca.Pool(), Timeout: 3 * time.Second, FallbackDelay: 50 * time.Millisecond, Events: rec.add})
			r := rep.Results[0]
			if r.Server.Port != tt.port || (r.FallbackFrom != nil) != tt.fallback || r.OK {
				t.Fatalf("result %s ok=%v fallback=%v error=%q; want port %d, failed, fallback %v", r.Server, r.OK, r.FallbackFrom, r.Error, tt.port, tt.fallback)
			}
			if len(tt.alts) > 0 && len(r.Tried) == 0 {
				t.Fatalf("Tried is empty; the check would not see the texts it adds")
			}
			var texts []string
			var add func(res Result)
			add = func(res Result) {
				texts = append(texts, res.Error, fmt.Sprint(res.Err))
				if d := res.Diagnosis; d != nil {
					texts = append(texts, d.Text["en"], d.Text["ru"], d.URL)
				}
				for _, s := range res.FallbackText {
					texts = append(texts, s)
				}
				for _, tr := range res.Tried {
					add(tr)
				}
			}
			add(r)
			for _, lang := range []string{"en", "ru"} {
				b, err := json.Marshal(rep.View(lang))
				if err != nil {
					t.Fatal(err)
				}
				texts = append(texts, string(b))
			}
			rec.mu.Lock()
			for _, e := range rec.events {
				if e.Err != nil {
					texts = append(texts, e.Err.Error())
				}
				if d := e.Diagnosis; d != nil {
					texts = append(texts, d.Text["en"], d.Text["ru"], d.URL)
				}
			}
			rec.mu.Unlock()
			// The server's words are kept, the password cut out of them.
			if tt.echoes && !strings.Contains(strings.Join(texts, "\n"), "****") {
				t.Errorf("no text shows where the password was cut out; the server's words are lost:\n%s", strings.Join(texts, "\n"))
			}
			for _, s := range texts {
				if strings.Contains(s, canary) {
					t.Errorf("the password reached a text: %q", s)
				}
			}
		})
	}
}
