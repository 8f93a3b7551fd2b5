package export

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/autoconfig"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the current output")

// canary is a password that must never appear in any export. No writer
// takes a password, so it can only leak through a field it was smuggled
// into; the fixtures put it everywhere a careless caller might.
const canary = "Canary-pw-7f3a9c!"

func mustAddr(t testing.TB, s string) account.Address {
	t.Helper()
	a, err := account.ParseAddress(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// fixtures are the accounts every format is golden-tested with: an IMAP
// provider with hints and limits, a POP3 setup in Russian on an IDN domain
// with plus-addressing, an OAuth2-only provider, and a plaintext server with
// a name full of characters that shells, XML and JavaScript treat specially.
func fixtures(t testing.TB) map[string]Account {
	t.Helper()
	imap := account.Config{
		Provider: &account.Provider{ID: "examplemail", Name: "Example Mail"},
		Domains:  []string{"example.com"},
		Incoming: []account.Server{
			{Protocol: account.IMAP, Host: "imap.example.com", Port: 993, Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthPassword},
			{Protocol: account.POP3, Host: "pop.example.com", Port: 995, Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthPassword},
		},
		Outgoing: []account.Server{
			{Protocol: account.SMTP, Host: "smtp.example.com", Port: 587, Security: account.STARTTLS, Username: account.PlaceholderAddress, Auth: account.AuthPassword},
		},
		Hints: []account.Hint{
			{Kind: account.HintEnableIMAP, Text: map[string]string{"en": "Turn on IMAP in the web mail settings.", "ru": "Включите IMAP в настройках веб-почты."}, URL: "https://mail.example.com/settings/imap"},
			{Kind: account.HintAppPassword, Text: map[string]string{"en": "Use an app password, not your account password.", "ru": "Используйте пароль приложения."}, URL: "https://account.example.com/apppasswords"},
		},
		Limits:       account.Limits{MaxMessageMB: 25, MaxRecipients: 100, SendPerDay: 2000, IMAPConnections: 15},
		Source:       account.SourceBuiltin,
		SecureSource: true,
	}
	pop := account.Config{
		Incoming: []account.Server{
			{Protocol: account.POP3, Host: "pop.почта.рф", Port: 995, Security: account.SSL, Username: account.PlaceholderLocal, Auth: account.AuthPassword},
		},
		Outgoing: []account.Server{
			{Protocol: account.SMTP, Host: "smtp.xn--80a1acny.xn--p1ai", Port: 465, Security: account.SSL, Username: account.PlaceholderLocal, Auth: account.AuthPasswordEncrypted},
		},
		LeaveOnServer: true, DaysOnServer: 14,
		Source: account.SourceManual,
	}
	oauth := account.Config{
		Provider: &account.Provider{ID: "outlook", Name: "Outlook.com"},
		Incoming: []account.Server{
			{Protocol: account.IMAP, Host: "outlook.office365.com", Port: 993, Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthOAuth2},
		},
		Outgoing: []account.Server{
			{Protocol: account.SMTP, Host: "smtp-mail.outlook.com", Port: 587, Security: account.STARTTLS, Username: account.PlaceholderAddress, Auth: account.AuthOAuth2},
		},
		Hints: []account.Hint{
			{Kind: account.HintOAuth2Required, Text: map[string]string{"en": "Outlook.com accepts only a Microsoft sign-in in the browser."}, URL: "https://support.microsoft.com/office/pop-imap-and-smtp-settings-8361e398-8af4-4e97-b147-6c6c4ac95353"},
		},
		Source: account.SourceBuiltin, SecureSource: true,
	}
	plain := account.Config{
		Incoming: []account.Server{
			{Protocol: account.IMAP, Host: "mail.example.net", Port: 143, Security: account.None, Username: `dan%USER%^&|<>!`, Auth: account.AuthPassword},
		},
		Outgoing: []account.Server{
			{Protocol: account.SMTP, Host: "mail.example.net", Port: 25, Security: account.None, Username: "relay-user", Auth: account.AuthPassword},
		},
		Hints:  []account.Hint{{Kind: account.HintPlaintext, Text: map[string]string{"en": `Sends "everything" <unencrypted> & more`}, URL: "javascript:alert(1)"}},
		Source: account.SourceGuess,
	}
	mk := func(addr string, cfg account.Config, name, lang string, leave bool) Account {
		a, err := NewAccount(mustAddr(t, addr), cfg)
		if err != nil {
			t.Fatal(err)
		}
		a.Name, a.Lang = name, lang
		if leave {
			a.LeaveOnServer = true
		}
		return a
	}
	return map[string]Account{
		"imap":   mk("alice@example.com", imap, "Alice Example", "en", false),
		"pop3":   mk("Борис <boris+news@почта.рф>", pop, "Борис Петров", "ru", true),
		"oauth2": mk("carol@outlook.com", oauth, "Carol", "en", false),
		"tricky": mk("dan.o@example.net", plain, `Dan "D" O'Neil & <Co> 100% ^!`, "en", false),
	}
}

// export runs one format and returns its bytes.
func export(t testing.TB, format string, a Account) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, format, a); err != nil {
		t.Fatalf("Write(%s): %v", format, err)
	}
	return b.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./export -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (%d bytes, want %d); if the change is right, run go test ./export -update\n--- got:\n%s", path, len(got), len(want), preview(got))
	}
}

func preview(b []byte) string {
	if len(b) > 3000 {
		b = b[:3000]
	}
	return string(b)
}

func TestGolden(t *testing.T) {
	for name, a := range fixtures(t) {
		for _, f := range Formats() {
			t.Run(name+"/"+f.Name, func(t *testing.T) {
				got := export(t, f.Name, a)
				if f.Name == "android" {
					// PNG bytes depend on the zlib of the Go release; the
					// payload and the pixels are what must not change.
					p, err := AndroidPayloads([]Account{a})
					if err != nil {
						t.Fatal(err)
					}
					golden(t, name+"/android-payload.json", []byte(p[0]+"\n"))
					assertSamePixels(t, filepath.Join("testdata", name, "android.png"), got)
					return
				}
				golden(t, name+"/"+f.Name+f.Ext, got)
			})
		}
	}
}

func assertSamePixels(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./export -update to create it)", err)
	}
	gi, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		t.Fatalf("the QR export is not a PNG: %v", err)
	}
	wi, err := png.Decode(bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	if gi.Bounds() != wi.Bounds() {
		t.Fatalf("QR image is %v, golden %v", gi.Bounds(), wi.Bounds())
	}
	b := gi.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, _ := gi.At(x, y).RGBA()
			r2, g2, b2, _ := wi.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				t.Fatalf("QR image differs from %s at (%d,%d)", path, x, y)
			}
		}
	}
}

// TestDeterministic writes every format twice: the bytes must match, or a
// reinstall of an Apple profile or a diff of two exports would show changes
// that are not there.
func TestDeterministic(t *testing.T) {
	a := fixtures(t)["imap"]
	for _, f := range Formats() {
		if !bytes.Equal(export(t, f.Name, a), export(t, f.Name, a)) {
			t.Errorf("%s: two exports of the same account differ", f.Name)
		}
	}
}

// TestNoPassword proves no export can hold a password: Account has no field
// that could carry one, and with the canary placed where a careless caller
// might (the environment, a hint), no output, unpacked, contains it.
func TestNoPassword(t *testing.T) {
	typ := reflect.TypeOf(Account{})
	var walk func(reflect.Type, string)
	walk = func(ty reflect.Type, path string) {
		switch ty.Kind() {
		case reflect.Struct:
			for i := 0; i < ty.NumField(); i++ {
				f := ty.Field(i)
				// Named like a secret but public facts of account.OAuth2:
				// the token endpoint's address and whether the provider
				// wants a client secret.
				public := ty == reflect.TypeOf(account.OAuth2{}) && (f.Name == "TokenURL" || f.Name == "SecretRequired")
				if n := strings.ToLower(f.Name); !public && (strings.Contains(n, "pass") || strings.Contains(n, "secret") || strings.Contains(n, "token")) {
					t.Errorf("export.Account has a field %s.%s: writers must take no secret", path, f.Name)
				}
				walk(f.Type, path+"."+f.Name)
			}
		case reflect.Pointer, reflect.Slice:
			walk(ty.Elem(), path)
		}
	}
	walk(typ, "Account")

	t.Setenv("MAILWIZ_PASSWORD", canary)
	t.Setenv("PASSWORD", canary)
	for name, a := range fixtures(t) {
		for _, f := range Formats() {
			out := export(t, f.Name, a)
			for _, text := range unpack(t, f, out) {
				if strings.Contains(text, canary) {
					t.Errorf("%s/%s contains the canary password", name, f.Name)
				}
				// The .env exports leave an empty password line for the
				// person to fill in; a value after "password=" is a leak.
				if f.Name != "sheet" && f.Name != "json" && passwordAssignment.MatchString(text) {
					t.Errorf("%s/%s has a password= assignment with a value", name, f.Name)
				}
			}
		}
	}
}

// passwordAssignment matches "password=" with a value right after it, or
// an assignment line (KEY_PASSWORD = value) with a value after blanks.
var passwordAssignment = regexp.MustCompile(`(?im)password=\S|^[ \t]*[a-z_]*password[ \t]*=[ \t]*[^\s#]`)

// unpack returns the texts inside an export: ZIP entries (UTF-16 decoded),
// the QR payload, or the file itself.
func unpack(t testing.TB, f Format, out []byte) []string {
	t.Helper()
	switch f.Ext {
	case ".zip":
		zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
		if err != nil {
			t.Fatalf("%s: not a ZIP: %v", f.Name, err)
		}
		texts := []string{zr.Comment}
		for _, e := range zr.File {
			rc, err := e.Open()
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			_, err = b.ReadFrom(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			texts = append(texts, decodeText(b.Bytes()))
		}
		return texts
	case ".png":
		return []string{string(out)} // the payload test covers the content
	}
	return []string{string(out)}
}

func decodeText(b []byte) string {
	if len(b) >= 2 && b[0] == 0xff && b[1] == 0xfe {
		u := make([]uint16, (len(b)-2)/2)
		for i := range u {
			u[i] = uint16(b[2+2*i]) | uint16(b[3+2*i])<<8
		}
		return string(utf16.Decode(u))
	}
	return string(b)
}

func TestUnknownFormat(t *testing.T) {
	err := Write(&bytes.Buffer{}, "eudora", fixtures(t)["imap"])
	if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "thunderbird") {
		t.Fatalf("Write(eudora) = %v; want ErrUnknownFormat listing the formats", err)
	}
}

func TestRegistry(t *testing.T) {
	names := Names()
	want := []string{"thunderbird", "thunderbird-profile", "thebat", "apple", "outlook", "android", "sheet", "json"}
	for _, w := range want {
		if _, ok := Lookup(w); !ok {
			t.Errorf("format %s is not registered (have %v)", w, names)
		}
	}
	for _, f := range Formats() {
		if f.Description == "" || !strings.HasPrefix(f.Ext, ".") {
			t.Errorf("format %s: description %q, extension %q", f.Name, f.Description, f.Ext)
		}
		if fn := f.FileName(fixtures(t)["pop3"]); strings.ContainsAny(fn, `/\:*?"<>| `) {
			t.Errorf("format %s: file name %q is not portable", f.Name, fn)
		}
	}
}

// TestValidate: bad input gets an error naming the problem, never a broken
// or dangerous file.
func TestValidate(t *testing.T) {
	base := fixtures(t)["imap"]
	cases := []struct {
		name   string
		change func(*Account)
		want   string
	}{
		{"host with quote", func(a *Account) { a.Incoming.Host = `imap"&calc.exe` }, "not a valid host name"},
		{"host with space", func(a *Account) { a.Outgoing.Host = "smtp example.com" }, "not a valid host name"},
		{"empty host", func(a *Account) { a.Outgoing.Host = "" }, "host name is empty"},
		{"port zero", func(a *Account) { a.Incoming.Port = 0 }, "port 0"},
		{"port too big", func(a *Account) { a.Outgoing.Port = 70000 }, "port 70000"},
		{"smtp as incoming", func(a *Account) { a.Incoming.Protocol = account.SMTP }, "use imap or pop3"},
		{"imap as outgoing", func(a *Account) { a.Outgoing.Protocol = account.IMAP }, "use smtp"},
		{"bad security", func(a *Account) { a.Incoming.Security = "tls" }, "not ssl, starttls or none"},
		{"bad auth", func(a *Account) { a.Incoming.Auth = "kerberos" }, "authentication"},
		{"newline in name", func(a *Account) { a.Name = "Alice\r\nuser_pref(\"x\", 1);" }, "control character"},
		{"newline in username", func(a *Account) { a.Incoming.Username = "a\nb" }, "control character"},
		{"no username", func(a *Account) { a.Incoming.Username = "" }, "no username"},
		{"bad language", func(a *Account) { a.Lang = "de" }, "use en or ru"},
		{"no address", func(a *Account) { a.Address = account.Address{} }, "no email address"},
		{"days out of range", func(a *Account) { a.DaysOnServer = -1 }, "days"},
		{"long name", func(a *Account) { a.Name = strings.Repeat("x", 201) }, "limit is 200"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := base
			c.change(&a)
			for _, f := range Formats() {
				err := Write(&bytes.Buffer{}, f.Name, a)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("%s: Write = %v; want an error containing %q", f.Name, err, c.want)
				}
				if !strings.HasPrefix(err.Error(), "export: ") {
					t.Errorf("%s: error %q lacks the package prefix", f.Name, err)
				}
			}
		})
	}
}

// TestNewAccountNeedsServers: a missing server is a typed error that says
// which side is missing and names no flag of the CLI (the CLI adds its
// own hint, the window its own).
func TestNewAccountNeedsServers(t *testing.T) {
	addr := mustAddr(t, "a@example.org")
	var me *MissingServerError
	if _, err := NewAccount(addr, account.Config{}); !errors.As(err, &me) || me.Outgoing || strings.Contains(err.Error(), "--") {
		t.Errorf("NewAccount without servers = %v; want a MissingServerError for the incoming side", err)
	}
	cfg := account.Config{Incoming: []account.Server{{Protocol: account.IMAP, Host: "h.example.org", Port: 993, Security: account.SSL}}}
	if _, err := NewAccount(addr, cfg); !errors.As(err, &me) || !me.Outgoing || strings.Contains(err.Error(), "--") {
		t.Errorf("NewAccount without SMTP = %v; want a MissingServerError for the outgoing side", err)
	}
}

func TestIDNHostBecomesASCII(t *testing.T) {
	a := fixtures(t)["pop3"]
	out := string(export(t, "thunderbird", a))
	if !strings.Contains(out, `"pop.xn--80a1acny.xn--p1ai"`) {
		t.Errorf("the IDN host is not in its ASCII form:\n%s", out)
	}
	if !strings.Contains(out, `"boris"`) {
		t.Errorf("plus-addressing: the login should be boris:\n%s", out)
	}
}

func TestJSString(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:     `"plain"`,
		`a"b\c`:     `"a\"b\\c"`,
		"Борис":     `"Борис"`,
		"x\ny":      `"x\u000ay"`,
		"x\u2028y":  `"x\u2028y"`,
		"</script>": `"</script>"`,
	} {
		if got := jsString(in); got != want {
			t.Errorf("jsString(%q) = %s; want %s", in, got, want)
		}
	}
}

func TestCmdEscaping(t *testing.T) {
	for in, want := range map[string]string{
		`100% & more`: `echo(100%% ^& more`,
		`a|b<c>d^e`:   `echo(a^|b^<c^>d^^e`,
		`(x) "q"`:     `echo(^(x^) 'q'`,
		``:            `echo(`,
	} {
		if got := cmdEcho(in); got != want {
			t.Errorf("cmdEcho(%q) = %s; want %s", in, got, want)
		}
	}
	for in, want := range map[string]string{
		`Dan "D" 100%`: `"Dan 'D' 100%%"`,
		`a&b|c^d!`:     `"a&b|c^d!"`,
		`Smith; Jones`: `"Smith, Jones"`,
	} {
		if got := cmdQuote(in); got != want {
			t.Errorf("cmdQuote(%q) = %s; want %s", in, got, want)
		}
	}
}

// TestTheBatPercentInAddress: "%" is legal in a local part, and cmd expands
// it on every line, rem lines too ("%~x" aborts the script): no single "%"
// may reach the file.
func TestTheBatPercentInAddress(t *testing.T) {
	a := fixtures(t)["imap"]
	addr, err := account.ParseAddress("a%~x@example.com")
	if err != nil {
		t.Fatal(err)
	}
	a.Address = addr
	var b bytes.Buffer
	if err := Write(&b, "thebat", a); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b.String(), "\r\n") {
		rest := strings.NewReplacer("%%", "", "%TB%", "", "%ProgramFiles%", "", "%ProgramFiles(x86)%", "", "%LOCALAPPDATA%", "", "%~dp0", "").Replace(line)
		if strings.Contains(rest, "%") {
			t.Errorf("a lone %% reaches cmd: %s", line)
		}
	}
}

// TestJSONChosenOnce: the chosen server leads the json export once, though
// the provider's copy of it spells the host in upper case and leaves auth
// empty (Write normalizes the chosen one).
func TestJSONChosenOnce(t *testing.T) {
	addr, err := account.ParseAddress("a@example.com")
	if err != nil {
		t.Fatal(err)
	}
	cfg := account.Config{
		Incoming: []account.Server{{Protocol: account.IMAP, Host: "IMAP.Example.com", Port: 993, Security: account.SSL, Username: account.PlaceholderAddress}},
		Outgoing: []account.Server{{Protocol: account.SMTP, Host: "smtp.example.com", Port: 465, Security: account.SSL, Username: account.PlaceholderAddress}},
	}
	a, err := NewAccount(addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Write(&b, "json", a); err != nil {
		t.Fatal(err)
	}
	var v struct{ Incoming, Outgoing []map[string]any }
	if err := json.Unmarshal(b.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Incoming) != 1 || len(v.Outgoing) != 1 || v.Incoming[0]["auth"] != "password" {
		t.Errorf("incoming %v, outgoing %v; want the chosen server of each once, auth filled in", v.Incoming, v.Outgoing)
	}
}

func TestTheBatRefusesQuoteInUsername(t *testing.T) {
	a := fixtures(t)["imap"]
	a.Incoming.Username = `al"ice`
	err := Write(&bytes.Buffer{}, "thebat", a)
	if err == nil || !strings.Contains(err.Error(), "double quote or a semicolon") {
		t.Fatalf("thebat with a quote in the username = %v; want a refusal", err)
	}
}

func TestStableUUID(t *testing.T) {
	u := stableUUID("x")
	if len(u) != 36 || u[14] != '5' || !strings.ContainsRune("89AB", rune(u[19])) {
		t.Errorf("stableUUID = %s; want a version-5 RFC-variant UUID", u)
	}
	if stableUUID("x") != u || stableUUID("y") == u {
		t.Error("stableUUID is not a function of its name")
	}
	a, b := fixtures(t)["imap"], fixtures(t)["imap"]
	b.Incoming.Host = "imap2.example.com"
	if bytes.Equal(export(t, "apple", a), export(t, "apple", b)) {
		t.Error("a different host gives the same profile")
	}
}

// TestAutoconfigRoundTrip: the clientConfig export parses back with our own
// parser, the chosen servers first, and expands to the account's logins.
func TestAutoconfigRoundTrip(t *testing.T) {
	for name, a := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			c, err := autoconfig.Parse(bytes.NewReader(export(t, "thunderbird-autoconfig", a)))
			if err != nil {
				t.Fatal(err)
			}
			c = c.For(a.Address)
			n, _ := a.normalized()
			if len(c.Incoming) == 0 || c.Incoming[0] != n.Incoming {
				t.Errorf("first incoming server = %+v; want %+v", c.Incoming, n.Incoming)
			}
			if len(c.Outgoing) == 0 || c.Outgoing[0] != n.Outgoing {
				t.Errorf("first outgoing server = %+v; want %+v", c.Outgoing, n.Outgoing)
			}
		})
	}
}

func TestAndroidRefusesNonASCIIAddress(t *testing.T) {
	a := fixtures(t)["imap"]
	a.Address = mustAddr(t, "борис@example.com")
	a.Incoming.Username, a.Outgoing.Username = "boris", "boris"
	err := Write(&bytes.Buffer{}, "android", a)
	if err == nil || !strings.Contains(err.Error(), "only ASCII addresses") {
		t.Fatalf("android export of an internationalized address = %v; want a refusal naming why", err)
	}
	// The formats whose clients take such an address still work.
	for _, f := range []string{"thunderbird", "apple", "sheet"} {
		if err := Write(&bytes.Buffer{}, f, a); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestPOP3DeleteAfterDownload(t *testing.T) {
	a := fixtures(t)["pop3"]
	a.LeaveOnServer, a.DaysOnServer = false, 0
	tb := string(export(t, "thunderbird", a))
	if !strings.Contains(tb, `"mail.server.server1.leave_on_server", false`) || strings.Contains(tb, "num_days_to_leave_on_server") {
		t.Errorf("user.js for delete-after-download:\n%s", tb)
	}
	if bat := string(export(t, "thebat", a)); !strings.Contains(bat, ";DelReceived;") {
		t.Errorf("The Bat! /ADD lacks DelReceived:\n%s", bat)
	}
}
