package wizard

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/oauth"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/store"
	"golang.org/x/oauth2"
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
	sending := make(chan SendingRequest, 1)
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
		CheckSending: func(_ context.Context, req SendingRequest) (SendingReport, error) {
			sending <- req
			return SendingReport{}, nil
		},
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
	// The sending check logs in with the same sign-in.
	if err := w.CheckSending(SendingOptions{Lang: "en"}); err != nil {
		t.Fatalf("sending check of a signed-in account: %v", err)
	}
	if req := <-sending; req.OAuth2 == nil || req.OAuth2.AccessToken != "access-abc" || req.Password != "" {
		t.Errorf("sending request %+v", req)
	}
	r.waitFor(t, "sending check", func(e Event) bool { _, ok := e.(SendingFinished); return ok })
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
		&oauth.Error{Kind: oauth.KindRefused, Provider: "Microsoft"}, context.Canceled, ErrNoRefreshToken, errors.New("boom")} {
		en, ru := SignInMessage(err, "en"), SignInMessage(err, "ru")
		if en == "" || ru == "" || en == ru || strings.Contains(en, "%!") {
			t.Errorf("%T: %q / %q", err, en, ru)
		}
	}
}

// TestSetUpSignIn: both faces ask the provider for the scopes of just the
// protocols that sign in (an Outlook.com account with a password SMTP
// server asks for IMAP only), with the address as the login hint.
func TestSetUpSignIn(t *testing.T) {
	addr, _ := account.ParseAddress("ann@outlook.com")
	both := ForSignIn(outlookConfig()).For(addr)
	imapOnly := both
	imapOnly.Outgoing = []account.Server{{Protocol: account.SMTP, Host: "smtp.example.net", Port: 465, Security: account.SSL, Username: "ann", Auth: account.AuthPassword}}
	pop := ForSignIn(outlookConfig())
	pop.Incoming = []account.Server{{Protocol: account.POP3, Host: "outlook.office365.com", Port: 995, Security: account.SSL, Username: "%EMAILADDRESS%"}}
	pop = ForSignIn(pop).For(addr)
	for _, c := range []struct {
		name string
		cfg  account.Config
		want []account.Protocol
	}{
		{"imap+smtp", both, []account.Protocol{account.IMAP, account.SMTP}},
		{"imap only", imapOnly, []account.Protocol{account.IMAP}},
		{"pop3+smtp", pop, []account.Protocol{account.POP3, account.SMTP}},
	} {
		f := &oauth.Flow{Protocols: []account.Protocol{account.SMTP, account.SMTP}}
		SetUpSignIn(f, addr, c.cfg)
		if !slices.Equal(f.Protocols, c.want) || f.LoginHint != "ann@outlook.com" {
			t.Errorf("%s: protocols %v, hint %q; want %v, ann@outlook.com", c.name, f.Protocols, f.LoginHint, c.want)
		}
	}
}

// TestNewSignedIn: a sign-in without a refresh token cannot be kept, and
// says so rather than saving an account whose sign-in is missing.
func TestNewSignedIn(t *testing.T) {
	flow := &oauth.Flow{Provider: oauth.Provider{ID: "microsoft", Name: "Microsoft", Mechanisms: []string{"XOAUTH2"}}, Client: oauth.Registration{Tenant: "common"}}
	if _, err := NewSignedIn(flow, &oauth2.Token{AccessToken: "at"}); !errors.Is(err, ErrNoRefreshToken) {
		t.Errorf("no refresh token: %v; want ErrNoRefreshToken", err)
	}
	si, err := NewSignedIn(flow, &oauth2.Token{AccessToken: "at", RefreshToken: "rt"})
	if err != nil || si.Refresh != "rt" || si.Login.AccessToken != "at" || si.ProviderID != "microsoft" || si.Tenant != "common" || si.Login.Provider != "Microsoft" {
		t.Errorf("got %+v, %v", si, err)
	}
}

// TestKeptSignInInWindow: an account saved signed in (as `mailwiz signin`
// or the window's Save keeps it) is tested with that sign-in, as `mailwiz
// test` does: no password, no new sign-in; Save keeps it without a new
// refresh token. A sign-in the provider withdrew stops the test with
// KeptSignInError, and nothing reaches a server.
func TestKeptSignInInWindow(t *testing.T) {
	for _, withdrawn := range []bool{false, true} {
		r := newRecorder()
		var tested *TestRequest
		var saved SaveRequest
		var keptFor account.Config
		deps := Deps{
			Lookup: func(d string) (account.Config, bool) { return outlookConfig(), d == "outlook.com" },
			Saved: func(account.Address) (*store.Account, error) {
				a, _ := account.ParseAddress("kim@outlook.com")
				acct := store.NewAccount(a, outlookConfig(), "Kim")
				acct.OAuth2 = &store.OAuth2Ref{Provider: "microsoft", Tenant: "consumers"}
				return &acct, nil
			},
			SignIn: func(context.Context, SignInRequest) (SignedIn, error) {
				t.Error("signed in again although a sign-in is kept")
				return SignedIn{}, errors.New("no")
			},
			KeptSignIn: func(_ context.Context, kept *store.OAuth2Ref, cfg account.Config) (*probe.OAuth2Login, error) {
				keptFor = cfg
				if kept.Provider != "microsoft" || kept.Tenant != "consumers" {
					t.Errorf("kept %+v", kept)
				}
				if withdrawn {
					return nil, &oauth.Error{Kind: oauth.KindRevoked, Provider: "Microsoft", Code: "invalid_grant"}
				}
				return &probe.OAuth2Login{AccessToken: "fresh", Provider: "Microsoft"}, nil
			},
			Test: func(_ context.Context, req TestRequest, _ func(StageProgress)) TestReport {
				tested = &req
				ok := req.OAuth2 != nil && req.OAuth2.AccessToken == "fresh"
				return TestReport{OK: ok, Results: []ServerResult{{Server: req.Incoming, OK: ok}, {Server: req.Outgoing, OK: ok}}}
			},
			Save: func(_ context.Context, req SaveRequest) error { saved = req; return nil },
		}
		w := New(deps, r.listen)
		toServers(t, w, r, "kim@outlook.com")
		if got := w.KeptSignInWith(); got != "Microsoft" {
			t.Errorf("KeptSignInWith = %q; want Microsoft", got)
		}
		w.Next() // before-login
		w.Next() // test
		if err := w.StartTest(false); err != nil {
			t.Fatal(err)
		}
		r.waitFor(t, "test", isTestDone)
		w.Wait()
		if keptFor.Incoming[0].Username != "kim@outlook.com" {
			t.Errorf("the kept sign-in was asked for %+v; want usernames expanded", keptFor.Incoming)
		}
		st := w.Testing()
		if withdrawn {
			var ke *KeptSignInError
			if !errors.As(st.Err, &ke) || tested != nil || !strings.Contains(SignInMessage(ke.Err, "en"), "sign") {
				t.Errorf("withdrawn: err %v, tested %v; want KeptSignInError and no test", st.Err, tested)
			}
			w.Close()
			continue
		}
		if st.Report == nil || !st.Report.OK || tested.Password != "" || w.SignedInWith() != "Microsoft" {
			t.Fatalf("test %+v, request %+v; want passed with the kept sign-in and no password", st, tested)
		}
		w.Save()
		r.waitFor(t, "save", isSaved)
		if saved.OAuth2 == nil || saved.OAuth2.Provider != "microsoft" || saved.OAuth2.Tenant != "consumers" || saved.OAuth2Refresh != "" || saved.Password != "" || saved.Name != "Kim" {
			t.Errorf("save request %+v; want the kept sign-in, no new token, no password", saved)
		}
		w.Close()
	}
}
