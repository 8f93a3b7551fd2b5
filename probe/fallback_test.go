package probe

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

func loopbackServer(p account.Protocol, port int, sec account.Security) account.Server {
	return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: sec, Username: testenv.DovecotUser, Auth: account.AuthPassword}
}

// recorder keeps a run's events.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) add(e Event) { r.mu.Lock(); r.events = append(r.events, e); r.mu.Unlock() }

// altTried reports whether any alternative got as far as a stage.
func (r *recorder) altTried() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.Alternative {
			return true
		}
	}
	return false
}

// TestFallback runs a preferred server that does not answer, or answers
// with a problem, against alternatives on a real Dovecot.
func TestFallback(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	silent := testenv.StartSilent(t)
	closed := testenv.ClosedPort(t)
	submission := loopbackServer(account.SMTP, d.Submission, account.STARTTLS)
	submissions := loopbackServer(account.SMTP, d.Submissions, account.SSL)
	imaps := loopbackServer(account.IMAP, d.IMAPS, account.SSL)
	imap := loopbackServer(account.IMAP, d.IMAP, account.STARTTLS)
	slowIMAPS := loopbackServer(account.IMAP, testenv.StartProxy(t, testenv.Addr(d.IMAPS), 300*time.Millisecond, nil), account.SSL)
	plainSubmission := submission
	plainSubmission.Security = account.None
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	tests := []struct {
		name      string
		preferred account.Server
		alts      []account.Server
		password  string
		roots     *testenv.CA
		plaintext bool
		delay     time.Duration
		// timeout is per stage; zero: 10 s, a bound on a hang that no case
		// waits for. Only the cases whose point is a timeout set a short
		// one: with 1 s for every case, logins that must succeed had 1 s per
		// stage, and a wrong password's refusal (Dovecot answers failures
		// on a 0.5 s tick) took 0.85 s of it; under load (go test rounds
		// plus two busy loops on 2 cores) a successful stage took 0.63 s.
		timeout time.Duration
		// want: the server the result is about, ok, kind, whether it is a
		// fallback, how many servers are in Tried, and whether any
		// alternative was even started.
		want      account.Server
		ok        bool
		kind      Kind
		fallback  bool
		tried     int
		altsTried bool
	}{
		{name: "silent preferred, head start over", preferred: loopbackServer(account.SMTP, silent, account.SSL), alts: []account.Server{submission},
			delay: 100 * time.Millisecond, want: submission, ok: true, fallback: true, tried: 1, altsTried: true},
		// The alternative starts once the preferred timed out, and must
		// then log in under the same per-stage timeout.
		{name: "silent preferred, after its timeout", preferred: loopbackServer(account.SMTP, silent, account.SSL), alts: []account.Server{submission},
			delay: -1, timeout: 3 * time.Second, want: submission, ok: true, fallback: true, tried: 1, altsTried: true},
		{name: "refused preferred", preferred: loopbackServer(account.SMTP, closed, account.SSL), alts: []account.Server{submission},
			delay: -1, want: submission, ok: true, fallback: true, tried: 1, altsTried: true},
		{name: "imap: silent 993, 143 STARTTLS works", preferred: loopbackServer(account.IMAP, silent, account.SSL), alts: []account.Server{imap},
			delay: 100 * time.Millisecond, want: imap, ok: true, fallback: true, tried: 1, altsTried: true},
		// The refused alternative is in Tried unless the login won the
		// race to it (it never has: a refusal on loopback takes
		// microseconds), so its count is not checked (-1).
		{name: "two alternatives, the second works", preferred: loopbackServer(account.SMTP, silent, account.SSL),
			alts:  []account.Server{loopbackServer(account.SMTP, closed, account.STARTTLS), submission},
			delay: 100 * time.Millisecond, want: submission, ok: true, fallback: true, tried: -1, altsTried: true},
		{name: "wrong password on the preferred: no fallback", preferred: submissions, alts: []account.Server{submission},
			password: "wrong", want: submissions, kind: KindBadCredentials},
		{name: "untrusted certificate on the preferred: no fallback", preferred: submissions, alts: []account.Server{submission},
			roots: testenv.NewCA(t), want: submissions, kind: KindTLSUntrusted},
		{name: "preferred answers within its head start: alternatives never start", preferred: imaps, alts: []account.Server{loopbackServer(account.IMAP, silent, account.STARTTLS)},
			delay: 10 * time.Second, want: imaps, ok: true},
		// Slower than its head start (every chunk held 300 ms), the
		// preferred still wins by answering before the (silent)
		// alternative could log in, and the alternative stops.
		{name: "preferred answers after its head start: it is still the one", preferred: slowIMAPS, alts: []account.Server{loopbackServer(account.IMAP, silent, account.STARTTLS)},
			delay: 50 * time.Millisecond, timeout: 10 * time.Second, want: slowIMAPS, ok: true, altsTried: true},
		{name: "plaintext alternative without consent: not taken", preferred: loopbackServer(account.SMTP, silent, account.SSL), alts: []account.Server{plainSubmission},
			delay: 100 * time.Millisecond, timeout: time.Second, want: loopbackServer(account.SMTP, silent, account.SSL), kind: KindTimeout},
		{name: "plaintext alternative for an encrypted preferred, even with consent: not taken", preferred: loopbackServer(account.SMTP, closed, account.SSL), alts: []account.Server{plainSubmission},
			plaintext: true, want: loopbackServer(account.SMTP, closed, account.SSL), kind: KindRefused},
		{name: "plaintext alternative for a plaintext preferred, with consent", preferred: loopbackServer(account.SMTP, closed, account.None), alts: []account.Server{plainSubmission},
			plaintext: true, want: plainSubmission, ok: true, fallback: true, tried: 1, altsTried: true},
		{name: "another protocol is no alternative", preferred: loopbackServer(account.SMTP, closed, account.SSL), alts: []account.Server{imaps},
			want: loopbackServer(account.SMTP, closed, account.SSL), kind: KindRefused},
		{name: "nothing answers", preferred: loopbackServer(account.SMTP, closed, account.SSL), alts: []account.Server{loopbackServer(account.SMTP, silent, account.STARTTLS)},
			timeout: time.Second, want: loopbackServer(account.SMTP, closed, account.SSL), kind: KindRefused, tried: 1, altsTried: true},
		{name: "an alternative answers with a refused password", preferred: loopbackServer(account.SMTP, closed, account.SSL), alts: []account.Server{submission},
			password: "wrong", want: submission, kind: KindBadCredentials, fallback: true, tried: 1, altsTried: true},
		{name: "an alternative with an untrusted certificate is reported, never passed", preferred: loopbackServer(account.SMTP, closed, account.SSL), alts: []account.Server{submission},
			roots: testenv.NewCA(t), want: submission, kind: KindTLSUntrusted, fallback: true, tried: 1, altsTried: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pw := tt.password
			if pw == "" {
				pw = testenv.DovecotPassword
			}
			roots := ca
			if tt.roots != nil {
				roots = tt.roots
			}
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			var rec recorder
			rep := Run(ctx, Request{Servers: []account.Server{tt.preferred}, Alternatives: [][]account.Server{tt.alts},
				Password: pw, RootCAs: roots.Pool(), Timeout: timeout, FallbackDelay: tt.delay,
				AllowPlaintext: tt.plaintext, Events: rec.add})
			r := rep.Results[0]
			if r.Server != tt.want || r.OK != tt.ok || kindOf(r) != tt.kind {
				t.Fatalf("result %s ok=%v kind=%q error=%q; want %s ok=%v kind=%q\n%s", r.Server, r.OK, kindOf(r), r.Error, tt.want, tt.ok, tt.kind, d.LogText())
			}
			if got := r.FallbackFrom != nil; got != tt.fallback {
				t.Errorf("FallbackFrom = %v; want a fallback: %v", r.FallbackFrom, tt.fallback)
			}
			if tt.fallback && (*r.FallbackFrom != tt.preferred || r.Tried[0].Server != tt.preferred || r.Tried[0].OK) {
				t.Errorf("FallbackFrom = %v, Tried[0] = %s ok=%v; want the preferred %s, failed", r.FallbackFrom, r.Tried[0].Server, r.Tried[0].OK, tt.preferred)
			}
			if tt.tried >= 0 && len(r.Tried) != tt.tried {
				t.Errorf("Tried has %d servers; want %d", len(r.Tried), tt.tried)
			}
			for _, tr := range r.Tried {
				if tr.OK || kindOf(tr) != KindTimeout && kindOf(tr) != KindRefused {
					t.Errorf("tried %s: ok=%v kind=%q; want a server that did not answer", tr.Server, tr.OK, kindOf(tr))
				}
			}
			if got := rec.altTried(); got != tt.altsTried {
				t.Errorf("an alternative was tried: %v; want %v", got, tt.altsTried)
			}
			if rep.OK != tt.ok {
				t.Errorf("Report.OK = %v", rep.OK)
			}
			// The sentence names the preferred port and the server that
			// stands in for it, in both languages.
			if tt.fallback {
				port := ":" + itoa(r.Server.Port)
				for _, lang := range []string{"en", "ru"} {
					text := r.FallbackText[lang]
					if !strings.Contains(text, itoa(tt.preferred.Port)) || !strings.Contains(text, port) || !strings.Contains(text, "mailwiz") {
						t.Errorf("FallbackText[%s] = %q", lang, text)
					}
				}
			}
			if tt.tried > 0 && !tt.fallback && !strings.Contains(r.Diagnosis.In("en"), "also tried") {
				t.Errorf("diagnosis %q does not say the alternatives were tried", r.Diagnosis.In("en"))
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestFallbackView checks the JSON addition: fallback_from, fallback_text
// and tried on a fallback, none of them otherwise.
func TestFallbackView(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	silent := testenv.StartSilent(t)
	pref := loopbackServer(account.SMTP, silent, account.SSL)
	alt := loopbackServer(account.SMTP, d.Submission, account.STARTTLS)
	imaps := loopbackServer(account.IMAP, d.IMAPS, account.SSL)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep := Run(ctx, Request{Servers: []account.Server{imaps, pref}, Alternatives: [][]account.Server{nil, {alt}},
		Password: testenv.DovecotPassword, RootCAs: ca.Pool(), Timeout: 5 * time.Second, FallbackDelay: 50 * time.Millisecond})
	b, err := json.Marshal(rep.View("en"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		OK      bool
		Results []map[string]any
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if !v.OK || len(v.Results) != 2 {
		t.Fatalf("view %s", b)
	}
	for _, k := range []string{"fallback_from", "fallback_text", "tried"} {
		if _, ok := v.Results[0][k]; ok {
			t.Errorf("%s present without a fallback: %s", k, b)
		}
	}
	r := v.Results[1]
	if r["port"] != float64(d.Submission) || r["security"] != "starttls" || r["ok"] != true {
		t.Errorf("result %v; want the alternative, ok", r)
	}
	if r["fallback_from"] != pref.String() {
		t.Errorf("fallback_from = %v; want %s", r["fallback_from"], pref)
	}
	want := "Port " + itoa(silent) + " did not answer from your network; 127.0.0.1:" + itoa(d.Submission) + " STARTTLS works, so mailwiz uses it."
	if r["fallback_text"] != want {
		t.Errorf("fallback_text = %q; want %q", r["fallback_text"], want)
	}
	tried, _ := r["tried"].([]any)
	if len(tried) != 1 {
		t.Fatalf("tried = %v; want the preferred", r["tried"])
	}
	tr := tried[0].(map[string]any)
	if tr["port"] != float64(silent) || tr["ok"] != false || tr["diagnosis"].(map[string]any)["kind"] != "timeout" {
		t.Errorf("tried[0] = %v; want the silent preferred, timeout", tr)
	}
	if ru := rep.View("ru").Results[1].FallbackText; !strings.HasPrefix(ru, "Порт "+itoa(silent)+" не ответил") {
		t.Errorf("ru fallback_text = %q", ru)
	}
}

// TestFallbackCancel: cancelling the run while the preferred is silent and
// the alternatives wait returns at once, with no fallback.
func TestFallbackCancel(t *testing.T) {
	silent := testenv.StartSilent(t)
	silent2 := testenv.StartSilent(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Report)
	started := make(chan struct{})
	var once sync.Once
	go func() {
		done <- Run(ctx, Request{Servers: []account.Server{loopbackServer(account.SMTP, silent, account.SSL)},
			Alternatives: [][]account.Server{{loopbackServer(account.SMTP, silent2, account.STARTTLS)}},
			Password:     "x", Timeout: time.Minute, FallbackDelay: time.Millisecond,
			Events: func(e Event) {
				if e.Alternative && e.Stage == StageGreeting {
					once.Do(func() { close(started) })
				}
			}})
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the alternative never reached its greeting")
	}
	cancel()
	select {
	case rep := <-done:
		r := rep.Results[0]
		if r.OK || r.FallbackFrom != nil || kindOf(r) != KindTimeout {
			t.Errorf("after cancel: %s ok=%v fallback=%v kind=%q", r.Server, r.OK, r.FallbackFrom, kindOf(r))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestAlternatives(t *testing.T) {
	s := func(p account.Protocol, host string, port int, sec account.Security, auth account.Auth) account.Server {
		return account.Server{Protocol: p, Host: host, Port: port, Security: sec, Auth: auth, Username: "u"}
	}
	pref := s(account.SMTP, "smtp.example.com", 465, account.SSL, account.AuthPassword)
	list := []account.Server{
		pref,
		s(account.SMTP, "SMTP.example.com", 465, account.STARTTLS, account.AuthPassword), // same port: blocked too
		s(account.SMTP, "smtp.example.com", 587, account.STARTTLS, account.AuthPassword),
		s(account.IMAP, "smtp.example.com", 993, account.SSL, account.AuthPassword),     // another protocol
		s(account.SMTP, "smtp.example.com", 2525, account.STARTTLS, account.AuthOAuth2), // another sign-in
		s(account.SMTP, "smtp.example.com", 587, account.STARTTLS, account.AuthPassword),
		s(account.SMTP, "smtp.example.com", 25, account.None, account.AuthPassword),
	}
	var got []string
	for _, a := range Alternatives(pref, list) {
		got = append(got, a.String())
	}
	want := "smtp://smtp.example.com:587?security=starttls smtp://smtp.example.com:25?security=none"
	if strings.Join(got, " ") != want {
		t.Errorf("Alternatives = %v; want %s", got, want)
	}
	// Run drops the plaintext one without consent.
	req := Request{Servers: []account.Server{pref}, Alternatives: [][]account.Server{list}}
	if alts := req.usableAlternatives(0); len(alts) != 1 || alts[0].Port != 587 {
		t.Errorf("usable without consent = %v; want 587 only", alts)
	}
	// Consent does not let a silent encrypted port lead to plaintext.
	req.AllowPlaintext = true
	if alts := req.usableAlternatives(0); len(alts) != 1 || alts[0].Port != 587 {
		t.Errorf("usable with consent for an SSL preferred = %v; want 587 only", alts)
	}
	// A plaintext preferred may fall back to another plaintext port, with consent.
	plainPref := s(account.SMTP, "smtp.example.com", 2526, account.None, account.AuthPassword)
	req = Request{Servers: []account.Server{plainPref}, Alternatives: [][]account.Server{list}, AllowPlaintext: true}
	if alts := req.usableAlternatives(0); len(alts) != 3 || alts[2].Port != 25 {
		t.Errorf("usable with consent for a plaintext preferred = %v; want 465, 587 and 25", alts)
	}
	req.AllowPlaintext = false
	if alts := req.usableAlternatives(0); len(alts) != 2 {
		t.Errorf("usable without consent for a plaintext preferred = %v; want 465 and 587", alts)
	}
}
