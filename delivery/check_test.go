package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func smtpServer(port int) account.Server {
	return account.Server{Protocol: account.SMTP, Host: "smtp.example.test", Port: port, Security: account.SSL, Username: "alice@example.test"}
}

// forbidding is a provider like Yandex: the database knows From must
// match the login.
func forbidding() *account.Config {
	return &account.Config{Provider: &account.Provider{ID: "yandex", Name: "Yandex"}, Domains: []string{"example.test"},
		Hints: []account.Hint{{Kind: account.HintFromMustMatch}}}
}

func delivered(t *testing.T, from string, extra ...string) []byte {
	t.Helper()
	h := strings.Join(extra, "\r\n")
	if h != "" {
		h += "\r\n"
	}
	return []byte(h + "From: " + from + "\r\nTo: alice@example.test\r\nSubject: mailwiz\r\n\r\nbody\r\n")
}

func TestCheck(t *testing.T) {
	dns := testenv.StartDNS(t, zone())
	tests := []struct {
		name string
		req  Request
		// want: check → level, for the findings that matter.
		want map[string]Level
		// record a finding must carry.
		record string
	}{
		{"refused-by-provider", Request{Account: "alice@example.test", From: "news@none.test", SMTP: smtpServer(465), IncomingHost: "imap.example.test", Config: forbidding(),
			Sent: &Sent{Reply: &ServerReply{553, "5.7.1", "<news@none.test>: Sender address rejected: not owned by user alice@example.test"}}},
			map[string]Level{"database": Warn, "substitution": Fail, "spf": Fail, "dmarc": Info, "limits": Info, "bounce": OK},
			`none.test. TXT "v=spf1 include:_spf.yandex.net ~all"`},
		{"no-spf-no-dmarc", Request{Account: "alice@example.test", From: "news@none.test", SMTP: smtpServer(587), IncomingHost: "imap.example.test",
			Sent: &Sent{Accepted: true, Message: delivered(t, "news@none.test")}},
			map[string]Level{"substitution": OK, "verdicts": Info, "spf": Fail, "dmarc": Info},
			`none.test. TXT "v=spf1 ip4:127.0.0.1 ~all"`},
		{"reject-misaligned", Request{Account: "alice@example.test", From: "news@wrong.test", SMTP: smtpServer(25), IncomingHost: "imap.example.test",
			Sent: &Sent{Accepted: true, Message: delivered(t, "news@wrong.test")}},
			map[string]Level{"spf": Fail, "dmarc": Fail, "port": Warn},
			`wrong.test. TXT "v=spf1 ip4:192.0.2.1 mx ip4:127.0.0.1 -all"`},
		{"correct-records", Request{Account: "alice@example.test", From: "news@good.test", SMTP: smtpServer(465), IncomingHost: "imap.example.test", Bounce: "bounces@good.test",
			Sent: &Sent{Accepted: true, Message: delivered(t, "News <news@good.test>",
				"Authentication-Results: mx.example.test; spf=pass smtp.mailfrom=good.test; dkim=pass header.d=good.test; dmarc=pass header.from=good.test")}},
			map[string]Level{"substitution": OK, "verdicts": OK, "spf": OK, "dmarc": OK, "bounce": Info}, ""},
		{"rewritten", Request{Account: "alice@example.test", From: "news@good.test", SMTP: smtpServer(465), IncomingHost: "imap.example.test",
			Sent: &Sent{Accepted: true, Message: delivered(t, "alice@example.test")}},
			map[string]Level{"substitution": Fail}, ""},
		{"spam-folder", Request{Account: "alice@example.test", From: "news@none.test", SMTP: smtpServer(465), IncomingHost: "imap.example.test",
			Sent: &Sent{Accepted: true, Message: delivered(t, "news@none.test"), JunkFolder: "Spam"}},
			map[string]Level{"substitution": OK, "spam": Warn, "spf": Fail}, ""},
		{"no-consent", Request{Account: "alice@example.test", From: "news@good.test", SMTP: smtpServer(465), IncomingHost: "imap.example.test"},
			map[string]Level{"substitution": Info, "spf": OK}, ""},
	}
	for _, tt := range tests {
		for _, lang := range []string{"en", "ru"} {
			t.Run(tt.name+"/"+lang, func(t *testing.T) {
				req := tt.req
				req.Lang = lang
				rep := Check(context.Background(), dns.Resolver(), req)
				got := map[string]Level{}
				var records []string
				for _, f := range rep.Findings {
					got[f.Check] = f.Level
					if f.Record != "" {
						records = append(records, f.Record)
					}
					if lang == "ru" && f.Text != "" && !strings.ContainsAny(f.Text, "абвгдеёжзийклмнопрстуфхцчшщыьэюя") {
						t.Errorf("%s: the Russian text is not Russian: %q", f.Check, f.Text)
					}
				}
				for check, lvl := range tt.want {
					if got[check] != lvl {
						t.Errorf("finding %q = %q, want %q", check, got[check], lvl)
					}
				}
				if tt.record != "" && !strings.Contains(strings.Join(records, "\n"), tt.record) {
					t.Errorf("records %q lack %q", records, tt.record)
				}
				golden(t, filepath.Join("testdata", "check-"+tt.name+"-"+lang+".json"), rep)
			})
		}
	}
}

func golden(t *testing.T, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./delivery -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (go test ./delivery -update rewrites it):\n%s", path, got)
	}
}

// TestRunWithoutConsent: without Send, Run connects to no mail server
// (the servers here would refuse or hang) and still checks the DNS side.
func TestRunWithoutConsent(t *testing.T) {
	dns := testenv.StartDNS(t, zone())
	addr, err := account.ParseAddress("alice@example.test")
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var accepted atomic.Int64
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	cfg := account.Config{
		Incoming: []account.Server{{Protocol: account.IMAP, Host: "127.0.0.1", Port: port, Security: account.SSL, Username: account.PlaceholderAddress}},
		Outgoing: []account.Server{{Protocol: account.SMTP, Host: "127.0.0.1", Port: port, Security: account.SSL, Username: account.PlaceholderAddress}},
	}
	rep, err := Run(context.Background(), RunRequest{Address: addr, Config: cfg, Password: "secret", From: "news@wrong.test", Resolver: dns.Resolver(), Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if accepted.Load() != 0 || rep.Substitution.Tested {
		t.Errorf("%d connections, tested %v; want none without consent", accepted.Load(), rep.Substitution.Tested)
	}
	if rep.SPF == nil || rep.SPF.Result != "fail" || rep.DMARC == nil || !rep.DMARC.Refused {
		t.Errorf("SPF %+v DMARC %+v; want fail and refused", rep.SPF, rep.DMARC)
	}
	// With consent, a login that fails is a *LoginError, not a report.
	_, err = Run(context.Background(), RunRequest{Address: addr, Config: cfg, Password: "secret", From: "news@wrong.test", Resolver: dns.Resolver(), Send: true, Lang: "en"})
	var le *LoginError
	if !errors.As(err, &le) || accepted.Load() == 0 {
		t.Errorf("Run with consent against a closing server = %v (%d connections); want *LoginError", err, accepted.Load())
	}
}
