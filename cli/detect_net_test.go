package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/discover"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// netWorld starts a DNS server and web servers on loopback and makes the
// CLI's discovery trust the test CA and dial the test ports instead of 443,
// 80 and the mail ports (which it maps to a closed port). Everything else
// goes through the real flags: --dns and --ispdb-url.
func netWorld(t *testing.T) (dnsAddr, ispdb string, dns *testenv.DNS, web *testenv.Web) {
	t.Helper()
	ca := testenv.NewCA(t)
	dns = testenv.StartDNS(t, testenv.Zone{})
	web = testenv.StartWeb(t, ca)
	closed := testenv.ClosedPort(t)
	withDiscover(t, func(o *discover.Options) {
		o.RootCAs = ca.Pool()
		o.Ports = map[int]int{443: web.HTTPSPort, 80: web.HTTPPort,
			993: closed, 143: closed, 995: closed, 110: closed, 465: closed, 587: closed, 25: closed}
	})
	// The ISPDB is reached by address, as --ispdb-url allows.
	ispdb = "https://127.0.0.1:" + strconv.Itoa(web.HTTPSPort) + "/v1.1/"
	web.Mux("https", "127.0.0.1")
	return dns.Addr, ispdb, dns, web
}

func ccXML(id, host string) string {
	return fmt.Sprintf(`<clientConfig version="1.1"><emailProvider id="%[1]s"><domain>%[1]s</domain><displayName>%[1]s</displayName>
<incomingServer type="imap"><hostname>imap.%[2]s</hostname><port>993</port><socketType>SSL</socketType><username>%%EMAILADDRESS%%</username><authentication>password-cleartext</authentication></incomingServer>
<outgoingServer type="smtp"><hostname>smtp.%[2]s</hostname><port>465</port><socketType>SSL</socketType><username>%%EMAILADDRESS%%</username><authentication>password-cleartext</authentication></outgoingServer>
</emailProvider></clientConfig>`, id, host)
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := newEnv(t, "", &out, &errb)
	code := Run(t.Context(), env, args)
	return code, out.String(), errb.String()
}

// TestDetectNetwork runs `mailwiz detect --json --dns ... --ispdb-url ...`
// in-process against real servers on loopback, one domain per source kind.
func TestDetectNetwork(t *testing.T) {
	dnsAddr, ispdb, dns, web := netWorld(t)
	web.Handle("https", "127.0.0.1", "/v1.1/viaispdb.test", testenv.XML(ccXML("bigisp.example", "bigisp.example")))
	web.Handle("https", "127.0.0.1", "/v1.1/hoster.example", testenv.XML(ccXML("hoster.example", "hoster.example")))
	dns.Set("viamx.test", testenv.Records{MX: []testenv.MX{{Pref: 10, Host: "mx1.hoster.example"}}})
	dns.Set("autoconfig.own.test", testenv.Records{A: []string{"127.0.0.1"}})
	web.Handle("https", "autoconfig.own.test", "/mail/config-v1.1.xml", testenv.XML(ccXML("own.test", "own.test")))
	dns.Set("_imaps._tcp.viasrv.test", testenv.Records{SRV: []testenv.SRV{{Priority: 1, Port: 993, Target: "mail.viasrv.test"}}})

	tests := []struct {
		addr     string
		source   account.Source
		secure   bool
		incoming string
		hint     account.HintKind
	}{
		{"alice@own.test", account.SourceAutoconfig, true, "imap.own.test", ""},
		{"alice@viaispdb.test", account.SourceISPDB, true, "imap.bigisp.example", ""},
		{"alice@viamx.test", account.SourceMX, true, "imap.hoster.example", ""},
		{"alice@viasrv.test", account.SourceSRV, false, "mail.viasrv.test", account.HintUnverifiedSource},
		// The built-in database answers first, without a network.
		{"alice@gmail.com", account.SourceBuiltin, true, "imap.gmail.com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			code, out, errOut := runCLI(t, "detect", "--json", "--dns", dnsAddr, "--ispdb-url", ispdb, tt.addr)
			if code != ExitOK {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			var v struct {
				Email        string           `json:"email"`
				Source       account.Source   `json:"source"`
				SecureSource bool             `json:"secure_source"`
				Incoming     []account.Server `json:"incoming"`
				Hints        []struct {
					Kind account.HintKind `json:"kind"`
					Text string           `json:"text"`
				} `json:"hints"`
			}
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
			}
			if v.Email != tt.addr || v.Source != tt.source || v.SecureSource != tt.secure {
				t.Errorf("email %q source %q secure %v, want %q %q %v", v.Email, v.Source, v.SecureSource, tt.addr, tt.source, tt.secure)
			}
			if len(v.Incoming) == 0 || v.Incoming[0].Host != tt.incoming || v.Incoming[0].Username != tt.addr {
				t.Errorf("incoming %+v, want %s first with username %s", v.Incoming, tt.incoming, tt.addr)
			}
			found := false
			for _, h := range v.Hints {
				if h.Kind == account.HintUnverifiedSource {
					found = true
					if !strings.Contains(h.Text, tt.incoming) {
						t.Errorf("the unverified-source hint does not name %s: %q", tt.incoming, h.Text)
					}
				}
			}
			if found != (tt.hint == account.HintUnverifiedSource) {
				t.Errorf("unverified-source hint present %v, want %v", found, !found)
			}
		})
	}

	t.Run("table output warns about an unverified source", func(t *testing.T) {
		code, out, _ := runCLI(t, "detect", "--dns", dnsAddr, "--ispdb-url", ispdb, "alice@viasrv.test")
		if code != ExitOK || !strings.Contains(out, "nothing vouches for") || !strings.Contains(out, "mail.viasrv.test") {
			t.Errorf("exit %d, output:\n%s", code, out)
		}
	})

	t.Run("nothing found", func(t *testing.T) {
		code, out, errOut := runCLI(t, "detect", "--json", "--dns", dnsAddr, "--ispdb-url", ispdb, "alice@nowhere.test")
		if code != ExitFailed || out != "" {
			t.Fatalf("exit %d stdout %q, want exit 1 and no JSON", code, out)
		}
		t.Logf("stderr:\n%s", errOut)
		first := strings.SplitN(errOut, "\n", 2)[0]
		for _, want := range []string{"No mail settings found for nowhere.test", "mailwiz test --incoming"} {
			if !strings.Contains(first, want) {
				t.Errorf("first stderr line %q does not say %q", first, want)
			}
		}
		if !strings.Contains(errOut, "Thunderbird's provider database: ") || !strings.Contains(errOut, "404") {
			t.Errorf("stderr does not say why the ISPDB failed:\n%s", errOut)
		}
	})
}

func TestDetectNetworkFlags(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"detect", "--dns", "localhost", "a@b.test"}, ExitUsage, `mailwiz: --dns "localhost" is not a DNS server to ask: give HOST:PORT`},
		{[]string{"detect", "--ispdb-url", "ftp://x/", "a@b.test"}, ExitUsage, "--ispdb-url"},
		{[]string{"detect", "--timeout", "0s", "a@b.test"}, ExitUsage, "--timeout"},
		{[]string{"detect", "--timeout", "soon", "a@b.test"}, ExitUsage, "soon"},
	}
	for _, tt := range tests {
		code, _, errOut := runCLI(t, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d stderr %q, want exit %d mentioning %q", tt.args, code, errOut, tt.code, tt.want)
		}
	}
}

// TestDetectConfigFallback: the commands that take servers fall back to
// discovery, which asks the built-in database first.
func TestDetectConfigFallback(t *testing.T) {
	addr, _ := account.ParseAddress("bob@gmail.com")
	cfg, err := newEnv(t, "", io.Discard, io.Discard).detect(context.Background(), addr, nil, "en")
	if err != nil || cfg.Source != account.SourceBuiltin {
		t.Fatalf("detectConfig = %s, %v; want the built-in answer", cfg.Source, err)
	}
}

// TestDetectAllowRedirect: an Autodiscover redirect to another domain is
// not followed; detect says so on stderr with the flag that follows it,
// and --allow-redirect HOST follows it.
func TestDetectAllowRedirect(t *testing.T) {
	dnsAddr, ispdb, dns, web := netWorld(t)
	for _, n := range []string{"hop.test", "collector.test"} {
		dns.Set(n, testenv.Records{A: []string{"127.0.0.1"}})
	}
	web.Handle("https", "hop.test", "/autodiscover/autodiscover.xml", http.RedirectHandler("https://collector.test/autodiscover/autodiscover.xml", http.StatusTemporaryRedirect))
	web.Handle("https", "collector.test", "/autodiscover/autodiscover.xml", testenv.XML(`<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><AccountType>email</AccountType><Action>settings</Action>
<Protocol><Type>IMAP</Type><Server>mail.collector.test</Server><Port>993</Port><SSL>on</SSL></Protocol>
<Protocol><Type>SMTP</Type><Server>mail.collector.test</Server><Port>465</Port><SSL>on</SSL></Protocol></Account></Response></Autodiscover>`))
	code, out, errOut := runCLI(t, "detect", "--json", "--timeout", "5s", "--dns", dnsAddr, "--ispdb-url", ispdb, "alice@hop.test")
	if strings.Contains(out, "mail.collector.test") || !strings.Contains(errOut, "--allow-redirect collector.test") {
		t.Fatalf("without consent: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "detect", "--json", "--timeout", "5s", "--dns", dnsAddr, "--ispdb-url", ispdb, "--allow-redirect", "collector.test", "alice@hop.test")
	if code != ExitOK || !strings.Contains(out, "mail.collector.test") {
		t.Fatalf("with --allow-redirect: exit %d\n%s\n%s", code, out, errOut)
	}
}
