package probe

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// TestCertificateException: a real Dovecot whose certificate this client
// does not trust (its CA is not in RootCAs), on all six listeners, so the
// implicit-TLS and the STARTTLS paths of IMAP, POP3 and SMTP are each
// covered. Only the exact leaf the user accepted gets through.
func TestCertificateException(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	servers := dovecotServers(d)
	stranger := testenv.NewCA(t) // the only CA this client trusts
	leafFP := Fingerprint(d.Leaf.TLS.Certificate[0])
	// A certificate for the very same names from another CA: what a man in
	// the middle would show. Accepting it must not accept Dovecot's.
	impostor := Fingerprint(stranger.Issue(t, testenv.DovecotHost, "127.0.0.1").TLS.Certificate[0])
	// People paste fingerprints in every spelling.
	bare := strings.ToLower(strings.ReplaceAll(leafFP, ":", ""))

	run := func(t *testing.T, trusted ...string) Report {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return Run(ctx, Request{Servers: servers, Password: testenv.DovecotPassword, RootCAs: stranger.Pool(),
			TrustedCerts: trusted, Timeout: 5 * time.Second})
	}
	wantRefused := func(t *testing.T, rep Report) {
		t.Helper()
		if rep.OK {
			t.Error("Report.OK = true; want the untrusted certificate refused")
		}
		for _, r := range rep.Results {
			want := StageTLS
			if r.Server.Security == account.STARTTLS {
				want = StageSTARTTLS
			}
			if r.OK || r.Stage != want || kindOf(r) != KindTLSUntrusted || r.TLS == nil || r.TLS.Verified || r.TLS.Exception {
				t.Errorf("%s: ok=%v stage=%s kind=%v tls=%+v; want tls-untrusted at %s, no exception", r.Server, r.OK, r.Stage, kindOf(r), r.TLS, want)
				continue
			}
			if r.TLS.SHA256 != leafFP || r.Diagnosis.CertSHA256 != leafFP {
				t.Errorf("%s: fingerprint shown %q, diagnosis names %q; want Dovecot's %s", r.Server, r.TLS.SHA256, r.Diagnosis.CertSHA256, leafFP)
			}
			for _, lang := range []string{"en", "ru"} {
				if !strings.Contains(r.Diagnosis.In(lang), leafFP) {
					t.Errorf("%s: the %s text does not give the fingerprint: %q", r.Server, lang, r.Diagnosis.In(lang))
				}
			}
		}
	}

	t.Run("no exception", func(t *testing.T) { wantRefused(t, run(t)) })
	t.Run("another certificate's fingerprint", func(t *testing.T) { wantRefused(t, run(t, impostor)) })
	t.Run("a malformed entry matches nothing", func(t *testing.T) { wantRefused(t, run(t, "", "zz", leafFP[:20])) })
	t.Run("the accepted certificate", func(t *testing.T) {
		rep := run(t, impostor, bare)
		if !rep.OK {
			t.Error("Report.OK = false; want every login through the exception")
		}
		for _, r := range rep.Results {
			if !r.OK || r.Stage != StageDone || r.Diagnosis != nil {
				t.Errorf("%s: ok=%v stage=%s error=%q; want done", r.Server, r.OK, r.Stage, r.Error)
			}
			if r.TLS == nil || r.TLS.Verified || !r.TLS.Exception || r.TLS.SHA256 != leafFP {
				t.Errorf("%s: tls=%+v; want verified=false exception=true for %s", r.Server, r.TLS, leafFP)
			}
		}
	})
	t.Run("the round trip reconnects through it", func(t *testing.T) {
		addr, err := account.ParseAddress(testenv.DovecotUser)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		rep := Run(ctx, Request{Address: addr, Servers: []account.Server{servers[1], servers[5]}, Password: testenv.DovecotPassword,
			RootCAs: stranger.Pool(), TrustedCerts: []string{leafFP}, Timeout: 5 * time.Second, DeliveryTimeout: 20 * time.Second, SendTest: true})
		if st := rep.SendTest; !rep.OK || st == nil || !st.OK || st.Stage != StageDone {
			t.Errorf("send test through the exception = %+v (ok=%v); want done\n%s", rep.SendTest, rep.OK, d.LogText())
		}
	})
	t.Run("trusted certificates need no exception", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		rep := Run(ctx, Request{Servers: servers[:1], Password: testenv.DovecotPassword, RootCAs: ca.Pool(), TrustedCerts: []string{leafFP}, Timeout: 5 * time.Second})
		if r := rep.Results[0]; !r.OK || r.TLS == nil || !r.TLS.Verified || r.TLS.Exception {
			t.Errorf("tls=%+v ok=%v; want verified without an exception", r.TLS, r.OK)
		}
	})
}

// TestExceptionCoversNameAndDate: the other two refusals an exception
// overrides, each for its one certificate, on a scripted server whose
// login succeeds.
func TestExceptionCoversNameAndDate(t *testing.T) {
	ca := testenv.NewCA(t)
	for _, tc := range []struct {
		name string
		leaf *testenv.Leaf
		want Kind
	}{
		{"hostname mismatch", ca.Issue(t, "elsewhere.example.test"), KindTLSHostnameMismatch},
		{"expired", ca.IssueWith(t, testenv.LeafOptions{NotBefore: time.Now().Add(-72 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}, "127.0.0.1"), KindTLSExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := testenv.StartScripted(t, testenv.Scripted{Protocol: "imap", TLS: tc.leaf, Login: []string{"OK logged in"}})
			srv := account.Server{Protocol: account.IMAP, Host: "127.0.0.1", Port: port, Security: account.SSL, Username: "u"}
			fp := Fingerprint(tc.leaf.TLS.Certificate[0])
			req := Request{Servers: []account.Server{srv}, Password: "canary-pw", RootCAs: ca.Pool(), Timeout: 5 * time.Second}

			r := Run(context.Background(), req).Results[0]
			if r.OK || r.Stage != StageTLS || kindOf(r) != tc.want || r.Diagnosis.CertSHA256 != fp {
				t.Fatalf("without exception: ok=%v stage=%s kind=%s cert=%q; want %s naming %s", r.OK, r.Stage, kindOf(r), r.Diagnosis.CertSHA256, tc.want, fp)
			}
			v := Report{Results: []Result{r}}.View("en").Results[0]
			// The CLI adds how to accept it with its flag; probe names no flag.
			if !strings.Contains(v.Diagnosis.Text, fp) || strings.Contains(v.Diagnosis.Text, "--trust-cert") {
				t.Errorf("the view's text should name the fingerprint and no flag: %q", v.Diagnosis.Text)
			}
			if strings.Contains(r.Diagnosis.In("en"), "--trust-cert") {
				t.Errorf("the text the GUI shows names a command-line flag: %q", r.Diagnosis.In("en"))
			}

			req.TrustedCerts = []string{fp}
			r = Run(context.Background(), req).Results[0]
			if !r.OK || r.TLS == nil || !r.TLS.Exception || r.TLS.Verified {
				t.Errorf("with exception: ok=%v stage=%s error=%q tls=%+v; want done through the exception", r.OK, r.Stage, r.Error, r.TLS)
			}
		})
	}
}

func TestParseFingerprint(t *testing.T) {
	const canon = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"
	bare := strings.ReplaceAll(canon, ":", "")
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: canon, want: canon},
		{in: strings.ToLower(canon), want: canon},
		{in: bare, want: canon},
		{in: strings.ToLower(bare), want: canon},
		{in: "  SHA256:" + bare + "\n", want: canon},
		{in: "sha256=" + strings.ToLower(canon), want: canon},
		{in: strings.ReplaceAll(canon, ":", " "), want: canon},
		{in: "", err: "needs 64 hex digits"},
		{in: bare[:62], err: "this has 62"},
		{in: bare + "00", err: "this has 66"},
		{in: "G" + bare[1:], err: "only the hex digits"},
		{in: strings.Repeat("x", 500), err: "…"},
	} {
		got, err := ParseFingerprint(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "probe: ") {
				t.Errorf("ParseFingerprint(%q) = %q, %v; want an error containing %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseFingerprint(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// FuzzParseFingerprint: any input gives an error or a canonical fingerprint
// that reads back as itself.
func FuzzParseFingerprint(f *testing.F) {
	for _, s := range []string{"", "AB:CD", strings.Repeat("0", 64), "sha256:" + strings.Repeat("aB", 32), strings.Repeat("0:", 32)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseFingerprint(s)
		if err != nil {
			return
		}
		if len(got) != 95 {
			t.Fatalf("ParseFingerprint(%q) = %q: not the 95-character canonical form", s, got)
		}
		if again, err := ParseFingerprint(got); err != nil || again != got {
			t.Fatalf("ParseFingerprint(%q) = %q, %v; want it to read back unchanged", got, again, err)
		}
	})
}

// Fingerprint is the SHA-256 of the bytes given, in the canonical form
// (FIPS 180-2's "abc" vector).
func TestFingerprintForm(t *testing.T) {
	const want = "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"
	if got := Fingerprint([]byte("abc")); got != want {
		t.Errorf("Fingerprint(abc) = %q; want %q", got, want)
	}
}
