package testenv

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Web is a pair of real web servers on loopback, one speaking HTTPS with
// certificates from a test [CA] and one plain HTTP, each serving virtual
// hosts chosen by the Host header (and, for HTTPS, by SNI). A host that was
// never registered answers 404 over HTTP and presents no certificate its
// client would trust over HTTPS. Start it with [StartWeb].
//
// Clients reach every virtual host at the one port: the tests resolve all
// names to 127.0.0.1 and dial HTTPSPort or HTTPPort instead of 443 or 80.
type Web struct {
	HTTPSPort, HTTPPort int

	ca      *CA
	t       testing.TB
	mu      sync.RWMutex
	hosts   map[string]*http.ServeMux // "https://host" or "http://host"
	certs   map[string]*tls.Certificate
	fallbk  *tls.Certificate
	latency time.Duration
	closed  chan struct{}
}

// StartWeb starts the HTTPS and HTTP servers on free loopback ports and
// stops them when the test ends.
func StartWeb(t testing.TB, ca *CA) *Web {
	t.Helper()
	w := &Web{ca: ca, t: t, hosts: map[string]*http.ServeMux{}, certs: map[string]*tls.Certificate{},
		closed: make(chan struct{})}
	// A name no test uses: a client that reaches an unregistered host sees
	// a certificate for the wrong name.
	w.fallbk = &ca.Issue(t, "unregistered.invalid").TLS
	tlsLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: web: %v", err)
	}
	plainLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: web: %v", err)
	}
	w.HTTPSPort = tlsLn.Addr().(*net.TCPAddr).Port
	w.HTTPPort = plainLn.Addr().(*net.TCPAddr).Port
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: w.certificate}
	srvTLS := &http.Server{Handler: w.handler("https"), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: quietLog()}
	srvPlain := &http.Server{Handler: w.handler("http"), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: quietLog()}
	go srvTLS.Serve(tls.NewListener(tlsLn, tlsConf))
	go srvPlain.Serve(plainLn)
	t.Cleanup(func() {
		close(w.closed)
		srvTLS.Close()
		srvPlain.Close()
	})
	return w
}

// Mux returns the handlers of one virtual host for scheme "https" or "http",
// creating it (and, for HTTPS, issuing its certificate) on first use.
func (w *Web) Mux(scheme, host string) *http.ServeMux {
	host = strings.ToLower(host)
	key := scheme + "://" + host
	w.mu.Lock()
	defer w.mu.Unlock()
	if m, ok := w.hosts[key]; ok {
		return m
	}
	if scheme != "https" && scheme != "http" {
		w.t.Fatalf("testenv: web: scheme %q is not https or http", scheme)
	}
	if scheme == "https" && w.certs[host] == nil {
		w.certs[host] = &w.ca.Issue(w.t, host).TLS
	}
	m := http.NewServeMux()
	w.hosts[key] = m
	return m
}

// Handle registers h for path on host over scheme ("https" or "http").
func (w *Web) Handle(scheme, host, path string, h http.Handler) {
	w.Mux(scheme, host).Handle(path, h)
}

// SetLatency delays every answer's headers by lat, to model a distant server.
func (w *Web) SetLatency(lat time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.latency = lat
}

func (w *Web) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	name := strings.ToLower(hello.ServerName)
	if name == "" && hello.Conn != nil {
		// Clients send no SNI for an IP address: serve the certificate
		// registered for the address they dialled, if any.
		if a, ok := hello.Conn.LocalAddr().(*net.TCPAddr); ok {
			name = a.IP.String()
		}
	}
	if c := w.certs[name]; c != nil {
		return c, nil
	}
	return w.fallbk, nil
}

func (w *Web) handler(scheme string) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		host := strings.ToLower(r.Host)
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		w.mu.RLock()
		m := w.hosts[scheme+"://"+host]
		lat := w.latency
		w.mu.RUnlock()
		if lat > 0 && !w.wait(r, lat) {
			abort()
		}
		if m == nil {
			http.Error(rw, "no such virtual host", http.StatusNotFound)
			return
		}
		m.ServeHTTP(rw, r)
	})
}

// wait sleeps for d unless the client leaves or the server stops; it
// reports whether the answer should still be sent.
func (w *Web) wait(r *http.Request, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-r.Context().Done():
	case <-w.closed:
	}
	return false
}

// XML answers with body as text/xml.
func XML(body string) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/xml; charset=utf-8")
		io.WriteString(rw, body)
	})
}

// Hang accepts the request and never answers, until the client gives up or
// the server stops.
func (w *Web) Hang() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-w.closed:
		}
		abort()
	})
}

// abort ends a request without an answer. A handler that just returns has
// answered an empty 200, and that answer can reach a client that is giving
// up: its close is what ends the wait, and Go's client takes a response
// that arrives while it closes. Seen under -race: "the hanging handler
// answered" with 200 and no body, 11 times in 600 runs.
func abort() { panic(http.ErrAbortHandler) }

// Huge answers 200 with n bytes of an endless XML comment, streamed, to
// check that a client stops reading at its cap.
func Huge(n int64) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/xml")
		rw.Header().Set("Content-Length", fmt.Sprint(n))
		chunk := []byte(strings.Repeat("<!-- huge -->", 1024))
		for n > 0 {
			b := chunk
			if int64(len(b)) > n {
				b = b[:n]
			}
			k, err := rw.Write(b)
			if err != nil {
				return
			}
			n -= int64(k)
		}
	})
}

// RedirectLoop answers every request with a redirect to the same URL plus
// one more query parameter, forever.
func RedirectLoop() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		u := *r.URL
		q := u.Query()
		q.Add("loop", "1")
		u.RawQuery = q.Encode()
		http.Redirect(rw, r, u.String(), http.StatusFound)
	})
}

// Redirect answers every request with a redirect to url.
func Redirect(url string) http.Handler {
	return http.RedirectHandler(url, http.StatusFound)
}

// quietLog drops the server's own log lines (TLS handshake errors the tests
// cause on purpose).
func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }

// StartSilent listens on a free loopback port, accepts every connection and
// never sends a byte: the server that hangs a client without a timeout. It
// returns the port.
func StartSilent(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: silent server: %v", err)
	}
	var (
		mu     sync.Mutex
		conns  []net.Conn
		closed bool
	)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			if closed {
				// Accepted just as the test ended: the cleanup has
				// already closed the others and would miss this one.
				c.Close()
			} else {
				conns = append(conns, c)
			}
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		closed = true
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().(*net.TCPAddr).Port
}
