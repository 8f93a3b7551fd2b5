package wizard

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/oauth"
	"github.com/mailwiz/mailwiz/probe"
)

// outlookConfig is Outlook.com as the database has it: OAuth2 only.
func outlookConfig() account.Config {
	return account.Config{
		Provider: &account.Provider{ID: "outlook", Name: "Outlook.com"},
		Incoming: []account.Server{{Protocol: account.IMAP, Host: "outlook.office365.com", Port: 993, Security: account.SSL, Username: "%EMAILADDRESS%", Auth: account.AuthOAuth2}},
		Outgoing: []account.Server{{Protocol: account.SMTP, Host: "smtp-mail.outlook.com", Port: 587, Security: account.STARTTLS, Username: "%EMAILADDRESS%", Auth: account.AuthOAuth2}},
		Source:   account.SourceBuiltin, SecureSource: true,
	}
}

// TestSignInInWindow: an Outlook.com account offers "Sign in with
// Microsoft"; after the sign-in the test runs with its token (no password)
// and Save keeps the sign-in, never as a password.
func TestSignInInWindow(t *testing.T) {
	r := newRecorder()
	var tested TestRequest
	var saved SaveRequest
	deps := Deps{
		Lookup: func(d string) (account.Config, bool) { return outlookConfig(), d == "outlook.com" },
		SignIn: func(_ context.Context, req SignInRequest) (SignedIn, error) {
			if req.Config.Incoming[0].Username != "kim@outlook.com" {
				t.Errorf("sign-in for %+v", req.Config.Incoming[0])
			}
			return SignedIn{ProviderID: "microsoft", Refresh: "refresh-xyz",
				Login: probe.OAuth2Login{AccessToken: "access-abc", Provider: "Microsoft"}}, nil
		},
		Test: func(_ context.Context, req TestRequest, _ func(StageProgress)) TestReport {
			tested = req
			ok := req.OAuth2 != nil && req.OAuth2.AccessToken == "access-abc" && req.Incoming.Auth == account.AuthOAuth2
			return TestReport{OK: ok, Results: []ServerResult{{Server: req.Incoming, OK: ok}, {Server: req.Outgoing, OK: ok}}}
		},
		Save: func(_ context.Context, req SaveRequest) error { saved = req; return nil },
	}
	w := New(deps, r.listen)
	defer w.Close()
	toServers(t, w, r, "kim@outlook.com")
	if name, ok := w.SignInProvider(); !ok || name != "Microsoft" {
		t.Fatalf("SignInProvider = %q %v", name, ok)
	}
	w.Next() // before-login
	w.Next() // test
	if err := w.SignIn(); err != nil {
		t.Fatal(err)
	}
	if e := r.waitFor(t, "sign-in", func(e Event) bool { _, ok := e.(SignInFinished); return ok }).(SignInFinished); e.Err != nil {
		t.Fatal(e.Err)
	}
	if w.SignedInWith() != "Microsoft" {
		t.Errorf("SignedInWith = %q", w.SignedInWith())
	}
	if err := w.StartTest(false); err != nil {
		t.Fatal(err)
	}
	if e := r.waitFor(t, "test", isTestDone).(TestFinished); !e.Report.OK {
		t.Fatalf("test with the sign-in: %+v (request %+v)", e.Report, tested)
	}
	if tested.Password != "" {
		t.Error("a password went with the signed-in test")
	}
	w.Save()
	r.waitFor(t, "save", isSaved)
	if saved.OAuth2 == nil || saved.OAuth2.Provider != "microsoft" || saved.OAuth2Refresh != "refresh-xyz" || saved.Password != "" {
		t.Errorf("save request %+v", saved)
	}
}

// TestSignInMessage: each failure of a sign-in reads as a sentence in
// both languages.
func TestSignInMessage(t *testing.T) {
	for _, err := range []error{&oauth.NoClientError{Provider: "microsoft", Name: "Microsoft"},
		&oauth.Error{Kind: oauth.KindRefused, Provider: "Microsoft"}, context.Canceled, errors.New("boom")} {
		en, ru := SignInMessage(err, "en"), SignInMessage(err, "ru")
		if en == "" || ru == "" || en == ru || strings.Contains(en, "%!") {
			t.Errorf("%T: %q / %q", err, en, ru)
		}
	}
}
