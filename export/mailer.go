package export

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/keychain"
)

// The formats in this file set up a mailing program (a CRM, a newsletter
// tool, a website's mail plugin, a script) to send through the account's
// SMTP server: an SMTP URL, .env blocks for Laravel and Django, WP Mail
// SMTP's wp-config.php constants, listmonk's settings JSON, Nodemailer's
// transport options and an msmtp account. The settings card for people
// (crm-card) is in mailer_card.go.
//
// None holds a password. Where the program reads one from the same file,
// its line is there and empty, with a comment saying where to type it;
// msmtp's passwordeval reads it from the keychain item mailwiz saved.
//
// Names each program reads were taken from its own source: the comments at
// each writer say which file, and mailer_test.go checks what is written
// against those lists.

func init() {
	for _, f := range []Format{
		{Name: "smtp-url", Ext: ".txt", Description: catalog.Key("SMTP URL (smtps:// or smtp://) with the login and no password, for programs that take one"), write: writeSMTPURL},
		{Name: "env-laravel", Ext: ".env", Description: catalog.Key("Laravel .env lines (MAIL_...), the password left for you to type"), write: writeEnvLaravel},
		{Name: "env-django", Ext: ".env", Description: catalog.Key("Django .env lines (EMAIL_...), the password left for you to type"), write: writeEnvDjango},
		{Name: "wp-mail-smtp", Ext: ".php", Description: catalog.Key("WP Mail SMTP constants for wp-config.php, the password left for you to type"), write: writeWPMailSMTP},
		{Name: "listmonk", Ext: ".json", Description: catalog.Key("listmonk settings: the SMTP server and the POP3 bounce mailbox, to merge into the settings its API returns before saving them (passwords empty)"), write: writeListmonk},
		{Name: "nodemailer", Ext: ".json", Description: catalog.Key("Nodemailer transport options (JSON), auth.pass left empty"), write: writeNodemailer},
		{Name: "msmtp", Ext: ".msmtprc", Description: catalog.Key("msmtp account for ~/.msmtprc; its password stays in the keychain (passwordeval with secret-tool)"), write: writeMsmtp},
	} {
		name, ext := f.Name, f.Ext
		f.file = func(a Account) string { return safeFileName(a.Address.String()) + "-" + name + ext }
		register(f)
	}
}

// mailerFormats are the formats for mailing programs, whose warnings are
// [mailerWarnings] rather than a mail client's.
var mailerFormats = map[string]bool{
	"crm-card": true, "crm-card-text": true, "smtp-url": true, "env-laravel": true, "env-django": true,
	"wp-mail-smtp": true, "listmonk": true, "nodemailer": true, "msmtp": true,
}

// mailerWarnings is what a person must know before using a's export for a
// mailing program, in a.Lang: a provider that accepts only OAuth2 refuses
// every password these programs would send; a plaintext server exposes
// it; port 25 is blocked on many networks.
func mailerWarnings(a Account) []string {
	var w []string
	if a.oauth2() {
		w = append(w, catalog.T(a.Lang, "{{.Provider}} accepts only a browser sign-in (OAuth2): a password, even an app password, is refused. Mailing programs, CRMs and website plugins that log in with a password cannot send through this account.", "Provider", a.providerName()))
	}
	if a.plaintext() {
		w = append(w, textsFor(a.Lang).Plaintext)
	}
	if a.Outgoing.Port == 25 {
		w = append(w, portAdvice(a.Lang))
	}
	return append(w, a.exceptionWarnings()...)
}

// portAdvice is the users' guide's port advice, corrected: the guide
// suggests 25 when in doubt, and then says SaaS accounts cannot use it.
func portAdvice(lang string) string {
	return catalog.T(lang, "Use port 465 (SSL/TLS) or 587 (STARTTLS). Port 25 is blocked by many Internet providers and by cloud (SaaS) services, so a program set to port 25 often cannot connect.")
}

// loginNeeded reports whether the SMTP server takes a login (and so a
// password: OAuth2 accounts get the same lines, and the warning).
func (a Account) loginNeeded() bool { return needsLogin(a.Outgoing.Auth) }

// hostPort is host:port with IPv6 addresses bracketed.
func hostPort(s account.Server) string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// writeSMTPURL writes one line: smtps://login@host:465 for SSL/TLS,
// smtp://login@host:587 for STARTTLS (and for none). The login is
// percent-encoded as URLs need ("@" becomes "%40"); there is never a
// password part.
func writeSMTPURL(w io.Writer, a Account) error {
	u := url.URL{Scheme: "smtp", Host: hostPort(a.Outgoing)}
	if a.Outgoing.Security == account.SSL {
		u.Scheme = "smtps"
	}
	if a.loginNeeded() {
		u.User = url.User(a.Outgoing.Username)
	}
	_, err := fmt.Fprintln(w, u.String())
	return err
}

// commentLines turns sentences into comment lines with prefix ("# ",
// "// "), one sentence a line. A line break inside one (a provider's name
// from a discovered config may hold anything) becomes a space: else it
// would start a line of settings.
func commentLines(prefix string, sentences ...string) string {
	var b strings.Builder
	for _, s := range sentences {
		b.WriteString(prefix + oneLine(s) + "\n")
	}
	return b.String()
}

// oneLine replaces control characters and Unicode line separators by
// spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, s)
}

// header is the first comment of every config file: what it is, for whom,
// and the warnings.
func (a Account) mailerHeader() []string {
	h := []string{catalog.T(a.Lang, "Settings for sending from {{.Address}}, written by mailwiz.", "Address", a.Address.Display())}
	return append(h, mailerWarnings(a)...)
}

// envValue quotes v for a .env file the way phpdotenv (Laravel),
// python-dotenv and django-environ all read back unchanged: bare when it
// holds only characters no parser treats specially, else in single quotes
// (literal in all three), else in double quotes when v has a single quote
// but nothing a double-quoted value would expand or unescape.
func envValue(what, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	bare := true
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@._+-:/", r)) {
			bare = false
			break
		}
	}
	switch {
	case bare:
		return v, nil
	case !strings.Contains(v, "'"):
		return "'" + v + "'", nil
	case !strings.ContainsAny(v, "\"\\$`"):
		return `"` + v + `"`, nil
	}
	return "", fmt.Errorf("%s %q holds both a single quote and one of \" \\ $ `, which a .env file cannot hold unchanged: type it into the file yourself", what, v)
}

// envName is the display name for a .env value: a double quote becomes a
// single one, the one change that lets every name be quoted (see
// envValue) without the person's eye seeing a difference.
func envName(n string) string { return strings.ReplaceAll(n, `"`, "'") }

type envLine struct{ key, value string }

// writeEnv writes the header comments, the comments in extra, then each
// line, quoting values; an empty value is written as KEY= (the password).
func writeEnv(w io.Writer, a Account, extra []string, lines []envLine) error {
	var b strings.Builder
	b.WriteString(commentLines("# ", append(a.mailerHeader(), extra...)...))
	for _, l := range lines {
		v, err := envValue(l.key, l.value)
		if err != nil {
			return err
		}
		b.WriteString(l.key + "=" + v + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (a Account) passwordComment(variable string) []string {
	return []string{
		catalog.T(a.Lang, "mailwiz never writes the password into a file: type it after {{.Variable}}= yourself.", "Variable", variable),
		catalog.T(a.Lang, "Once the file holds the password, keep it out of version control (git) and readable only by you."),
	}
}

// writeEnvLaravel writes the MAIL_ variables of Laravel's config/mail.php
// (laravel/laravel 8a119d7f4461, January 2026): MAIL_MAILER, MAIL_SCHEME,
// MAIL_HOST, MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD, MAIL_FROM_ADDRESS,
// MAIL_FROM_NAME; and MAIL_ENCRYPTION, which skeletons made before
// laravel/laravel eb8085cf77bc (December 2024) read instead of
// MAIL_SCHEME. Laravel's smtp mailer is Symfony Mailer: "smtps" is TLS
// from the start; "smtp" uses STARTTLS when the server offers it.
func writeEnvLaravel(w io.Writer, a Account) error {
	s := a.Outgoing
	scheme := account.BySecurity(s.Security, "smtps", "smtp", "smtp")
	enc := account.BySecurity(s.Security, "ssl", "tls", "null")
	user, pass := "null", "MAIL_PASSWORD"
	if a.loginNeeded() {
		user = s.Username
	}
	lines := []envLine{
		{"MAIL_MAILER", "smtp"},
		{"MAIL_SCHEME", scheme},
		{"MAIL_HOST", s.Host},
		{"MAIL_PORT", strconv.Itoa(s.Port)},
		{"MAIL_USERNAME", user},
	}
	var extra []string
	if a.loginNeeded() {
		lines = append(lines, envLine{pass, ""})
		extra = a.passwordComment(pass)
	}
	lines = append(lines, envLine{"MAIL_FROM_ADDRESS", a.Address.String()})
	if n := a.displayName(); n != "" {
		lines = append(lines, envLine{"MAIL_FROM_NAME", envName(n)})
	}
	lines = append(lines, envLine{"MAIL_ENCRYPTION", enc})
	extra = append(extra, catalog.T(a.Lang, "Laravel projects made since December 2024 read MAIL_SCHEME; older ones read MAIL_ENCRYPTION instead (see their config/mail.php)."))
	if s.Security == account.STARTTLS {
		// Symfony Mailer's STARTTLS is opportunistic unless require_tls
		// is set, which no MAIL_ variable reaches.
		extra = append(extra, catalog.T(a.Lang, "With STARTTLS Laravel encrypts only if the server offers it, and sends the password unencrypted if something on the network removes the offer: use port 465 (MAIL_SCHEME=smtps) where the provider has it."))
	}
	return writeEnv(w, a, extra, lines)
}

// writeEnvDjango writes Django's EMAIL_ settings (django/conf/
// global_settings.py: EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT,
// EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL,
// EMAIL_TIMEOUT, DEFAULT_FROM_EMAIL, SERVER_EMAIL). Django reads no .env
// itself: settings.py loads it (django-environ, python-dotenv). In Django,
// EMAIL_USE_TLS means STARTTLS and EMAIL_USE_SSL TLS from the start; at
// most one may be True.
func writeEnvDjango(w io.Writer, a Account) error {
	s := a.Outgoing
	useSSL := account.BySecurity(s.Security, "True", "False", "False")
	useTLS := account.BySecurity(s.Security, "False", "True", "False")
	lines := []envLine{
		{"EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"},
		{"EMAIL_HOST", s.Host},
		{"EMAIL_PORT", strconv.Itoa(s.Port)},
		{"EMAIL_USE_SSL", useSSL},
		{"EMAIL_USE_TLS", useTLS},
	}
	extra := []string{catalog.T(a.Lang, "Django does not read .env files itself: load this one in settings.py (django-environ or python-dotenv) and set the EMAIL_ settings from it, EMAIL_PORT as a number and EMAIL_USE_SSL, EMAIL_USE_TLS as True or False.")}
	if s.Security != account.None {
		// Measured with Debian 12's Django 3.2: it sends to a server whose
		// certificate no trusted CA signed (smtplib without a context).
		extra = append(extra, catalog.T(a.Lang, "Django 3.2 and older (Debian 12 has 3.2) do not check the mail server's certificate, so a machine on the way could read the password: use a newer Django."))
	}
	if a.loginNeeded() {
		lines = append(lines, envLine{"EMAIL_HOST_USER", s.Username}, envLine{"EMAIL_HOST_PASSWORD", ""})
		extra = append(extra, a.passwordComment("EMAIL_HOST_PASSWORD")...)
	}
	from := a.Address.String()
	if n := a.displayName(); n != "" {
		// A name the .env file cannot quote is left out: the address alone
		// is a valid sender.
		if _, err := envValue("", mailbox(envName(n), from)); err == nil {
			from = mailbox(envName(n), from)
		}
	}
	lines = append(lines,
		envLine{"DEFAULT_FROM_EMAIL", from},
		envLine{"SERVER_EMAIL", a.Address.String()},
		envLine{"EMAIL_TIMEOUT", "30"},
	)
	return writeEnv(w, a, extra, lines)
}

// mailbox is "Name <addr>", the name quoted (RFC 5322 quoted-string) when
// it holds anything but letters, digits and spaces. Non-ASCII names stay
// as they are: Django and the others encode them when sending.
func mailbox(name, addr string) string {
	plain := true
	for _, r := range name {
		if !(r == ' ' || r > 127 || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			plain = false
			break
		}
	}
	if !plain {
		name = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`
	}
	return name + " <" + addr + ">"
}

// phpString is s as a PHP single-quoted string: only \ and ' are special.
func phpString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// phpComment keeps "?>", which ends PHP code even inside a // comment, out
// of comment text taken from the account.
func phpComment(s string) string { return strings.ReplaceAll(s, "?>", "? >") }

// writeWPMailSMTP writes WP Mail SMTP's wp-config.php constants, as its
// src/Options.php reads them (awesomemotive/WP-Mail-SMTP 2a4d69b693b7,
// April 2026). WPMS_SSL is "ssl" (TLS from the start), "tls" (STARTTLS)
// or "" (none); an empty WPMS_SMTP_PASS counts as not set, so the plugin
// then uses the password typed on its settings page.
func writeWPMailSMTP(w io.Writer, a Account) error {
	s := a.Outgoing
	ssl := account.BySecurity(s.Security, "ssl", "tls", "")
	comments := append(a.mailerHeader(),
		catalog.T(a.Lang, "Paste these lines into wp-config.php above the line \"That's all, stop editing!\"."))
	if a.loginNeeded() {
		comments = append(comments,
			catalog.T(a.Lang, "mailwiz never writes the password into a file: type it between the quotes of WPMS_SMTP_PASS, or leave them empty and WP Mail SMTP uses the password typed on its settings page."))
	}
	var b strings.Builder
	b.WriteString("<?php\n")
	for _, c := range comments {
		b.WriteString("// " + phpComment(oneLine(c)) + "\n")
	}
	def := func(name, value string) { fmt.Fprintf(&b, "define( '%s', %s );\n", name, value) }
	def("WPMS_ON", "true")
	def("WPMS_MAIL_FROM", phpString(a.Address.String()))
	def("WPMS_MAIL_FROM_FORCE", "true")
	if n := a.displayName(); n != "" {
		def("WPMS_MAIL_FROM_NAME", phpString(n))
	}
	def("WPMS_MAILER", "'smtp'")
	def("WPMS_SET_RETURN_PATH", "true")
	def("WPMS_SMTP_HOST", phpString(s.Host))
	def("WPMS_SMTP_PORT", strconv.Itoa(s.Port))
	def("WPMS_SSL", phpString(ssl))
	def("WPMS_SMTP_AUTOTLS", "true")
	if a.loginNeeded() {
		def("WPMS_SMTP_AUTH", "true")
		def("WPMS_SMTP_USER", phpString(s.Username))
		def("WPMS_SMTP_PASS", "''")
	} else {
		def("WPMS_SMTP_AUTH", "false")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// listmonkSMTP is one entry of listmonk's "smtp" setting and listmonkBounce
// one of "bounce.mailboxes", with the JSON names of listmonk's
// models/settings.go (knadh/listmonk 911e0b774aba, July 2026). Password is
// always empty: listmonk keeps the one already saved for the entry, or
// the person types it on the settings page.
type listmonkSMTP struct {
	Name          string              `json:"name"`
	Enabled       bool                `json:"enabled"`
	Host          string              `json:"host"`
	HelloHostname string              `json:"hello_hostname"`
	Port          int                 `json:"port"`
	AuthProtocol  string              `json:"auth_protocol"`
	Username      string              `json:"username"`
	Password      string              `json:"password"`
	EmailHeaders  []map[string]string `json:"email_headers"`
	MaxConns      int                 `json:"max_conns"`
	MaxMsgRetries int                 `json:"max_msg_retries"`
	MsgRetryDelay string              `json:"msg_retry_delay"`
	IdleTimeout   string              `json:"idle_timeout"`
	WaitTimeout   string              `json:"wait_timeout"`
	TLSType       string              `json:"tls_type"`
	TLSSkipVerify bool                `json:"tls_skip_verify"`
	FromAddresses []string            `json:"from_addresses"`
}

type listmonkBounce struct {
	Enabled       bool   `json:"enabled"`
	Type          string `json:"type"`
	Host          string `json:"host"`
	Port          int    `json:"port"`
	AuthProtocol  string `json:"auth_protocol"`
	ReturnPath    string `json:"return_path"`
	Username      string `json:"username"`
	Password      string `json:"password"`
	TLSEnabled    bool   `json:"tls_enabled"`
	TLSSkipVerify bool   `json:"tls_skip_verify"`
	ScanInterval  string `json:"scan_interval"`
}

type listmonkSettings struct {
	SMTP            []listmonkSMTP   `json:"smtp"`
	BounceEnabled   *bool            `json:"bounce.enabled,omitempty"`
	BounceMailboxes []listmonkBounce `json:"bounce.mailboxes,omitempty"`
	// The sliding window caps what all of listmonk sends in a period:
	// the provider's daily limit, when it publishes one.
	SlidingWindow         *bool  `json:"app.message_sliding_window,omitempty"`
	SlidingWindowDuration string `json:"app.message_sliding_window_duration,omitempty"`
	SlidingWindowRate     int    `json:"app.message_sliding_window_rate,omitempty"`
}

// writeListmonk writes the settings listmonk's PUT /api/settings takes for
// an SMTP server and, when the provider has a POP3 server with TLS, the
// bounce mailbox (listmonk reads bounces over POP3 only; its "tls_enabled"
// is TLS from the start). The PUT replaces all settings, so the file is
// merged into what GET /api/settings returns (the description says so).
func writeListmonk(w io.Writer, a Account) error {
	s := a.Outgoing
	tls := account.BySecurity(s.Security, "TLS", "STARTTLS", "none")
	auth, user := "login", s.Username
	switch {
	case !a.loginNeeded():
		auth, user = "none", ""
	case s.Auth == account.AuthPasswordEncrypted:
		auth = "cram"
	}
	out := listmonkSettings{SMTP: []listmonkSMTP{{
		Name: a.Address.String(), Enabled: true, Host: s.Host, Port: s.Port,
		AuthProtocol: auth, Username: user, EmailHeaders: []map[string]string{},
		// Two connections: free mailboxes throttle or block an account
		// that opens many at once; listmonk's own default is 10.
		MaxConns: 2, MaxMsgRetries: 2, MsgRetryDelay: "10ms",
		IdleTimeout: "15s", WaitTimeout: "5s", TLSType: tls,
		FromAddresses: []string{a.Address.String()},
	}}}
	if pop, ok := a.bouncePOP3(); ok {
		on := true
		out.BounceEnabled = &on
		out.BounceMailboxes = []listmonkBounce{{
			Enabled: true, Type: "pop", Host: pop.Host, Port: pop.Port, AuthProtocol: "userpass",
			ReturnPath: a.Address.String(), Username: pop.Username, TLSEnabled: true, ScanInterval: "15m",
		}}
	}
	if n := a.Config.Limits.SendPerDay; n > 0 {
		on := true
		out.SlidingWindow, out.SlidingWindowDuration, out.SlidingWindowRate = &on, "24h", n
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// bouncePOP3 is the POP3 server with TLS from the start that listmonk can
// read bounces from: the chosen incoming server if it is one, else the
// provider's first, its host checked as Write checks the chosen ones.
func (a Account) bouncePOP3() (account.Server, bool) {
	cands := append([]account.Server{a.Incoming}, a.Config.For(a.Address).Incoming...)
	for _, s := range cands {
		if s.Protocol != account.POP3 || s.Security != account.SSL || !needsLogin(s.Auth) && s.Auth != "" {
			continue
		}
		n, err := checkServer("bounce", s)
		if err == nil && n.Username != "" {
			return n, true
		}
	}
	return account.Server{}, false
}

// nodemailerOptions are Nodemailer's SMTP transport options
// (lib/smtp-connection): secure is TLS from the start, requireTLS refuses
// to go on without STARTTLS.
type nodemailerOptions struct {
	Host       string          `json:"host"`
	Port       int             `json:"port"`
	Secure     bool            `json:"secure"`
	RequireTLS bool            `json:"requireTLS,omitempty"`
	Auth       *nodemailerAuth `json:"auth,omitempty"`
}

type nodemailerAuth struct {
	User string `json:"user"`
	Pass string `json:"pass"`
}

func writeNodemailer(w io.Writer, a Account) error {
	s := a.Outgoing
	o := nodemailerOptions{Host: s.Host, Port: s.Port, Secure: s.Security == account.SSL, RequireTLS: s.Security == account.STARTTLS}
	if a.loginNeeded() {
		o.Auth = &nodemailerAuth{User: s.Username}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(o)
}

// shellQuote is s in single quotes for sh; a single quote inside is
// closed, escaped and reopened.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// msmtpArg is s as an msmtp configuration argument: msmtp reads the rest
// of the line, and double quotes only when the argument starts or ends
// with a blank or is itself quoted; its values never need them here
// (control characters are refused earlier), except that a leading or
// trailing quote or blank would be taken apart.
func msmtpArg(what, s string) (string, error) {
	if s != strings.TrimSpace(s) || strings.HasPrefix(s, `"`) || strings.HasSuffix(s, `"`) {
		return "", fmt.Errorf("%s %q starts or ends with a blank or a double quote, which msmtp's configuration cannot hold: type it into the file yourself", what, s)
	}
	// A line break would start a line of its own (passwordeval runs a
	// command): no control character goes into the file.
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", fmt.Errorf("%s %q holds a control character, which has no place in msmtp's configuration", what, s)
	}
	return s, nil
}

// sha256Pattern is a SHA-256 fingerprint as mailwiz writes it.
var sha256Pattern = regexp.MustCompile(`^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){31}$`)

// writeMsmtp writes one msmtp account. The password is read by
// passwordeval from the keychain item mailwiz saved for the SMTP server
// (package keychain: service "mailwiz", username
// "smtp://<login>@<host>"), which go-keyring stores in the Secret Service
// with the attributes service and username, and on macOS as a generic
// password with that service and account. The Linux line is active; the
// macOS one is a comment, and Windows gets a sentence: the file's text
// depends on the account alone, never on the machine that wrote it.
func writeMsmtp(w io.Writer, a Account) error {
	s := a.Outgoing
	name := a.Address.String()
	var c []string
	c = append(c, a.mailerHeader()...)
	c = append(c, catalog.T(a.Lang, "Add this account to ~/.msmtprc and send with: msmtp -a {{.Account}} RECIPIENT", "Account", name))
	var item string
	if a.loginNeeded() {
		var err error
		if item, err = keychain.User(s); err != nil {
			return err
		}
		c = append(c,
			catalog.T(a.Lang, "The password stays in the keychain: passwordeval reads the item mailwiz saved for this server, with secret-tool (Debian package libsecret-tools)."),
			catalog.T(a.Lang, "No such item yet? Save the password there yourself with:"),
			"  secret-tool store --label=mailwiz service "+keychain.Service+" username "+shellQuote(item),
			catalog.T(a.Lang, "On macOS, use this line instead of the passwordeval line below:"),
			"  passwordeval security find-generic-password -s "+keychain.Service+" -a "+shellQuote(item)+" -w",
			catalog.T(a.Lang, "On Windows msmtp cannot read the Credential Manager: delete the passwordeval line and msmtp asks for the password."),
		)
	}
	tls := account.BySecurity(s.Security, "on", "on", "off")
	starttls := account.BySecurity(s.Security, "off", "on", "off")
	lines := [][2]string{{"account", name}, {"host", s.Host}, {"port", strconv.Itoa(s.Port)}, {"tls", tls}, {"tls_starttls", starttls}}
	if a.loginNeeded() {
		lines = append(lines, [2]string{"auth", "on"}, [2]string{"user", s.Username})
	} else {
		lines = append(lines, [2]string{"auth", "off"})
	}
	lines = append(lines, [2]string{"from", a.Address.String()})
	switch {
	case s.Security == account.None:
	case len(a.TrustedCerts) == 1:
		// msmtp then accepts this certificate and no other, whoever
		// signed it, as mailwiz did.
		lines = append(lines, [2]string{"tls_fingerprint", a.TrustedCerts[0]})
	case len(a.TrustedCerts) > 1:
		c = append(c, catalog.T(a.Lang, "Several certificate exceptions are kept for this account; msmtp takes one: add the SMTP server's as tls_fingerprint FINGERPRINT."))
	}
	if a.loginNeeded() {
		lines = append(lines, [2]string{"passwordeval", "secret-tool lookup service " + keychain.Service + " username " + shellQuote(item)})
	}
	var b strings.Builder
	b.WriteString(commentLines("# ", c...))
	for _, l := range lines {
		v, err := msmtpArg(l[0], l[1])
		if err != nil {
			return err
		}
		b.WriteString(l[0] + " " + v + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
