package probe

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-smtp"
	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe/pop3"
)

// TestMechanismsDovecot logs in to a real Dovecot that offers PLAIN and
// one stronger mechanism: mailwiz must choose the stronger one on IMAP,
// POP3 and Submission (Dovecot's log names the method of each login), and
// a wrong password through it is still a wrong password.
func TestMechanismsDovecot(t *testing.T) {
	ca := testenv.NewCA(t)
	for _, mech := range []string{"CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"} {
		t.Run(mech, func(t *testing.T) {
			d := testenv.StartDovecotMechs(t, ca, []string{strings.ToLower(mech)})
			servers := dovecotServers(d)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			rep := Run(ctx, Request{Servers: servers, Password: testenv.DovecotPassword, RootCAs: ca.Pool(), Timeout: 5 * time.Second})
			for _, r := range rep.Results {
				if !r.OK {
					t.Errorf("%s: ok=false stage=%s error=%s", r.Server, r.Stage, r.Error)
				}
			}
			// One "method=" per login; the harness's own readiness check
			// logged in with PLAIN before.
			if n := strings.Count(d.LogText(), "method="+mech); n != len(servers) {
				t.Errorf("%d logins with %s in Dovecot's log; want %d\n%s", n, mech, len(servers), d.LogText())
			}
			rep = Run(ctx, Request{Servers: servers, Password: "wrong " + mech, RootCAs: ca.Pool(), Timeout: 5 * time.Second})
			for _, r := range rep.Results {
				if r.OK || r.Diagnosis == nil || r.Diagnosis.Kind != KindBadCredentials || r.Stage != StageAuth {
					t.Errorf("%s with a wrong password: ok=%v stage=%s diagnosis=%+v error=%s", r.Server, r.OK, r.Stage, r.Diagnosis, r.Error)
				}
			}
		})
	}
}

// TestChooseMech: the strongest mechanism both sides speak, any case; a
// password SCRAM cannot prepare leaves SCRAM out; OAuth2 alone is no
// password mechanism.
func TestChooseMech(t *testing.T) {
	tests := []struct {
		offered  []string
		password string
		want     string
	}{
		{[]string{"PLAIN", "LOGIN"}, "pw", mechPlain},
		{[]string{"login"}, "pw", mechLogin},
		{[]string{"PLAIN", "cram-md5"}, "pw", mechCRAMMD5},
		{[]string{"PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256", "CRAM-MD5"}, "pw", mechSCRAMSHA256},
		{[]string{"PLAIN", "SCRAM-SHA-1"}, "pw", mechSCRAMSHA1},
		// U+0007 is prohibited by SASLprep (RFC 4013): SCRAM cannot carry it.
		{[]string{"SCRAM-SHA-256", "PLAIN"}, "pw\u0007", mechPlain},
		{[]string{"XOAUTH2", "OAUTHBEARER"}, "pw", ""},
		{[]string{"DIGEST-MD5", "NTLM", "GSSAPI"}, "pw", ""},
		{nil, "pw", ""},
	}
	for _, tt := range tests {
		if got := chooseMech(tt.offered, tt.password); got != tt.want {
			t.Errorf("chooseMech(%q) = %q; want %q", tt.offered, got, tt.want)
		}
	}
}

// TestNoCommonMechanism: a server offering no mechanism mailwiz speaks
// gets the kind no-common-mechanism and a sentence naming what it offers
// (not "the server reported a problem"), and receives no password; one
// offering only OAuth2 gets oauth2-required.
func TestNoCommonMechanism(t *testing.T) {
	ca := testenv.NewCA(t)
	leaf := ca.Issue(t, "127.0.0.1")
	tests := []struct {
		name  string
		proto account.Protocol
		caps  []string
		want  Kind
		named string // a mechanism the text must name
	}{
		{"IMAP DIGEST-MD5 and NTLM", account.IMAP, []string{"AUTH=DIGEST-MD5", "AUTH=NTLM", "LOGINDISABLED"}, KindNoCommonMechanism, "DIGEST-MD5, NTLM"},
		{"POP3 NTLM without USER", account.POP3, []string{"SASL NTLM", "RESP-CODES"}, KindNoCommonMechanism, "NTLM"},
		{"SMTP GSSAPI", account.SMTP, []string{"AUTH GSSAPI DIGEST-MD5"}, KindNoCommonMechanism, "GSSAPI"},
		{"IMAP OAuth2 only", account.IMAP, []string{"AUTH=XOAUTH2", "AUTH=OAUTHBEARER", "LOGINDISABLED"}, KindOAuth2Required, ""},
		{"POP3 OAuth2 only", account.POP3, []string{"SASL XOAUTH2"}, KindOAuth2Required, ""},
		{"SMTP OAuth2 only", account.SMTP, []string{"AUTH XOAUTH2 OAUTHBEARER"}, KindOAuth2Required, ""},
	}
	const password = "canary-mech-51"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			heard := &testenv.Heard{}
			port := testenv.StartScripted(t, testenv.Scripted{Protocol: string(tt.proto), TLS: leaf, Caps: tt.caps, Heard: heard,
				Login: []string{"OK the script would take anything"}})
			srv := account.Server{Protocol: tt.proto, Host: "127.0.0.1", Port: port, Security: account.SSL, Username: "u"}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			rep := Run(ctx, Request{Servers: []account.Server{srv}, Password: password, RootCAs: ca.Pool(), Timeout: 5 * time.Second})
			r := rep.Results[0]
			if r.OK || r.Diagnosis == nil || r.Diagnosis.Kind != tt.want || r.Stage != StageAuth {
				t.Fatalf("ok=%v stage=%s diagnosis=%+v error=%s; want %s at auth", r.OK, r.Stage, r.Diagnosis, r.Error, tt.want)
			}
			for _, lang := range []string{"en", "ru"} {
				if !strings.Contains(r.Diagnosis.In(lang), tt.named) || strings.Contains(r.Diagnosis.In(lang), "%!") {
					t.Errorf("%s text %q; want it to name %q", lang, r.Diagnosis.In(lang), tt.named)
				}
			}
			for _, l := range heard.Lines() {
				verb, _, _ := strings.Cut(strings.ToUpper(l), " ")
				if _, rest, ok := strings.Cut(l, " "); ok && tt.proto == account.IMAP {
					verb, _, _ = strings.Cut(strings.ToUpper(rest), " ")
				}
				switch verb {
				case "LOGIN", "AUTHENTICATE", "AUTH", "USER", "PASS":
					t.Errorf("the server was asked to log in: %q", l)
				}
			}
		})
	}
}

// TestPOP3CapaWithoutUser: a POP3 server whose CAPA, before encryption,
// offers neither USER nor SASL takes no password there: mailwiz says the
// server wants encryption first (plaintext-refused) and sends no USER or
// PASS, even with the person's consent to plaintext. The same server
// offering USER is sent it, so the test can tell the two apart.
func TestPOP3CapaWithoutUser(t *testing.T) {
	for _, tt := range []struct {
		caps []string
		want Kind
		user bool // USER is sent
	}{
		{[]string{"TOP", "UIDL", "STLS", "RESP-CODES"}, KindPlaintextRefused, false},
		{[]string{"TOP", "UIDL", "USER", "STLS", "RESP-CODES"}, KindBadCredentials, true},
	} {
		heard := &testenv.Heard{}
		port := testenv.StartScripted(t, testenv.Scripted{Protocol: "pop3", Caps: tt.caps, Heard: heard,
			Login: []string{"-ERR [AUTH] Authentication failed."}})
		srv := account.Server{Protocol: account.POP3, Host: "127.0.0.1", Port: port, Security: account.None, Username: "u"}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		rep := Run(ctx, Request{Servers: []account.Server{srv}, Password: "pw", AllowPlaintext: true, Timeout: 5 * time.Second})
		cancel()
		r := rep.Results[0]
		if r.OK || r.Diagnosis == nil || r.Diagnosis.Kind != tt.want {
			t.Errorf("CAPA %q: ok=%v diagnosis=%+v error=%s; want %s", tt.caps, r.OK, r.Diagnosis, r.Error, tt.want)
		}
		sent := false
		for _, l := range heard.Lines() {
			if strings.HasPrefix(strings.ToUpper(l), "USER ") || strings.HasPrefix(strings.ToUpper(l), "PASS ") {
				sent = true
			}
		}
		if sent != tt.user {
			t.Errorf("CAPA %q: USER/PASS sent = %v; want %v (heard %q)", tt.caps, sent, tt.user, heard.Lines())
		}
	}
}

// TestSMTPAuthNoStrayCancel: after the server's final 535, mailwiz sends
// no "*" (go-smtp cancels even a finished exchange; the server would log
// a "non-SMTP command"), and ends with QUIT.
func TestSMTPAuthNoStrayCancel(t *testing.T) {
	ca := testenv.NewCA(t)
	leaf := ca.Issue(t, "127.0.0.1")
	for _, caps := range [][]string{{"AUTH PLAIN"}, {"AUTH LOGIN"}} {
		heard := &testenv.Heard{}
		port := testenv.StartScripted(t, testenv.Scripted{Protocol: "smtp", TLS: leaf, Caps: caps, Heard: heard,
			Login: []string{"535 5.7.8 Error: authentication failed: UGFzc3dvcmQ6"}})
		srv := account.Server{Protocol: account.SMTP, Host: "127.0.0.1", Port: port, Security: account.SSL, Username: "u"}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		rep := Run(ctx, Request{Servers: []account.Server{srv}, Password: "pw", RootCAs: ca.Pool(), Timeout: 5 * time.Second})
		cancel()
		r := rep.Results[0]
		if r.OK || r.Diagnosis == nil || r.Diagnosis.Kind != KindBadCredentials {
			t.Errorf("%q: ok=%v diagnosis=%+v error=%s; want bad-credentials", caps, r.OK, r.Diagnosis, r.Error)
		}
		lines := heard.Lines()
		var verbs []string
		for _, l := range lines {
			v, _, _ := strings.Cut(l, " ")
			verbs = append(verbs, v)
		}
		if strings.Join(verbs, " ") != "EHLO AUTH QUIT" {
			t.Errorf("%q: the server heard %q; want EHLO, AUTH, QUIT and nothing else", caps, verbs)
		}
	}
}

// TestSCRAMIterationBound: a server asking for more PBKDF2 rounds than
// any real one uses is refused before the work starts (it cannot be
// interrupted), as a misbehaving server.
func TestSCRAMIterationBound(t *testing.T) {
	for _, tt := range []struct {
		rounds string
		bound  bool
	}{
		{"4096", false},
		{"1048576", false},
		{"1048577", true},
		{"99999999999999999999", true},
	} {
		c, err := saslClient(mechSCRAMSHA256, "u", "pw")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.Start(); err != nil {
			t.Fatal(err)
		}
		_, err = c.Next([]byte("r=someone-elses-nonce,s=QSXCR+Q6sek8bf92,i=" + tt.rounds))
		var me *MisbehavingError
		if got := errors.As(err, &me); got != tt.bound {
			t.Errorf("i=%s: err = %v; bounded = %v, want %v", tt.rounds, err, got, tt.bound)
		}
		// Under the bound, the conversation itself refuses the nonce.
		if !tt.bound && err == nil {
			t.Errorf("i=%s: a nonce that does not extend ours was accepted", tt.rounds)
		}
	}
}

// TestWantsTLSDetected: STARTTLS chosen for a port that speaks TLS from
// the first byte is found out in about two seconds, with a sentence saying
// to choose SSL/TLS, instead of waiting out the stage timeout and blaming
// the network.
func TestWantsTLSDetected(t *testing.T) {
	ca := testenv.NewCA(t)
	leaf := ca.Issue(t, "127.0.0.1")
	const timeout = 20 * time.Second
	for _, proto := range []account.Protocol{account.IMAP, account.POP3, account.SMTP} {
		t.Run(string(proto), func(t *testing.T) {
			t.Parallel()
			port := testenv.StartScripted(t, testenv.Scripted{Protocol: string(proto), TLS: leaf, Login: []string{"OK"}})
			srv := account.Server{Protocol: proto, Host: "127.0.0.1", Port: port, Security: account.STARTTLS, Username: "u"}
			start := time.Now()
			rep := Run(context.Background(), Request{Servers: []account.Server{srv}, Password: "pw", RootCAs: ca.Pool(), Timeout: timeout})
			took := time.Since(start)
			r := rep.Results[0]
			if !errors.Is(r.Err, ErrWantsTLS) || r.Diagnosis == nil || !strings.Contains(r.Diagnosis.In("en"), "wants SSL/TLS from the start") {
				t.Fatalf("after %s: stage=%s diagnosis=%+v error=%s; want the port found to speak TLS", took, r.Stage, r.Diagnosis, r.Error)
			}
			t.Logf("%s: found out after %s (stage timeout %s)", proto, took.Round(time.Millisecond), timeout)
		})
	}
}

// TestWantsTLSNotForSilentPorts: a port that stays silent and does not
// speak TLS either is a timeout as before (the network's fault, not a
// security mix-up).
func TestWantsTLSNotForSilentPorts(t *testing.T) {
	silent := testenv.StartSilent(t)
	srv := account.Server{Protocol: account.IMAP, Host: "127.0.0.1", Port: silent, Security: account.STARTTLS, Username: "u"}
	rep := Run(context.Background(), Request{Servers: []account.Server{srv}, Password: "pw", Timeout: 3 * time.Second})
	r := rep.Results[0]
	if errors.Is(r.Err, ErrWantsTLS) || r.Diagnosis == nil || r.Diagnosis.Kind != KindTimeout {
		t.Errorf("silent port: diagnosis=%+v error=%s; want a plain timeout", r.Diagnosis, r.Error)
	}
}

// TestMicrosoftRefusals: Microsoft's refusals of a password login, as
// each protocol words them, are "sign in with the browser"
// (oauth2-required), not "wrong password"; the same generic words from
// any other server stay a wrong password, and 5.7.139 with "credentials
// were incorrect" is one.
func TestMicrosoftRefusals(t *testing.T) {
	ms := func(p account.Protocol) account.Server {
		return account.Server{Protocol: p, Host: "outlook.office365.com", Port: 993, Security: account.SSL}
	}
	other := func(p account.Protocol) account.Server {
		return account.Server{Protocol: p, Host: "imap.example.test", Port: 993, Security: account.SSL}
	}
	imapNO := func(text string) error { return &imap.Error{Type: imap.StatusResponseTypeNo, Text: text} }
	smtp535 := func(text string) error {
		return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 139}, Message: text}
	}
	tests := []struct {
		name string
		err  error
		srv  account.Server
		want Kind
	}{
		{"IMAP LOGIN, Outlook.com", imapNO("LOGIN failed."), ms(account.IMAP), KindOAuth2Required},
		{"IMAP LOGIN elsewhere", imapNO("LOGIN failed."), other(account.IMAP), KindBadCredentials},
		{"IMAP AUTHENTICATE", imapNO("AUTHENTICATE failed."), ms(account.IMAP), KindOAuth2Required},
		{"IMAP basic auth off", imapNO("Basic authentication is disabled."), other(account.IMAP), KindOAuth2Required},
		{"IMAP LogonDenied", imapNO("AuthFailed:LogonDenied"), other(account.IMAP), KindOAuth2Required},
		{"IMAP account blocked", imapNO("LOGIN failed. Account is blocked. Login to your account via a web browser to verify your identity."), ms(account.IMAP), KindWebLogin},
		{"POP3 logon failure", &pop3.Error{Command: "PASS", Text: "Logon failure: unknown user name or bad password."}, ms(account.POP3), KindOAuth2Required},
		{"POP3 authentication failure", &pop3.Error{Command: "AUTH", Text: "Authentication failure: unknown user name or bad password."}, ms(account.POP3), KindOAuth2Required},
		{"POP3 elsewhere", &pop3.Error{Command: "PASS", Text: "Logon failure: unknown user name or bad password."}, other(account.POP3), KindBadCredentials},
		{"SMTP basic auth off", smtp535("5.7.139 Authentication unsuccessful, basic authentication is disabled."), ms(account.SMTP), KindOAuth2Required},
		{"SMTP tenant", smtp535("5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information."), ms(account.SMTP), KindOAuth2Required},
		{"SMTP security defaults", smtp535("5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator."), ms(account.SMTP), KindOAuth2Required},
		{"SMTP wrong password", smtp535("5.7.139 Authentication unsuccessful, the user credentials were incorrect."), ms(account.SMTP), KindBadCredentials},
		{"SMTP other 5.7.139", smtp535("5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator."), ms(account.SMTP), KindOAuth2Required},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _, _ := classify(tt.err, tt.srv, StageAuth); got != tt.want {
				t.Errorf("classify = %s; want %s", got, tt.want)
			}
		})
	}
}
