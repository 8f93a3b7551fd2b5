package export

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
)

func init() {
	register(Format{
		Name: "thunderbird", Ext: ".js",
		Description: catalog.Key("user.js for a new Thunderbird profile (put it in the empty profile folder, start Thunderbird once, then delete it)"),
		file:        func(Account) string { return "user.js" },
		write:       writeThunderbird,
	})
	register(Format{
		Name: "thunderbird-profile", Ext: ".zip", Binary: true,
		Description: catalog.Key("ZIP with prefs.js for an existing Thunderbird: Tools › Import › Import from a file › Import Backed-up Profile"),
		file:        func(a Account) string { return safeFileName(a.Address.String()) + "-thunderbird-profile.zip" },
		write:       writeThunderbirdProfile,
	})
}

// Thunderbird's authMethod values (mailnews/base/public/MailNewsTypes2.idl).
const (
	tbAuthNone      = 1
	tbAuthCleartext = 3
	tbAuthEncrypted = 4
	tbAuthExternal  = 7 // TLS client certificate
	tbAuthOAuth2    = 10
)

func tbAuth(a account.Auth) int {
	switch a {
	case account.AuthPasswordEncrypted:
		return tbAuthEncrypted
	case account.AuthOAuth2:
		return tbAuthOAuth2
	case account.AuthNone, account.AuthClientIP:
		return tbAuthNone
	case account.AuthClientCert:
		return tbAuthExternal
	default:
		return tbAuthCleartext
	}
}

// pref is one user_pref line: the value is a string, an int or a bool.
type pref struct {
	key   string
	value any
}

// thunderbirdPrefs is the account as Thunderbird's prefs, in the order a
// person reads them: the account list, the account, its server, identity and
// outgoing server. Keys are the first free ones of a new profile (account1,
// server1, id1, smtp1); the profile import renumbers them.
func thunderbirdPrefs(a Account) []pref {
	in, out := a.Incoming, a.Outgoing
	name := a.Address.String()
	p := []pref{
		{"mail.accountmanager.accounts", "account1"},
		{"mail.accountmanager.defaultaccount", "account1"},
		{"mail.account.account1.server", "server1"},
		{"mail.account.account1.identities", "id1"},
		{"mail.server.server1.type", string(in.Protocol)},
		{"mail.server.server1.name", name},
		{"mail.server.server1.hostname", in.Host},
		{"mail.server.server1.port", in.Port},
		{"mail.server.server1.socketType", socketType(in.Security)},
		{"mail.server.server1.authMethod", tbAuth(in.Auth)},
		{"mail.server.server1.userName", in.Username},
	}
	if in.Protocol == account.POP3 {
		p = append(p, pref{"mail.server.server1.leave_on_server", a.LeaveOnServer})
		if a.LeaveOnServer && a.DaysOnServer > 0 {
			p = append(p,
				pref{"mail.server.server1.delete_by_age_from_server", true},
				pref{"mail.server.server1.num_days_to_leave_on_server", a.DaysOnServer})
		}
	}
	p = append(p,
		pref{"mail.identity.id1.fullName", a.displayName()},
		pref{"mail.identity.id1.useremail", a.Address.String()},
		pref{"mail.identity.id1.smtpServer", "smtp1"},
		pref{"mail.identity.id1.valid", true},
		pref{"mail.smtpservers", "smtp1"},
		pref{"mail.smtp.defaultserver", "smtp1"},
		pref{"mail.smtpserver.smtp1.type", "smtp"},
		pref{"mail.smtpserver.smtp1.description", a.providerName()},
		pref{"mail.smtpserver.smtp1.hostname", out.Host},
		pref{"mail.smtpserver.smtp1.port", out.Port},
		pref{"mail.smtpserver.smtp1.try_ssl", socketType(out.Security)},
		pref{"mail.smtpserver.smtp1.authMethod", tbAuth(out.Auth)},
		pref{"mail.smtpserver.smtp1.username", out.Username},
	)
	return p
}

func writePrefs(w io.Writer, header []string, prefs []pref) error {
	var b strings.Builder
	b.WriteString(commentLines("// ", header...))
	if len(header) > 0 {
		b.WriteString("\n")
	}
	for _, p := range prefs {
		fmt.Fprintf(&b, "user_pref(%s, %s);\n", jsString(p.key), jsValue(p.value))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func jsValue(v any) string {
	switch v := v.(type) {
	case string:
		return jsString(v)
	case int:
		return strconv.Itoa(v)
	case bool:
		return strconv.FormatBool(v)
	}
	return jsString(fmt.Sprint(v))
}

// jsString quotes s as a string literal Mozilla's pref parser reads: a
// backslash and a double quote are escaped, other characters stay as UTF-8
// (control characters were refused by Validate; \uXXXX keeps any that get
// here harmless).
func jsString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\' || r == '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func writeThunderbird(w io.Writer, a Account) error {
	header := []string{
		catalog.T(a.Lang, "mailwiz: Thunderbird account {{.Address}}", "Address", a.Address.String()),
		catalog.T(a.Lang, "Put this file, named user.js, in a new empty Thunderbird profile folder and start Thunderbird once. Then delete it: Thunderbird applies user.js at every start."),
		catalog.T(a.Lang, "For a profile that already has accounts, use the thunderbird-profile export."),
		catalog.T(a.Lang, "No password is stored here: Thunderbird asks for it on first use."),
	}
	// Thunderbird signs in with OAuth2 itself; a certificate exception it
	// asks about, and the fingerprint to compare, are worth the lines.
	return writePrefs(w, append(header, a.exceptionWarnings()...), thunderbirdPrefs(a))
}

// zipTime is the fixed modification time of every ZIP entry, so the same
// account always gives the same bytes. 1980-01-01 is the DOS epoch, the
// earliest time a ZIP can hold.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

type zipEntry struct {
	name string
	data []byte
}

// writeZip writes entries, stored (uncompressed, like Thunderbird's own
// profile export), with fixed times and the archive comment.
func writeZip(w io.Writer, comment string, entries []zipEntry) error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store, Modified: zipTime})
		if err != nil {
			return err
		}
		if _, err := f.Write(e.data); err != nil {
			return err
		}
	}
	if err := zw.SetComment(comment); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// ThunderbirdProfileSteps is the text that tells a person how to import the
// thunderbird-profile ZIP, in lang ("en", "ru").
func ThunderbirdProfileSteps(lang string) string { return textsFor(lang).TBProfileSteps }

func writeThunderbirdProfile(w io.Writer, a Account) error {
	var prefs bytes.Buffer
	// Thunderbird's import parses prefs.js with the real pref parser and
	// copies only account prefs, so the file holds nothing else.
	if err := writePrefs(&prefs, []string{"Mozilla User Preferences", "mailwiz: account " + a.Address.String()}, thunderbirdPrefs(a)); err != nil {
		return err
	}
	steps := ThunderbirdProfileSteps(a.Lang)
	readme := strings.ReplaceAll(wrap(steps, 76), "\n", "\r\n") + "\r\n"
	// prefs.js at the root is what the importer looks for; the readme beside
	// it is ignored by the import and read by people.
	return writeZip(w, steps, []zipEntry{
		{"prefs.js", prefs.Bytes()},
		{"README.txt", []byte(readme)},
	})
}

// wrap breaks s into lines of at most width characters at spaces.
func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(s) {
		l := len([]rune(word))
		if i > 0 {
			if n+1+l > width {
				b.WriteByte('\n')
				n = 0
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(word)
		n += l
	}
	return b.String()
}
