package autoconfig

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.xml from the current Write output")

// inputs are the hand-written documents under testdata (not the goldens).
func inputs(t testing.TB) []string {
	t.Helper()
	all, err := filepath.Glob("testdata/*.xml")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range all {
		if !strings.HasSuffix(f, ".golden.xml") {
			out = append(out, f)
		}
	}
	if len(out) < 5 {
		t.Fatalf("found %d inputs in testdata, want at least 5", len(out))
	}
	return out
}

func parseFile(t *testing.T, name string) account.Config {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := Parse(f)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return c
}

// TestGolden parses each input, writes it, compares the output with the
// golden file, and checks that the output parses back to the same Config.
func TestGolden(t *testing.T) {
	for _, in := range inputs(t) {
		t.Run(filepath.Base(in), func(t *testing.T) {
			c := parseFile(t, in)
			var out bytes.Buffer
			if err := Write(&out, c); err != nil {
				t.Fatalf("Write: %v", err)
			}
			golden := strings.TrimSuffix(in, ".xml") + ".golden.xml"
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./autoconfig -update to create it)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("Write output differs from %s (run with -update if the change is intended):\n%s", golden, out.String())
			}
			again, err := ParseBytes(out.Bytes())
			if err != nil {
				t.Fatalf("Write output does not parse: %v\n%s", err, out.String())
			}
			if !reflect.DeepEqual(c, again) {
				t.Errorf("parse → write → parse changed the config:\nfirst  %+v\nsecond %+v", c, again)
			}
			var twice bytes.Buffer
			if err := Write(&twice, again); err != nil || !bytes.Equal(twice.Bytes(), out.Bytes()) {
				t.Errorf("Write is not deterministic (err %v)", err)
			}
		})
	}
}

// TestParseFields pins what each kind of element becomes, so a parser that
// drops a field cannot pass on round-trips alone.
func TestParseFields(t *testing.T) {
	pw := account.AuthPassword
	tests := []struct {
		file string
		want account.Config
	}{
		{"testdata/extensions.xml", account.Config{
			Provider: &account.Provider{ID: "examplemail", Name: "Example Mail", ShortName: "ExMail",
				OAuth2: &account.OAuth2{Issuer: "login.examplemail.test",
					Scopes:   []string{"https://mail.examplemail.test/imap", "https://mail.examplemail.test/smtp", "offline_access"},
					AuthURL:  "https://login.examplemail.test/authorize",
					TokenURL: "https://login.examplemail.test/token",
					ProtocolScopes: map[account.Protocol][]string{
						account.IMAP: {"https://mail.examplemail.test/imap"},
						account.SMTP: {"https://mail.examplemail.test/smtp"}},
					DeviceAuthURL: "https://login.examplemail.test/devicecode",
					Mechanisms:    []string{"XOAUTH2", "OAUTHBEARER"}, SecretRequired: true,
					AuthParams: map[string]string{"access_type": "offline"}}},
			Domains: []string{"examplemail.test", "xn--80a1acny.xn--p1ai"},
			MXHosts: []string{"mx1.examplemail.test", "*.mx.examplemail.test"},
			Incoming: []account.Server{
				{Protocol: account.IMAP, Host: "imap.examplemail.test", Port: 993, Security: account.SSL, Username: "%EMAILADDRESS%", Auth: pw},
			},
			Outgoing: []account.Server{
				{Protocol: account.SMTP, Host: "smtp.examplemail.test", Port: 465, Security: account.SSL, Username: "%EMAILADDRESS%", Auth: pw},
				{Protocol: account.SMTP, Host: "smtp.examplemail.test", Port: 587, Security: account.STARTTLS, Username: "%EMAILADDRESS%", Auth: pw},
			},
			Hints: []account.Hint{
				{Kind: account.HintEnablePOP, URL: "https://examplemail.test/settings#clients", Text: map[string]string{
					"en": "Turn on POP in Settings › Mail clients.",
					"ru": "Включите POP: «Настройки › Почтовые программы».",
				}},
				{Kind: account.HintAppPassword, URL: "https://examplemail.test/security/app-passwords", Text: map[string]string{
					"en": "Create an app password & use it instead of your password.",
					"ru": "Создайте пароль приложения и введите его вместо обычного.",
				}},
				{Kind: account.HintFromMustMatch, Text: map[string]string{
					"en": `The From address must be the address you log in with ("<you>").`,
					"ru": "Адрес отправителя должен совпадать с логином.",
				}},
			},
			Limits: account.Limits{MaxMessageMB: 25, MaxRecipients: 100, SendPerDay: 2000, IMAPConnections: 15,
				IMAPDownloadMBDay: 2500, IMAPUploadMBDay: 500, BlockedAttachments: []string{"ade", "adp", "bat", "exe"}},
		}},
		{"testdata/pop3-only.xml", account.Config{
			Provider: &account.Provider{ID: "smallisp.example", Name: "Small ISP"},
			Domains:  []string{"smallisp.example"},
			Incoming: []account.Server{
				{Protocol: account.POP3, Host: "pop.smallisp.example", Port: 995, Security: account.SSL, Username: "%EMAILLOCALPART%", Auth: pw},
				{Protocol: account.POP3, Host: "pop.smallisp.example", Port: 110, Security: account.STARTTLS, Username: "%EMAILLOCALPART%", Auth: account.AuthPasswordEncrypted},
			},
			Outgoing: []account.Server{
				{Protocol: account.SMTP, Host: "smtp.smallisp.example", Port: 465, Security: account.SSL, Username: "%EMAILLOCALPART%", Auth: pw},
				{Protocol: account.SMTP, Host: "relay.smallisp.example", Port: 25, Security: account.None, Auth: account.AuthClientIP},
			},
			LeaveOnServer: true, DaysOnServer: 14, DownloadOnBiff: true,
		}},
		{"testdata/ispdb-oauth2.xml", account.Config{
			Provider: &account.Provider{ID: "bigmail.example", Name: "Big Mail (example)", ShortName: "BigMail",
				OAuth2: &account.OAuth2{Issuer: "accounts.bigmail.example", Scopes: []string{"https://mail.bigmail.example/", "offline_access"},
					AuthURL: "https://accounts.bigmail.example/o/oauth2/auth", TokenURL: "https://accounts.bigmail.example/o/oauth2/token"}},
			Domains: []string{"bigmail.example", "bigmail-alias.example"},
			Incoming: []account.Server{
				// exchange is skipped; so is the POP3 server that offers only NTLM.
				// OAuth2 is listed first, but a password works too (auth_test.go).
				{Protocol: account.IMAP, Host: "imap.bigmail.example", Port: 993, Security: account.SSL, Username: "%EMAILADDRESS%", Auth: account.AuthPassword},
				{Protocol: account.IMAP, Host: "imap.bigmail.example", Port: 143, Security: account.STARTTLS, Username: "%EMAILADDRESS%", Auth: account.AuthPasswordEncrypted},
			},
			Outgoing: []account.Server{
				{Protocol: account.SMTP, Host: "smtp.bigmail.example", Port: 587, Security: account.STARTTLS, Username: "%EMAILADDRESS%", Auth: account.AuthPassword},
			},
			Hints: []account.Hint{
				{Kind: account.HintEnableIMAP, URL: "https://mail.bigmail.example/settings/imap?tab=clients&lang=en", Text: map[string]string{
					"en": "Turn on IMAP in Settings > Clients.",
					"ru": "Включите IMAP в «Настройки › Клиенты».",
				}},
				{Kind: account.HintInfo, URL: "https://help.bigmail.example/imap", Text: map[string]string{
					"en": "Setting up a mail app",
					"ru": "Настройка почтовой программы",
				}},
			},
		}},
		{"testdata/placeholders.xml", account.Config{
			Provider: &account.Provider{ID: "%EMAILDOMAIN%", Name: "%EMAILDOMAIN% mail"},
			Domains:  []string{"%EMAILDOMAIN%"},
			Incoming: []account.Server{
				{Protocol: account.IMAP, Host: "mail.%EMAILDOMAIN%", Port: 993, Security: account.SSL, Username: "%EMAILLOCALPART%@%EMAILDOMAIN%", Auth: pw},
			},
			Outgoing: []account.Server{
				{Protocol: account.SMTP, Host: "mail.%EMAILDOMAIN%", Port: 587, Security: account.STARTTLS, Username: "%EMAILADDRESS%", Auth: account.AuthPasswordEncrypted},
			},
		}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			got := parseFile(t, tt.file)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%s):\ngot  %#v\nwant %#v", tt.file, got, tt.want)
			}
		})
	}
}

// TestPlaceholderHostExpands checks the hoster case end to end: the
// template's host names become the address's domain.
func TestPlaceholderHostExpands(t *testing.T) {
	c := parseFile(t, "testdata/placeholders.xml")
	addr, err := account.ParseAddress("Ann+lists@Example.ORG")
	if err != nil {
		t.Fatal(err)
	}
	got := c.For(addr)
	if h := got.Incoming[0].Host; h != "mail.example.org" {
		t.Errorf("incoming host = %q, want mail.example.org", h)
	}
	if u := got.Incoming[0].Username; u != "Ann@example.org" {
		t.Errorf("incoming username = %q, want Ann@example.org", u)
	}
}

// minimal wraps servers and provider children into a complete document.
func minimal(inner string) string {
	return `<clientConfig version="1.1" xmlns:mw="` + Namespace + `"><emailProvider id="x"><domain>x.example</domain>` + inner + `</emailProvider></clientConfig>`
}

const imapOK = `<incomingServer type="imap"><hostname>imap.x.example</hostname><port>993</port><socketType>SSL</socketType><authentication>password-cleartext</authentication></incomingServer>`

// TestHostile feeds documents that must be refused, each with an error that
// names the problem.
func TestHostile(t *testing.T) {
	deep := strings.Repeat("<a>", MaxDepth+1) + strings.Repeat("</a>", MaxDepth+1)
	many := strings.Repeat("<inputField/>", MaxElements)
	tests := []struct {
		name, doc string
		want      string // a substring of the error
	}{
		{"empty", ``, "empty"},
		{"not xml", `hello`, "empty"},
		{"truncated", `<clientConfig><emailProvider>`, "not well-formed"},
		{"wrong root", `<html><body/></html>`, "<html>, not <clientConfig>"},
		{"no provider", `<clientConfig version="1.1"/>`, "no <emailProvider>"},
		{"doctype", `<?xml version="1.0"?><!DOCTYPE clientConfig [<!ENTITY a "aaaaaaaaaa">]>` + minimal(imapOK), "<!DOCTYPE>"},
		{"billion laughs", `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;">]><clientConfig>&lol1;</clientConfig>`, "<!DOCTYPE>"},
		{"external entity", `<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><clientConfig>&xxe;</clientConfig>`, "<!DOCTYPE>"},
		{"undefined entity", `<clientConfig>&xxe;</clientConfig>`, "not well-formed"},
		{"too deep", `<clientConfig>` + deep + `</clientConfig>`, "nested more than 32"},
		{"too many elements", minimal(imapOK + many), "more than 10000 elements"},
		{"two roots", minimal(imapOK) + `<clientConfig/>`, "more than one root"},
		{"unknown charset", `<?xml version="1.0" encoding="x-mac-klingon"?>` + minimal(imapOK), `encoding "x-mac-klingon", which mailwiz cannot read`},
		{"no servers", minimal(``), "no usable incoming server"},
		{"only smtp", minimal(`<outgoingServer type="smtp"><hostname>s.x.example</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>`), "no usable incoming server"},
		{"only exchange", minimal(`<incomingServer type="exchange"><hostname>x.example</hostname><port>443</port><socketType>SSL</socketType></incomingServer>`), "no usable incoming server"},
		{"only ntlm", minimal(`<incomingServer type="imap"><hostname>x.example</hostname><port>993</port><socketType>SSL</socketType><authentication>NTLM</authentication></incomingServer>`), "no usable incoming server"},
		{"port too big", minimal(imapOK + `<incomingServer type="imap"><hostname>i.x.example</hostname><port>99999</port><socketType>SSL</socketType></incomingServer>`), `incomingServer 2: port "99999" is not 1-65535`},
		{"port zero", minimal(`<incomingServer type="pop3"><hostname>i.x.example</hostname><port>0</port><socketType>SSL</socketType></incomingServer>`), `incomingServer 1: port "0" is not 1-65535`},
		{"port words", minimal(`<incomingServer type="imap"><hostname>i.x.example</hostname><port>imaps</port><socketType>SSL</socketType></incomingServer>`), `port "imaps" is not 1-65535`},
		{"port negative", minimal(imapOK + `<outgoingServer type="smtp"><hostname>s.x.example</hostname><port>-25</port><socketType>SSL</socketType></outgoingServer>`), `outgoingServer 1: port "-25"`},
		{"host with space", minimal(`<incomingServer type="imap"><hostname>imap x.example</hostname><port>993</port><socketType>SSL</socketType></incomingServer>`), `hostname "imap x.example" contains ' '`},
		{"host with slash", minimal(`<incomingServer type="imap"><hostname>evil.example/x</hostname><port>993</port><socketType>SSL</socketType></incomingServer>`), `contains '/'`},
		{"host url", minimal(`<incomingServer type="imap"><hostname>https://evil.example</hostname><port>993</port><socketType>SSL</socketType></incomingServer>`), `contains ':'`},
		{"host too long", minimal(`<incomingServer type="imap"><hostname>` + strings.Repeat("a.", 127) + `com</hostname><port>993</port><socketType>SSL</socketType></incomingServer>`), "limit is 253"},
		{"host empty", minimal(`<incomingServer type="imap"><hostname> </hostname><port>993</port><socketType>SSL</socketType></incomingServer>`), "hostname is empty"},
		{"host missing", minimal(`<incomingServer type="imap"><port>993</port><socketType>SSL</socketType></incomingServer>`), "no <hostname>"},
		{"host empty label", minimal(`<incomingServer type="imap"><hostname>imap..x.example</hostname><port>993</port><socketType>SSL</socketType></incomingServer>`), "empty part between dots"},
		{"socket unknown", minimal(`<incomingServer type="imap"><hostname>i.x.example</hostname><port>993</port><socketType>quantum</socketType></incomingServer>`), `socketType "quantum" is not SSL, STARTTLS or plain`},
		{"socket missing", minimal(`<incomingServer type="imap"><hostname>i.x.example</hostname><port>993</port></incomingServer>`), "no <socketType>"},
		{"bad domain", minimal(`<domain>a b.example</domain>` + imapOK), `domain "a b.example"`},
		{"bad mx", minimal(imapOK + `<mw:mx>*.</mw:mx>`), "mw:mx"},
		{"bad hint kind", minimal(imapOK + `<mw:hint kind="reboot"><mw:text lang="en">x</mw:text></mw:hint>`), `hint 1 (<hint>): kind "reboot" is not one of`},
		{"hint no kind", minimal(imapOK + `<mw:hint><mw:text lang="en">x</mw:text></mw:hint>`), "no kind"},
		{"enable bad kind", minimal(imapOK + `<enable visiturl="https://x.example" mw:kind="nope"/>`), `kind "nope"`},
		{"hint javascript url", minimal(imapOK + `<documentation url="javascript:alert(1)"><descr lang="en">x</descr></documentation>`), "not an http(s) address"},
		{"bad limit", minimal(imapOK + `<mw:limits maxMessageMB="lots"/>`), `maxMessageMB "lots" is not a whole number`},
		{"negative limit", minimal(imapOK + `<mw:limits maxRecipients="-1"/>`), `maxRecipients "-1"`},
		{"bad bool", minimal(`<incomingServer type="pop3"><hostname>p.x.example</hostname><port>995</port><socketType>SSL</socketType><pop3><leaveMessagesOnServer>maybe</leaveMessagesOnServer></pop3></incomingServer>`), `leaveMessagesOnServer "maybe" is not true or false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBytes([]byte(tt.doc))
			if err == nil {
				t.Fatalf("accepted; want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "autoconfig: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// TestSizeCap checks both entry points refuse a document over MaxSize and
// that Parse stops reading there (it must not buffer an endless stream).
func TestSizeCap(t *testing.T) {
	big := minimal(imapOK + "<!--" + strings.Repeat("x", MaxSize) + "-->")
	if _, err := ParseBytes([]byte(big)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ParseBytes(%d bytes) = %v, want ErrTooLarge", len(big), err)
	}
	r := &countingReader{}
	_, err := Parse(r)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("Parse(endless) = %v, want ErrTooLarge saying 1 MiB", err)
	}
	if r.n > MaxSize+64<<10 {
		t.Errorf("Parse read %d bytes of an endless stream; want it to stop near %d", r.n, MaxSize)
	}
	// Just under the cap is fine.
	ok := minimal(imapOK)
	ok = ok + "<!--" + strings.Repeat("x", MaxSize-len(ok)-7) + "-->"
	if _, err := ParseBytes([]byte(ok)); err != nil {
		t.Errorf("a %d-byte document was refused: %v", len(ok), err)
	}
}

type countingReader struct{ n int }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	r.n += len(p)
	return len(p), nil
}

// TestLegacyCharset: a Russian ISP's file in windows-1251 or KOI8-R reads
// as Thunderbird reads it.
func TestLegacyCharset(t *testing.T) {
	for _, enc := range []struct {
		label string
		e     *charmap.Charmap
	}{{"windows-1251", charmap.Windows1251}, {"KOI8-R", charmap.KOI8R}} {
		doc := `<?xml version="1.0" encoding="` + enc.label + `"?>` + minimal(`<displayName>Почта</displayName>`+imapOK+
			`<enable visiturl="https://x.example/"><instruction lang="ru">Включите IMAP</instruction></enable>`)
		b, err := enc.e.NewEncoder().Bytes([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseBytes(b)
		if err != nil {
			t.Fatalf("%s: %v", enc.label, err)
		}
		if c.Provider.Name != "Почта" || c.Hints[0].Text["ru"] != "Включите IMAP" {
			t.Errorf("%s: name %q hint %q", enc.label, c.Provider.Name, c.Hints[0].Text["ru"])
		}
	}
}

// TestUndeclaredPrefix: a file that uses mw: without declaring the namespace
// still means our extensions.
func TestUndeclaredPrefix(t *testing.T) {
	doc := `<clientConfig><emailProvider id="x"><domain>x.example</domain>` + imapOK +
		`<mw:mx>mx.x.example</mw:mx></emailProvider></clientConfig>`
	c, err := ParseBytes([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.MXHosts, []string{"mx.x.example"}) {
		t.Errorf("MXHosts = %q", c.MXHosts)
	}
}

// TestWriteRefuses: Write never produces a file that would not parse back.
func TestWriteRefuses(t *testing.T) {
	good := account.Server{Protocol: account.IMAP, Host: "imap.x.example", Port: 993, Security: account.SSL, Auth: account.AuthPassword}
	smtp := good
	smtp.Protocol = account.SMTP
	bad := func(f func(*account.Server)) account.Server { s := good; f(&s); return s }
	tests := []struct {
		name string
		cfg  account.Config
		want string
	}{
		{"no servers", account.Config{}, "no incoming server"},
		{"smtp incoming", account.Config{Incoming: []account.Server{smtp}}, `protocol "smtp" cannot be incoming`},
		{"imap outgoing", account.Config{Incoming: []account.Server{good}, Outgoing: []account.Server{good}}, `protocol "imap" cannot be outgoing`},
		{"port", account.Config{Incoming: []account.Server{bad(func(s *account.Server) { s.Port = 70000 })}}, "port 70000"},
		{"security", account.Config{Incoming: []account.Server{bad(func(s *account.Server) { s.Security = "tls1.3" })}}, `security "tls1.3"`},
		{"auth", account.Config{Incoming: []account.Server{bad(func(s *account.Server) { s.Auth = "kerberos" })}}, `auth "kerberos"`},
		{"host", account.Config{Incoming: []account.Server{bad(func(s *account.Server) { s.Host = "a/b" })}}, "contains '/'"},
		{"hint", account.Config{Incoming: []account.Server{good}, Hints: []account.Hint{{Kind: "nope"}}}, `kind "nope"`},
		{"limit", account.Config{Incoming: []account.Server{good}, Limits: account.Limits{SendPerDay: -5}}, "negative"},
		{"hint link", account.Config{Incoming: []account.Server{good}, Hints: []account.Hint{{Kind: account.HintInfo, URL: "javascript:alert(1)"}}}, "not an http(s) address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			err := Write(&b, tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Write = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestWriteEscapes: text that looks like markup stays text.
func TestWriteEscapes(t *testing.T) {
	c := account.Config{
		Provider: &account.Provider{ID: "x", Name: `A&B <"Mail"> 'R' Us`},
		Domains:  []string{"x.example"},
		Incoming: []account.Server{{Protocol: account.IMAP, Host: "imap.x.example", Port: 993, Security: account.SSL,
			Username: `%EMAILLOCALPART%</username><hostname>evil.example</hostname>`, Auth: account.AuthPassword}},
		Hints: []account.Hint{{Kind: account.HintInfo, URL: `https://x.example/?a=1&b="2"`, Text: map[string]string{"en": "]]> <!-- -->"}}},
	}
	var b bytes.Buffer
	if err := Write(&b, c); err != nil {
		t.Fatal(err)
	}
	got, err := ParseBytes(b.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("escaping lost something:\ngot  %#v\nwant %#v\n%s", got, c, b.String())
	}
	if strings.Contains(b.String(), "<hostname>evil.example") {
		t.Errorf("a username injected an element:\n%s", b.String())
	}
}

// TestWriteUnwritable: text XML cannot carry (controls, invalid UTF-8) is
// written as U+FFFD, so the file still parses.
func TestWriteUnwritable(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"NUL", "a\x00b", "a\uFFFDb"},
		{"escape control", "a\x1bb", "a\uFFFDb"},
		{"invalid UTF-8", "bad\xffname", "bad\uFFFDname"},
		{"cut rune", "ж\xd0", "ж\uFFFD"},
		{"clean", "Почта & Co", "Почта & Co"},
	}
	for _, tt := range tests {
		c := account.Config{
			Provider: &account.Provider{ID: "x", Name: tt.in},
			Domains:  []string{"x.example"},
			Incoming: []account.Server{{Protocol: account.IMAP, Host: "imap.x.example", Port: 993, Security: account.SSL, Auth: account.AuthPassword}},
		}
		var b bytes.Buffer
		if err := Write(&b, c); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got, err := ParseBytes(b.Bytes())
		if err != nil {
			t.Errorf("%s: the written file does not parse: %v\n%s", tt.name, err, b.String())
			continue
		}
		if got.Provider.Name != tt.want {
			t.Errorf("%s: name %q, want %q", tt.name, got.Provider.Name, tt.want)
		}
	}
}

// FuzzParse: no input panics, and whatever parses re-writes and re-parses to
// the same Config.
func FuzzParse(f *testing.F) {
	for _, in := range inputs(f) {
		b, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// The provider database is the richest real-world corpus we have.
	db, _ := filepath.Glob("../providers/data/*.xml")
	for _, in := range db {
		if b, err := os.ReadFile(in); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(minimal(imapOK)))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseBytes(b)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Write(&out, c); err != nil {
			t.Fatalf("a parsed config does not write: %v", err)
		}
		again, err := ParseBytes(out.Bytes())
		if err != nil {
			t.Fatalf("written config does not parse: %v\n%s", err, out.String())
		}
		if !reflect.DeepEqual(c, again) {
			t.Fatalf("round trip changed the config:\n%s\nfirst  %#v\nsecond %#v", out.String(), c, again)
		}
	})
}

func ExampleParse() {
	c, err := Parse(strings.NewReader(minimal(imapOK)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Provider.ID, c.Incoming[0])
	// Output: x imap://imap.x.example:993?security=ssl
}

func ExampleWrite() {
	c := account.Config{
		Provider: &account.Provider{ID: "example", Name: "Example Mail"},
		Domains:  []string{"example.com"},
		Incoming: []account.Server{{Protocol: account.IMAP, Host: "imap.example.com", Port: 993,
			Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthPassword}},
		MXHosts: []string{"*.mx.example.com"},
	}
	if err := Write(os.Stdout, c); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <clientConfig version="1.1" xmlns:mw="https://mailwiz.github.io/ns/clientconfig-ext/1">
	//   <emailProvider id="example">
	//     <domain>example.com</domain>
	//     <displayName>Example Mail</displayName>
	//     <incomingServer type="imap">
	//       <hostname>imap.example.com</hostname>
	//       <port>993</port>
	//       <socketType>SSL</socketType>
	//       <username>%EMAILADDRESS%</username>
	//       <authentication>password-cleartext</authentication>
	//     </incomingServer>
	//     <mw:mx>*.mx.example.com</mw:mx>
	//   </emailProvider>
	// </clientConfig>
}

// BenchmarkParse compares a real-sized file with the worst 1 MiB inputs we
// know (one element with every attribute it can hold, and the most elements
// allowed): MB/s should stay of the same order, i.e. the work is linear in
// the input and a hostile server cannot make a parse expensive.
func BenchmarkParse(b *testing.B) {
	typical, err := os.ReadFile("testdata/ispdb-oauth2.xml")
	if err != nil {
		b.Fatal(err)
	}
	var attrs strings.Builder
	attrs.WriteString("<clientConfig><emailProvider ")
	for i := 0; attrs.Len() < MaxSize-100; i++ {
		fmt.Fprintf(&attrs, "a%d='' ", i)
	}
	attrs.WriteString("/></clientConfig>")
	elems := minimal(imapOK + strings.Repeat("<inputField/>", MaxElements-10))
	for _, in := range []struct {
		name string
		doc  []byte
	}{{"typical", typical}, {"1MiB-attributes", []byte(attrs.String())}, {"10000-elements", []byte(elems)}} {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.doc)))
			for b.Loop() {
				_, _ = ParseBytes(in.doc)
			}
		})
	}
}

// TestXmllintAgrees has an independent parser (libxml2's xmllint) read what
// Write produces, including the escaping cases, so our writer and our parser
// cannot agree on a dialect nobody else reads.
func TestXmllintAgrees(t *testing.T) {
	xmllint := testenv.RequireCommand(t, "xmllint", "libxml2-utils")
	dir := t.TempDir()
	tricky := account.Config{
		Provider: &account.Provider{ID: "x", Name: "A&B <\"Mail\"> 'R' Us \t\n ]]>"},
		Domains:  []string{"x.example"},
		Incoming: []account.Server{{Protocol: account.IMAP, Host: "imap.x.example", Port: 993, Security: account.SSL,
			Username: "%EMAILLOCALPART%</username>\x00\r", Auth: account.AuthPassword}},
		Hints: []account.Hint{{Kind: account.HintInfo, URL: "https://x.example/?a=1&b=\"2\"\n", Text: map[string]string{"en": "<!-- -->"}}},
	}
	configs := []account.Config{tricky}
	for _, in := range inputs(t) {
		configs = append(configs, parseFile(t, in))
	}
	for i, c := range configs {
		var b bytes.Buffer
		if err := Write(&b, c); err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, fmt.Sprintf("%d.xml", i))
		if err := os.WriteFile(name, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(xmllint, "--noout", "--nonet", name).CombinedOutput()
		if err != nil {
			t.Errorf("xmllint refuses Write's output for config %d: %v\n%s\n%s", i, err, out, b.String())
		}
	}
}
