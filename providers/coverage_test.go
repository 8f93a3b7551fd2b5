package providers

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
)

// notKnown lists the domains of the public provider databases that the
// built-in database does not know on purpose, each with the reason; the
// test fails when one of them becomes known (then remove it here).
var notKnown = map[string]string{
	// chatmail provider-db: entries that name no servers (their clients
	// find them by autoconfig online), and no other source we have does.
	"dismail.de":  "no servers in provider-db or the ISPDB",
	"espiv.net":   "no servers in provider-db or the ISPDB",
	"i3.net":      "no servers in provider-db or the ISPDB",
	"kolst.com":   "no servers in provider-db or the ISPDB",
	"kontent.com": "no servers in provider-db or the ISPDB",
	"sonic.net":   "no servers in provider-db or the ISPDB",
	"vfemail.net": "no servers in provider-db or the ISPDB",
	"firemail.at": "no servers in provider-db or the ISPDB (IMAP for paying accounts only)",
	"firemail.de": "no servers in provider-db or the ISPDB (IMAP for paying accounts only)",
	"rogers.com":  "no servers in provider-db; Rogers' own page says only its OAuth sign-in works (README)",
	// Not mail domains a person has.
	"example.com":  "a placeholder entry of provider-db's",
	"example.org":  "a placeholder entry of provider-db's",
	"example.net":  "a placeholder entry of provider-db's",
	"yggmail":      "not an internet domain: Yggdrasil mesh addresses served by a program on the person's own machine",
	"mail2tor.com": "servers reachable only as Tor onion services, without TLS; mailwiz does not connect through Tor",
	// Wildcards for community servers, each with its own autoconfig and
	// self-signed certificates; provider-db names no servers.
	"*.hermes.radio":      "each station's own server; no servers named",
	"*.aco-connexion.org": "each station's own server; no servers named",
	// ISPDB.
	"oath.com":        "Yahoo's own domain now; the ISPDB still lists it under mail.com (mailcom.xml says why)",
	"coral.broba.ccv": ".ccv is no top-level domain: a slip in the ISPDB",
}

// mxDomains are names the databases list that are the domain of a
// provider's mail exchangers rather than of anyone's address (Thunderbird
// matches an MX host's domain against the ISPDB); the built-in database
// knows them as mw:mx patterns, so LookupMX must find a host under each.
var mxDomains = map[string]bool{
	"kundenserver.de": true, "mail.gm0.yahoodns.net": true, "emailsrvr.com": true,
	"your-server.de": true, "olc.protection.outlook.com": true, "messagingengine.com": true,
	"mail.protection.outlook.com": true, "cloudeu.xion.oxcs.net": true, "cloudus.xion.oxcs.net": true,
	"rzone.de": true, "secureserver.net": true, "mail.am0.yahoodns.net": true,
	"am0.yahoodns.net": true, "yahoodns.net": true,
}

// patternDomains are suffixes whose every subdomain is one provider's
// (Microsoft 365 tenants): Lookup must find a name under each.
var patternDomains = map[string]bool{"onmicrosoft.com": true}

// readCoverage reads a testdata list: a header line naming the snapshot,
// then "domain<TAB>source file" lines.
func readCoverage(t *testing.T, name string) (header string, domains []string) {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			if header == "" {
				header = strings.TrimSpace(strings.TrimPrefix(line, "#"))
			}
			continue
		}
		d, _, _ := strings.Cut(line, "\t")
		if d = strings.TrimSpace(d); d != "" {
			domains = append(domains, d)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(header, "commit ") || len(domains) < 100 {
		t.Fatalf("%s: header %q, %d domains; want a snapshot header and the full list", name, header, len(domains))
	}
	return header, domains
}

// TestCoverage: every domain of Delta Chat's provider-db and of the
// ISPDB (the files with an IMAP, POP3 or SMTP server), at the snapshots
// named in testdata, is known offline, or is in notKnown with a reason.
// go test -v -run TestCoverage prints the share.
func TestCoverage(t *testing.T) {
	used := map[string]bool{}
	for _, list := range []struct {
		file string
		min  float64 // the share of domains Lookup must know, in percent
	}{
		{"coverage-chatmail.txt", 95},
		{"coverage-ispdb.txt", 95},
	} {
		header, domains := readCoverage(t, list.file)
		known, viaMX := 0, 0
		for _, d := range domains {
			if why, ok := notKnown[d]; ok {
				used[d] = true
				if _, found := Lookup(strings.TrimPrefix(d, "*.")); found {
					t.Errorf("%s: %s is known now; remove it from notKnown (%s)", list.file, d, why)
				}
				continue
			}
			switch {
			case mxDomains[d]:
				used[d] = true
				if _, ok := LookupMX("mx-test." + d); !ok {
					t.Errorf("%s: %s is a mail exchanger domain, but no mw:mx pattern covers mx-test.%s", list.file, d, d)
					continue
				}
				viaMX++
			case patternDomains[d]:
				used[d] = true
				if _, ok := Lookup("tenant-test." + d); !ok {
					t.Errorf("%s: no mw:domain pattern covers tenant-test.%s", list.file, d)
					continue
				}
				known++
			default:
				if _, ok := Lookup(d); !ok {
					t.Errorf("%s: %s is not known offline; add it to a provider file, or to notKnown with the reason", list.file, d)
					continue
				}
				known++
			}
		}
		share := 100 * float64(known+viaMX) / float64(len(domains))
		t.Logf("%s (%s): %d of %d domains known (%.1f%%): %d by Lookup, %d as MX domains; %d not known, each with a reason",
			list.file, header, known+viaMX, len(domains), share, known, viaMX, len(domains)-known-viaMX)
		if share < list.min {
			t.Errorf("%s: %.1f%% known; want at least %.0f%%", list.file, share, list.min)
		}
	}
	for _, m := range []map[string]bool{mxDomains, patternDomains} {
		for d := range m {
			if !used[d] {
				t.Errorf("%s is in a list of this test but in no database list", d)
			}
		}
	}
	for d := range notKnown {
		if !used[d] {
			t.Errorf("notKnown has %s, which is in no database list; remove it", d)
		}
	}
}

// ExampleLookup_tenant: a Microsoft 365 tenant's initial domain is found
// by its suffix.
func ExampleLookup_tenant() {
	c, ok := Lookup("contoso.onmicrosoft.com")
	fmt.Println(c.Provider.ID, ok)
	// Output: microsoft365 true
}

// coveragePins: what a person at some of the providers added for
// coverage gets offline (the issue's named gaps first), checked like
// TestPinEast. Login for "ivan.petrov+news@<domain>".
var coveragePins = []pin{
	{"riseup.net", "riseup",
		server(account.IMAP, "mail.riseup.net", 993, account.SSL, "ivan.petrov@riseup.net"),
		server(account.SMTP, "mail.riseup.net", 465, account.SSL, "ivan.petrov@riseup.net"), nil},
	{"disroot.org", "disroot",
		server(account.IMAP, "disroot.org", 993, account.SSL, "ivan.petrov"),
		server(account.SMTP, "disroot.org", 465, account.SSL, "ivan.petrov"), nil},
	{"ik.me", "infomaniak",
		server(account.IMAP, "mail.infomaniak.com", 993, account.SSL, "ivan.petrov@ik.me"),
		server(account.SMTP, "mail.infomaniak.com", 465, account.SSL, "ivan.petrov@ik.me"), nil},
	{"e.email", "murena",
		server(account.IMAP, "mail.ecloud.global", 993, account.SSL, "ivan.petrov@e.email"),
		server(account.SMTP, "mail.ecloud.global", 587, account.STARTTLS, "ivan.petrov@e.email"), nil},
	{"chello.at", "magenta-at",
		server(account.IMAP, "mail.mymagenta.at", 993, account.SSL, "ivan.petrov@chello.at"),
		server(account.SMTP, "mail.mymagenta.at", 465, account.SSL, "ivan.petrov@chello.at"), nil},
	{"nauta.cu", "nauta",
		server(account.IMAP, "imap.nauta.cu", 143, account.STARTTLS, "ivan.petrov@nauta.cu"),
		server(account.SMTP, "smtp.nauta.cu", 25, account.STARTTLS, "ivan.petrov@nauta.cu"), nil},
	{"vivaldi.net", "vivaldi",
		server(account.IMAP, "imap.vivaldi.net", 143, account.STARTTLS, "ivan.petrov@vivaldi.net"),
		server(account.SMTP, "smtp.vivaldi.net", 587, account.STARTTLS, "ivan.petrov@vivaldi.net"),
		[]account.HintKind{account.HintEnableIMAP}},
	{"purelymail.com", "purelymail",
		server(account.IMAP, "imap.purelymail.com", 993, account.SSL, "ivan.petrov@purelymail.com"),
		server(account.SMTP, "smtp.purelymail.com", 465, account.SSL, "ivan.petrov@purelymail.com"), nil},
	// Other names of providers we knew.
	{"republika.pl", "onet",
		server(account.IMAP, "imap.poczta.onet.pl", 993, account.SSL, "ivan.petrov@republika.pl"),
		server(account.SMTP, "smtp.poczta.onet.pl", 465, account.SSL, "ivan.petrov@republika.pl"),
		[]account.HintKind{account.HintEnableIMAP}},
	{"secure.mailbox.org", "mailboxorg",
		server(account.IMAP, "imap.mailbox.org", 993, account.SSL, "ivan.petrov@secure.mailbox.org"),
		server(account.SMTP, "smtp.mailbox.org", 465, account.SSL, "ivan.petrov@secure.mailbox.org"), nil},
	{"groupmail.com", "mailcom",
		server(account.IMAP, "imap.mail.com", 993, account.SSL, "ivan.petrov@groupmail.com"),
		server(account.SMTP, "smtp.mail.com", 465, account.SSL, "ivan.petrov@groupmail.com"),
		[]account.HintKind{account.HintEnableIMAP}},
	// A hoster with 150 domains in one file.
	{"hansen.dk", "jubii",
		server(account.IMAP, "imap.jubii.dk", 993, account.SSL, "ivan.petrov@hansen.dk"),
		server(account.SMTP, "smtp.jubii.dk", 465, account.SSL, "ivan.petrov@hansen.dk"), nil},
	// Nothing encrypted published: listed with the hint that says so; the
	// host is the address's own domain.
	{"mx3.tiki.ne.jp", "tiki-mx",
		server(account.POP3, "mx3.tiki.ne.jp", 110, account.None, "ivan.petrov"),
		server(account.SMTP, "smtp-auth.tiki.ne.jp", 587, account.None, "ivan.petrov@mx3.tiki.ne.jp"),
		[]account.HintKind{account.HintInfo}},
}

func TestPinCoverage(t *testing.T) {
	for _, p := range coveragePins {
		t.Run(p.domain, func(t *testing.T) {
			tmpl, ok := Lookup(p.domain)
			if !ok || tmpl.Provider.ID != p.id {
				t.Fatalf("Lookup(%q) = %v, %v; want %s", p.domain, tmpl.Provider, ok, p.id)
			}
			addr, err := account.ParseAddress("ivan.petrov+news@" + p.domain)
			if err != nil {
				t.Fatal(err)
			}
			cfg := tmpl.For(addr)
			if len(cfg.Incoming) == 0 || len(cfg.Outgoing) == 0 {
				t.Fatalf("%d incoming, %d outgoing servers", len(cfg.Incoming), len(cfg.Outgoing))
			}
			checkServer(t, "incoming", cfg.Incoming[0], p.in)
			checkServer(t, "outgoing", cfg.Outgoing[0], p.out)
			for _, k := range p.hints {
				if !cfg.HasHint(k) {
					t.Errorf("no %q hint", k)
				}
			}
			if (p.in.Security == account.None) != hasPlaintextNote(cfg) {
				t.Errorf("plaintext note %v; want it exactly when nothing encrypted is published", hasPlaintextNote(cfg))
			}
		})
	}
}

// TestTenantDomain: a Microsoft 365 tenant's initial domain gets Microsoft
// 365 offline, OAuth2 and the hint that says a password will not work;
// the suffix itself and look-alike suffixes do not.
func TestTenantDomain(t *testing.T) {
	for _, d := range []string{"contoso.onmicrosoft.com", "Fabrikam.OnMicrosoft.com.", "a-b.onmicrosoft.com"} {
		c, ok := Lookup(d)
		if !ok || c.Provider.ID != "microsoft365" {
			t.Errorf("Lookup(%q) = %v, %v; want microsoft365", d, c.Provider, ok)
			continue
		}
		if c.Incoming[0].Auth != account.AuthOAuth2 || !c.HasHint(account.HintOAuth2Required) {
			t.Errorf("%s: auth %q, oauth2-required hint %v; want OAuth2 and the hint", d, c.Incoming[0].Auth, c.HasHint(account.HintOAuth2Required))
		}
	}
	for _, d := range []string{"onmicrosoft.com", "contoso.onmicrosoft.com.evil.example", "contoso.notonmicrosoft.com"} {
		if c, ok := Lookup(d); ok {
			t.Errorf("Lookup(%q) = %s; want nothing", d, c.Provider.ID)
		}
	}
}
