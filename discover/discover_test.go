package discover

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// bomb is a billion-laughs document: a parser that expanded entities would
// need gigabytes.
const bomb = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<clientConfig version="1.1"><emailProvider id="x">&lol9;</emailProvider></clientConfig>`

// scenarioWorld builds one test domain per situation of issue 4.
func scenarioWorld(t testing.TB) (*world, map[string]*greeter) {
	w := newWorld(t)
	https := func(host, path string, h http.Handler) { w.web.Handle("https", host, path, h) }
	const acPath = "/mail/config-v1.1.xml"

	// The domain's own autoconfig, with the ISPDB also answering: the
	// domain wins. The handler insists on the emailaddress query.
	w.a("autoconfig.own.test")
	https("autoconfig.own.test", acPath, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("emailaddress") != "alice@own.test" {
			http.Error(rw, "emailaddress missing", http.StatusBadRequest)
			return
		}
		testenv.XML(clientConfig("own.test", "imap.own.test", "smtp.own.test")).ServeHTTP(rw, r)
	}))
	w.ispdb("own.test", clientConfig("own.test", "imap.wrong.example", "smtp.wrong.example"))

	w.a("wellknown.test")
	https("wellknown.test", "/.well-known/autoconfig"+acPath, testenv.XML(clientConfig("wellknown.test", "mail.wellknown.test", "mail.wellknown.test")))

	w.a("autoconfig.httponly.test")
	w.web.Handle("http", "autoconfig.httponly.test", acPath, testenv.XML(clientConfig("httponly.test", "imap.httponly.test", "smtp.httponly.test")))

	w.ispdb("inispdb.test", clientConfig("bigisp.example", "imap.bigisp.example", "smtp.bigisp.example"))
	// An internationalized domain is asked in its ASCII form everywhere.
	w.ispdb("xn--80a1acny.xn--p1ai", clientConfig("xn--80a1acny.xn--p1ai", "imap.xn--80a1acny.xn--p1ai", "smtp.xn--80a1acny.xn--p1ai"))

	w.dns.Set("mxknown.test", testenv.Records{MX: []testenv.MX{{Pref: 1, Host: "aspmx.l.google.com"}, {Pref: 5, Host: "alt1.aspmx.l.google.com"}}})

	w.dns.Set("mxispdb.test", testenv.Records{MX: []testenv.MX{{Pref: 20, Host: "mx.other.example"}, {Pref: 10, Host: "mx1.hoster.example"}}})
	w.ispdb("hoster.example", clientConfig("hoster.example", "imap.hoster.example", "smtp.hoster.example"))

	w.dns.Set("_imaps._tcp.srvonly.test", testenv.Records{SRV: []testenv.SRV{{Priority: 10, Weight: 1, Port: 993, Target: "mail.srvonly.test"}}})
	w.dns.Set("_imap._tcp.srvonly.test", testenv.Records{SRV: []testenv.SRV{{Target: "."}}})
	w.dns.Set("_pop3s._tcp.srvonly.test", testenv.Records{SRV: []testenv.SRV{{Priority: 20, Port: 995, Target: "pop.srvonly.test"}}})
	w.dns.Set("_submission._tcp.srvonly.test", testenv.Records{SRV: []testenv.SRV{{Priority: 0, Port: 587, Target: "mail.srvonly.test"}}})
	w.dns.Set("_submissions._tcp.srvonly.test", testenv.Records{SRV: []testenv.SRV{{Priority: 0, Port: 465, Target: "mail.srvonly.test"}}})

	w.a("autodiscover.adonly.test")
	https("autodiscover.adonly.test", "/autodiscover/autodiscover.xml", postOnly(autodiscoverXML("mail.adonly.test", 993, "mail.adonly.test", 587, "TLS")))

	// Autodiscover redirecting to another address whose servers are
	// outside the first domain: found, but not vouched for.
	w.a("adredir.test", "autodiscover.adtarget.test")
	https("adredir.test", "/autodiscover/autodiscover.xml", postOnly(autodiscoverRedirect("redirectAddr", "alice@adtarget.test")))
	https("autodiscover.adtarget.test", "/autodiscover/autodiscover.xml", postOnly(autodiscoverXML("mail.adtarget.test", 993, "mail.adtarget.test", 465, "SSL")))

	// Guessing: real greeting servers behind the mail ports.
	w.a("imap.guessonly.test", "mail.guessonly.test", "smtp.guessonly.test")
	leaf := w.ca.Issue(t, "imap.guessonly.test", "mail.guessonly.test", "smtp.guessonly.test")
	g := map[string]*greeter{
		"imaps":      startGreeter(t, account.IMAP, leaf, false),
		"imap":       startGreeter(t, account.IMAP, nil, true),
		"smtps":      startGreeter(t, account.SMTP, leaf, false),
		"submission": startGreeter(t, account.SMTP, nil, true),
		"pop3":       startGreeter(t, account.POP3, nil, false), // clear only: must be dropped
	}
	w.opts.Ports[993] = g["imaps"].Port
	w.opts.Ports[143] = g["imap"].Port
	w.opts.Ports[465] = g["smtps"].Port
	w.opts.Ports[587] = g["submission"].Port
	w.opts.Ports[110] = g["pop3"].Port
	return w, g
}

func TestSources(t *testing.T) {
	w, greeters := scenarioWorld(t)
	tests := []struct {
		email     string
		source    account.Source
		secure    bool
		provider  string // provider id, "" for none checked
		incoming  []string
		outgoing  []string
		username  string   // the first incoming server's username template, when checked
		hintHosts []string // hosts the unverified-source hint must name
		allow     []string // Options.AllowRedirect
	}{
		{email: "alice@own.test", source: account.SourceAutoconfig, secure: true,
			incoming: []string{"imap://imap.own.test:993?security=ssl"}, outgoing: []string{"smtp://smtp.own.test:465?security=ssl"}},
		{email: "alice@wellknown.test", source: account.SourceWellKnown, secure: true,
			incoming: []string{"imap://mail.wellknown.test:993?security=ssl"}, outgoing: []string{"smtp://mail.wellknown.test:465?security=ssl"}},
		{email: "alice@httponly.test", source: account.SourceAutoconfig, secure: false,
			incoming: []string{"imap://imap.httponly.test:993?security=ssl"}, outgoing: []string{"smtp://smtp.httponly.test:465?security=ssl"},
			hintHosts: []string{"imap.httponly.test", "smtp.httponly.test"}},
		{email: "alice@inispdb.test", source: account.SourceISPDB, secure: true, provider: "bigisp.example",
			incoming: []string{"imap://imap.bigisp.example:993?security=ssl"}, outgoing: []string{"smtp://smtp.bigisp.example:465?security=ssl"}},
		{email: "алиса@почта.рф", source: account.SourceISPDB, secure: true,
			incoming: []string{"imap://imap.xn--80a1acny.xn--p1ai:993?security=ssl"}, outgoing: []string{"smtp://smtp.xn--80a1acny.xn--p1ai:465?security=ssl"}},
		{email: "alice@mxknown.test", source: account.SourceMX, secure: true, provider: "gmail",
			incoming: []string{"imap://imap.gmail.com:993?security=ssl"}},
		{email: "alice@mxispdb.test", source: account.SourceMX, secure: true, provider: "hoster.example",
			incoming: []string{"imap://imap.hoster.example:993?security=ssl"}, outgoing: []string{"smtp://smtp.hoster.example:465?security=ssl"}},
		{email: "alice@srvonly.test", source: account.SourceSRV, secure: false,
			incoming:  []string{"imap://mail.srvonly.test:993?security=ssl", "pop3://pop.srvonly.test:995?security=ssl"},
			outgoing:  []string{"smtp://mail.srvonly.test:465?security=ssl", "smtp://mail.srvonly.test:587?security=starttls"},
			hintHosts: []string{"mail.srvonly.test", "pop.srvonly.test"}},
		{email: "alice@adonly.test", source: account.SourceAutodiscover, secure: true, username: "login-from-autodiscover",
			incoming: []string{"imap://mail.adonly.test:993?security=ssl"}, outgoing: []string{"smtp://mail.adonly.test:587?security=starttls"}},
		{email: "alice@adredir.test", source: account.SourceAutodiscover, secure: false, allow: []string{"adtarget.test"},
			incoming: []string{"imap://mail.adtarget.test:993?security=ssl"}, outgoing: []string{"smtp://mail.adtarget.test:465?security=ssl"},
			hintHosts: []string{"mail.adtarget.test"}},
		{email: "alice@guessonly.test", source: account.SourceGuess, secure: false,
			incoming:  []string{"imap://imap.guessonly.test:993?security=ssl", "imap://imap.guessonly.test:143?security=starttls"},
			outgoing:  []string{"smtp://smtp.guessonly.test:465?security=ssl", "smtp://smtp.guessonly.test:587?security=starttls"},
			hintHosts: []string{"imap.guessonly.test", "smtp.guessonly.test"}},
	}
	t.Run("domains", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.email, func(t *testing.T) {
				t.Parallel()
				addr, err := account.ParseAddress(tt.email)
				if err != nil {
					t.Fatal(err)
				}
				opts := w.opts
				opts.AllowRedirect = tt.allow
				cfg, err := Run(t.Context(), addr, opts)
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				if cfg.Source != tt.source || cfg.SecureSource != tt.secure {
					t.Errorf("source %s secure %v, want %s secure %v", cfg.Source, cfg.SecureSource, tt.source, tt.secure)
				}
				if tt.provider != "" && (cfg.Provider == nil || cfg.Provider.ID != tt.provider) {
					t.Errorf("provider %+v, want id %q", cfg.Provider, tt.provider)
				}
				checkServers(t, "incoming", cfg.Incoming, tt.incoming, tt.source != account.SourceMX)
				if tt.outgoing != nil {
					checkServers(t, "outgoing", cfg.Outgoing, tt.outgoing, true)
				}
				if tt.username != "" && cfg.Incoming[0].Username != tt.username {
					t.Errorf("username %q, want %q", cfg.Incoming[0].Username, tt.username)
				}
				checkTrustHint(t, cfg, tt.hintHosts)
			})
		}
	})
	t.Run("guessing never logs in", func(t *testing.T) {
		// Runs after the parallel subtests in "domains" have finished.
		seen := 0
		for name, g := range greeters {
			for _, c := range g.Commands() {
				seen++
				up := strings.ToUpper(c)
				for _, bad := range []string{"LOGIN", "AUTH", "USER", "PASS", "AUTHENTICATE"} {
					if strings.Contains(up, " "+bad) || strings.HasPrefix(up, bad) {
						t.Errorf("greeter %s received %q: guessing must never log in", name, c)
					}
				}
			}
		}
		if seen == 0 {
			t.Error("no greeter received a command: the guess test did not reach them")
		}
	})
}

// checkServers compares servers by their URL form; exact requires the same
// list, otherwise want must be a prefix.
func checkServers(t *testing.T, what string, got []account.Server, want []string, exact bool) {
	t.Helper()
	var g []string
	for _, s := range got {
		g = append(g, s.String())
	}
	if exact && strings.Join(g, " ") != strings.Join(want, " ") || !exact && !strings.HasPrefix(strings.Join(g, " "), strings.Join(want, " ")) {
		t.Errorf("%s servers:\n got %v\nwant %v", what, g, want)
	}
}

// checkTrustHint requires an unverified-source hint naming hosts, in
// English and Russian, exactly when hosts is not empty.
func checkTrustHint(t *testing.T, cfg account.Config, hosts []string) {
	t.Helper()
	var hint *account.Hint
	for i := range cfg.Hints {
		if cfg.Hints[i].Kind == account.HintUnverifiedSource {
			hint = &cfg.Hints[i]
		}
	}
	switch {
	case len(hosts) == 0 && hint != nil:
		t.Errorf("unexpected unverified-source hint: %v", hint.Text)
	case len(hosts) > 0 && hint == nil:
		t.Errorf("no unverified-source hint; hints: %+v", cfg.Hints)
	case hint != nil:
		for _, lang := range []string{"en", "ru"} {
			for _, h := range hosts {
				if !strings.Contains(hint.Text[lang], h) {
					t.Errorf("the %s hint does not name %s: %q", lang, h, hint.Text[lang])
				}
			}
		}
	}
}

// TestHostile: each hostile server fails only its own source, within its
// timeout, with a message that says what happened.
func TestHostile(t *testing.T) {
	w := newWorld(t)
	silent := testenv.StartSilent(t)
	https := func(host, path string, h http.Handler) { w.web.Handle("https", host, path, h) }
	const acPath = "/mail/config-v1.1.xml"
	good := func(d string) string { return clientConfig(d, "imap."+d, "smtp."+d) }

	w.a("autoconfig.hang.test", "hang.test")
	https("autoconfig.hang.test", acPath, w.web.Hang())
	https("hang.test", "/.well-known/autoconfig"+acPath, testenv.XML(good("hang.test")))

	w.a("autoconfig.huge.test")
	https("autoconfig.huge.test", acPath, testenv.Huge(50<<20))

	w.a("autoconfig.bomb.test", "autodiscover.bomb.test")
	https("autoconfig.bomb.test", acPath, testenv.XML(bomb))
	https("autodiscover.bomb.test", "/autodiscover/autodiscover.xml", postOnly(strings.ReplaceAll(bomb, "clientConfig", "Autodiscover")))

	w.a("autoconfig.loop.test")
	https("autoconfig.loop.test", acPath, testenv.RedirectLoop())

	w.a("autoconfig.garbage.test")
	https("autoconfig.garbage.test", acPath, testenv.XML("<<<this is not XML>>> \x00\xff"))
	w.a("autodiscover.adgarbage.test")
	https("autodiscover.adgarbage.test", "/autodiscover/autodiscover.xml", postOnly("<Autodiscover><Response><Account><Protocol><Type>IMAP</Type><Server>bad host name</Server></Protocol></Account></Response></Autodiscover>"))
	w.ispdb("garbage.test", good("garbage.test"))

	w.a("autoconfig.downgrade.test")
	https("autoconfig.downgrade.test", acPath, testenv.Redirect("http://autoconfig.downgrade.test"+acPath))
	w.web.Handle("http", "autoconfig.downgrade.test", acPath, testenv.XML(good("downgrade.test")))

	// Plain HTTP redirecting to https: the redirect itself could have been
	// forged, so the answer is still not vouched for.
	w.a("autoconfig.upgrade.test", "elsewhere.upgrade.test")
	w.web.Handle("http", "autoconfig.upgrade.test", acPath, testenv.Redirect("https://elsewhere.upgrade.test/config.xml"))
	https("elsewhere.upgrade.test", "/config.xml", testenv.XML(good("upgrade.test")))

	// RFC 6186: a target of "." says the service is decidedly not offered.
	w.dns.Set("_imaps._tcp.srvnone.test", testenv.Records{SRV: []testenv.SRV{{Target: "."}}})
	w.dns.Set("_imap._tcp.srvnone.test", testenv.Records{SRV: []testenv.SRV{{Target: "."}}})

	w.a("autoconfig.noservers.test")
	https("autoconfig.noservers.test", acPath, testenv.XML(`<clientConfig version="1.1"><emailProvider id="x"><domain>noservers.test</domain>
	  <incomingServer type="imap"><hostname>has space.test</hostname><port>993</port><socketType>SSL</socketType></incomingServer></emailProvider></clientConfig>`))

	// Only three cases wait for a timeout, and in each another source must
	// still answer within it: the hung source's clock and the good source's
	// run side by side. With a 1 s source timeout this failed 1 run in 300
	// under load (go test -cpu 1,2,4 on a busy 2-core machine: a
	// GOMAXPROCS=1 process doing ~100 TLS handshakes for the parallel cases
	// stalled past 1 s, and every HTTPS source timed out). So those cases
	// have seconds, and run on their own after the rest; the other cases
	// wait on no clock at all: their sources get the world's 5 s, and none
	// may fail by timing out.
	const srcTimeout = 3 * time.Second
	const margin = 4 * time.Second // generous: a bound, not a speed goal
	inTime := "no answer within " + srcTimeout.String()
	tests := []struct {
		email   string
		ispdb   string         // ISPDB base override
		timed   bool           // a source is meant to time out (SourceTimeout srcTimeout)
		timeout time.Duration  // overall deadline override
		source  account.Source // "" expects nothing found
		secure  bool
		// failed maps a source to words its failure must contain.
		failed map[account.Source]string
	}{
		{email: "a@hang.test", timed: true, ispdb: "https://127.0.0.1:" + itoa(silent) + "/", source: account.SourceWellKnown, secure: true,
			failed: map[account.Source]string{account.SourceAutoconfig: inTime}},
		// An ISPDB that accepts the connection and never says a word.
		{email: "a@silent.test", timed: true, ispdb: "https://127.0.0.1:" + itoa(silent) + "/",
			failed: map[account.Source]string{account.SourceISPDB: inTime}},
		{email: "a@huge.test", failed: map[account.Source]string{account.SourceAutoconfig: "larger than 1 MiB"}},
		{email: "a@bomb.test", failed: map[account.Source]string{account.SourceAutoconfig: "DOCTYPE", account.SourceAutodiscover: "DTD"}},
		{email: "a@loop.test", failed: map[account.Source]string{account.SourceAutoconfig: "more than 3 redirects"}},
		{email: "a@garbage.test", source: account.SourceISPDB, secure: true,
			failed: map[account.Source]string{account.SourceAutoconfig: "XML"}},
		{email: "a@adgarbage.test", failed: map[account.Source]string{account.SourceAutodiscover: "no IMAP or POP3 server"}},
		{email: "a@downgrade.test", source: account.SourceAutoconfig, secure: false,
			failed: map[account.Source]string{account.SourceAutoconfig: "refused a redirect from https to http"}},
		{email: "a@upgrade.test", source: account.SourceAutoconfig, secure: false},
		{email: "a@srvnone.test", failed: map[account.Source]string{account.SourceSRV: "not offered (_imaps._tcp, _imap._tcp)"}},
		{email: "a@noservers.test", failed: map[account.Source]string{account.SourceAutoconfig: "autoconfig"}},
		{email: "a@nothing.test", failed: map[account.Source]string{account.SourceAutoconfig: "does not exist in DNS",
			account.SourceGuess: "no IMAP or POP3 server answered", account.SourceMX: "does not exist"}},
		// The overall deadline ends a search whose best source hangs: the
		// well-known answer is taken at the deadline, not at the source
		// timeout.
		{email: "a@hang.test", timed: true, timeout: srcTimeout, ispdb: "https://" + ispdbHost + "/v1.1/{{domain}}", source: account.SourceWellKnown, secure: true},
	}
	run := func(t *testing.T, timed bool) {
		for _, tt := range tests {
			if tt.timed != timed {
				continue
			}
			t.Run(tt.email, func(t *testing.T) {
				t.Parallel()
				addr, _ := account.ParseAddress(tt.email)
				opts := w.opts
				if tt.timed {
					opts.SourceTimeout = srcTimeout
				}
				if tt.timeout > 0 {
					opts.SourceTimeout = 10 * time.Second
					opts.Timeout = tt.timeout
				}
				if tt.ispdb != "" {
					opts.ISPDBURL = tt.ispdb
				}
				var mu sync.Mutex
				failures := map[account.Source][]string{}
				opts.Events = func(e Event) {
					if e.State == Failed {
						mu.Lock()
						failures[e.Source] = append(failures[e.Source], e.Detail)
						mu.Unlock()
					}
				}
				start := time.Now()
				cfg, err := Run(t.Context(), addr, opts)
				elapsed := time.Since(start)
				t.Logf("%v: source %q, err: %v", elapsed.Round(time.Millisecond), cfg.Source, err)
				if tt.timed {
					bound := opts.SourceTimeout + margin
					if tt.timeout > 0 {
						bound = tt.timeout + margin
					}
					if elapsed > bound {
						t.Errorf("took %v, want under %v", elapsed, bound)
					}
				}
				if tt.source == "" {
					var nf *NotFoundError
					if !errors.As(err, &nf) {
						t.Fatalf("err = %v, want a NotFoundError", err)
					}
				} else {
					if err != nil {
						t.Fatalf("Run: %v", err)
					}
					if cfg.Source != tt.source || cfg.SecureSource != tt.secure {
						t.Errorf("source %s secure %v, want %s secure %v", cfg.Source, cfg.SecureSource, tt.source, tt.secure)
					}
				}
				mu.Lock()
				defer mu.Unlock()
				for src, words := range tt.failed {
					all := strings.Join(failures[src], " | ")
					if !strings.Contains(all, words) {
						t.Errorf("%s failure %q does not say %q", src, all, words)
					}
					if err != nil && !strings.Contains(err.Error(), words) {
						t.Errorf("the error does not say %q: %v", words, err)
					}
				}
				if !tt.timed {
					// Every hostile server is refused for what it did, at
					// once, not by outlasting a clock.
					for src, details := range failures {
						for _, d := range details {
							if strings.Contains(d, "no answer within") {
								t.Errorf("%s timed out: %s", src, d)
							}
						}
					}
				}
			})
		}
	}
	t.Run("untimed", func(t *testing.T) { run(t, false) })
	t.Run("timed", func(t *testing.T) { run(t, true) })
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestProvisional: a lower source's answer is reported at once as
// provisional and replaced when a better source answers.
func TestProvisional(t *testing.T) {
	w := newWorld(t)
	release := make(chan struct{})
	w.a("autoconfig.slow.test")
	w.web.Handle("https", "autoconfig.slow.test", "/mail/config-v1.1.xml", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		// The domain answers only after discovery has shown the ISPDB's
		// answer as provisional: ordering, not timing.
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		testenv.XML(clientConfig("slow.test", "imap.slow.test", "smtp.slow.test")).ServeHTTP(rw, r)
	}))
	w.ispdb("slow.test", clientConfig("slow.test", "imap.ispdb-says.example", "smtp.ispdb-says.example"))
	var events []Event
	var once sync.Once
	opts := w.opts
	opts.Events = func(e Event) {
		events = append(events, e)
		if e.State == Found && e.Provisional {
			once.Do(func() { close(release) })
		}
	}
	addr, _ := account.ParseAddress("bob@slow.test")
	cfg, err := Run(t.Context(), addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Source != account.SourceAutoconfig || cfg.Incoming[0].Host != "imap.slow.test" {
		t.Fatalf("final answer %s %v, want the domain's own autoconfig", cfg.Source, cfg.Incoming)
	}
	var provisional, final *Event
	for i, e := range events {
		if e.State == Found && e.Provisional && provisional == nil {
			provisional = &events[i]
		}
		if e.Final {
			if final != nil {
				t.Errorf("two final events: %+v and %+v", *final, e)
			}
			final = &events[i]
		}
	}
	if provisional == nil || provisional.Source != account.SourceISPDB {
		t.Fatalf("no provisional ISPDB answer among %+v", events)
	}
	if final == nil || final.Source != account.SourceAutoconfig || final.Config == nil || final.Config.Incoming[0].Host != "imap.slow.test" {
		t.Fatalf("final event %+v, want the autoconfig answer", final)
	}
	if events[0].Source != account.SourceBuiltin || events[0].State != Failed {
		t.Errorf("first event %+v, want the built-in database's miss", events[0])
	}
}

// TestCancel: cancelling the context ends Run at once, even with every
// server hanging.
func TestCancel(t *testing.T) {
	w := newWorld(t)
	w.a("autoconfig.stuck.test", "stuck.test")
	w.web.Handle("https", "autoconfig.stuck.test", "/mail/config-v1.1.xml", w.web.Hang())
	opts := w.opts
	opts.ISPDBURL = "https://127.0.0.1:" + itoa(testenv.StartSilent(t)) + "/"
	asked := make(chan struct{})
	var once sync.Once
	opts.Events = func(e Event) {
		if e.State == Asking {
			once.Do(func() { close(asked) })
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	addr, _ := account.ParseAddress("a@stuck.test")
	errc := make(chan error, 1)
	go func() {
		_, err := Run(ctx, addr, opts)
		errc <- err
	}()
	<-asked
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second): // a bound on a hang, not a speed goal
		t.Fatal("Run did not return after cancel")
	}
}

func TestBuiltinFirst(t *testing.T) {
	addr, _ := account.ParseAddress("someone@gmail.com")
	var events []Event
	// A resolver that fails every question proves no network was asked.
	opts := Options{Resolver: brokenResolver(), Events: func(e Event) { events = append(events, e) }}
	cfg, err := Run(t.Context(), addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Source != account.SourceBuiltin || !cfg.SecureSource {
		t.Errorf("source %s secure %v, want builtin, secure", cfg.Source, cfg.SecureSource)
	}
	if len(events) != 1 || !events[0].Final {
		t.Errorf("events %+v, want one final builtin event", events)
	}
}

// TestTimeoutError: a source's timeout is worded once, whether it comes
// alone, wrapped, or among Autodiscover's per-URL failures, and stays a
// DeadlineExceeded for errors.Is.
func TestTimeoutError(t *testing.T) {
	opts := &Options{SourceTimeout: 2 * time.Second}
	na := &noAnswerError{limit: 2 * time.Second}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"worded already", na, "no answer within 2s"},
		{"worded inside a join", joinedError{errors.New("https://a/x: HTTP 404"), na},
			"https://a/x: HTTP 404; no answer within 2s"},
		{"bare deadline", context.DeadlineExceeded, "no answer within 2s: context deadline exceeded"},
		{"not a timeout", errors.New("HTTP 500"), "HTTP 500"},
	}
	for _, tt := range tests {
		got := timeoutError(opts, tt.err)
		if got.Error() != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		if tt.name != "not a timeout" && !errors.Is(got, context.DeadlineExceeded) {
			t.Errorf("%s: %q is no longer a DeadlineExceeded", tt.name, got)
		}
	}
}

func TestNewResolver(t *testing.T) {
	for _, tt := range []struct{ in, err string }{
		{"127.0.0.1:53", ""},
		{"[::1]:5353", ""},
		{"localhost", "is not HOST:PORT"},
		{":53", "is not HOST:PORT"},
		{"127.0.0.1:", `port ""`},
		{"127.0.0.1:dns", `port "dns"`},
		{"127.0.0.1:70000", `port "70000"`},
	} {
		r, err := NewResolver(tt.in)
		if tt.err == "" {
			if err != nil || r == nil {
				t.Errorf("NewResolver(%q) = %v, %v", tt.in, r, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("NewResolver(%q) error %v; want one saying %q", tt.in, err, tt.err)
		}
	}
}
