// Package export writes one email account's settings in the formats other
// mail clients read: Thunderbird (user.js, a profile ZIP, clientConfig XML),
// The Bat! (a .cmd using /ADD), Apple Mail (.mobileconfig), classic Outlook
// (Autodiscover XML and a .reg), Thunderbird for Android (a QR code), a
// printable HTML sheet, and mailwiz's own detect JSON.
//
// # Use
//
// Build an [Account] with [NewAccount] from a parsed address and a config
// (a provider template or a discovered config), adjust the chosen servers,
// display name and language if the person changed them, then call [Write]
// with a format name from [Formats].
//
// # Secrets
//
// No writer takes a password: [Account] has no field for one, so no export
// can contain it. Every client asks for the password itself on first use
// (Thunderbird, Apple and Android prompt; Outlook and The Bat! ask on the
// first connection).
//
// # OAuth2
//
// Formats that cannot express an OAuth2 sign-in (apple, thebat, outlook)
// still write the servers but carry a warning, in the file and in the
// step text, that a password will be refused. Thunderbird and Android set
// OAuth2 themselves.
//
// # Determinism
//
// Every writer's output depends on the Account alone: no clocks, no random
// numbers, no map order. Apple's PayloadUUIDs are derived from the account,
// ZIP entries carry a fixed time. Golden files in testdata/ hold each format.
package export

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mailwiz/mailwiz/account"
	"golang.org/x/net/idna"
)

// Account is everything a writer needs: the address, the two servers the
// person chose, and what to call the account. It deliberately has no
// password field.
type Account struct {
	Address account.Address
	// Name is the person's name for the From header; empty means none.
	Name string
	// Config is the provider's config for the address (hints, limits,
	// provider name). Its server lists are not used by the writers except
	// json and thunderbird-autoconfig, which list the chosen servers first.
	Config account.Config
	// Incoming is the IMAP or POP3 server; Outgoing the SMTP server. The
	// username is final (placeholders expanded).
	Incoming account.Server
	Outgoing account.Server
	// LeaveOnServer, for POP3: keep mail on the server after downloading it.
	LeaveOnServer bool
	// DaysOnServer, for POP3 with LeaveOnServer: delete after this many days;
	// 0 keeps mail forever.
	DaysOnServer int
	// Lang is the language of step texts and warnings: "en" or "ru".
	Lang string
	// TrustedCerts are the certificate exceptions the person accepted
	// for these servers (SHA-256 fingerprints, "AB:CD:…"): the exports
	// name them, so the program's own question can be checked against
	// them, and msmtp's pins the one certificate (tls_fingerprint).
	TrustedCerts []string
}

// NewAccount picks the preferred incoming and outgoing servers of cfg for
// addr (placeholders expanded) and the POP3 leave-on-server choice from cfg.
// The language is English; change fields before calling [Write] to follow
// the person's choices.
func NewAccount(addr account.Address, cfg account.Config) (Account, error) {
	c := cfg.For(addr)
	a := Account{Address: addr, Config: c, LeaveOnServer: c.LeaveOnServer, DaysOnServer: c.DaysOnServer, Lang: "en"}
	if len(c.Incoming) == 0 {
		return Account{}, &MissingServerError{Address: addr}
	}
	if len(c.Outgoing) == 0 {
		return Account{}, &MissingServerError{Address: addr, Outgoing: true}
	}
	a.Incoming, a.Outgoing = c.Incoming[0], c.Outgoing[0]
	return a, nil
}

// Error is an account an export cannot write. Msg says what is wrong and
// what to change, for a person, without the package's name.
type Error struct{ Msg string }

func (e *Error) Error() string { return "export: " + e.Msg }

func problem(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// MissingServerError: the account has no incoming server (or, with
// Outgoing, no outgoing one) to export.
type MissingServerError struct {
	Address  account.Address
	Outgoing bool
}

func (e *MissingServerError) Error() string {
	side := "incoming"
	if e.Outgoing {
		side = "outgoing"
	}
	return fmt.Sprintf("export: no %s server is known for %s", side, e.Address.Display())
}

// Format describes one export format.
type Format struct {
	// Name is what --format takes.
	Name string
	// Ext is the file extension, with the dot.
	Ext string
	// Description says in one line what the file is and where it goes.
	Description string
	// Binary formats (ZIP, PNG) are never written to a terminal.
	Binary bool
	// Mailer: the format is for a mailing program (CRM, newsletter tool,
	// website form) that sends through the account, not a mail client.
	Mailer bool
	// file is the default file name for an account ("" = from the address).
	file  func(a Account) string
	write func(w io.Writer, a Account) error
}

// FileName is the default file name for a's export in this format.
func (f Format) FileName(a Account) string {
	if f.file != nil {
		return f.file(a)
	}
	return safeFileName(a.Address.String()) + f.Ext
}

// formats is the registry, in the order `mailwiz help export` lists them.
var formats []Format

// register adds a format; each format's file calls it from init.
func register(f Format) {
	f.Mailer = mailerFormats[f.Name]
	formats = append(formats, f)
}

// Formats lists every format, in a fixed order.
func Formats() []Format {
	out := append([]Format(nil), formats...)
	sort.SliceStable(out, func(i, j int) bool { return order(out[i].Name) < order(out[j].Name) })
	return out
}

var formatOrder = []string{"thunderbird", "thunderbird-profile", "thunderbird-autoconfig", "thebat",
	"apple", "outlook", "android", "sheet", "json"}

func order(name string) int {
	for i, n := range formatOrder {
		if n == name {
			return i
		}
	}
	return len(formatOrder)
}

// Lookup returns the format called name.
func Lookup(name string) (Format, bool) {
	for _, f := range formats {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}

// Names lists the format names, in the order of [Formats].
func Names() []string {
	var n []string
	for _, f := range Formats() {
		n = append(n, f.Name)
	}
	return n
}

// ErrUnknownFormat is returned by [Write] for a format name not in [Formats].
var ErrUnknownFormat = problem("unknown format")

// Write writes a in the named format to w. It checks the account first, so
// a bad host name or a control character never reaches a file that a shell
// or a registry editor will read.
func Write(w io.Writer, format string, a Account) error {
	f, ok := Lookup(format)
	if !ok {
		return fmt.Errorf("%w %q: choose one of %s", ErrUnknownFormat, format, strings.Join(Names(), ", "))
	}
	a, err := a.normalized()
	if err != nil {
		return err
	}
	if err := f.write(w, a); err != nil {
		return fmt.Errorf("export: writing %s: %w", f.Name, err)
	}
	return nil
}

// Validate reports the first problem that would make an export wrong or
// unsafe, naming the field and the fix.
func (a Account) Validate() error {
	_, err := a.normalized()
	return err
}

// normalized returns a with host names in ASCII form, or the first problem.
func (a Account) normalized() (Account, error) {
	if a.Address.Local == "" || a.Address.Domain == "" {
		return a, problem("the account has no email address: parse one with account.ParseAddress")
	}
	if err := checkText("the email address", a.Address.String(), 254); err != nil {
		return a, err
	}
	switch a.Lang {
	case "":
		a.Lang = "en"
	case "en", "ru":
	default:
		return a, problem("language %q is not supported: use en or ru", a.Lang)
	}
	if err := checkText("the name", a.Name, 200); err != nil {
		return a, err
	}
	for _, fp := range a.TrustedCerts {
		if !sha256Pattern.MatchString(fp) {
			return a, problem("the certificate exception %q is not a SHA-256 fingerprint (32 hex bytes with colons): accept the certificate again in mailwiz", fp)
		}
	}
	if !a.Incoming.Protocol.Incoming() {
		return a, problem("the incoming server's protocol is %q: use imap or pop3", a.Incoming.Protocol)
	}
	if a.Outgoing.Protocol != account.SMTP {
		return a, problem("the outgoing server's protocol is %q: use smtp", a.Outgoing.Protocol)
	}
	var err error
	if a.Incoming, err = checkServer("incoming", a.Incoming); err != nil {
		return a, err
	}
	if a.Outgoing, err = checkServer("outgoing", a.Outgoing); err != nil {
		return a, err
	}
	if a.DaysOnServer < 0 || a.DaysOnServer > 36500 {
		return a, problem("%d days on the server is out of range: use 0 (forever) to 36500", a.DaysOnServer)
	}
	return a, nil
}

func checkServer(dir string, s account.Server) (account.Server, error) {
	host, err := asciiHost(s.Host)
	if err != nil {
		return s, problem("the %s server: %v", dir, err)
	}
	s.Host = host
	if s.Port < 1 || s.Port > 65535 {
		return s, problem("the %s server's port %d is not a number from 1 to 65535", dir, s.Port)
	}
	if !s.Security.Valid() {
		return s, problem("the %s server's security %q is not ssl, starttls or none", dir, s.Security)
	}
	if s.Auth == "" {
		s.Auth = account.AuthPassword
	}
	if !s.Auth.Valid() {
		return s, problem("the %s server's authentication %q is not one mailwiz knows", dir, s.Auth)
	}
	if err := checkText("the "+dir+" username", s.Username, 254); err != nil {
		return s, err
	}
	if s.Username == "" && needsLogin(s.Auth) {
		return s, problem("the %s server has no username: give one, e.g. %s://alice@%s", dir, s.Protocol, s.Host)
	}
	return s, nil
}

func needsLogin(a account.Auth) bool {
	return a != account.AuthNone && a != account.AuthClientIP && a != account.AuthClientCert
}

// asciiHost returns host in the ASCII form DNS uses, or says why it is not a
// host name. Only letters, digits, hyphens and dots pass (or an IP address),
// which also keeps hosts safe inside .cmd, .reg, XML and JavaScript.
func asciiHost(host string) (string, error) {
	h := strings.TrimSuffix(strings.TrimSpace(host), ".")
	if h == "" {
		return "", errors.New("the host name is empty")
	}
	if ip := net.ParseIP(strings.Trim(h, "[]")); ip != nil {
		return ip.String(), nil
	}
	a, err := idna.Lookup.ToASCII(h)
	if err != nil {
		return "", fmt.Errorf("%q is not a valid host name (%v): check its spelling", host, err)
	}
	a = strings.ToLower(a)
	if len(a) > 253 {
		return "", fmt.Errorf("the host name %q is longer than 253 characters", host)
	}
	for _, label := range strings.Split(a, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", fmt.Errorf("%q is not a valid host name: a part is empty, too long, or starts or ends with a hyphen", host)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", fmt.Errorf("%q is not a valid host name: it contains %q; host names use letters, digits, hyphens and dots", host, c)
			}
		}
	}
	return a, nil
}

// checkText refuses text no mail client field may hold: invalid UTF-8,
// control characters (a line break would end a command or a pref line),
// and more than max characters.
func checkText(what, s string, max int) error {
	if !utf8.ValidString(s) {
		return problem("%s is not valid UTF-8 text: retype it", what)
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return problem("%s contains an invisible control character (%U): retype it without line breaks or tabs", what, r)
		}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return problem("%s is %d characters long; the limit is %d", what, n, max)
	}
	return nil
}

// safeFileName keeps letters, digits and @._+- and replaces the rest, so the
// name is valid on Windows, macOS and Linux.
func safeFileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)), strings.ContainsRune("@._+-", r):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// displayName is the name for the From header, or "" when none was given.
func (a Account) displayName() string { return strings.TrimSpace(a.Name) }

// oauth2 reports whether the account needs an OAuth2 sign-in: either server
// says so, or the provider's hints do.
func (a Account) oauth2() bool {
	return a.Incoming.Auth == account.AuthOAuth2 || a.Outgoing.Auth == account.AuthOAuth2 ||
		a.Config.HasHint(account.HintOAuth2Required)
}

// plaintext reports whether a password would cross the network unencrypted.
func (a Account) plaintext() bool {
	return a.Incoming.Security == account.None && needsLogin(a.Incoming.Auth) ||
		a.Outgoing.Security == account.None && needsLogin(a.Outgoing.Auth)
}

// providerName is the provider's name, or the domain for people to read.
func (a Account) providerName() string {
	if p := a.Config.Provider; p != nil && p.Name != "" {
		return p.Name
	}
	return a.Address.DomainUnicode
}

// socketType is Thunderbird's socketType/try_ssl and the Android QR code's
// ConnectionSecurity: 0 plain, 2 STARTTLS, 3 SSL/TLS. 1 (try STARTTLS) is
// never written: Thunderbird 132 removed it.
func socketType(s account.Security) int { return account.BySecurity(s, 3, 2, 0) }

// Warnings returns what a person must know about a's export in format before
// using it, in a.Lang: that the client cannot do the OAuth2 sign-in the
// provider requires, or that the password would travel unencrypted. The
// files carry the same sentences; the CLI also prints them.
func Warnings(format string, a Account) []string {
	client := map[string]string{"apple": "Apple Mail", "thebat": "The Bat!", "outlook": "Outlook"}[format]
	if format == "json" || format == "thunderbird-autoconfig" {
		return nil // data for programs, not for a person setting up a client
	}
	if mailerFormats[format] {
		return mailerWarnings(a)
	}
	return a.warnings(client)
}
