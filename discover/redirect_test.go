package discover

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// recorder is a handler that remembers every request it was sent: the
// URL and the body.
type recorder struct {
	mu   sync.Mutex
	seen []string
	next http.Handler
}

func (rc *recorder) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	rc.mu.Lock()
	rc.seen = append(rc.seen, r.Method+" "+r.URL.String()+" "+string(body))
	rc.mu.Unlock()
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	if rc.next != nil {
		rc.next.ServeHTTP(rw, r)
		return
	}
	http.NotFound(rw, r)
}

func (rc *recorder) requests() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.seen...)
}

// TestRedirectsLeavingTheDomain: an Autodiscover redirectUrl, a
// redirectAddr and an HTTP redirect that lead to another domain are not
// followed, and the other domain never receives the address, unless the
// person allowed that host; the refusal is a *RedirectError in the
// source's Failed event, naming the host to allow.
func TestRedirectsLeavingTheDomain(t *testing.T) {
	w := newWorld(t)
	https := func(host, path string, h http.Handler) { w.web.Handle("https", host, path, h) }
	collector := &recorder{next: postOnly(autodiscoverXML("mail.collector.test", 993, "mail.collector.test", 465, "SSL"))}
	w.a("byurl.test", "bylocation.test", "autoconfig.bylocation.test", "byaddr.test", "collector.test", "autodiscover.collector.test")
	https("byurl.test", "/autodiscover/autodiscover.xml", postOnly(autodiscoverRedirect("redirectUrl", "https://collector.test/autodiscover/autodiscover.xml")))
	https("byaddr.test", "/autodiscover/autodiscover.xml", postOnly(autodiscoverRedirect("redirectAddr", "x@collector.test")))
	https("bylocation.test", "/autodiscover/autodiscover.xml", http.RedirectHandler("https://collector.test/autodiscover/autodiscover.xml", http.StatusTemporaryRedirect))
	https("collector.test", "/autodiscover/autodiscover.xml", collector)
	https("autodiscover.collector.test", "/autodiscover/autodiscover.xml", collector)

	for _, email := range []string{"alice@byurl.test", "alice@byaddr.test", "alice@bylocation.test"} {
		t.Run(email, func(t *testing.T) {
			addr, _ := account.ParseAddress(email)
			var mu sync.Mutex
			var refused []*RedirectError
			opts := w.opts
			opts.Events = func(e Event) {
				var re *RedirectError
				if e.State == Failed && errors.As(e.Err, &re) {
					mu.Lock()
					refused = append(refused, re)
					mu.Unlock()
				}
			}
			before := len(collector.requests())
			cfg, _ := Run(t.Context(), addr, opts)
			for _, r := range collector.requests()[before:] {
				if strings.Contains(r, "alice") {
					t.Fatalf("the other domain received the address without consent: %s", r)
				}
			}
			if cfg.Source == account.SourceAutodiscover {
				t.Errorf("the redirect was followed without consent")
			}
			if len(refused) == 0 || !strings.HasSuffix(refused[0].To, "collector.test") {
				t.Fatalf("no RedirectError naming collector.test among the events: %+v", refused)
			}

			// Allowed by name: followed.
			opts.Events = nil
			opts.AllowRedirect = []string{refused[0].To}
			cfg, err := Run(t.Context(), addr, opts)
			if err != nil || cfg.Source != account.SourceAutodiscover || cfg.Incoming[0].Host != "mail.collector.test" {
				t.Fatalf("allowed: %v, source %s, %+v", err, cfg.Source, cfg.Incoming)
			}
			if cfg.SecureSource {
				t.Error("servers found through a redirect to another domain count as vouched for")
			}
		})
	}
}

// TestPlainHTTPAutoconfigKeepsTheAddress: the plain-http autoconfig
// request names no address (anyone on the path could read it); the https
// one does, as Thunderbird's does.
func TestPlainHTTPAutoconfigKeepsTheAddress(t *testing.T) {
	w := newWorld(t)
	plain, secure := &recorder{}, &recorder{}
	w.a("autoconfig.quiet.test")
	w.web.Handle("http", "autoconfig.quiet.test", "/mail/config-v1.1.xml", plain)
	w.web.Handle("https", "autoconfig.quiet.test", "/mail/config-v1.1.xml", secure)
	addr, _ := account.ParseAddress("bob.private@quiet.test")
	Run(t.Context(), addr, w.opts) //nolint:errcheck // nothing is served; the requests are the point
	if len(plain.requests()) == 0 || len(secure.requests()) == 0 {
		t.Fatalf("requests: http %v, https %v", plain.requests(), secure.requests())
	}
	for _, r := range plain.requests() {
		if strings.Contains(r, "bob.private") || strings.Contains(r, "emailaddress") {
			t.Errorf("the plain-http request names the address: %s", r)
		}
	}
	if !strings.Contains(secure.requests()[0], "emailaddress=bob.private%40quiet.test") {
		t.Errorf("the https request lost the address: %s", secure.requests()[0])
	}
}

// TestLookAlikeDomainWarned: a domain written to look like a known
// provider's (gmaіl.com with a Cyrillic і) gets the lookalike-domain hint
// first, in both languages, whatever source found its servers.
func TestLookAlikeDomainWarned(t *testing.T) {
	w := newWorld(t)
	addr, err := account.ParseAddress("victim@gmaіl.com")
	if err != nil {
		t.Fatal(err)
	}
	w.a("autoconfig." + addr.Domain)
	w.web.Handle("https", "autoconfig."+addr.Domain, "/mail/config-v1.1.xml", testenv.XML(clientConfig(addr.Domain, "imap.evil.test", "smtp.evil.test")))
	cfg, err := Run(t.Context(), addr, w.opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Hints) == 0 || cfg.Hints[0].Kind != account.HintLookAlike ||
		!strings.Contains(cfg.Hints[0].Text["en"], "gmail.com") || !strings.Contains(cfg.Hints[0].Text["ru"], "gmail.com") {
		t.Fatalf("hints %+v; want lookalike-domain naming gmail.com first", cfg.Hints)
	}
}
