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
		[]account.HintKind{account.HintAppPassword, account.HintEnablePOP, account.HintFromMustMatch}},
	{"googlemail.com", "gmail",
		server(account.IMAP, "imap.gmail.com", 993, account.SSL, "ivan.petrov@googlemail.com"),
		server(account.SMTP, "smtp.gmail.com", 465, account.SSL, "ivan.petrov@googlemail.com"),
		[]account.HintKind{account.HintAppPassword}},

	// Mail.ru: IMAP exists (the users' guide said it did not) and comes first.
	{"mail.ru", "mailru",
		server(account.IMAP, "imap.mail.ru", 993, account.SSL, "ivan.petrov@mail.ru"),
		server(account.SMTP, "smtp.mail.ru", 465, account.SSL, "ivan.petrov@mail.ru"),
		[]account.HintKind{account.HintAppPassword, account.HintFromMustMatch}},
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
		[]account.HintKind{account.HintEnableIMAP, account.HintAppPassword, account.HintFromMustMatch}},
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

	// VK Mail: its own product on Mail.ru's servers and password page.
	{"vk.com", "vk",
		server(account.IMAP, "imap.mail.ru", 993, account.SSL, "ivan.petrov@vk.com"),
		server(account.SMTP, "smtp.mail.ru", 465, account.SSL, "ivan.petrov@vk.com"),
		[]account.HintKind{account.HintAppPassword}},

	// China: IMAP switched on in web settings, an authorization code instead of the password.
	{"qq.com", "qq",
		server(account.IMAP, "imap.qq.com", 993, account.SSL, "ivan.petrov@qq.com"),
		server(account.SMTP, "smtp.qq.com", 465, account.SSL, "ivan.petrov@qq.com"),
		[]account.HintKind{account.HintEnableIMAP, account.HintAppPassword}},
	{"foxmail.com", "qq",
		server(account.IMAP, "imap.qq.com", 993, account.SSL, "ivan.petrov@foxmail.com"),
		server(account.SMTP, "smtp.qq.com", 465, account.SSL, "ivan.petrov@foxmail.com"),
		nil},
	{"163.com", "163",
		server(account.IMAP, "imap.163.com", 993, account.SSL, "ivan.petrov@163.com"),
		server(account.SMTP, "smtp.163.com", 465, account.SSL, "ivan.petrov@163.com"),
		[]account.HintKind{account.HintEnableIMAP, account.HintAppPassword}},
	{"126.com", "126",
		server(account.IMAP, "imap.126.com", 993, account.SSL, "ivan.petrov@126.com"),
		server(account.SMTP, "smtp.126.com", 465, account.SSL, "ivan.petrov@126.com"),
		[]account.HintKind{account.HintAppPassword}},
	{"yeah.net", "yeahnet",
		server(account.IMAP, "imap.yeah.net", 993, account.SSL, "ivan.petrov@yeah.net"),
		server(account.SMTP, "smtp.yeah.net", 465, account.SSL, "ivan.petrov@yeah.net"),
		nil},
	{"sina.com", "sina",
		server(account.IMAP, "imap.sina.com", 993, account.SSL, "ivan.petrov@sina.com"),
		server(account.SMTP, "smtp.sina.com", 465, account.SSL, "ivan.petrov@sina.com"),
		[]account.HintKind{account.HintEnableIMAP}},
	{"sohu.com", "sohu",
		server(account.IMAP, "imap.sohu.com", 993, account.SSL, "ivan.petrov@sohu.com"),
		server(account.SMTP, "smtp.sohu.com", 465, account.SSL, "ivan.petrov@sohu.com"),
		nil},
	{"aliyun.com", "aliyun",
		server(account.IMAP, "imap.aliyun.com", 993, account.SSL, "ivan.petrov@aliyun.com"),
		server(account.SMTP, "smtp.aliyun.com", 465, account.SSL, "ivan.petrov@aliyun.com"),
		nil},
	{"139.com", "139",
		server(account.IMAP, "imap.139.com", 993, account.SSL, "ivan.petrov@139.com"),
		server(account.SMTP, "smtp.139.com", 465, account.SSL, "ivan.petrov@139.com"),
		nil},

	{"189.cn", "189",
		server(account.IMAP, "imap.189.cn", 993, account.SSL, "ivan.petrov@189.cn"),
		server(account.SMTP, "smtp.189.cn", 465, account.SSL, "ivan.petrov@189.cn"),
		[]account.HintKind{account.HintEnableIMAP}},

	{"wo.cn", "wo",
		server(account.IMAP, "imap.wo.cn", 993, account.SSL, "ivan.petrov@wo.cn"),
		server(account.SMTP, "smtp.wo.cn", 465, account.SSL, "ivan.petrov@wo.cn"),
		nil},

	// Korea: IMAP off until switched on; Naver and Kakao log in with the ID.
	{"naver.com", "naver",
		server(account.IMAP, "imap.naver.com", 993, account.SSL, "ivan.petrov"),
		server(account.SMTP, "smtp.naver.com", 465, account.SSL, "ivan.petrov"),
		[]account.HintKind{account.HintEnableIMAP, account.HintAppPassword}},
	{"daum.net", "daum",
		server(account.IMAP, "imap.daum.net", 993, account.SSL, "ivan.petrov@daum.net"),
		server(account.SMTP, "smtp.daum.net", 465, account.SSL, "ivan.petrov@daum.net"),
		[]account.HintKind{account.HintEnableIMAP}},
	{"hanmail.net", "daum",
		server(account.IMAP, "imap.daum.net", 993, account.SSL, "ivan.petrov@hanmail.net"),
		server(account.SMTP, "smtp.daum.net", 465, account.SSL, "ivan.petrov@hanmail.net"),
		nil},
	{"kakao.com", "kakao",
		server(account.IMAP, "imap.kakao.com", 993, account.SSL, "ivan.petrov"),
		server(account.SMTP, "smtp.kakao.com", 465, account.SSL, "ivan.petrov"),
		[]account.HintKind{account.HintEnableIMAP}},

	// Poland: access for mail programs is off until switched on.
	{"wp.pl", "wp",
		server(account.IMAP, "imap.wp.pl", 993, account.SSL, "ivan.petrov@wp.pl"),
		server(account.SMTP, "smtp.wp.pl", 465, account.SSL, "ivan.petrov@wp.pl"),
		[]account.HintKind{account.HintEnableIMAP}},
	{"o2.pl", "o2",
		server(account.IMAP, "poczta.o2.pl", 993, account.SSL, "ivan.petrov"),
		server(account.SMTP, "poczta.o2.pl", 465, account.SSL, "ivan.petrov"),
		[]account.HintKind{account.HintEnableIMAP}},
	{"tlen.pl", "o2",
		server(account.IMAP, "poczta.o2.pl", 993, account.SSL, "ivan.petrov"),
		server(account.SMTP, "poczta.o2.pl", 465, account.SSL, "ivan.petrov"),
		nil},
	{"onet.pl", "onet",
		server(account.IMAP, "imap.poczta.onet.pl", 993, account.SSL, "ivan.petrov@onet.pl"),
		server(account.SMTP, "smtp.poczta.onet.pl", 465, account.SSL, "ivan.petrov@onet.pl"),
		[]account.HintKind{account.HintEnableIMAP}},
	{"op.pl", "onet",
		server(account.IMAP, "imap.poczta.onet.pl", 993, account.SSL, "ivan.petrov@op.pl"),
		server(account.SMTP, "smtp.poczta.onet.pl", 465, account.SSL, "ivan.petrov@op.pl"),
		nil},
	{"interia.pl", "interia",
		server(account.IMAP, "poczta.interia.pl", 993, account.SSL, "ivan.petrov@interia.pl"),
		server(account.SMTP, "poczta.interia.pl", 465, account.SSL, "ivan.petrov@interia.pl"),
		[]account.HintKind{account.HintEnableIMAP}},
	{"poczta.fm", "interia",
		server(account.IMAP, "poczta.interia.pl", 993, account.SSL, "ivan.petrov@poczta.fm"),
		server(account.SMTP, "poczta.interia.pl", 465, account.SSL, "ivan.petrov@poczta.fm"),
		nil},

	// Ukraine: I.UA has POP3 only and says so.
	{"ukr.net", "ukrnet",
		server(account.IMAP, "imap.ukr.net", 993, account.SSL, "ivan.petrov@ukr.net"),
		server(account.SMTP, "smtp.ukr.net", 465, account.SSL, "ivan.petrov@ukr.net"),
		[]account.HintKind{account.HintAppPassword}},
	{"i.ua", "iua",
		server(account.POP3, "pop3.i.ua", 995, account.SSL, "ivan.petrov@i.ua"),
		server(account.SMTP, "smtp.i.ua", 465, account.SSL, "ivan.petrov@i.ua"),
		[]account.HintKind{account.HintNoIMAP}},
	{"meta.ua", "metaua",
		server(account.IMAP, "imap.meta.ua", 993, account.SSL, "ivan.petrov@meta.ua"),
		server(account.SMTP, "smtp.meta.ua", 465, account.SSL, "ivan.petrov@meta.ua"),
		nil},

	// The rest of the world.
	{"rediffmail.com", "rediffmail",
		server(account.POP3, "pop.rediffmail.com", 995, account.SSL, "ivan.petrov@rediffmail.com"),
		server(account.SMTP, "smtp.rediffmail.com", 465, account.SSL, "ivan.petrov@rediffmail.com"),
		[]account.HintKind{account.HintNoIMAP}},
	{"abv.bg", "abv",
		server(account.IMAP, "imap.abv.bg", 993, account.SSL, "ivan.petrov@abv.bg"),
		server(account.SMTP, "smtp.abv.bg", 465, account.SSL, "ivan.petrov@abv.bg"),
		nil},
	{"freemail.hu", "freemail",
		server(account.IMAP, "imap.freemail.hu", 993, account.SSL, "ivan.petrov@freemail.hu"),
		server(account.SMTP, "smtp.freemail.hu", 465, account.SSL, "ivan.petrov@freemail.hu"),
		nil},
	{"centrum.cz", "centrum",
		server(account.IMAP, "imap.centrum.cz", 993, account.SSL, "ivan.petrov@centrum.cz"),
		server(account.SMTP, "smtp.centrum.cz", 465, account.SSL, "ivan.petrov@centrum.cz"),
		nil},
	{"atlas.cz", "atlas",
		server(account.IMAP, "imap.atlas.cz", 993, account.SSL, "ivan.petrov@atlas.cz"),
		server(account.SMTP, "smtp.atlas.cz", 465, account.SSL, "ivan.petrov@atlas.cz"),
		nil},
	// Brazil: UOL logs in with the part before @ (BOL, its free mail, is pinned in pin_west_test.go).
	{"uol.com.br", "uol",
		server(account.IMAP, "imap.uol.com.br", 993, account.SSL, "ivan.petrov"),
		server(account.SMTP, "smtps.uol.com.br", 587, account.STARTTLS, "ivan.petrov"),
		[]account.HintKind{account.HintEnableIMAP}},
	// Inbox.lv's hosts follow the address's domain.
	{"inbox.lv", "inboxlv",
		server(account.IMAP, "mail.inbox.lv", 993, account.SSL, "ivan.petrov@inbox.lv"),
		server(account.SMTP, "mail.inbox.lv", 465, account.SSL, "ivan.petrov@inbox.lv"),
		[]account.HintKind{account.HintEnableIMAP, account.HintAppPassword}},
	{"inbox.lt", "inboxlv",
		server(account.IMAP, "mail.inbox.lt", 993, account.SSL, "ivan.petrov@inbox.lt"),
		server(account.SMTP, "mail.inbox.lt", 465, account.SSL, "ivan.petrov@inbox.lt"),
		nil},
	// Finland: Elisa serves its own, Saunalahti's, Kolumbus's and Anvia's
	// domains on one service; issue 3 names it.
	{"elisa.fi", "elisa",
		server(account.IMAP, "imap.elisa.fi", 993, account.SSL, "ivan.petrov@elisa.fi"),
		server(account.SMTP, "smtp.elisa.fi", 465, account.SSL, "ivan.petrov@elisa.fi"),
		nil},
	{"saunalahti.fi", "elisa",
		server(account.IMAP, "imap.elisa.fi", 993, account.SSL, "ivan.petrov@saunalahti.fi"),
		server(account.SMTP, "smtp.elisa.fi", 465, account.SSL, "ivan.petrov@saunalahti.fi"),
		nil},
	{"kolumbus.fi", "elisa",
		server(account.IMAP, "imap.elisa.fi", 993, account.SSL, "ivan.petrov@kolumbus.fi"),
		server(account.SMTP, "smtp.elisa.fi", 465, account.SSL, "ivan.petrov@kolumbus.fi"),
		nil},
	{"anvianet.fi", "elisa",
		server(account.IMAP, "imap.elisa.fi", 993, account.SSL, "ivan.petrov@anvianet.fi"),
		server(account.SMTP, "smtp.elisa.fi", 465, account.SSL, "ivan.petrov@anvianet.fi"),
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

// TestPinEastMX pins the MX hosts that identify part 2's providers for
// custom domains (Google Workspace, Yandex 360, VK WorkSpace, Onet Poczta
// Plus), the way discovery meets them: any case, with a trailing dot.
func TestPinEastMX(t *testing.T) {
	tests := []struct{ host, id string }{
		{"aspmx.l.google.com.", "gmail"},
		{"ALT1.ASPMX.L.GOOGLE.COM", "gmail"},
		{"alt4.aspmx.l.google.com", "gmail"},
		{"smtp.google.com", "gmail"},
		{"gmail-smtp-in.l.google.com", "gmail"},
		{"aspmx2.googlemail.com", "gmail"},
		{"mx.yandex.net", "yandex"},
		{"mx.yandex.ru.", "yandex"},
		{"mxs.mail.ru", "mailru"},
		{"emx.mail.ru", "mailru"},
		{"mx.rambler.ru", "rambler"},
		{"mx.poczta.onet.pl", "onet"},
		{"mx.interia.pl", "interia"},
		{"mx.wp.pl", "wp"},
		// Not ours: a look-alike must not match.
		{"google.com.evil.example", ""},
		{"mxs.mail.ru.evil.example", ""},
	}
	for _, tt := range tests {
		c, ok := LookupMX(tt.host)
		got := ""
		if ok && c.Provider != nil {
			got = c.Provider.ID
		}
		if got != tt.id {
			t.Errorf("LookupMX(%q) = %q; want %q", tt.host, got, tt.id)
		}
	}
}

// TestPinEastLinks pins the deep links people follow before a client can
// log in: the exact settings page, not the provider's home page.
func TestPinEastLinks(t *testing.T) {
	checkPinnedLinks(t, []pinnedLink{
		{"gmail.com", account.HintAppPassword, "https://myaccount.google.com/apppasswords"},
		{"gmail.com", account.HintEnablePOP, "https://mail.google.com/mail/u/0/#settings/fwdandpop"},
		{"mail.ru", account.HintAppPassword, "https://account.mail.ru/user/2-step-auth/passwords/"},
		{"vk.com", account.HintAppPassword, "https://account.mail.ru/user/2-step-auth/passwords/"},
		{"yandex.ru", account.HintEnableIMAP, "https://mail.yandex.ru/#setup/client"},
		{"yandex.ru", account.HintAppPassword, "https://id.yandex.ru/security/app-passwords"},
		{"rambler.ru", account.HintEnableIMAP, "https://mail.rambler.ru/settings/mailapps"},
		{"ukr.net", account.HintEnableIMAP, "https://wiki.ukr.net/ManageIMAPAccess"},
		{"o2.pl", account.HintEnableIMAP, "https://pomoc.o2.pl/aktywacja-dostepu-dla-programow-pocztowych"},
		{"inbox.lv", account.HintEnableIMAP, "https://help.inbox.lv/?keyword=email_clients_access"},
	})
}
