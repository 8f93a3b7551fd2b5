package providers

import (
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/autoconfig"
)

// dataFiles returns every embedded provider file, name → bytes.
func dataFiles(t testing.TB) map[string][]byte {
	t.Helper()
	names, err := fs.Glob(dataFS, "data/*.xml")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 4 {
		t.Fatalf("only %d files in data/", len(names))
	}
	out := map[string][]byte{}
	for _, n := range names {
		b, err := fs.ReadFile(dataFS, n)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = b
	}
	return out
}

// TestAllFilesParse: every file in data/ parses and the loader kept it; a
// broken file is skipped at run time, so this test is what catches it.
func TestAllFilesParse(t *testing.T) {
	files := dataFiles(t)
	for name, b := range files {
		if _, err := autoconfig.ParseBytes(b); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, err := range LoadErrors() {
		t.Errorf("loader: %v", err)
	}
	if got := len(All()); got != len(files) {
		t.Errorf("All() has %d providers; data/ has %d files", got, len(files))
	}
}

var (
	idPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	checkedURL   = regexp.MustCompile(`<!-- checked: https?://\S+ \(\d{4}-\d{2}(-\d{2})?\)`)
	snapshotURL  = regexp.MustCompile(`https://github\.com/[^/\s]+/[^/\s]+/blob/[0-9a-f]{40}/\S+`)
	checkedOther = regexp.MustCompile(`<!-- checked: [^>]*?\(\d{4}-\d{2}(-\d{2})?\)[^>]*\[verify`)
)

// TestFileConventions: the id is the file name, and the facts are sourced
// with a checked comment above <clientConfig> (providers/README.md).
func TestFileConventions(t *testing.T) {
	for name, b := range dataFiles(t) {
		cfg, err := autoconfig.ParseBytes(b)
		if err != nil {
			continue // TestAllFilesParse reports it
		}
		base := strings.TrimSuffix(path.Base(name), ".xml")
		if id := cfg.Provider.ID; id != base || !idPattern.MatchString(id) {
			t.Errorf("%s: emailProvider id %q; want %q, the file name (lower case letters, digits, '-')", name, id, base)
		}
		head, _, _ := strings.Cut(string(b), "<clientConfig")
		// A provider page we read, or, where we could read none, the source
		// we used and a [verify] mark for what is unconfirmed.
		// An imported fact names the database file at the commit it was
		// taken from, so a later reader can see what the database said.
		for _, c := range strings.SplitAfter(head, "-->") {
			if strings.Contains(c, "[imported]") && !snapshotURL.MatchString(c) {
				t.Errorf("%s: %q is marked [imported] but names no database file at a commit (https://github.com/OWNER/REPO/blob/<40 hex>/PATH)", name, strings.TrimSpace(c))
			}
		}
		if !checkedURL.MatchString(head) && !checkedOther.MatchString(head) {
			t.Errorf("%s: no <!-- checked: URL (YYYY-MM-DD) ... --> comment above <clientConfig> saying where the facts come from (or <!-- checked: SOURCE (YYYY-MM-DD) ... [verify] --> when no provider page could be read)", name)
		}
	}
}

// TestInvariants checks what every provider file must satisfy (issue 3 and
// providers/README.md).
func TestInvariants(t *testing.T) {
	domains := map[string]string{}
	mxs := map[string]string{}
	for name, b := range dataFiles(t) {
		c, err := autoconfig.ParseBytes(b)
		if err != nil {
			continue // TestAllFilesParse reports it
		}
		id := name
		t.Run(path.Base(name), func(t *testing.T) {
			if len(c.Domains) == 0 && len(c.MXHosts) == 0 {
				t.Errorf("no <domain> and no <mw:mx>: nothing can ever find this provider")
			}
			for _, d := range c.Domains {
				if a, err := account.ParseAddress("x@" + d); err != nil || a.Domain != d {
					t.Errorf("domain %q is not an email domain as ParseAddress gives it: %v", d, err)
				}
				if strings.Contains(d, "%") {
					t.Errorf("domain %q: placeholders belong in files served for one domain, not in the database", d)
				}
				if other, dup := domains[d]; dup {
					t.Errorf("domain %q is also in %s", d, other)
				}
				domains[d] = id
			}
			for _, m := range c.MXHosts {
				if other, dup := mxs[m]; dup {
					t.Errorf("MX %q is also in %s", m, other)
				}
				mxs[m] = id
			}
			for i, h := range c.Hints {
				if h.Text["en"] == "" || h.Text["ru"] == "" {
					t.Errorf("hint %d (%s) lacks English or Russian text: %v", i+1, h.Kind, h.Text)
				}
			}
			if len(c.Incoming) == 0 {
				if !c.HasHint(account.HintNoIMAP) || len(c.Outgoing) > 0 {
					t.Errorf("no incoming server: allowed only with no servers at all and a no-imap hint")
				}
				return
			}
			warned := hasPlaintextNote(c)
			if c.Incoming[0].Security == account.None && (anyEncrypted(c.Incoming) || !warned) {
				t.Errorf("first incoming server %v is unencrypted; list an ssl or starttls one first (a provider with no encrypted server at all needs the info hint saying so: %q)", c.Incoming[0], plaintextNote)
			}
			if len(c.Outgoing) == 0 {
				t.Errorf("no outgoing server")
			} else if c.Outgoing[0].Security == account.None && (anyEncrypted(c.Outgoing) || !warned) {
				t.Errorf("first outgoing server %v is unencrypted; list an ssl or starttls one first (a provider with no encrypted server at all needs the info hint saying so: %q)", c.Outgoing[0], plaintextNote)
			}
			if warned && anyEncrypted(c.Incoming) && anyEncrypted(c.Outgoing) {
				t.Errorf("the hint says only unencrypted connections exist, but both directions have an encrypted server")
			}
			for _, srv := range append(append([]account.Server(nil), c.Incoming...), c.Outgoing...) {
				checkServerSane(t, srv)
			}
			checkOrder(t, "incoming", c.Incoming)
			checkOrder(t, "outgoing", c.Outgoing)
		})
	}
}

// plaintextNote is how the English text of the info hint begins that a
// provider publishing only unencrypted servers must carry (README, Order).
const plaintextNote = "This provider publishes only connections without encryption"

func hasPlaintextNote(c account.Config) bool {
	for _, h := range c.Hints {
		if h.Kind == account.HintInfo && strings.HasPrefix(h.Text["en"], plaintextNote) && h.Text["ru"] != "" {
			return true
		}
	}
	return false
}

func anyEncrypted(servers []account.Server) bool {
	for _, s := range servers {
		if s.Security != account.None {
			return true
		}
	}
	return false
}

// checkServerSane: the username follows the address. (Ports are not
// checked against their usual security: Spectrum really runs implicit TLS
// on 587. Hosts may hold %EMAILDOMAIN%: inbox.lv serves mail.<domain>.)
func checkServerSane(t *testing.T, s account.Server) {
	t.Helper()
	if !strings.Contains(s.Username, "%EMAIL") {
		t.Errorf("%v: username %q is fixed; use %%EMAILADDRESS%% or %%EMAILLOCALPART%%", s, s.Username)
	}
}

// checkOrder: IMAP before POP3, and within a protocol ssl before starttls
// before none (RFC 8314).
func checkOrder(t *testing.T, dir string, servers []account.Server) {
	t.Helper()
	sawPOP := false
	last := map[account.Protocol]account.Security{}
	for i, s := range servers {
		if s.Protocol == account.POP3 {
			sawPOP = true
		}
		if s.Protocol == account.IMAP && sawPOP {
			t.Errorf("%s server %d (%v) is IMAP after a POP3 server; list IMAP first", dir, i+1, s)
		}
		if prev, ok := last[s.Protocol]; ok && s.Security.Rank() < prev.Rank() {
			t.Errorf("%s server %d (%v) is %s after a %s %s server; order ssl, starttls, none", dir, i+1, s, s.Security, prev, s.Protocol)
		}
		last[s.Protocol] = s.Security
	}
}

// TestEveryDomainAndMXFindsItsProvider goes through the public API for every
// domain and MX host in the database.
func TestEveryDomainAndMXFindsItsProvider(t *testing.T) {
	for _, c := range All() {
		for _, d := range c.Domains {
			got, ok := Lookup(d)
			if !ok || got.Provider.ID != c.Provider.ID {
				t.Errorf("Lookup(%q) = %v, %v; want %s", d, got.Provider, ok, c.Provider.ID)
			}
			if got.Source != account.SourceBuiltin || !got.SecureSource {
				t.Errorf("Lookup(%q): source %q secure %v; want builtin, true", d, got.Source, got.SecureSource)
			}
			addr, err := account.ParseAddress("someone+tag@" + d)
			if err != nil {
				t.Errorf("domain %q: %v", d, err)
				continue
			}
			for _, s := range append(got.For(addr).Incoming, got.For(addr).Outgoing...) {
				if strings.Contains(s.Host+s.Username, "%") {
					t.Errorf("%s: a placeholder is left after For: %v user %q", d, s, s.Username)
				}
			}
		}
		for _, p := range DomainPatterns(c.Provider.ID) {
			dom := strings.Replace(p, "*.", "tenant-test.", 1)
			if got, ok := Lookup(dom); !ok || got.Provider.ID != c.Provider.ID {
				t.Errorf("Lookup(%q) = %v, %v; want %s by the pattern %s", dom, got.Provider, ok, c.Provider.ID, p)
			}
		}
		for _, m := range c.MXHosts {
			host := strings.Replace(m, "*.", "mx-test.", 1)
			got, ok := LookupMX(host)
			if !ok || got.Provider.ID != c.Provider.ID {
				t.Errorf("LookupMX(%q) = %v, %v; want %s", host, got.Provider, ok, c.Provider.ID)
			}
		}
		if got, ok := ByID(c.Provider.ID); !ok || !reflect.DeepEqual(got, c) {
			t.Errorf("ByID(%q) = %v; want the same config as All()", c.Provider.ID, ok)
		}
	}
}

// The users' guide's four providers, by every domain it names.
func TestGuideProviders(t *testing.T) {
	tests := map[string][]string{
		"gmail":   {"gmail.com", "googlemail.com"},
		"mailru":  {"mail.ru", "inbox.ru", "bk.ru", "list.ru", "internet.ru"},
		"yandex":  {"yandex.ru", "ya.ru", "narod.ru", "yandex.com", "yandex.by", "yandex.kz", "yandex.ua"},
		"rambler": {"rambler.ru", "ro.ru", "r0.ru", "lenta.ru", "myrambler.ru", "autorambler.ru", "rambler.ua"},
	}
	for id, domains := range tests {
		for _, d := range domains {
			c, ok := Lookup(d)
			if !ok || c.Provider.ID != id {
				t.Errorf("Lookup(%q) = %v, %v; want %s", d, c.Provider, ok, id)
			}
		}
	}
}

// testDB builds a database from files in memory.
func testDB(files map[string]string) *database {
	m := fstest.MapFS{}
	for name, body := range files {
		m["data/"+name] = &fstest.MapFile{Data: []byte(body)}
	}
	return load(m, "data")
}

func provider(id string, extra string) string {
	return `<?xml version="1.0"?>
<clientConfig version="1.1" xmlns:mw="https://mailwiz.github.io/ns/clientconfig-ext/1"><emailProvider id="` + id + `">` + extra + `
<incomingServer type="imap"><hostname>imap.` + id + `.example</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
</emailProvider></clientConfig>`
}

func TestLookupForms(t *testing.T) {
	d := testDB(map[string]string{
		"pochta.xml": provider("pochta", `<domain>xn--80a1acny.xn--p1ai</domain><domain>pochta.example</domain>`),
	})
	if len(d.errs) > 0 {
		t.Fatal(d.errs)
	}
	tests := []struct {
		in string
		ok bool
	}{
		{"pochta.example", true},
		{"POCHTA.Example", true},
		{"pochta.example.", true},
		{"  pochta.example ", true},
		{"xn--80a1acny.xn--p1ai", true},
		{"почта.рф", true},
		{"ПОЧТА.РФ", true},
		{"почта.рф.", true},
		{"sub.pochta.example", false}, // a subdomain is another mail domain
		{"example", false},
		{"", false},
		{".", false},
		{"a..b", false},
		{"\xff\xfe", false},
	}
	for _, tt := range tests {
		c, ok := d.lookup(tt.in)
		if ok != tt.ok {
			t.Errorf("lookup(%q) ok = %v, want %v", tt.in, ok, tt.ok)
		}
		if ok && c.Provider.ID != "pochta" {
			t.Errorf("lookup(%q) = %s", tt.in, c.Provider.ID)
		}
	}
}

func TestLookupMXPatterns(t *testing.T) {
	d := testDB(map[string]string{
		"google.xml": provider("google", `<mw:mx>aspmx.l.google.com</mw:mx><mw:mx>*.google.com</mw:mx>`),
		"special.xml": provider("special",
			`<mw:mx>*.mx.special.google.com</mw:mx><mw:mx>mx.other.example</mw:mx>`),
	})
	if len(d.errs) > 0 {
		t.Fatal(d.errs)
	}
	tests := []struct{ host, want string }{
		{"aspmx.l.google.com", "google"},
		{"ASPMX.L.GOOGLE.COM.", "google"},
		{"alt1.aspmx.l.google.com", "google"},
		{"a.mx.special.google.com", "special"}, // the longest suffix wins
		{"mx.special.google.com", "google"},    // "*." needs a label before the suffix
		{"mx.other.example", "special"},
		{"sub.mx.other.example", ""}, // an exact host is not a pattern
		{"google.com", ""},
		{"evilgoogle.com", ""},
		{"google.com.evil.example", ""},
		{"", ""},
	}
	for _, tt := range tests {
		c, ok := d.lookupMX(tt.host)
		got := ""
		if ok {
			got = c.Provider.ID
		}
		if got != tt.want {
			t.Errorf("lookupMX(%q) = %q, want %q", tt.host, got, tt.want)
		}
	}
}

func TestDomainPatterns(t *testing.T) {
	d := testDB(map[string]string{
		"ms.xml":     provider("ms", `<domain>office.example</domain><mw:domain>*.onmicrosoft.example</mw:domain><mw:domain> *.ONMICROSOFT.example. </mw:domain>`),
		"exact.xml":  provider("exact", `<domain>special.onmicrosoft.example</domain>`),
		"longer.xml": provider("longer", `<mw:domain>*.eu.onmicrosoft.example</mw:domain>`),
		// Another prefix bound to the namespace is the same element.
		"prefix.xml": strings.Replace(provider("prefix", `<x:domain>*.hosted.example</x:domain>`),
			`xmlns:mw=`, `xmlns:x=`, 1),
	})
	if len(d.errs) > 0 {
		t.Fatal(d.errs)
	}
	tests := []struct{ domain, want string }{
		{"contoso.onmicrosoft.example", "ms"},
		{"Contoso.ONMICROSOFT.example.", "ms"},
		{"a.b.onmicrosoft.example", "ms"},
		{"special.onmicrosoft.example", "exact"}, // an exact domain beats a pattern
		{"contoso.eu.onmicrosoft.example", "longer"},
		{"eu.onmicrosoft.example", "ms"}, // "*.eu..." needs a label before its suffix
		{"onmicrosoft.example", ""},      // the suffix itself is not claimed
		{"evilonmicrosoft.example", ""},
		{"onmicrosoft.example.evil.example", ""},
		{".onmicrosoft.example", ""},
		{"a..onmicrosoft.example", ""},
		{"office.example", "ms"},
		{"x.office.example", ""}, // an exact domain is not a pattern
		{"shop.hosted.example", "prefix"},
	}
	for _, tt := range tests {
		c, ok := d.lookup(tt.domain)
		got := ""
		if ok {
			got = c.Provider.ID
		}
		if got != tt.want {
			t.Errorf("lookup(%q) = %q, want %q", tt.domain, got, tt.want)
		}
	}
	if got := d.patterns[d.byID["ms"]]; !slices.Equal(got, []string{"*.onmicrosoft.example"}) {
		t.Errorf("ms patterns = %q; want the one pattern, normalised, once", got)
	}
}

func TestDomainPatternErrors(t *testing.T) {
	tests := map[string]string{
		"bare.xml":  `<mw:domain>onmicrosoft.example</mw:domain>`,
		"tld.xml":   `<mw:domain>*.example</mw:domain>`,
		"star.xml":  `<mw:domain>*.*.example.com</mw:domain>`,
		"empty.xml": `<mw:domain>*.</mw:domain>`,
		"dots.xml":  `<mw:domain>*..example.com</mw:domain>`,
	}
	for name, extra := range tests {
		d := testDB(map[string]string{name: provider(strings.TrimSuffix(name, ".xml"), `<domain>ok.example</domain>`+extra)})
		if len(d.errs) != 1 || !strings.Contains(d.errs[0].Error(), "mw:domain") {
			t.Errorf("%s: errors %v; want one naming mw:domain", name, d.errs)
		}
		if _, ok := d.lookup("ok.example"); ok {
			t.Errorf("%s: a file with a bad pattern was loaded", name)
		}
	}
	d := testDB(map[string]string{
		"a.xml": provider("a", `<mw:domain>*.tenant.example</mw:domain>`),
		"b.xml": provider("b", `<domain>b.example</domain><mw:domain>*.tenant.example</mw:domain>`),
	})
	if len(d.errs) != 1 || !strings.Contains(d.errs[0].Error(), `domain pattern "*.tenant.example" already belongs to data/a.xml`) {
		t.Errorf("errors %v; want b.xml's pattern refused as a.xml's", d.errs)
	}
	if _, ok := d.lookup("b.example"); ok {
		t.Errorf("a file with a conflicting pattern was half-loaded")
	}
}

// TestLoadSurvivesBadFiles: a broken or conflicting file is left out with
// an error naming it, and the rest of the database works.
func TestLoadSurvivesBadFiles(t *testing.T) {
	d := testDB(map[string]string{
		"a.xml":      provider("a", `<domain>a.example</domain><domain>shared.example</domain><mw:mx>*.mx.example</mw:mx>`),
		"b.xml":      provider("b", `<domain>b.example</domain><domain>shared.example</domain>`),
		"c.xml":      provider("c", `<domain>c.example</domain><mw:mx>*.mx.example</mw:mx>`),
		"broken.xml": `<clientConfig><emailProvider id="broken">`,
		"dup.xml":    provider("a", `<domain>dup.example</domain>`),
		"ok.xml":     provider("ok", `<domain>ok.example</domain>`),
	})
	want := []string{
		`data/b.xml: domain "shared.example" already belongs to data/a.xml`,
		`data/broken.xml: autoconfig: not well-formed`,
		`data/c.xml: MX "*.mx.example" already belongs to data/a.xml`,
		`data/dup.xml: id "a" is already used by data/a.xml`,
	}
	var got []string
	for _, e := range d.errs {
		got = append(got, e.Error())
	}
	if len(got) != len(want) {
		t.Fatalf("errors:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for _, w := range want {
		if !strings.Contains(strings.Join(got, "\n"), w) {
			t.Errorf("no error containing %q in\n%s", w, strings.Join(got, "\n"))
		}
	}
	for dom, id := range map[string]string{"a.example": "a", "shared.example": "a", "ok.example": "ok"} {
		if c, ok := d.lookup(dom); !ok || c.Provider.ID != id {
			t.Errorf("lookup(%q) = %v, %v; want %s", dom, c.Provider, ok, id)
		}
	}
	if _, ok := d.lookup("b.example"); ok {
		t.Errorf("a file with a conflicting domain was half-loaded")
	}
}

// TestCallerCannotChangeDatabase: the wizard edits what Lookup returns.
func TestCallerCannotChangeDatabase(t *testing.T) {
	c, ok := Lookup("gmail.com")
	if !ok {
		t.Fatal("gmail.com not found")
	}
	c.Provider.Name = "changed"
	c.Incoming[0].Host = "evil.example"
	c.Domains[0] = "evil.example"
	for i := range c.Hints {
		for k := range c.Hints[i].Text {
			c.Hints[i].Text[k] = "changed"
		}
	}
	again, _ := Lookup("gmail.com")
	if again.Provider.Name == "changed" || again.Incoming[0].Host == "evil.example" || again.Domains[0] == "evil.example" {
		t.Errorf("editing a Lookup result changed the database: %+v", again)
	}
	for _, h := range again.Hints {
		if h.In("en") == "changed" {
			t.Errorf("editing a hint text changed the database")
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	get() // the one-time parse is not what we measure
	for _, in := range []string{"gmail.com", "GMail.COM.", "yandex.ua", "почта.рф", "unknown.example"} {
		b.Run(in, func(b *testing.B) {
			for b.Loop() {
				Lookup(in)
			}
		})
	}
	b.Run("mx-pattern", func(b *testing.B) {
		for b.Loop() {
			LookupMX("alt4.aspmx.l.google.com.")
		}
	})
}

// BenchmarkLoad is the one-time cost of the first lookup: parsing every file.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		d := load(dataFS, "data")
		if len(d.all) == 0 {
			b.Fatal("empty database")
		}
	}
}

func ExampleLookup() {
	c, ok := Lookup("GoogleMail.com")
	if !ok {
		return
	}
	addr, _ := account.ParseAddress("alice+news@googlemail.com")
	imap, _ := c.For(addr).PreferredIncoming(account.IMAP)
	fmt.Println(c.Provider.ID, imap.Host, imap.Port, imap.Security, imap.Username)
	// Output: gmail imap.gmail.com 993 ssl alice@googlemail.com
}

// pinnedLink is a deep link a provider's hint of kind must carry.
type pinnedLink struct {
	domain string
	kind   account.HintKind
	url    string
}

// checkPinnedLinks fails for each domain whose hints of the kind do not
// include the exact url.
func checkPinnedLinks(t *testing.T, links []pinnedLink) {
	t.Helper()
	for _, l := range links {
		c, ok := Lookup(l.domain)
		if !ok {
			t.Errorf("Lookup(%q) found nothing", l.domain)
			continue
		}
		var urls []string
		for _, h := range c.Hints {
			if h.Kind == l.kind {
				urls = append(urls, h.URL)
			}
		}
		if !slices.Contains(urls, l.url) {
			t.Errorf("%s: %s hint links %q; want %q", l.domain, l.kind, urls, l.url)
		}
	}
}
