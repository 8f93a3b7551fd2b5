package export

import (
	"bytes"
	"encoding/json"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
)

// mailerFixtures are sending accounts: a provider like the free Russian
// ones of the users' guide (SSL/TLS on 465, From must match the login, a
// daily limit, IMAP and POP3) in English and in Russian, and a relay that
// trusts the client's network (no login) on 587.
func mailerFixtures(t testing.TB) map[string]Account {
	t.Helper()
	free := account.Config{
		Provider: &account.Provider{ID: "examplemail", Name: "Example Mail"},
		Domains:  []string{"example.org"},
		Incoming: []account.Server{
			{Protocol: account.IMAP, Host: "imap.example.org", Port: 993, Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthPassword},
			{Protocol: account.POP3, Host: "pop.example.org", Port: 995, Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthPassword},
		},
		Outgoing: []account.Server{
			{Protocol: account.SMTP, Host: "smtp.example.org", Port: 465, Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthPassword},
		},
		Hints: []account.Hint{
			{Kind: account.HintFromMustMatch, Text: map[string]string{"en": "The sender must be the address you log in with.", "ru": "Отправитель должен совпадать с логином."}, URL: "https://help.example.org/smtp"},
		},
		Limits: account.Limits{MaxRecipients: 35, SendPerDay: 500},
		Source: account.SourceBuiltin, SecureSource: true,
	}
	relay := account.Config{
		Incoming: []account.Server{{Protocol: account.IMAP, Host: "mail.example.net", Port: 993, Security: account.SSL, Username: account.PlaceholderLocal, Auth: account.AuthPassword}},
		Outgoing: []account.Server{{Protocol: account.SMTP, Host: "relay.example.net", Port: 587, Security: account.STARTTLS, Auth: account.AuthClientIP}},
		Source:   account.SourceManual,
	}
	mk := func(addr string, cfg account.Config, name, lang string) Account {
		a, err := NewAccount(mustAddr(t, addr), cfg)
		if err != nil {
			t.Fatal(err)
		}
		a.Name, a.Lang = name, lang
		return a
	}
	return map[string]Account{
		"free-en": mk("news@example.org", free, "Example Shop", "en"),
		"free-ru": mk("news@example.org", free, "Магазин «Пример»", "ru"),
		"relay":   mk("crm@example.net", relay, "", "en"),
	}
}

// mailerFormatNames are the mailing programs' formats, in registry order.
func mailerFormatNames(t testing.TB) []Format {
	t.Helper()
	var out []Format
	for _, f := range Formats() {
		if f.Mailer != mailerFormats[f.Name] {
			t.Errorf("%s: Mailer = %v; the list of mailer formats says %v", f.Name, f.Mailer, mailerFormats[f.Name])
		}
		if mailerFormats[f.Name] {
			out = append(out, f)
		}
	}
	if len(out) != len(mailerFormats) {
		t.Fatalf("%d of the %d mailer formats are registered", len(out), len(mailerFormats))
	}
	return out
}

func TestMailerGolden(t *testing.T) {
	for name, a := range mailerFixtures(t) {
		for _, f := range mailerFormatNames(t) {
			t.Run(name+"/"+f.Name, func(t *testing.T) {
				golden(t, filepath.Join("mailer", name, f.Name+f.Ext), export(t, f.Name, a))
			})
		}
	}
}

// allMailerAccounts is every fixture, with a password-like string put in
// the name and the login, where a careless writer might take it for one.
func allMailerAccounts(t testing.TB) map[string]Account {
	t.Helper()
	all := map[string]Account{}
	for n, a := range fixtures(t) {
		all[n] = a
	}
	for n, a := range mailerFixtures(t) {
		all[n] = a
	}
	for n, a := range fixtures(t) {
		a.Name = "pass " + canary
		if needsLogin(a.Outgoing.Auth) {
			a.Outgoing.Username = "pw-" + canary
		}
		all[n+"-canary"] = a
	}
	return all
}

// TestMailerPasswordsEmpty reads each export as its program would and
// checks that every password field is there to fill in, and empty.
func TestMailerPasswordsEmpty(t *testing.T) {
	for name, a := range allMailerAccounts(t) {
		for _, f := range mailerFormatNames(t) {
			t.Run(name+"/"+f.Name, func(t *testing.T) {
				out := export(t, f.Name, a)
				if strings.Contains(strings.ToLower(string(out)), "password ") && f.Name == "msmtp" {
					for _, l := range strings.Split(string(out), "\n") {
						if strings.HasPrefix(strings.TrimSpace(l), "password ") {
							t.Errorf("msmtp file has a password command: %s", l)
						}
					}
				}
				login := needsLogin(a.Outgoing.Auth)
				switch f.Name {
				case "env-laravel", "env-django":
					vals := parseEnv(t, out)
					n := 0
					for k, v := range vals {
						if strings.Contains(k, "PASSWORD") {
							n++
							if v != "" {
								t.Errorf("%s=%q; want it empty", k, v)
							}
						}
					}
					if login && n != 1 {
						t.Errorf("%d password lines; want one, empty, for the person to fill in", n)
					}
				case "wp-mail-smtp":
					for _, m := range regexp.MustCompile(`define\( '(\w*PASS\w*)', (.*) \);`).FindAllStringSubmatch(string(out), -1) {
						if m[2] != "''" {
							t.Errorf("%s is %s; want ''", m[1], m[2])
						}
					}
				case "listmonk", "nodemailer":
					var v any
					if err := json.Unmarshal(out, &v); err != nil {
						t.Fatal(err)
					}
					walkJSON(v, func(key string, val any) {
						if (key == "password" || key == "pass") && val != "" {
							t.Errorf("%s = %v; want empty", key, val)
						}
					})
				case "smtp-url":
					u, err := url.Parse(strings.TrimSpace(string(out)))
					if err != nil {
						t.Fatal(err)
					}
					if _, has := u.User.Password(); has {
						t.Errorf("the URL %s has a password part", u.Redacted())
					}
					if login && u.User.Username() != a.Outgoing.Username {
						t.Errorf("the URL's login is %q; want %q", u.User.Username(), a.Outgoing.Username)
					}
				case "crm-card", "crm-card-text":
					c := buildCard(a)
					pw := textsFor(a.Lang).PasswordValue
					for _, s := range c.Sections {
						for _, r := range s.Rows {
							if strings.Contains(strings.ToLower(r.Label), "pass") || strings.Contains(strings.ToLower(r.Label), "пароль") {
								if r.Value != pw {
									t.Errorf("card row %s = %q; want the explanation %q", r.Label, r.Value, pw)
								}
							}
						}
					}
				}
			})
		}
	}
}

func walkJSON(v any, f func(key string, val any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			f(k, val)
			walkJSON(val, f)
		}
	case []any:
		for _, e := range x {
			walkJSON(e, f)
		}
	}
}

// parseEnv reads KEY=VALUE lines as the dotenv parsers do for the forms
// envValue writes: bare, 'single' (literal) or "double" (no escapes used).
func parseEnv(t testing.TB, b []byte) map[string]string {
	t.Helper()
	vals := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			t.Fatalf("line %q is neither a comment nor KEY=VALUE", l)
		}
		if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		vals[k] = v
	}
	return vals
}

// Field names the programs read, from their own sources. A name written
// that is not here is a setting the program ignores.
var (
	// knadh/listmonk models/settings.go at 911e0b774abad4fbf7b534be43a34a80fb6ace5b:
	// the json tags of Settings (top level), of its SMTP entries and of
	// its BounceBoxes; allowed values from frontend/src/views/settings/
	// smtp.vue and bounces.vue at the same commit.
	listmonkTop = []string{
		"app.site_name", "app.root_url", "app.logo_url", "app.favicon_url", "app.from_email", "app.notify_emails",
		"app.enable_public_subscription_page", "app.enable_public_archive", "app.enable_public_archive_rss_content",
		"app.show_optin_page", "app.send_optin_confirmation", "app.check_updates", "app.lang", "app.batch_size",
		"app.concurrency", "app.max_send_errors", "app.message_rate", "app.cache_slow_queries",
		"app.cache_slow_queries_interval", "app.message_sliding_window", "app.message_sliding_window_duration",
		"app.message_sliding_window_rate", "smtp", "messengers", "bounce.enabled", "bounce.webhooks_enabled",
		"bounce.actions", "bounce.ses_enabled", "bounce.sendgrid_enabled", "bounce.sendgrid_key", "bounce.azure",
		"bounce.postmark", "bounce.forwardemail", "bounce.lettermint", "bounce.mailboxes",
	}
	listmonkSMTPFields = []string{
		"name", "uuid", "enabled", "host", "hello_hostname", "port", "auth_protocol", "username", "password",
		"email_headers", "max_conns", "max_msg_retries", "msg_retry_delay", "idle_timeout", "wait_timeout",
		"tls_type", "tls_skip_verify", "from_addresses",
	}
	listmonkBounceFields = []string{
		"uuid", "enabled", "type", "host", "port", "auth_protocol", "return_path", "username", "password",
		"tls_enabled", "tls_skip_verify", "scan_interval",
	}
	listmonkValues = map[string][]string{
		"smtp.tls_type": {"none", "STARTTLS", "TLS"}, "smtp.auth_protocol": {"login", "cram", "plain", "none"},
		"bounce.type": {"pop"}, "bounce.auth_protocol": {"none", "userpass"},
	}

	// awesomemotive/WP-Mail-SMTP src/Options.php at
	// 2a4d69b693b7d54fd6f698f3c7024a714b3e2783: the constants of the mail
	// and smtp groups; WPMS_SSL is '' (none), 'ssl' or 'tls'.
	wpmsConstants = []string{
		"WPMS_ON", "WPMS_MAIL_FROM", "WPMS_MAIL_FROM_FORCE", "WPMS_MAIL_FROM_NAME", "WPMS_MAIL_FROM_NAME_FORCE",
		"WPMS_MAILER", "WPMS_SET_RETURN_PATH", "WPMS_SMTP_HOST", "WPMS_SMTP_PORT", "WPMS_SSL", "WPMS_SMTP_AUTH",
		"WPMS_SMTP_AUTOTLS", "WPMS_SMTP_USER", "WPMS_SMTP_PASS",
	}

	// laravel/laravel config/mail.php at 8a119d7f4461c73b47197b80f4cecb3c97796919,
	// and MAIL_ENCRYPTION from the same file before eb8085cf77bc.
	laravelVariables = []string{
		"MAIL_MAILER", "MAIL_SCHEME", "MAIL_URL", "MAIL_HOST", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD",
		"MAIL_EHLO_DOMAIN", "MAIL_FROM_ADDRESS", "MAIL_FROM_NAME", "MAIL_SENDMAIL_PATH", "MAIL_LOG_CHANNEL",
		"MAIL_ENCRYPTION",
	}

	// django/conf/global_settings.py (Django 3.2 to 5.x): the mail
	// settings. EMAIL_BACKEND is not a setting a .env usually holds, but
	// Django reads it by that name. The consumer test checks these against
	// the installed Django too.
	djangoSettings = []string{
		"EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_LOCALTIME", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
		"EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_SSL_CERTFILE", "EMAIL_SSL_KEYFILE", "EMAIL_TIMEOUT",
		"EMAIL_SUBJECT_PREFIX", "DEFAULT_FROM_EMAIL", "SERVER_EMAIL",
	}

	// nodemailer/nodemailer lib/smtp-connection/index.js at
	// 2f667f4272cb2d7cb479b2e3903ab10600fc0eae: the documented options, and
	// auth.user, auth.pass as it reads them.
	nodemailerOptionNames = []string{
		"port", "host", "secure", "ignoreTLS", "requireTLS", "name", "localAddress", "greetingTimeout",
		"connectionTimeout", "socketTimeout", "dnsTimeout", "lmtp", "logger", "debug", "tls", "socket", "secured",
		"auth", "auth.user", "auth.pass",
	}
)

// TestListmonkFieldNames: every key and enumerated value written is one
// listmonk's settings model has.
func TestListmonkFieldNames(t *testing.T) {
	for name, a := range allMailerAccounts(t) {
		var v map[string]json.RawMessage
		out := export(t, "listmonk", a)
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for k := range v {
			if !slices.Contains(listmonkTop, k) {
				t.Errorf("%s: top-level key %q is not a listmonk setting", name, k)
			}
		}
		var s struct {
			SMTP   []map[string]any `json:"smtp"`
			Bounce []map[string]any `json:"bounce.mailboxes"`
		}
		if err := json.Unmarshal(out, &s); err != nil {
			t.Fatal(err)
		}
		if len(s.SMTP) != 1 {
			t.Fatalf("%s: %d SMTP entries; want 1", name, len(s.SMTP))
		}
		check := func(kind string, fields []string, entries []map[string]any) {
			for _, e := range entries {
				for k, val := range e {
					if !slices.Contains(fields, k) {
						t.Errorf("%s: %s key %q is not in listmonk's model", name, kind, k)
					}
					if allowed, ok := listmonkValues[kind+"."+k]; ok && !slices.Contains(allowed, val.(string)) {
						t.Errorf("%s: %s %s = %q; listmonk takes %v", name, kind, k, val, allowed)
					}
				}
				for _, k := range fields {
					if _, ok := e[k]; !ok && k != "uuid" {
						t.Errorf("%s: %s lacks %q (listmonk would zero it)", name, kind, k)
					}
				}
			}
		}
		check("smtp", listmonkSMTPFields, s.SMTP)
		check("bounce", listmonkBounceFields, s.Bounce)
	}
	// IMAP-only: no bounce mailbox (listmonk reads bounces over POP3 only).
	a := fixtures(t)["oauth2"]
	if bytes.Contains(export(t, "listmonk", a), []byte("bounce.mailboxes")) {
		t.Error("an account with no POP3 server got a listmonk bounce mailbox")
	}
}

func TestWPMailSMTPConstants(t *testing.T) {
	re := regexp.MustCompile(`(?m)^define\( '(\w+)', (.*) \);$`)
	for name, a := range allMailerAccounts(t) {
		out := string(export(t, "wp-mail-smtp", a))
		ms := re.FindAllStringSubmatch(out, -1)
		if len(ms) < 10 {
			t.Fatalf("%s: %d constants:\n%s", name, len(ms), out)
		}
		for _, m := range ms {
			if !slices.Contains(wpmsConstants, m[1]) {
				t.Errorf("%s: %s is not a WP Mail SMTP constant", name, m[1])
			}
			if m[1] == "WPMS_SSL" && !slices.Contains([]string{"''", "'ssl'", "'tls'"}, m[2]) {
				t.Errorf("%s: WPMS_SSL = %s", name, m[2])
			}
		}
	}
}

func TestEnvVariableNames(t *testing.T) {
	for name, a := range allMailerAccounts(t) {
		for format, known := range map[string][]string{"env-laravel": laravelVariables, "env-django": djangoSettings} {
			for k := range parseEnv(t, export(t, format, a)) {
				if !slices.Contains(known, k) {
					t.Errorf("%s/%s: %s is not a variable the program reads", name, format, k)
				}
			}
		}
	}
}

func TestNodemailerOptionNames(t *testing.T) {
	for name, a := range allMailerAccounts(t) {
		var v map[string]any
		if err := json.Unmarshal(export(t, "nodemailer", a), &v); err != nil {
			t.Fatal(err)
		}
		for k, val := range v {
			if !slices.Contains(nodemailerOptionNames, k) {
				t.Errorf("%s: %s is not a Nodemailer option", name, k)
			}
			if m, ok := val.(map[string]any); ok {
				for sub := range m {
					if !slices.Contains(nodemailerOptionNames, k+"."+sub) {
						t.Errorf("%s: %s.%s is not a Nodemailer option", name, k, sub)
					}
				}
			}
		}
	}
}

// TestMailerSecurityWords: each format says SSL/TLS, STARTTLS and none in
// its program's own terms.
func TestMailerSecurityWords(t *testing.T) {
	base := mailerFixtures(t)["free-en"]
	cases := []struct {
		sec  account.Security
		port int
		want map[string][]string
	}{
		{account.SSL, 465, map[string][]string{
			"smtp-url": {"smtps://news%40example.org@smtp.example.org:465\n"}, "env-laravel": {"MAIL_SCHEME=smtps\n", "MAIL_ENCRYPTION=ssl\n"},
			"env-django": {"EMAIL_USE_SSL=True\n", "EMAIL_USE_TLS=False\n"}, "wp-mail-smtp": {"'WPMS_SSL', 'ssl'"},
			"listmonk": {`"tls_type": "TLS"`}, "nodemailer": {`"secure": true`}, "msmtp": {"tls on\n", "tls_starttls off\n"},
			"crm-card-text": {"SSL/TLS (some programs call it SSL)"},
		}},
		{account.STARTTLS, 587, map[string][]string{
			"smtp-url": {"smtp://news%40example.org@smtp.example.org:587\n"}, "env-laravel": {"MAIL_SCHEME=smtp\n", "MAIL_ENCRYPTION=tls\n"},
			"env-django": {"EMAIL_USE_SSL=False\n", "EMAIL_USE_TLS=True\n"}, "wp-mail-smtp": {"'WPMS_SSL', 'tls'"},
			"listmonk": {`"tls_type": "STARTTLS"`}, "nodemailer": {`"secure": false`, `"requireTLS": true`}, "msmtp": {"tls on\n", "tls_starttls on\n"},
			"crm-card-text": {"STARTTLS (some programs call it TLS)"},
		}},
		{account.None, 25, map[string][]string{
			"smtp-url": {"smtp://news%40example.org@smtp.example.org:25\n"}, "env-laravel": {"MAIL_SCHEME=smtp\n", "MAIL_ENCRYPTION=null\n"},
			"env-django": {"EMAIL_USE_SSL=False\n", "EMAIL_USE_TLS=False\n"}, "wp-mail-smtp": {"'WPMS_SSL', ''"},
			"listmonk": {`"tls_type": "none"`}, "nodemailer": {`"secure": false`}, "msmtp": {"tls off\n"},
			"crm-card-text": {"None (unencrypted)", "Port 25 is blocked"},
		}},
	}
	for _, c := range cases {
		a := base
		a.Outgoing.Security, a.Outgoing.Port = c.sec, c.port
		for format, wants := range c.want {
			out := string(export(t, format, a))
			for _, w := range wants {
				if !strings.Contains(out, w) {
					t.Errorf("%s with %s on %d lacks %q:\n%s", format, c.sec, c.port, w, out)
				}
			}
			if c.sec != account.STARTTLS && format == "nodemailer" && strings.Contains(out, "requireTLS") {
				t.Errorf("nodemailer with %s sets requireTLS:\n%s", c.sec, out)
			}
		}
	}
}

// TestMailerWarnings: the CLI's Warnings say what the files say.
func TestMailerWarnings(t *testing.T) {
	oauth := fixtures(t)["oauth2"]
	w := Warnings("msmtp", oauth)
	if len(w) != 1 || !strings.Contains(w[0], "Outlook.com accepts only a browser sign-in") {
		t.Errorf("Warnings(msmtp, OAuth2 account) = %q; want the OAuth2 warning for mailing programs", w)
	}
	if !strings.Contains(string(export(t, "env-laravel", oauth)), w[0]) {
		t.Error("the .env file lacks the warning the CLI prints")
	}
	tricky := fixtures(t)["tricky"]
	w = Warnings("crm-card", tricky)
	if len(w) != 2 || !strings.Contains(w[1], "Port 25 is blocked") {
		t.Errorf("Warnings(crm-card, plaintext on 25) = %q; want the plaintext and port 25 warnings", w)
	}
	if w := Warnings("smtp-url", mailerFixtures(t)["free-en"]); len(w) != 0 {
		t.Errorf("Warnings for an SSL account on 465 = %q; want none", w)
	}
	ru := catalog.T("ru", "Use port 465 (SSL/TLS) or 587 (STARTTLS). Port 25 is blocked by many Internet providers and by cloud (SaaS) services, so a program set to port 25 often cannot connect.")
	tricky.Lang = "ru"
	if w := Warnings("nodemailer", tricky); len(w) != 2 || w[1] != ru {
		t.Errorf("Russian warnings = %q; want the Russian port advice last", w)
	}
}

func TestEnvValue(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "",
		"smtp.example.org":        "smtp.example.org",
		"a+b@example.org":         "a+b@example.org",
		"Alice Example":           "'Alice Example'",
		`Dan "D" #1 $HOME \n`:     `'Dan "D" #1 $HOME \n'`,
		"O'Neil & <Co>":           `"O'Neil & <Co>"`,
		"Магазин «Пример»":        "'Магазин «Пример»'",
		"django.core.mail.x.Y_Z1": "django.core.mail.x.Y_Z1",
	} {
		got, err := envValue("v", in)
		if err != nil || got != want {
			t.Errorf("envValue(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`O'Neil "x"`, `it's $5`, `a'b\c`, "it's `x`"} {
		if got, err := envValue("the login", bad); err == nil || !strings.Contains(err.Error(), "the login") {
			t.Errorf("envValue(%q) = %q, %v; want an error naming the field", bad, got, err)
		}
	}
	// A login no .env can hold is refused with the reason, not mangled.
	a := mailerFixtures(t)["free-en"]
	a.Outgoing.Username = `it's "odd"`
	var b bytes.Buffer
	if err := Write(&b, "env-laravel", a); err == nil || !strings.Contains(err.Error(), "yourself") {
		t.Errorf("env-laravel with an unquotable login = %v; want a refusal saying what to do", err)
	}
}

func TestPasswordAssignmentCheck(t *testing.T) {
	for s, leak := range map[string]bool{
		"MAIL_PASSWORD=\n":                            false,
		"EMAIL_HOST_PASSWORD=":                        false,
		"# type it after MAIL_PASSWORD= yourself.\n":  false,
		"MAIL_PASSWORD=hunter2\n":                     true,
		"EMAIL_HOST_PASSWORD = hunter2\n":             true,
		"x\n  mail_password=\t'hunter2'\n":            true,
		"define( 'WPMS_SMTP_PASS', 'password=x' );\n": true,
	} {
		if got := passwordAssignment.MatchString(s); got != leak {
			t.Errorf("passwordAssignment on %q = %v; want %v", s, got, leak)
		}
	}
}

func TestMsmtpRefusesUnholdableValues(t *testing.T) {
	a := mailerFixtures(t)["free-en"]
	a.Outgoing.Username = `"quoted"`
	err := Write(&bytes.Buffer{}, "msmtp", a)
	if err == nil || !strings.Contains(err.Error(), "msmtp") {
		t.Errorf("msmtp with a quoted login = %v; want a refusal", err)
	}
}

func TestMsmtpKeychainItem(t *testing.T) {
	a := mailerFixtures(t)["free-en"]
	a.Outgoing.Username = "o'brien@example.org"
	a.Outgoing.Host = "SMTP.Example.org"
	out := string(export(t, "msmtp", a))
	want := `passwordeval secret-tool lookup service mailwiz username 'smtp://o'\''brien@example.org@smtp.example.org'` + "\n"
	if !strings.Contains(out, want) {
		t.Errorf("msmtp lacks\n%s\ngot:\n%s", want, out)
	}
	if a := mailerFixtures(t)["relay"]; strings.Contains(string(export(t, "msmtp", a)), "passwordeval") {
		t.Error("an account with no login got a passwordeval line")
	}
}

// TestMailerCommentsStayComments: a provider name from a discovered config
// with a line break cannot start a line of settings.
func TestMailerCommentsStayComments(t *testing.T) {
	a := fixtures(t)["oauth2"]
	a.Config.Provider = &account.Provider{ID: "x", Name: "Evil\nMAIL_HOST=evil.example\r\n?>\u2028x"}
	for _, f := range []string{"env-laravel", "env-django", "msmtp", "wp-mail-smtp"} {
		out := string(export(t, f, a))
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "evil.example") && !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "//") {
				t.Errorf("%s: the provider's name made a line of its own: %q", f, l)
			}
		}
		if f == "wp-mail-smtp" && strings.Count(out, "?>") != 0 {
			t.Errorf("wp-mail-smtp: a comment holds ?>, which ends PHP code")
		}
	}
}

func TestMailerFileNames(t *testing.T) {
	a := mailerFixtures(t)["free-en"]
	seen := map[string]string{}
	for _, f := range Formats() {
		n := f.FileName(a)
		if other, ok := seen[n]; ok {
			t.Errorf("%s and %s both default to %s", f.Name, other, n)
		}
		seen[n] = f.Name
	}
	var names []string
	for n := range mailerFormats {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, ok := Lookup(n); !ok {
			t.Errorf("%s is not registered", n)
		}
	}
}

// TestExceptionInExports: a certificate exception is named in every file a
// person reads, in their language, with the way to check it; msmtp's file
// pins it (one), explains what to do (several), and refuses a value that
// is not a fingerprint or holds a line break.
func TestExceptionInExports(t *testing.T) {
	const fp = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"
	a := mailerFixtures(t)["free-en"]
	a.TrustedCerts = []string{fp}
	for _, lang := range []string{"en", "ru"} {
		a.Lang = lang
		for _, format := range []string{"thunderbird", "thebat", "sheet", "msmtp", "crm-card", "env-django"} {
			w := Warnings(format, a)
			if len(w) != 1 || !strings.Contains(w[0], fp) {
				t.Errorf("%s %s: warnings %q; want the exception named", lang, format, w)
				continue
			}
			if body := string(export(t, format, a)); !strings.Contains(body, fp) {
				t.Errorf("%s %s: the file does not name the exception", lang, format)
			}
		}
	}
	a.Lang = "en"
	rc := string(export(t, "msmtp", a))
	if !strings.Contains(rc, "\ntls_fingerprint "+fp+"\n") {
		t.Errorf("msmtp file does not pin the certificate:\n%s", rc)
	}
	a.TrustedCerts = []string{fp, strings.Replace(fp, "AB", "BA", 1)}
	if rc := string(export(t, "msmtp", a)); strings.Contains(rc, "\ntls_fingerprint ") || !strings.Contains(rc, "add the SMTP server's as tls_fingerprint") {
		t.Errorf("msmtp file with two exceptions:\n%s", rc)
	}
	for _, bad := range []string{"AB:CD", fp + "\npasswordeval touch /tmp/x"} {
		a.TrustedCerts = []string{bad}
		var b bytes.Buffer
		if err := Write(&b, "msmtp", a); err == nil {
			t.Errorf("msmtp export with exception %q: no error; want a refusal\n%s", bad, b.String())
		}
	}
}
