package providers

import (
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
)

// pin is what a person at one domain must get from the built-in database
// without a network: the preferred incoming and outgoing server, the login,
// and the hints without which a correct client still fails.
type pin struct {
	domain string
	id     string
	in     account.Server // Username is the login for "ivan.petrov+news@<domain>"
	out    account.Server
	hints  []account.HintKind
}

// server builds an expected server; user is the login for the sample address.
func server(p account.Protocol, host string, port int, sec account.Security, user string) account.Server {
	return account.Server{Protocol: p, Host: host, Port: port, Security: sec, Username: user}
}

// eastPins covers the providers most of our users start with (Gmail, Mail.ru,
// Yandex, Rambler) and the rest of part 2 of the database, main domains and
// a sample of alias domains. A change here is a change in what users are
// told: check it against the provider's help page named in the data file.
var eastPins = []pin{
	// Gmail: full address, implicit TLS first (RFC 8314), app password.
	{"gmail.com", "gmail",
		server(account.IMAP, "imap.gmail.com", 993, account.SSL, "ivan.petrov@gmail.com"),
		server(account.SMTP, "smtp.gmail.com", 465, account.SSL, "ivan.petrov@gmail.com"),
		[]account.HintKind{account.HintAppPassword, account.HintEnablePOP}},
	{"googlemail.com", "gmail",
		server(account.IMAP, "imap.gmail.com", 993, account.SSL, "ivan.petrov@googlemail.com"),
		server(account.SMTP, "smtp.gmail.com", 465, account.SSL, "ivan.petrov@googlemail.com"),
		[]account.HintKind{account.HintAppPassword}},

	// Mail.ru: IMAP exists (the users' guide said it did not) and comes first.
	{"mail.ru", "mailru",
		server(account.IMAP, "imap.mail.ru", 993, account.SSL, "ivan.petrov@mail.ru"),
		server(account.SMTP, "smtp.mail.ru", 465, account.SSL, "ivan.petrov@mail.ru"),
		[]account.HintKind{account.HintAppPassword}},
	{"inbox.ru", "mailru",
		server(account.IMAP, "imap.mail.ru", 993, account.SSL, "ivan.petrov@inbox.ru"),
		server(account.SMTP, "smtp.mail.ru", 465, account.SSL, "ivan.petrov@inbox.ru"),
		[]account.HintKind{account.HintAppPassword}},
	{"bk.ru", "mailru",
		server(account.IMAP, "imap.mail.ru", 993, account.SSL, "ivan.petrov@bk.ru"),
		server(account.SMTP, "smtp.mail.ru", 465, account.SSL, "ivan.petrov@bk.ru"),
		nil},
	{"list.ru", "mailru",
		server(account.IMAP, "imap.mail.ru", 993, account.SSL, "ivan.petrov@list.ru"),
		server(account.SMTP, "smtp.mail.ru", 465, account.SSL, "ivan.petrov@list.ru"),
		nil},
	{"internet.ru", "mailru",
		server(account.IMAP, "imap.mail.ru", 993, account.SSL, "ivan.petrov@internet.ru"),
		server(account.SMTP, "smtp.mail.ru", 465, account.SSL, "ivan.petrov@internet.ru"),
		nil},

	// Yandex: one login across every domain; mail clients must be allowed first.
	{"yandex.ru", "yandex",
		server(account.IMAP, "imap.yandex.ru", 993, account.SSL, "ivan.petrov@yandex.ru"),
		server(account.SMTP, "smtp.yandex.ru", 465, account.SSL, "ivan.petrov@yandex.ru"),
		[]account.HintKind{account.HintEnableIMAP, account.HintAppPassword}},
	{"ya.ru", "yandex",
		server(account.IMAP, "imap.yandex.ru", 993, account.SSL, "ivan.petrov@ya.ru"),
		server(account.SMTP, "smtp.yandex.ru", 465, account.SSL, "ivan.petrov@ya.ru"),
		[]account.HintKind{account.HintEnableIMAP}},
	{"narod.ru", "yandex",
		server(account.IMAP, "imap.yandex.ru", 993, account.SSL, "ivan.petrov@narod.ru"),
		server(account.SMTP, "smtp.yandex.ru", 465, account.SSL, "ivan.petrov@narod.ru"),
		nil},
	{"yandex.kz", "yandex",
		server(account.IMAP, "imap.yandex.ru", 993, account.SSL, "ivan.petrov@yandex.kz"),
		server(account.SMTP, "smtp.yandex.ru", 465, account.SSL, "ivan.petrov@yandex.kz"),
		nil},
	{"yandex.com", "yandex",
		server(account.IMAP, "imap.yandex.ru", 993, account.SSL, "ivan.petrov@yandex.com"),
		server(account.SMTP, "smtp.yandex.ru", 465, account.SSL, "ivan.petrov@yandex.com"),
		nil},

	// Rambler: mail clients must be allowed; From must equal the login.
	{"rambler.ru", "rambler",
		server(account.IMAP, "imap.rambler.ru", 993, account.SSL, "ivan.petrov@rambler.ru"),
		server(account.SMTP, "smtp.rambler.ru", 465, account.SSL, "ivan.petrov@rambler.ru"),
		[]account.HintKind{account.HintEnableIMAP, account.HintFromMustMatch}},
	{"ro.ru", "rambler",
		server(account.IMAP, "imap.rambler.ru", 993, account.SSL, "ivan.petrov@ro.ru"),
		server(account.SMTP, "smtp.rambler.ru", 465, account.SSL, "ivan.petrov@ro.ru"),
		nil},
	{"lenta.ru", "rambler",
		server(account.IMAP, "imap.rambler.ru", 993, account.SSL, "ivan.petrov@lenta.ru"),
		server(account.SMTP, "smtp.rambler.ru", 465, account.SSL, "ivan.petrov@lenta.ru"),
		nil},
	{"autorambler.ru", "rambler",
		server(account.IMAP, "imap.rambler.ru", 993, account.SSL, "ivan.petrov@autorambler.ru"),
		server(account.SMTP, "smtp.rambler.ru", 465, account.SSL, "ivan.petrov@autorambler.ru"),
		nil},
}

func TestPinEast(t *testing.T) {
	for _, p := range eastPins {
		t.Run(p.domain, func(t *testing.T) {
			tmpl, ok := Lookup(p.domain)
			if !ok {
				t.Fatalf("Lookup(%q) found nothing; want provider %q", p.domain, p.id)
			}
			if tmpl.Provider == nil || tmpl.Provider.ID != p.id {
				t.Fatalf("Lookup(%q).Provider = %+v; want id %q", p.domain, tmpl.Provider, p.id)
			}
			addr, err := account.ParseAddress("ivan.petrov+news@" + p.domain)
			if err != nil {
				t.Fatalf("ParseAddress: %v", err)
			}
			cfg := tmpl.For(addr)
			if len(cfg.Incoming) == 0 || len(cfg.Outgoing) == 0 {
				t.Fatalf("%s: %d incoming, %d outgoing servers; want at least one of each",
					p.domain, len(cfg.Incoming), len(cfg.Outgoing))
			}
			checkServer(t, "incoming", cfg.Incoming[0], p.in)
			checkServer(t, "outgoing", cfg.Outgoing[0], p.out)
			for _, k := range p.hints {
				if !cfg.HasHint(k) {
					t.Errorf("%s: no %q hint; people fail without it", p.domain, k)
				}
			}
			// People type domains in any case.
			if up, ok := Lookup(strings.ToUpper(p.domain)); !ok || up.Provider == nil || up.Provider.ID != p.id {
				t.Errorf("Lookup(%q) does not find %q: lookups must ignore case", strings.ToUpper(p.domain), p.id)
			}
		})
	}
}

func checkServer(t *testing.T, what string, got, want account.Server) {
	t.Helper()
	if got.Protocol != want.Protocol || got.Host != want.Host || got.Port != want.Port ||
		got.Security != want.Security || got.Username != want.Username {
		t.Errorf("preferred %s server = %s user %q; want %s user %q",
			what, got, got.Username, want, want.Username)
	}
	if got.Auth != account.AuthPassword {
		t.Errorf("preferred %s server auth = %q; want %q (an app password is still a password)",
			what, got.Auth, account.AuthPassword)
	}
}
