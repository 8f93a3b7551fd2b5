package discover

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mailwiz/mailwiz/account"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenAnswer is what the golden files hold for one Autodiscover answer.
type goldenAnswer struct {
	Incoming     []string `json:"incoming,omitempty"`
	Outgoing     []string `json:"outgoing,omitempty"`
	Usernames    []string `json:"usernames,omitempty"`
	Auth         []string `json:"auth,omitempty"`
	RedirectAddr string   `json:"redirect_addr,omitempty"`
	RedirectURL  string   `json:"redirect_url,omitempty"`
	Error        string   `json:"error,omitempty"`
}

// TestParseAutodiscover reads every testdata/autodiscover/*.xml and
// compares what it says with the .golden.json beside it (-update rewrites
// them).
func TestParseAutodiscover(t *testing.T) {
	files, err := filepath.Glob("testdata/autodiscover/*.xml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ans, err := parseAutodiscover(b)
			var g goldenAnswer
			if err != nil {
				g.Error = err.Error()
			} else {
				for _, s := range append(append([]account.Server(nil), ans.Incoming...), ans.Outgoing...) {
					if s.Protocol.Incoming() {
						g.Incoming = append(g.Incoming, s.String())
					} else {
						g.Outgoing = append(g.Outgoing, s.String())
					}
					g.Usernames = append(g.Usernames, s.Username)
					g.Auth = append(g.Auth, string(s.Auth))
				}
				g.RedirectAddr, g.RedirectURL = ans.RedirectAddr, ans.RedirectURL
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			enc.Encode(g)
			got := buf.Bytes()
			golden := strings.TrimSuffix(f, ".xml") + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s:\n%s", f, golden, got)
			}
		})
	}
}

// FuzzParseAutodiscover: whatever a server sends, the parser returns an
// answer or an error, never panics, and an answer holds only usable servers
// or a redirect.
func FuzzParseAutodiscover(f *testing.F) {
	files, _ := filepath.Glob("testdata/autodiscover/*.xml")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ans, err := parseAutodiscover(b)
		if err != nil {
			if ans.Incoming != nil || ans.RedirectAddr != "" || ans.RedirectURL != "" {
				t.Fatalf("an error with an answer: %+v", ans)
			}
			return
		}
		if ans.RedirectAddr != "" || ans.RedirectURL != "" {
			return
		}
		if len(ans.Incoming) == 0 {
			t.Fatal("an answer without an incoming server")
		}
		for _, s := range append(append([]account.Server(nil), ans.Incoming...), ans.Outgoing...) {
			if !s.Protocol.Valid() || !s.Security.Valid() || s.Port < 1 || s.Port > 65535 || !validHost(s.Host) || s.Username == "" {
				t.Fatalf("unusable server in an answer: %+v", s)
			}
		}
	})
}

func TestMXDomains(t *testing.T) {
	tests := []struct {
		mx, own string
		want    string
	}{
		{"mx1.hoster.example", "customer.test", "hoster.example"},
		{"mx1.eu.hoster.example", "customer.test", "eu.hoster.example hoster.example"},
		{"eur.olc.protection.outlook.com", "contoso.test", "olc.protection.outlook.com outlook.com"},
		{"mx.customer.co.uk", "customer.co.uk", ""},                         // the domain itself: the ISPDB source asks already
		{"mx.mail.customer.co.uk", "customer.co.uk", "mail.customer.co.uk"}, // still inside: its parent is new
		{"mail.bbc.co.uk", "other.test", "bbc.co.uk"},
		{"co.uk", "other.test", ""}, // a public suffix has no registrable domain
	}
	for _, tt := range tests {
		got := strings.Join(mxDomains(tt.mx, tt.own), " ")
		if got != tt.want {
			t.Errorf("mxDomains(%q, %q) = %q, want %q", tt.mx, tt.own, got, tt.want)
		}
	}
}

func TestInDomain(t *testing.T) {
	tests := []struct {
		host, domain string
		want         bool
	}{
		{"imap.example.com", "example.com", true},
		{"example.com", "example.com", true},
		{"mail.example.com", "sub.example.com", true}, // same registrable domain
		{"imap.example.com.evil.test", "example.com", false},
		{"notexample.com", "example.com", false},
		{"mail.other.co.uk", "example.co.uk", false}, // co.uk is a public suffix
		{"imap.gmail.com", "example.com", false},
	}
	for _, tt := range tests {
		if got := inDomain(tt.host, tt.domain); got != tt.want {
			t.Errorf("inDomain(%q, %q) = %v, want %v", tt.host, tt.domain, got, tt.want)
		}
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"abcdef", 3, "abc…"},
		// "ж" is two bytes: a cut inside it backs off to the rune before.
		{"abжz", 3, "ab…"},
		{"жжж", 5, "жж…"},
		{"ж", 1, "…"},
	}
	for _, tt := range tests {
		got := clip(tt.in, tt.n)
		if got != tt.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("clip(%q, %d) = %q is not valid UTF-8", tt.in, tt.n, got)
		}
	}
}
