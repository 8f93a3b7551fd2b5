package interop

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe"
)

// wrongPassword is what the wrong-password cells send: as distinctive as
// the right one, so a leak of either is found.
const wrongPassword = "Wr0ng-but-plausible-42"

// endpoint is one listener of one real server.
type endpoint struct {
	server   string // "Dovecot 2.3", "Cyrus 3.6", "Postfix 3.7", "Exim 4.96"
	proto    account.Protocol
	security account.Security // how the port is meant to be used
	port     int
}

// outcome is what a cell does at an endpoint.
type outcome string

const (
	good      outcome = "good password"
	wrong     outcome = "wrong password"
	plaintext outcome = "login without TLS" // security none, with the user's consent
	mixup     outcome = "wrong security"    // STARTTLS on a TLS port, or SSL on a plain one
)

// cell is one run of the probe.
type cell struct {
	ep       endpoint
	outcome  outcome
	security account.Security // as the user configured it
	// wantOK, or else wantKind.
	wantOK   bool
	wantKind probe.Kind
	// within bounds the run's time; zero: no bound.
	within time.Duration
	// before, when set, runs just before the probe; check, when set,
	// checks more of the result (and the server's log) after it.
	before func()
	check  func(t *testing.T, res probe.Result)
	// host to connect to; empty: 127.0.0.1.
	host string
}

// TestMatrix runs the real probe against every listener of every real
// server, with a good password, a wrong one, and a login attempted before
// TLS (with the user's consent, so the server's refusal is what is
// diagnosed), and checks the diagnosis kind and that neither password
// appears anywhere in the report. It logs a table of the times.
func TestMatrix(t *testing.T) {
	start := time.Now()
	ca := testenv.NewCA(t)
	pf := testenv.StartPostfix(t, ca, testenv.PostfixOptions{})
	d := pf.Dovecot
	cy := testenv.StartCyrus(t, ca, testenv.CyrusOptions{})
	ex := testenv.StartExim(t, ca, 0)
	t.Logf("servers up in %v", time.Since(start).Round(time.Millisecond))

	const (
		dovecot = "Dovecot 2.3"
		cyrus   = "Cyrus 3.6"
		postfix = "Postfix 3.7"
		exim    = "Exim 4.96"
	)
	endpoints := []endpoint{
		{dovecot, account.IMAP, account.SSL, d.IMAPS},
		{dovecot, account.IMAP, account.STARTTLS, d.IMAP},
		{dovecot, account.POP3, account.SSL, d.POP3S},
		{dovecot, account.POP3, account.STARTTLS, d.POP3},
		{dovecot, account.SMTP, account.SSL, d.Submissions},
		{dovecot, account.SMTP, account.STARTTLS, d.Submission},
		{cyrus, account.IMAP, account.SSL, cy.IMAPS},
		{cyrus, account.IMAP, account.STARTTLS, cy.IMAP},
		{cyrus, account.POP3, account.SSL, cy.POP3S},
		{cyrus, account.POP3, account.STARTTLS, cy.POP3},
		{postfix, account.SMTP, account.SSL, pf.Submissions},
		{postfix, account.SMTP, account.STARTTLS, pf.Submission},
		{exim, account.SMTP, account.SSL, ex.Submissions},
		{exim, account.SMTP, account.STARTTLS, ex.Submission},
	}
	// After a refused AUTH nothing more but QUIT: Postfix counts any other
	// line (a stray "*" cancelling an exchange already over) as unknown.
	var sessions int
	countPF := func() { sessions = settled(t, pf) }
	cleanAuth := func(t *testing.T, res probe.Result) {
		t.Helper()
		line := nextDisconnect(t, pf, sessions)
		if !strings.Contains(line, " auth=0/1 ") || strings.Contains(line, "unknown=") {
			t.Errorf("Postfix's account of the session: %s; want auth=0/1 and no unknown command", line)
		}
	}
	var cells []cell
	for _, ep := range endpoints {
		w := cell{ep: ep, outcome: wrong, security: ep.security, wantKind: probe.KindBadCredentials}
		if ep.server == postfix {
			w.before, w.check = countPF, cleanAuth
		}
		cells = append(cells, cell{ep: ep, outcome: good, security: ep.security, wantOK: true}, w)
		switch ep.security {
		case account.STARTTLS:
			c := cell{ep: ep, outcome: plaintext, security: account.None, wantKind: probe.KindPlaintextRefused}
			switch {
			case ep.server == dovecot:
				// On 127.0.0.1 Dovecot sees its own address and takes
				// the password in the clear.
				c.host = testenv.DovecotRemoteHost
				// Its Submission's EHLO before STARTTLS has "250-AUTH " with
				// no mechanism (AUTH PLAIN gets "523 5.7.10 Plaintext
				// authentication disabled."): plaintext-refused, not
				// no-common-mechanism.
			case ep.server == cyrus:
				// allowplaintext: no refuses PLAIN, LOGIN and USER, but
				// Cyrus offers CRAM-MD5 and SCRAM before TLS (with
				// LOGINDISABLED; CAPA has SASL without USER): mailwiz,
				// with the user's consent, logs in with SCRAM-SHA-256,
				// which never sends the password.
				c.wantOK, c.wantKind = true, ""
			}
			cells = append(cells, c)
			// SSL chosen for the plain port: the greeting is not a TLS
			// record. The kind stays server-error; the text says what
			// to choose.
			cells = append(cells, cell{ep: ep, outcome: mixup, security: account.SSL, wantKind: probe.KindServerError, within: 2 * time.Second,
				check: advises("this port wants STARTTLS")})
		case account.SSL:
			// STARTTLS chosen for the TLS port: the server waits for a
			// ClientHello and says nothing; mailwiz finds it out with a
			// handshake on a second connection after 1.5 s of silence.
			cells = append(cells, cell{ep: ep, outcome: mixup, security: account.STARTTLS, wantKind: probe.KindTimeout, within: 3 * time.Second,
				check: func(t *testing.T, res probe.Result) {
					if !errors.Is(res.Err, probe.ErrWantsTLS) {
						t.Errorf("error %v; want probe.ErrWantsTLS", res.Err)
					}
					advises("Choose SSL/TLS for this port")(t, res)
				}})
		}
	}
	runCells(t, ca, cells)
	t.Logf("matrix done in %v", time.Since(start).Round(time.Millisecond))
}

// advises checks that the diagnosis's English text holds want and that a
// Russian text of its own exists.
func advises(want string) func(t *testing.T, res probe.Result) {
	return func(t *testing.T, res probe.Result) {
		t.Helper()
		if res.Diagnosis == nil {
			t.Fatal("no diagnosis")
		}
		en, ru := res.Diagnosis.Text["en"], res.Diagnosis.Text["ru"]
		if !strings.Contains(en, want) {
			t.Errorf("text %q; want it to say %q", en, want)
		}
		if ru == "" || ru == en {
			t.Errorf("Russian text %q; want a translation of %q", ru, en)
		}
	}
}

// runCells runs each cell as a subtest and logs the table of times.
func runCells(t *testing.T, ca *testenv.CA, cells []cell) {
	t.Helper()
	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "server\tprotocol\tport as\tconfigured\tcase\tresult\tms")
	for _, c := range cells {
		name := fmt.Sprintf("%s/%s/%s/%s", c.ep.server, c.ep.proto, c.security, c.outcome)
		t.Run(name, func(t *testing.T) {
			if c.before != nil {
				c.before()
			}
			res, elapsed := runCell(t, ca, c)
			got := "ok"
			if !res.OK {
				got = "?"
				if res.Diagnosis != nil {
					got = string(res.Diagnosis.Kind)
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", c.ep.server, c.ep.proto, c.ep.security, c.security, c.outcome, got, elapsed.Milliseconds())
			switch {
			case c.wantOK && !res.OK:
				t.Errorf("failed at %s: %s (%s); want ok", res.Stage, res.Error, got)
			case !c.wantOK && res.OK:
				t.Errorf("logged in; want %s", c.wantKind)
			case !c.wantOK && (res.Diagnosis == nil || res.Diagnosis.Kind != c.wantKind):
				t.Errorf("kind %s at %s (%s); want %s", got, res.Stage, res.Error, c.wantKind)
			}
			if c.within > 0 && elapsed > c.within {
				t.Errorf("took %v; want under %v", elapsed, c.within)
			}
			if !res.OK {
				t.Logf("%s: %s", got, res.Error)
			}
			if c.check != nil {
				c.check(t, res)
			}
		})
	}
	tw.Flush()
	t.Logf("measured times per cell:\n%s", table.String())
}

// runCell runs the probe once and checks that no password leaked into the
// report, its JSON in both languages or its errors.
func runCell(t *testing.T, ca *testenv.CA, c cell) (probe.Result, time.Duration) {
	t.Helper()
	password := testenv.DovecotPassword
	if c.outcome == wrong {
		password = wrongPassword
	}
	host := c.host
	if host == "" {
		host = "127.0.0.1"
	}
	req := probe.Request{
		Servers:        []account.Server{{Protocol: c.ep.proto, Host: host, Port: c.ep.port, Security: c.security, Username: testenv.DovecotUser, Auth: account.AuthPassword}},
		Password:       password,
		AllowPlaintext: c.security == account.None,
		RootCAs:        ca.Pool(),
		Timeout:        10 * time.Second,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	rep := probe.Run(ctx, req)
	elapsed := time.Since(start)
	if len(rep.Results) != 1 {
		t.Fatalf("%d results; want 1", len(rep.Results))
	}
	for _, p := range []string{testenv.DovecotPassword, wrongPassword} {
		assertNoSecret(t, rep, p)
	}
	return rep.Results[0], elapsed
}

// assertNoSecret fails when the password shows in the report: its JSON
// (both languages), its texts and errors, as itself or in the encodings a
// login carries it in.
func assertNoSecret(t *testing.T, rep probe.Report, password string) {
	t.Helper()
	var all strings.Builder
	for _, lang := range []string{"en", "ru"} {
		b, err := json.Marshal(rep.View(lang))
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	for _, r := range rep.Results {
		fmt.Fprintf(&all, "\n%s\n%v\n%+v\n", r.Error, r.Err, r.Capabilities)
		if r.Diagnosis != nil {
			for _, text := range r.Diagnosis.Text {
				all.WriteString(text)
			}
			all.WriteString(r.Diagnosis.URL)
		}
	}
	user := testenv.DovecotUser
	forms := map[string]string{
		"as is":          password,
		"base64":         base64.StdEncoding.EncodeToString([]byte(password)),
		"base64 (PLAIN)": base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + password)),
		"hex":            hex.EncodeToString([]byte(password)),
	}
	text := all.String()
	for form, s := range forms {
		if strings.Contains(text, s) {
			t.Errorf("the password (%s) appears in the report:\n%s", form, text)
		}
	}
}

// TestMechanisms: servers that offer one SASL mechanism per port. Where
// the only mechanism offered is one mailwiz speaks, it logs in with it
// (the listener offers nothing else, so a success proves which one);
// where it speaks none, the diagnosis names what is offered and no login
// is attempted (the server's log shows no AUTH command).
func TestMechanisms(t *testing.T) {
	start := time.Now()
	ca := testenv.NewCA(t)
	a := testenv.StartPostfix(t, ca, testenv.PostfixOptions{
		Mechanisms:            []string{"SCRAM-SHA-256"},
		SubmissionsMechanisms: []string{"CRAM-MD5"},
	})
	b := testenv.StartPostfix(t, ca, testenv.PostfixOptions{
		Mechanisms:            []string{"DIGEST-MD5"},
		SubmissionsMechanisms: []string{"LOGIN"},
	})
	cy := testenv.StartCyrus(t, ca, testenv.CyrusOptions{Mechanisms: []string{"DIGEST-MD5"}})
	// Only the mechanisms that send the password: before TLS, Cyrus then
	// offers no mechanism at all (IMAP LOGINDISABLED and no AUTH=; POP3
	// CAPA "SASL" with nothing after it, and no USER).
	cyPlain := testenv.StartCyrus(t, ca, testenv.CyrusOptions{Mechanisms: []string{"PLAIN", "LOGIN"}})
	t.Logf("servers up in %v", time.Since(start).Round(time.Millisecond))

	offers := func(want string) func(t *testing.T, res probe.Result) {
		return func(t *testing.T, res probe.Result) {
			t.Helper()
			if !slices.Contains(res.Capabilities, want) {
				t.Errorf("capabilities %v; want %q", res.Capabilities, want)
			}
		}
	}
	// noAuth checks that the probe's session had no AUTH command, by the
	// line Postfix logs at its end.
	var sessions int
	countB := func() { sessions = settled(t, b) }
	noAuth := func(t *testing.T, res probe.Result) {
		t.Helper()
		line := nextDisconnect(t, b, sessions)
		if strings.Contains(line, " auth=") {
			t.Errorf("Postfix saw an AUTH command: %s", line)
		}
		advises("DIGEST-MD5")(t, res)
	}
	const (
		pfA        = "Postfix 3.7 (SCRAM-SHA-256 | CRAM-MD5)"
		pfB        = "Postfix 3.7 (DIGEST-MD5 | LOGIN)"
		cyrus      = "Cyrus 3.6 (DIGEST-MD5)"
		cyrusPlain = "Cyrus 3.6 (PLAIN LOGIN)"
	)
	cells := []cell{
		{ep: endpoint{pfA, account.SMTP, account.STARTTLS, a.Submission}, outcome: good, wantOK: true, check: offers("AUTH SCRAM-SHA-256")},
		{ep: endpoint{pfA, account.SMTP, account.STARTTLS, a.Submission}, outcome: wrong, wantKind: probe.KindBadCredentials},
		{ep: endpoint{pfA, account.SMTP, account.SSL, a.Submissions}, outcome: good, wantOK: true, check: offers("AUTH CRAM-MD5")},
		{ep: endpoint{pfA, account.SMTP, account.SSL, a.Submissions}, outcome: wrong, wantKind: probe.KindBadCredentials},
		{ep: endpoint{pfB, account.SMTP, account.STARTTLS, b.Submission}, outcome: good, wantKind: probe.KindNoCommonMechanism, before: countB, check: noAuth},
		{ep: endpoint{pfB, account.SMTP, account.SSL, b.Submissions}, outcome: good, wantOK: true, check: offers("AUTH LOGIN")},
		{ep: endpoint{pfB, account.SMTP, account.SSL, b.Submissions}, outcome: wrong, wantKind: probe.KindBadCredentials},
		// Cyrus keeps IMAP LOGIN and POP3 USER after TLS whatever
		// sasl_mech_list says.
		{ep: endpoint{cyrus, account.IMAP, account.SSL, cy.IMAPS}, outcome: good, wantOK: true, check: offers("AUTH=DIGEST-MD5")},
		{ep: endpoint{cyrus, account.IMAP, account.SSL, cy.IMAPS}, outcome: wrong, wantKind: probe.KindBadCredentials},
		{ep: endpoint{cyrus, account.POP3, account.STARTTLS, cy.POP3}, outcome: good, wantOK: true, check: offers("USER")},
		{ep: endpoint{cyrus, account.POP3, account.STARTTLS, cy.POP3}, outcome: wrong, wantKind: probe.KindBadCredentials},
		{ep: endpoint{cyrusPlain, account.IMAP, account.STARTTLS, cyPlain.IMAP}, outcome: plaintext, security: account.None, wantKind: probe.KindPlaintextRefused},
		{ep: endpoint{cyrusPlain, account.POP3, account.STARTTLS, cyPlain.POP3}, outcome: plaintext, security: account.None, wantKind: probe.KindPlaintextRefused},
		{ep: endpoint{cyrusPlain, account.POP3, account.STARTTLS, cyPlain.POP3}, outcome: good, wantOK: true, check: offers("USER")},
	}
	for i := range cells {
		if cells[i].security == "" {
			cells[i].security = cells[i].ep.security
		}
	}
	runCells(t, ca, cells)
}

// disconnects returns the lines Postfix logged at the end of each SMTP
// session so far ("disconnect from localhost[127.0.0.1] ehlo=2
// starttls=1 quit=1 commands=4").
func disconnects(p *testenv.Postfix) []string {
	var out []string
	for _, l := range strings.Split(p.LogText(), "\n") {
		if strings.Contains(l, "disconnect from") && strings.Contains(l, "commands=") {
			out = append(out, l)
		}
	}
	return out
}

// settled waits up to 2 s until Postfix has logged the end of every
// session it logged the start of, and returns how many there were: the
// next session's end is then the next disconnect line.
func settled(t *testing.T, p *testenv.Postfix) int {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		started := strings.Count(p.LogText(), "]: connect from ")
		if ended := len(disconnects(p)); ended == started {
			return ended
		}
		if time.Now().After(deadline) {
			t.Fatalf("Postfix logged %d sessions' start but not all their ends within 2 s:\n%s", started, p.LogText())
		}
		time.Sleep(20 * time.Millisecond) // poll interval, bounded above
	}
}

// nextDisconnect waits up to 2 s for the end of session number n+1 in
// Postfix's log and returns its line: Postfix writes its log through
// postlogd, a moment after the client has gone.
func nextDisconnect(t *testing.T, p *testenv.Postfix, n int) string {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		if d := disconnects(p); len(d) > n {
			return d[n]
		}
		if time.Now().After(deadline) {
			t.Fatalf("Postfix logged no end of the session within 2 s:\n%s", p.LogText())
		}
		time.Sleep(20 * time.Millisecond) // poll interval, bounded above
	}
}
