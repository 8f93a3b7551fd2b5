package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/oauth"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/store"
	"github.com/mailwiz/mailwiz/wizard"
)

// outlookLookup is Outlook.com as the database has it: OAuth2 only.
func outlookLookup(d string) (account.Config, bool) {
	return account.Config{
		Provider: &account.Provider{ID: "outlook", Name: "Outlook.com"},
		Incoming: []account.Server{{Protocol: account.IMAP, Host: "outlook.office365.com", Port: 993, Security: account.SSL, Username: "%EMAILADDRESS%", Auth: account.AuthOAuth2}},
		Outgoing: []account.Server{{Protocol: account.SMTP, Host: "smtp-mail.outlook.com", Port: 587, Security: account.STARTTLS, Username: "%EMAILADDRESS%", Auth: account.AuthOAuth2}},
		Hints:    []account.Hint{{Kind: account.HintOAuth2Required, Text: map[string]string{"en": "Sign in with Microsoft."}}},
		Source:   account.SourceBuiltin, SecureSource: true,
	}, d == "outlook.com"
}

// TestSignInButton: for Outlook.com the test page offers "Sign in with
// Microsoft"; after the sign-in the test runs at once with its token and
// no password, and Done offers to keep the sign-in.
func TestSignInButton(t *testing.T) {
	tested := make(chan wizard.TestRequest, 1)
	h := newHarness(t, wizard.Deps{Lookup: outlookLookup,
		SignIn: func(context.Context, wizard.SignInRequest) (wizard.SignedIn, error) {
			return wizard.SignedIn{ProviderID: "microsoft", Refresh: "r", Login: probe.OAuth2Login{AccessToken: "a", Provider: "Microsoft"}}, nil
		},
		Test: func(_ context.Context, req wizard.TestRequest, _ func(wizard.StageProgress)) wizard.TestReport {
			tested <- req
			ok := req.OAuth2 != nil && req.Password == ""
			return wizard.TestReport{OK: ok, Results: []wizard.ServerResult{{Server: req.Incoming, OK: ok}, {Server: req.Outgoing, OK: ok}}}
		},
		Save: func(context.Context, wizard.SaveRequest) error { return nil }})
	walkToTest(h, "kim@outlook.com")
	p := h.ui.testing
	if !p.signIn.Visible() || p.signIn.Text != "Sign in with Microsoft" {
		t.Fatalf("sign-in button visible=%v %q", p.signIn.Visible(), p.signIn.Text)
	}
	h.tap(p.signIn)
	// The sign-in's end reaches the page through the UI queue, which the
	// harness runs while it waits.
	var req wizard.TestRequest
	h.waitFor("the test after the sign-in", func() bool {
		select {
		case req = <-tested:
			return true
		default:
			return false
		}
	})
	if req.OAuth2 == nil || req.OAuth2.AccessToken != "a" || req.Password != "" {
		t.Errorf("test request %+v", req)
	}
	h.waitFor("a passing test", func() bool { r := h.ui.wiz.Testing().Report; return r != nil && r.OK })
	h.tap(h.ui.next)
	h.atStep(wizard.StepDone)
	if h.ui.done.save == nil || h.ui.done.save.Text != "Save the sign-in in the keychain" {
		t.Errorf("Done offers %v", h.ui.done.save)
	}
}

// TestKeptSignIn: an account saved signed in is tested with that sign-in
// when the window meets its address again, as `mailwiz test` does: the
// page says so and the test needs no password. A sign-in the provider
// withdrew is explained with the way on (sign in again), the button
// there.
func TestKeptSignIn(t *testing.T) {
	for _, withdrawn := range []bool{false, true} {
		h := newHarness(t, wizard.Deps{Lookup: outlookLookup, Test: fakeProbe,
			Saved: func(a account.Address) (*store.Account, error) {
				cfg, _ := outlookLookup("outlook.com")
				acct := store.NewAccount(a, cfg, "Kim")
				acct.OAuth2 = &store.OAuth2Ref{Provider: "microsoft"}
				return &acct, nil
			},
			SignIn: func(context.Context, wizard.SignInRequest) (wizard.SignedIn, error) {
				return wizard.SignedIn{}, errors.New("not in this test")
			},
			KeptSignIn: func(context.Context, *store.OAuth2Ref, account.Config) (*probe.OAuth2Login, error) {
				if withdrawn {
					return nil, &oauth.Error{Kind: oauth.KindRevoked, Provider: "Microsoft"}
				}
				return &probe.OAuth2Login{AccessToken: "fresh", Provider: "Microsoft"}, nil
			}})
		walkToTest(h, "kim@outlook.com")
		p := h.ui.testing
		if all := strings.Join(labelTexts(h.ui.scroll.Content), "|"); !strings.Contains(all, "kim@outlook.com was saved signed in with Microsoft") {
			t.Errorf("the page does not say the kept sign-in is used:\n%s", all)
		}
		h.tap(p.start)
		h.waitFor("the test's end", func() bool { st := h.ui.wiz.Testing(); return !st.Running && (st.Report != nil || st.Err != nil) })
		st := h.ui.wiz.Testing()
		if withdrawn {
			if st.Report != nil || !strings.Contains(p.status.Text, "withdrawn") || !p.signIn.Visible() {
				t.Errorf("withdrawn: report %v, status %q, sign-in button visible %v", st.Report, p.status.Text, p.signIn.Visible())
			}
			continue
		}
		if st.Report == nil || !st.Report.OK || h.ui.wiz.SignedInWith() != "Microsoft" {
			t.Errorf("kept sign-in: %+v; want a pass with it", st)
		}
	}
}
