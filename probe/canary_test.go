package probe

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// TestServerEchoesPassword: a server that quotes the password in its
// refusal must not get it into any text Run hands out: Result.Error, the
// error values of the Result and of every Event.
func TestServerEchoesPassword(t *testing.T) {
	const canary = "canary-Pw-7f3e9"
	ca := testenv.NewCA(t)
	leaf := ca.Issue(t, "127.0.0.1")
	var servers []account.Server
	for _, s := range []struct {
		proto account.Protocol
		login []string
	}{
		{account.IMAP, []string{"NO [AUTHENTICATIONFAILED] wrong password " + canary}},
		{account.POP3, []string{"-ERR [AUTH] wrong password " + canary}},
		{account.SMTP, []string{"535 5.7.8 wrong password " + canary}},
	} {
		port := testenv.StartScripted(t, testenv.Scripted{Protocol: string(s.proto), TLS: leaf, Login: s.login})
		servers = append(servers, account.Server{Protocol: s.proto, Host: "127.0.0.1", Port: port, Security: account.SSL, Username: "u"})
	}
	var mu sync.Mutex
	var texts []string
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep := Run(ctx, Request{Servers: servers, Password: canary, RootCAs: ca.Pool(), Timeout: 5 * time.Second,
		Events: func(e Event) {
			if e.Err != nil {
				mu.Lock()
				texts = append(texts, e.Err.Error())
				mu.Unlock()
			}
		}})
	for _, r := range rep.Results {
		if r.OK || r.Err == nil || r.Stage != StageAuth {
			t.Fatalf("%s: ok=%v stage=%s err=%v; want a refused login", r.Server, r.OK, r.Stage, r.Err)
		}
		if !strings.Contains(r.Error, "****") {
			t.Errorf("%s: %q does not show where the password was cut out", r.Server, r.Error)
		}
		texts = append(texts, r.Error, r.Err.Error())
	}
	if len(texts) != 3*3 {
		t.Errorf("%d error texts; want 3 servers × (event, Error, Err)", len(texts))
	}
	for _, s := range texts {
		if strings.Contains(s, canary) {
			t.Errorf("the password reached an error text: %q", s)
		}
	}
}
