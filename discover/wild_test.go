package discover

import (
	"os"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// TestPublishedShapes: the autoconfig package's fixtures of files as
// providers publish them, served as a domain's own autoconfig, give the
// servers and hints Thunderbird would: placeholder hosts expanded before
// they are checked, IMAP over POP3 and SSL over STARTTLS whatever the
// file's order, oauth2-required for OAuth2 alone.
func TestPublishedShapes(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		file, email string
		in          string // preferred incoming: protocol host port
		out         string
		name        string
		hint        account.HintKind
		hintText    string
	}{
		{"wild-domain-hosts.xml", "bob@shop.test", "imap imap.shop.test 993", "smtp shop.test 465", "Mail at shop.test", account.HintInfo, "Mailboxes at shop.test are set up here."},
		{"wild-pop3-first.xml", "bob@popfirst.test", "imap imap.popfirst.test 993", "smtp smtp.popfirst.test 465", "POP first", "", ""},
		{"wild-oauth2-only.xml", "bob@tokens.test", "imap imap.tokens.test 993", "smtp smtp.tokens.test 465", "Tokens only", account.HintOAuth2Required, "not a password"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile("../autoconfig/testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			addr, _ := account.ParseAddress(tc.email)
			w.a("autoconfig." + addr.Domain)
			w.web.Handle("https", "autoconfig."+addr.Domain, "/mail/config-v1.1.xml", testenv.XML(string(body)))
			cfg, err := Run(t.Context(), addr, w.opts)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Source != account.SourceAutoconfig {
				t.Fatalf("source %s, want autoconfig", cfg.Source)
			}
			show := func(s account.Server) string {
				return strings.Join([]string{string(s.Protocol), s.Host, itoa(s.Port)}, " ")
			}
			if got := show(cfg.Incoming[0]); got != tc.in {
				t.Errorf("preferred incoming %q, want %q (all: %+v)", got, tc.in, cfg.Incoming)
			}
			if got := show(cfg.Outgoing[0]); got != tc.out {
				t.Errorf("preferred outgoing %q, want %q", got, tc.out)
			}
			if cfg.Provider == nil || cfg.Provider.Name != tc.name {
				t.Errorf("provider %+v, want name %q", cfg.Provider, tc.name)
			}
			if tc.hint != "" {
				var text string
				for _, h := range cfg.Hints {
					if h.Kind == tc.hint {
						text = h.In("en")
					}
				}
				if !strings.Contains(text, tc.hintText) {
					t.Errorf("hint %s reads %q, want it to hold %q (hints %+v)", tc.hint, text, tc.hintText, cfg.Hints)
				}
			}
			for _, s := range append(cfg.Incoming, cfg.Outgoing...) {
				if strings.Contains(s.Host, "%") {
					t.Errorf("unexpanded host %q", s.Host)
				}
			}
		})
	}
}

// TestRankIncoming: IMAP before POP3, then SSL, STARTTLS, plain; equal
// servers keep the file's order.
func TestRankIncoming(t *testing.T) {
	s := func(p account.Protocol, sec account.Security, host string) account.Server {
		return account.Server{Protocol: p, Security: sec, Host: host}
	}
	got := []account.Server{
		s(account.POP3, account.SSL, "p1"),
		s(account.IMAP, account.None, "i-plain"),
		s(account.POP3, account.STARTTLS, "p2"),
		s(account.IMAP, account.STARTTLS, "i-starttls"),
		s(account.IMAP, account.SSL, "i-ssl-a"),
		s(account.IMAP, account.SSL, "i-ssl-b"),
	}
	rank(got)
	var hosts []string
	for _, x := range got {
		hosts = append(hosts, x.Host)
	}
	if want := "i-ssl-a i-ssl-b i-starttls i-plain p1 p2"; strings.Join(hosts, " ") != want {
		t.Errorf("ranked %v, want %s", hosts, want)
	}
}
