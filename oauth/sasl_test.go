package oauth

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

func TestSASLInitialResponses(t *testing.T) {
	for _, tc := range []struct {
		mech, user, token, host string
		port                    int
		want                    string
	}{
		{"xoauth2", "alice@example.com", "tok", "", 0, "user=alice@example.com\x01auth=Bearer tok\x01\x01"},
		{OAUTHBEARER, "alice@example.com", "tok", "imap.example.com", 993,
			"n,a=alice@example.com,\x01host=imap.example.com\x01port=993\x01auth=Bearer tok\x01\x01"},
	} {
		c, err := NewSASL(tc.mech, tc.user, tc.token, tc.host, tc.port)
		if err != nil {
			t.Fatal(err)
		}
		mech, ir, err := c.Start()
		if err != nil || mech != strings.ToUpper(tc.mech) || string(ir) != tc.want {
			t.Errorf("%s: Start = %q %q %v, want %q", tc.mech, mech, ir, err, tc.want)
		}
	}
	for _, tc := range []struct{ mech, user, token string }{
		{XOAUTH2, "a\x01b", "tok"},
		{OAUTHBEARER, "a,b@example.com", "tok"},
		{XOAUTH2, "a@b", ""},
		{XOAUTH2, "a@b", "tok\x01auth=x"},
		{"PLAIN", "a@b", "tok"},
	} {
		if _, err := NewSASL(tc.mech, tc.user, tc.token, "", 0); err == nil {
			t.Errorf("NewSASL(%q, %q, %q) accepted", tc.mech, tc.user, tc.token)
		} else if tc.token != "" && strings.Contains(err.Error(), tc.token) {
			t.Errorf("the error quotes the token: %v", err)
		}
	}
}

func TestSASLAnswersChallenge(t *testing.T) {
	for mech, want := range map[string]string{XOAUTH2: "", OAUTHBEARER: "\x01"} {
		c, _ := NewSASL(mech, "a@b", "tok", "", 0)
		resp, err := c.Next([]byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`))
		if err != nil || string(resp) != want {
			t.Errorf("%s: Next = %q, %v; want %q", mech, resp, err, want)
		}
		if _, err := c.Next([]byte("again")); err == nil {
			t.Errorf("%s: a second challenge was answered", mech)
		}
		if ch, ok := c.Challenge(); !ok || ch.Status != "401" || ch.Scope != "https://mail.google.com/" {
			t.Errorf("%s: Challenge = %+v %v", mech, ch, ok)
		}
	}
}

func TestDiagnose(t *testing.T) {
	past, future := time.Now().Add(-time.Minute), time.Now().Add(time.Hour)
	b64 := func(s string) []byte { return []byte(base64.StdEncoding.EncodeToString([]byte(s))) }
	for _, tc := range []struct {
		name      string
		challenge []byte
		text      string
		expiry    time.Time
		want      Kind // "" for nil
	}{
		{"google 401", []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`), "Invalid credentials (Failure)", future, KindRevoked},
		{"google 401 in base64, expired", b64(`{"status":"401","schemes":"Bearer"}`), "", past, KindExpired},
		{"rfc 7628 invalid_token", []byte(`{"status":"invalid_token"}`), "", time.Time{}, KindRevoked},
		{"rfc 7628 insufficient_scope", []byte(`{"status":"insufficient_scope","scope":"mail.imap"}`), "", future, KindWrongScope},
		{"403", []byte(`{"status":"403"}`), "", future, KindWrongScope},
		{"microsoft smtp disabled", nil, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.", future, KindTenantBlocked},
		{"microsoft imap off", nil, "User is authenticated but not connected.", future, KindTenantBlocked},
		{"consent", nil, "AADSTS65001: The user or administrator has not consented", future, KindConsent},
		{"no challenge, expired token", nil, "AUTHENTICATE failed.", past, KindExpired},
		{"no challenge, nothing known", nil, "AUTHENTICATE failed.", future, ""},
		{"garbage challenge", []byte("%%%"), "", future, ""},
		{"huge challenge", []byte("{" + strings.Repeat(" ", 5000) + `"status":"401"}`), "", future, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := Diagnose("Microsoft", tc.challenge, tc.text, tc.expiry)
			switch {
			case tc.want == "" && e != nil:
				t.Fatalf("Diagnose = %v, want nil", e)
			case tc.want != "" && (e == nil || e.Kind != tc.want):
				t.Fatalf("Diagnose = %v, want %s", e, tc.want)
			}
			if e != nil && (e.Message("ru") == e.Message("en") || !strings.Contains(e.Message("en"), ". ")) {
				t.Errorf("texts: %q / %q", e.Message("en"), e.Message("ru"))
			}
		})
	}
}

func TestErrorTexts(t *testing.T) {
	for k := range texts {
		e := &Error{Kind: k, Provider: "Microsoft", Code: "x\x1b[2J", Detail: "line\nnext\u202e"}
		e.Code, e.Detail = Clean(e.Code, 40), Clean(e.Detail, 200)
		for _, lang := range []string{"en", "ru"} {
			m := e.Message(lang)
			if strings.ContainsAny(m, "\x1b\n\u202e{}") || !strings.Contains(m, "Microsoft") && k != KindWrongState && k != KindCanceled && k != KindBrowser && k != KindTenantBlocked {
				t.Errorf("%s %s: %q", k, lang, m)
			}
		}
	}
	if got := Clean(strings.Repeat("я", 300), 10); got != strings.Repeat("я", 10)+"…" {
		t.Errorf("Clean cut to %q", got)
	}
}
