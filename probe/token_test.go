package probe

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/oauth"
)

// TestOAuth2Dovecot: a browser sign-in's token logs in to a real Dovecot
// that checks it at the authorization server, on IMAP, POP3 and
// Submission, with SSL and STARTTLS, in the provider's mechanism. Once
// the sign-in is withdrawn, every server refuses it and the report says
// so ("sign in again") in both languages, with the token in no text.
func TestOAuth2Dovecot(t *testing.T) {
	ca := testenv.NewCA(t)
	as := testenv.StartAuthServer(t, ca)
	as.AddClient("mailwiz-test", "")
	const canary = "tokcanary"
	as.Set(testenv.AuthBehaviour{TokenPrefix: canary})
	d := testenv.StartDovecotOAuth2(t, ca, as)
	flow := &oauth.Flow{
		Provider: oauth.Provider{ID: "test", Name: "Test Mail", Issuer: "127.0.0.1", AuthURL: as.AuthURL, TokenURL: as.TokenURL,
			IMAP: []string{"mail"}, POP3: []string{"mail"}, SMTP: []string{"mail"}, Mechanisms: []string{oauth.XOAUTH2}},
		Client:     oauth.Registration{Provider: "test", ClientID: "mailwiz-test", Redirect: oauth.RedirectLoopback},
		HTTPClient: as.Client(ca), OpenBrowser: as.Browser(ca), Timeout: 20 * time.Second,
	}
	tok, err := flow.SignIn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	servers := dovecotServers(d)
	for i := range servers {
		servers[i].Auth = account.AuthOAuth2
	}
	for _, mechs := range [][]string{{oauth.XOAUTH2}, nil} {
		login := &OAuth2Login{AccessToken: tok.AccessToken, Expiry: tok.Expiry, Provider: "Test Mail", Mechanisms: mechs}
		// No password at all: the token alone logs in.
		rep := Run(context.Background(), Request{Servers: servers, OAuth2: login, RootCAs: ca.Pool(), Timeout: 5 * time.Second})
		for _, r := range rep.Results {
			if !r.OK {
				t.Errorf("%v %s: stage=%s error=%s diagnosis=%+v", mechs, r.Server, r.Stage, r.Error, r.Diagnosis)
			}
		}
	}
	log := d.LogText()
	if n := strings.Count(log, "method=XOAUTH2"); n < len(servers) {
		t.Errorf("%d XOAUTH2 logins in Dovecot's log; want %d", n, len(servers))
	}
	if n := strings.Count(log, "method=OAUTHBEARER"); n < len(servers) {
		t.Errorf("%d OAUTHBEARER logins (the standard, with no provider preference); want %d", n, len(servers))
	}

	as.RevokeAll()
	login := &OAuth2Login{AccessToken: tok.AccessToken, Provider: "Test Mail"}
	rep := Run(context.Background(), Request{Servers: servers, OAuth2: login, RootCAs: ca.Pool(), Timeout: 5 * time.Second})
	js, _ := json.Marshal(rep)
	var texts []string
	for _, r := range rep.Results {
		if r.OK || r.Diagnosis == nil || r.Diagnosis.Kind != KindTokenRevoked || r.Stage != StageAuth {
			t.Errorf("%s after the revocation: ok=%v stage=%s diagnosis=%+v error=%s", r.Server, r.OK, r.Stage, r.Diagnosis, r.Error)
			continue
		}
		if !strings.Contains(r.Diagnosis.In("en"), "again") || !strings.Contains(r.Diagnosis.In("ru"), "снова") {
			t.Errorf("%s: %q / %q do not say to sign in again", r.Server, r.Diagnosis.In("en"), r.Diagnosis.In("ru"))
		}
		texts = append(texts, r.Error, r.Err.Error(), r.Diagnosis.In("en"), r.Diagnosis.In("ru"))
	}
	texts = append(texts, string(js))
	for _, s := range texts {
		for _, issued := range as.Issued() {
			if strings.Contains(s, issued) {
				t.Fatalf("a token reached a text: %q", s)
			}
		}
	}
}

// TestOAuth2NoMechanism: a server that takes no token mechanism gets no
// login and says which mechanisms it offers.
func TestOAuth2NoMechanism(t *testing.T) {
	ca := testenv.NewCA(t)
	leaf := ca.Issue(t, "127.0.0.1")
	heard := &testenv.Heard{}
	port := testenv.StartScripted(t, testenv.Scripted{Protocol: "imap", TLS: leaf, Caps: []string{"AUTH=PLAIN"}, Heard: heard, Login: []string{"OK yes"}})
	srv := account.Server{Protocol: account.IMAP, Host: "127.0.0.1", Port: port, Security: account.SSL, Username: "u", Auth: account.AuthOAuth2}
	rep := Run(context.Background(), Request{Servers: []account.Server{srv}, OAuth2: &OAuth2Login{AccessToken: "tok-12345"}, RootCAs: ca.Pool(), Timeout: 5 * time.Second})
	r := rep.Results[0]
	if r.OK || r.Diagnosis == nil || r.Diagnosis.Kind != KindNoCommonMechanism || !strings.Contains(r.Diagnosis.In("en"), "PLAIN") {
		t.Errorf("ok=%v diagnosis=%+v", r.OK, r.Diagnosis)
	}
	for _, l := range heard.Lines() {
		if strings.Contains(strings.ToUpper(l), "AUTHENTICATE") || strings.Contains(strings.ToUpper(l), "LOGIN") {
			t.Errorf("the server was asked to log in: %q", l)
		}
	}
}
