package discover

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// world is a small internet on loopback: a DNS server, HTTPS and HTTP
// servers with virtual hosts, greeting servers on the mail ports, and the
// Options that make discovery reach them.
type world struct {
	t        testing.TB
	ca       *testenv.CA
	dns      *testenv.DNS
	web      *testenv.Web
	greeters []*greeter
	opts     Options
}

const ispdbHost = "ispdb.test"

func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{t: t, ca: testenv.NewCA(t)}
	w.dns = testenv.StartDNS(t, testenv.Zone{ispdbHost: {A: []string{"127.0.0.1"}}})
	w.web = testenv.StartWeb(t, w.ca)
	closed := testenv.ClosedPort(t) // refused at once, and nobody can take it
	w.opts = Options{
		Resolver:      w.dns.Resolver(),
		ISPDBURL:      "https://" + ispdbHost + "/v1.1/",
		RootCAs:       w.ca.Pool(),
		Timeout:       10 * time.Second,
		SourceTimeout: 5 * time.Second,
		Ports: map[int]int{443: w.web.HTTPSPort, 80: w.web.HTTPPort,
			993: closed, 143: closed, 995: closed, 110: closed, 465: closed, 587: closed, 25: closed},
	}
	return w
}

// a adds A records (127.0.0.1) for names.
func (w *world) a(names ...string) {
	for _, n := range names {
		w.dns.Set(n, testenv.Records{A: []string{"127.0.0.1"}})
	}
}

func (w *world) ispdb(domain, body string) {
	w.web.Handle("https", ispdbHost, "/v1.1/"+domain, testenv.XML(body))
}

// clientConfig is a minimal clientConfig document for a provider.
func clientConfig(id, imapHost, smtpHost string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="%[1]s">
    <domain>%[1]s</domain>
    <displayName>%[1]s mail</displayName>
    <incomingServer type="imap">
      <hostname>%[2]s</hostname><port>993</port><socketType>SSL</socketType>
      <username>%%EMAILADDRESS%%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>%[3]s</hostname><port>465</port><socketType>SSL</socketType>
      <username>%%EMAILADDRESS%%</username><authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>`, id, imapHost, smtpHost)
}

// autodiscoverXML is a POX answer with one IMAP and one SMTP protocol.
func autodiscoverXML(imapHost string, imapPort int, smtpHost string, smtpPort int, smtpEnc string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol><Type>IMAP</Type><Server>%s</Server><Port>%d</Port><SSL>on</SSL><LoginName>login-from-autodiscover</LoginName></Protocol>
      <Protocol><Type>SMTP</Type><Server>%s</Server><Port>%d</Port><Encryption>%s</Encryption></Protocol>
    </Account>
  </Response>
</Autodiscover>`, imapHost, imapPort, smtpHost, smtpPort, smtpEnc)
}

func autodiscoverRedirect(action, target string) string {
	el := "RedirectAddr"
	if action == "redirectUrl" {
		el = "RedirectUrl"
	}
	return fmt.Sprintf(`<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account><Action>%s</Action><%s>%s</%s></Account>
  </Response>
</Autodiscover>`, action, el, target, el)
}

// postOnly serves body to POST requests only, as Autodiscover servers do.
func postOnly(body string) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(rw, "POST only", http.StatusMethodNotAllowed)
			return
		}
		// Discovery never sends credentials; a 401 here would show up as
		// a failed source in the tests.
		if r.Header.Get("Authorization") != "" || r.Header.Get("Content-Type") != "text/xml; charset=utf-8" {
			http.Error(rw, "unexpected credentials or content type", http.StatusUnauthorized)
			return
		}
		io.Copy(io.Discard, io.LimitReader(r.Body, 1<<16))
		rw.Header().Set("Content-Type", "text/xml; charset=utf-8")
		io.WriteString(rw, body)
	})
}

// greeter is a minimal real mail server on loopback: it greets, answers
// capability requests, and records every command so a test can prove that
// guessing never logs in.
type greeter struct {
	Port     int
	mu       sync.Mutex
	commands []string
}

// startGreeter listens for proto; leaf != nil makes it implicit TLS;
// starttls says whether the capabilities offer STARTTLS/STLS.
func startGreeter(t testing.TB, proto account.Protocol, leaf *testenv.Leaf, starttls bool) *greeter {
	t.Helper()
	var l net.Listener
	var err error
	if leaf != nil {
		l, err = tls.Listen("tcp", "127.0.0.1:0", leaf.ServerTLS())
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	g := &greeter{Port: l.Addr().(*net.TCPAddr).Port}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { g.serve(c, proto, starttls) })
		}
	})
	return g
}

func (g *greeter) Commands() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.commands...)
}

func (g *greeter) serve(c net.Conn, proto account.Protocol, starttls bool) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	say := func(s string) { io.WriteString(c, s+"\r\n") }
	switch proto {
	case account.IMAP:
		say("* OK test IMAP ready")
	case account.POP3:
		say("+OK test POP3 ready")
	default:
		say("220-test.invalid ESMTP")
		say("220 ready")
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		g.mu.Lock()
		g.commands = append(g.commands, line)
		g.mu.Unlock()
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch proto {
		case account.IMAP:
			if len(f) < 2 {
				say("* BAD")
				continue
			}
			switch strings.ToUpper(f[1]) {
			case "CAPABILITY":
				caps := "* CAPABILITY IMAP4rev1 AUTH=PLAIN"
				if starttls {
					caps += " STARTTLS"
				}
				say(caps)
				say(f[0] + " OK done")
			case "LOGOUT":
				say("* BYE")
				say(f[0] + " OK bye")
				return
			default:
				say(f[0] + " NO not here")
			}
		case account.POP3:
			switch strings.ToUpper(f[0]) {
			case "CAPA":
				say("+OK")
				say("USER")
				if starttls {
					say("STLS")
				}
				say(".")
			case "QUIT":
				say("+OK bye")
				return
			default:
				say("-ERR not here")
			}
		default:
			switch strings.ToUpper(f[0]) {
			case "EHLO":
				say("250-test.invalid")
				if starttls {
					say("250-STARTTLS")
				}
				say("250 AUTH PLAIN")
			case "QUIT":
				say("221 bye")
				return
			default:
				say("502 not here")
			}
		}
	}
}

// brokenResolver fails every question without touching a network.
func brokenResolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("this test allows no DNS")
	}}
}
