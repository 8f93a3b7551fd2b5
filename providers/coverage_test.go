package providers

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
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
