package export

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// These tests hand every export to the program that reads it for real:
// Thunderbird (headless, in a network namespace of its own so it reaches
// nothing), zbarimg, plistutil, xmllint and unzip. Missing programs fail the
// run in CI and skip it elsewhere (make deps installs them).

// testAccount is an account on .test names (RFC 2606: never resolvable), for
// the Thunderbird runs.
func testAccount(t testing.TB, proto account.Protocol) Account {
	t.Helper()
	in := account.Server{Protocol: account.IMAP, Host: "imap.example.test", Port: 993, Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthPassword}
	if proto == account.POP3 {
		in = account.Server{Protocol: account.POP3, Host: "pop.example.test", Port: 995, Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthPassword}
	}
	cfg := account.Config{
		Incoming: []account.Server{in},
		Outgoing: []account.Server{{Protocol: account.SMTP, Host: "smtp.example.test", Port: 587, Security: account.STARTTLS, Username: account.PlaceholderAddress, Auth: account.AuthPassword}},
	}
	a, err := NewAccount(mustAddr(t, "ann@example.test"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	a.Name = "Ann Example"
	a.LeaveOnServer = true
	return a
}

// runThunderbird starts Thunderbird headless on profile with HOME in a
// temporary directory and no network (unshare -n: a namespace with only a
// downed loopback), polls until done reports true or the bound passes, then
// kills its whole process group.
func runThunderbird(t *testing.T, profile string, done func() bool) {
	t.Helper()
	if testing.Short() && !testenv.InCI() {
		t.Skip("starting Thunderbird takes seconds; -short skips it")
	}
	tb := testenv.RequireCommand(t, "thunderbird", "thunderbird")
	unshare := testenv.RequireCommand(t, "unshare", "util-linux")
	home := t.TempDir()
	// Root needs only a network namespace; anyone else maps to root in a
	// user namespace first (-r) to be allowed one.
	nsFlags := "-rn"
	if os.Geteuid() == 0 {
		nsFlags = "-n"
	}
	cmd := exec.Command(unshare, nsFlags, tb, "--headless", "--no-remote", "--profile", profile)
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "MOZ_HEADLESS=1",
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"MOZ_CRASHREPORTER_DISABLE=1"}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	testenv.OwnGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting thunderbird: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		testenv.KillGroup(cmd)
		<-exited
	}
	// Thunderbird takes about 6 s here; the bound is for a loaded CI machine.
	deadline := time.Now().Add(150 * time.Second)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			if !done() {
				t.Fatalf("thunderbird exited (%v) before accepting the account; its output:\n%s", err, tail(out.String()))
			}
			return
		case <-tick.C:
		}
		if done() {
			stop()
			return
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("thunderbird did not accept the account within 150 s; its output:\n%s", tail(out.String()))
		}
	}
}

func tail(s string) string {
	if len(s) > 4000 {
		return s[len(s)-4000:]
	}
	return s
}

func readPrefs(profile string) string {
	b, _ := os.ReadFile(filepath.Join(profile, "prefs.js"))
	return string(b)
}

// accepted reports whether Thunderbird has loaded the account: it rewrote
// prefs.js with the server's folder path and created the folder.
func accepted(profile, dir, host string) func() bool {
	return func() bool {
		p := readPrefs(profile)
		// Local Folders comes last: Thunderbird adds it once an account
		// with a valid identity has loaded.
		if !strings.Contains(p, `"[ProfD]`+dir+`/`+host+`"`) || prefValue(p, "mail.accountmanager.localfoldersserver") == "" {
			return false
		}
		st, err := os.Stat(filepath.Join(profile, dir, host))
		return err == nil && st.IsDir()
	}
}

// prefValue returns the value text of a user_pref line in prefs.js.
func prefValue(prefs, key string) string {
	re := regexp.MustCompile(`user_pref\("` + regexp.QuoteMeta(key) + `", (.*)\);`)
	m := re.FindStringSubmatch(prefs)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestThunderbirdAcceptsUserJS(t *testing.T) {
	for _, c := range []struct {
		proto account.Protocol
		dir   string
		host  string
	}{
		{account.IMAP, "ImapMail", "imap.example.test"},
		{account.POP3, "Mail", "pop.example.test"},
	} {
		t.Run(string(c.proto), func(t *testing.T) {
			a := testAccount(t, c.proto)
			profile := t.TempDir()
			if err := os.WriteFile(filepath.Join(profile, "user.js"), export(t, "thunderbird", a), 0o644); err != nil {
				t.Fatal(err)
			}
			runThunderbird(t, profile, accepted(profile, c.dir, c.host))
			checkLoadedAccount(t, readPrefs(profile), c.proto, c.host)
		})
	}
}

// TestThunderbirdKeepsOAuth2 loads the Outlook.com fixture's profile ZIP
// (prefs.js, not user.js, so nothing re-applies our values): Thunderbird
// knows Microsoft's OAuth2 hosts, so it must keep authMethod 10 rather than
// fall back to a password. The network namespace keeps it from reaching
// Microsoft.
func TestThunderbirdKeepsOAuth2(t *testing.T) {
	profile := t.TempDir()
	unpackProfileZip(t, export(t, "thunderbird-profile", fixtures(t)["oauth2"]), profile)
	runThunderbird(t, profile, accepted(profile, "ImapMail", "outlook.office365.com"))
	prefs := readPrefs(profile)
	for _, k := range []string{"mail.server.server1.authMethod", "mail.smtpserver.smtp1.authMethod"} {
		if got := prefValue(prefs, k); got != "10" {
			t.Errorf("after Thunderbird ran, %s = %s; want 10 (OAuth2)", k, got)
		}
	}
}

// TestThunderbirdReadsProfileZip unpacks the thunderbird-profile ZIP into a
// fresh profile, as the import does, and lets Thunderbird's own pref parser
// and account manager load its prefs.js.
func TestThunderbirdReadsProfileZip(t *testing.T) {
	profile := t.TempDir()
	unpackProfileZip(t, export(t, "thunderbird-profile", testAccount(t, account.IMAP)), profile)
	runThunderbird(t, profile, accepted(profile, "ImapMail", "imap.example.test"))
	checkLoadedAccount(t, readPrefs(profile), account.IMAP, "imap.example.test")
}

// unpackProfileZip puts the ZIP's prefs.js into profile, as Thunderbird's
// import reads it.
func unpackProfileZip(t *testing.T, out []byte, profile string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name != "prefs.js" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		_, err = b.ReadFrom(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(profile, "prefs.js"), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("the profile ZIP has no prefs.js at its root")
}

func checkLoadedAccount(t *testing.T, prefs string, proto account.Protocol, host string) {
	t.Helper()
	want := map[string]string{
		"mail.server.server1.hostname":       `"` + host + `"`,
		"mail.server.server1.type":           `"` + string(proto) + `"`,
		"mail.server.server1.socketType":     "3",
		"mail.server.server1.userName":       `"ann@example.test"`,
		"mail.identity.id1.useremail":        `"ann@example.test"`,
		"mail.identity.id1.fullName":         `"Ann Example"`,
		"mail.smtpserver.smtp1.hostname":     `"smtp.example.test"`,
		"mail.smtpserver.smtp1.try_ssl":      "2",
		"mail.accountmanager.defaultaccount": `"account1"`,
	}
	if proto == account.POP3 {
		want["mail.server.server1.leave_on_server"] = "true"
	}
	for k, v := range want {
		if got := prefValue(prefs, k); got != v {
			t.Errorf("after Thunderbird ran, %s = %s; want %s", k, got, v)
		}
	}
	// Thunderbird adds Local Folders only when an account loaded with a
	// valid identity: the sign that it took ours, not just stored prefs.
	if accts := prefValue(prefs, "mail.accountmanager.accounts"); !strings.HasPrefix(accts, `"account1,`) {
		t.Errorf("mail.accountmanager.accounts = %s; want account1 and the Local Folders account Thunderbird adds", accts)
	}
	if prefValue(prefs, "mail.accountmanager.localfoldersserver") == "" {
		t.Error("Thunderbird created no Local Folders: it did not take the account")
	}
}

func TestZbarDecodesQR(t *testing.T) {
	zbar := testenv.RequireCommand(t, "zbarimg", "zbar-tools")
	for name, a := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			payloads, err := AndroidPayloads([]Account{a})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "qr.png")
			if err := os.WriteFile(path, export(t, "android", a), 0o644); err != nil {
				t.Fatal(err)
			}
			got := run(t, zbar, "-q", "--raw", path)
			if got := strings.TrimSuffix(got, "\n"); got != payloads[0] {
				t.Errorf("zbarimg read\n%s\nwant\n%s", got, payloads[0])
			}
		})
	}
}

func TestAndroidPayloadChunks(t *testing.T) {
	a := fixtures(t)["imap"]
	accts := []Account{a, a, a, a, a, a, a}
	p, err := AndroidPayloads(accts)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 3 {
		t.Fatalf("7 accounts gave %d codes; want 3 (at most %d per code)", len(p), AccountsPerQR)
	}
	for i, s := range p {
		prefix := "[1,[" + string(rune('1'+i)) + ",3],"
		if !strings.HasPrefix(s, prefix) {
			t.Errorf("code %d starts %.20s; want %s", i+1, s, prefix)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, []byte(s)); err != nil || compact.String() != s {
			t.Errorf("code %d is not compact JSON (%v): %s", i+1, err, s)
		}
		if strings.Contains(s, "null") {
			t.Errorf("code %d has a null: %s", i+1, s)
		}
	}
	if n := strings.Count(p[2], `[0,"imap.example.com"`); n != 1 {
		t.Errorf("the last code holds %d accounts; want 1", n)
	}
}

func TestPlistutilParsesMobileconfig(t *testing.T) {
	plistutil := testenv.RequireCommand(t, "plistutil", "libplist-utils")
	for name, a := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "a.mobileconfig")
			if err := os.WriteFile(in, export(t, "apple", a), 0o644); err != nil {
				t.Fatal(err)
			}
			// Converting to the binary form and back proves plistutil read
			// every key and value, not just well-formed XML.
			bin := filepath.Join(dir, "a.bplist")
			run(t, plistutil, "-i", in, "-o", bin)
			back := run(t, plistutil, "-i", bin, "-o", "-")
			host, err := asciiHost(a.Incoming.Host)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"com.apple.mail.managed", "<key>IncomingMailServerHostName</key>", host, "EmailAuthPassword"} {
				if name == "pop3" && want == "EmailAuthPassword" {
					continue
				}
				if !strings.Contains(back, want) {
					t.Errorf("plistutil's round trip lacks %q", want)
				}
			}
		})
	}
}

func TestXMLLint(t *testing.T) {
	xmllint := testenv.RequireCommand(t, "xmllint", "libxml2-utils")
	for name, a := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string][]byte{
				"apple.mobileconfig": export(t, "apple", a),
				"config-v1.1.xml":    export(t, "thunderbird-autoconfig", a),
			}
			var pox bytes.Buffer
			if err := WriteAutodiscoverPOX(&pox, a); err != nil {
				t.Fatal(err)
			}
			files["autodiscover.xml"] = pox.Bytes()
			for f, b := range files {
				p := filepath.Join(dir, f)
				if err := os.WriteFile(p, b, 0o644); err != nil {
					t.Fatal(err)
				}
				run(t, xmllint, "--noout", "--nonet", p)
			}
			sheet := filepath.Join(dir, "sheet.html")
			if err := os.WriteFile(sheet, export(t, "sheet", a), 0o644); err != nil {
				t.Fatal(err)
			}
			run(t, xmllint, "--html", "--noout", "--nonet", sheet)
		})
	}
}

func TestUnzipTestsArchives(t *testing.T) {
	unzip := testenv.RequireCommand(t, "unzip", "unzip")
	a := fixtures(t)["pop3"]
	for _, f := range Formats() {
		if f.Ext != ".zip" {
			continue
		}
		p := filepath.Join(t.TempDir(), f.FileName(a))
		if err := os.WriteFile(p, export(t, f.Name, a), 0o644); err != nil {
			t.Fatal(err)
		}
		out := run(t, unzip, "-t", p)
		if !strings.Contains(out, "No errors detected") {
			t.Errorf("unzip -t %s:\n%s", f.Name, out)
		}
	}
}

// run runs a program with a bound and returns its standard output; a
// failure shows its standard error.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.String())
	}
	if s := stderr.String(); strings.TrimSpace(s) != "" && strings.Contains(filepath.Base(name), "xmllint") {
		t.Fatalf("xmllint complained:\n%s", s)
	}
	return stdout.String()
}
