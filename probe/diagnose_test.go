package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-smtp"
	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe/pop3"
)

func TestClassify(t *testing.T) {
	imapSrv := account.Server{Protocol: account.IMAP, Host: "imap.example.test", Port: 993, Security: account.SSL}
	smtp25 := account.Server{Protocol: account.SMTP, Host: "smtp.example.test", Port: 25, Security: account.STARTTLS}
	smtp587 := smtp25
	smtp587.Port = 587
	tests := []struct {
		name  string
		err   error
		srv   account.Server
		stage Stage
		want  Kind
	}{
		{"dns", &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}, imapSrv, StageDNS, KindDNSFailed},
		{"refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, imapSrv, StageConnect, KindRefused},
		{"stage timeout", &StageTimeoutError{Stage: StageGreeting}, imapSrv, StageGreeting, KindTimeout},
		{"port 25 silent", &StageTimeoutError{Stage: StageConnect}, smtp25, StageConnect, KindPortBlocked},
		{"port 25 no greeting", &StageTimeoutError{Stage: StageGreeting}, smtp25, StageGreeting, KindPortBlocked},
		{"port 587 silent", &StageTimeoutError{Stage: StageConnect}, smtp587, StageConnect, KindTimeout},
		{"port 25 cancelled", &StageTimeoutError{Stage: StageConnect, Cancelled: true}, smtp25, StageConnect, KindTimeout},
		{"unknown authority", x509.UnknownAuthorityError{}, imapSrv, StageTLS, KindTLSUntrusted},
		{"hostname", fmt.Errorf("wrapped: %w", x509.HostnameError{Host: "x"}), imapSrv, StageTLS, KindTLSHostnameMismatch},
		{"expired", x509.CertificateInvalidError{Reason: x509.Expired}, imapSrv, StageTLS, KindTLSExpired},
		{"not yet valid CA", x509.CertificateInvalidError{Reason: x509.NotAuthorizedToSign}, imapSrv, StageTLS, KindTLSUntrusted},
		{"no STARTTLS", ErrSTARTTLSUnavailable, imapSrv, StageSTARTTLS, KindSTARTTLSUnavailable},
		{"no STLS", pop3.ErrSTLSUnavailable, imapSrv, StageSTARTTLS, KindSTARTTLSUnavailable},
		{"plaintext", ErrPlaintextRefused, imapSrv, StageAuth, KindPlaintextRefused},
		{"LOGINDISABLED", ErrServerRefusesPlaintext, imapSrv, StageAuth, KindPlaintextRefused},
		{"PRIVACYREQUIRED", &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodePrivacyRequired, Text: "TLS needed"}, imapSrv, StageAuth, KindPlaintextRefused},
		{"IMAP BYE at greeting", &imap.Error{Type: imap.StatusResponseTypeBye, Text: "Too many connections from your IP"}, imapSrv, StageGreeting, KindTooManyConnections},
		{"IMAP unknown NO at auth", &imap.Error{Type: imap.StatusResponseTypeNo, Text: "nope"}, imapSrv, StageAuth, KindBadCredentials},
		{"IMAP BAD at auth", &imap.Error{Type: imap.StatusResponseTypeBad, Text: "syntax"}, imapSrv, StageAuth, KindServerError},
		{"SMTP 421 at greeting", &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Service not available"}, smtp587, StageGreeting, KindServerError},
		{"SMTP 454 at auth", &smtp.SMTPError{Code: 454, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Temporary authentication failure"}, smtp587, StageAuth, KindServerError},
		{"SMTP 5.7.11", &smtp.SMTPError{Code: 538, EnhancedCode: smtp.EnhancedCode{5, 7, 11}, Message: "Encryption required"}, smtp587, StageAuth, KindPlaintextRefused},
		{"net timeout", &net.OpError{Op: "read", Err: timeoutErr{}}, imapSrv, StageAuth, KindTimeout},
		{"anything else", errors.New("boom"), imapSrv, StageAuth, KindServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _, _ := classify(tt.err, tt.srv, tt.stage); got != tt.want {
				t.Errorf("classify = %s; want %s", got, tt.want)
			}
		})
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// Every kind has a sentence in both languages, with the host filled in
// where the sentence names it and no formatting debris.
func TestTexts(t *testing.T) {
	srv := account.Server{Protocol: account.IMAP, Host: "imap.example.test", Port: 993}
	for _, k := range Kinds {
		for _, lang := range []string{"en", "ru"} {
			s := explain(k, srv, lang)
			if s == "" || strings.Contains(s, "%!") || strings.Contains(s, "%[") {
				t.Errorf("%s/%s: %q", k, lang, s)
			}
			if lang == "ru" && s == explain(k, srv, "en") {
				t.Errorf("%s: the Russian text is the English one", k)
			}
		}
	}
}

// A provider whose hints say an app password is needed gets that said with
// a refused password, with the provider's own link.
func TestDiagnoseUsesProviderHints(t *testing.T) {
	prov := &account.Config{Provider: &account.Provider{ID: "yandex", Name: "Yandex"}, Hints: []account.Hint{
		{Kind: account.HintAppPassword, URL: "https://id.yandex.ru/security/app-passwords", Text: map[string]string{"en": "x"}},
		{Kind: account.HintEnableIMAP, URL: "https://mail.yandex.ru/#setup/client", Text: map[string]string{"en": "y"}},
	}}
	srv := account.Server{Protocol: account.IMAP, Host: "imap.yandex.ru", Port: 993}
	d := diagnose(&imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: "LOGIN Invalid credentials or IMAP is disabled"}, srv, StageAuth, prov)
	if d.Kind != KindBadCredentials || !strings.Contains(d.In("en"), "app password") || !strings.Contains(d.In("en"), "IMAP access") || !strings.Contains(d.In("ru"), "пароль приложения") {
		t.Errorf("diagnosis %+v; want bad-credentials that mentions the app password and IMAP access", d)
	}
	if d.URL != "https://id.yandex.ru/security/app-passwords" {
		t.Errorf("URL %q; want the provider's app-password page", d.URL)
	}
	// Without provider, no invented link.
	d = diagnose(&imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: "Invalid credentials"}, srv, StageAuth, nil)
	if d.URL != "" || strings.Contains(d.In("en"), "app password") {
		t.Errorf("diagnosis %+v; want plain bad-credentials", d)
	}
}

func TestDNSFailed(t *testing.T) {
	dns := testenv.StartDNS(t, testenv.Zone{})
	rep := Run(context.Background(), Request{
		Servers:  []account.Server{{Protocol: account.IMAP, Host: "nowhere.example.test", Port: 993, Security: account.SSL, Username: "u"}},
		Password: "pw", Resolver: dns.Resolver(), Timeout: 5 * time.Second,
	})
	r := rep.Results[0]
	if rep.OK || r.Stage != StageDNS || r.Diagnosis == nil || r.Diagnosis.Kind != KindDNSFailed || !strings.Contains(r.Diagnosis.In("en"), "nowhere.example.test") {
		t.Errorf("result %+v; want dns-failed at dns naming the host", r)
	}
}

// Cancelling the context ends a test stuck on a silent server long before
// its stage timeout, and says it was cancelled.
func TestCancel(t *testing.T) {
	silent := testenv.StartSilent(t)
	srv := account.Server{Protocol: account.IMAP, Host: "127.0.0.1", Port: silent, Security: account.SSL, Username: "u"}
	smtpSrv := srv
	smtpSrv.Protocol, smtpSrv.Security = account.SMTP, account.STARTTLS
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{}, 4)
	done := make(chan Report, 1)
	go func() {
		done <- Run(ctx, Request{Servers: []account.Server{srv, smtpSrv}, Password: "pw", Timeout: time.Minute,
			Events: func(e Event) {
				if !e.Done && (e.Stage == StageTLS || e.Stage == StageGreeting) {
					started <- struct{}{}
				}
			}})
	}()
	<-started
	<-started
	cancel()
	select {
	case rep := <-done:
		for _, r := range rep.Results {
			var te *StageTimeoutError
			if r.OK || !errors.As(r.Err, &te) || !te.Cancelled || !strings.Contains(r.Error, "cancelled") {
				t.Errorf("%s: %+v; want a cancelled stage", r.Server, r)
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run still running 10 s after cancel, with a one-minute stage timeout")
	}
}

// BenchmarkCancel measures how long Run takes to return once cancelled
// while waiting on silent servers (goal: well under 100 ms).
func BenchmarkCancel(b *testing.B) {
	silent := testenv.StartSilent(b)
	servers := []account.Server{
		{Protocol: account.IMAP, Host: "127.0.0.1", Port: silent, Security: account.SSL, Username: "u"},
		{Protocol: account.POP3, Host: "127.0.0.1", Port: silent, Security: account.STARTTLS, Username: "u"},
		{Protocol: account.SMTP, Host: "127.0.0.1", Port: silent, Security: account.STARTTLS, Username: "u"},
	}
	var total time.Duration
	for i := 0; i < b.N; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		started := make(chan struct{}, len(servers))
		done := make(chan struct{})
		go func() {
			Run(ctx, Request{Servers: servers, Password: "pw", Timeout: time.Minute, Events: func(e Event) {
				if !e.Done && (e.Stage == StageTLS || e.Stage == StageGreeting) {
					started <- struct{}{}
				}
			}})
			close(done)
		}()
		for range servers {
			<-started
		}
		t0 := time.Now()
		cancel()
		<-done
		total += time.Since(t0)
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms-to-return")
}

// The two classic mix-ups of port and security get their own words.
func TestPortSecurityMixups(t *testing.T) {
	imap143 := account.Server{Protocol: account.IMAP, Host: "imap.example.test", Port: 143, Security: account.SSL}
	d := diagnose(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, imap143, StageTLS, nil)
	if d.Kind != KindServerError || !strings.Contains(d.In("en"), "Choose STARTTLS") {
		t.Errorf("SSL on a plaintext port: %+v", d)
	}
	imap993 := account.Server{Protocol: account.IMAP, Host: "imap.example.test", Port: 993, Security: account.STARTTLS}
	d = diagnose(&StageTimeoutError{Stage: StageGreeting}, imap993, StageGreeting, nil)
	if d.Kind != KindTimeout || !strings.Contains(d.In("en"), "Choose SSL") {
		t.Errorf("STARTTLS on an implicit-TLS port: %+v", d)
	}
}
