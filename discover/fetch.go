package discover

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"golang.org/x/net/publicsuffix"
)

// runner holds what every source of one Run shares: the address, the
// options, one dialer and one HTTP client.
type runner struct {
	addr   account.Address
	opts   *Options
	client *http.Client
	tr     *http.Transport

	mu      sync.Mutex
	lookups map[string]*lookup // one DNS question per name per Run
	runCtx  context.Context    // the overall deadline: bounds shared lookups
}

// lookup is one address lookup, shared by every source that needs the name.
type lookup struct {
	done chan struct{}
	ips  []net.IP
	err  error
}

func newRunner(ctx context.Context, addr account.Address, opts *Options) *runner {
	r := &runner{addr: addr, opts: opts, lookups: map[string]*lookup{}, runCtx: ctx}
	r.tr = &http.Transport{
		DialContext:     r.dial,
		TLSClientConfig: &tls.Config{RootCAs: opts.RootCAs, MinVersion: tls.VersionTLS12},
		// A proxy would bypass --dns and the port seam, and discovery
		// talks to the domain's own hosts: connect directly.
		Proxy:                  nil,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConnsPerHost:    2,
	}
	r.client = &http.Client{Transport: r.tr, CheckRedirect: r.checkRedirect}
	return r
}

func (r *runner) close() { r.tr.CloseIdleConnections() }

// checkRedirect allows at most maxRedirects redirects, never one from
// https to anything else (a secure request must not be steered to a
// readable, and alterable, one), and none that leaves the domain first
// asked unless the person allowed that host: the request may carry the
// address (Autodiscover's POST, autoconfig's emailaddress), and another
// domain is no one the person chose to tell it.
func (r *runner) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return fmt.Errorf("more than %d redirects (a redirect loop?)", maxRedirects)
	}
	for _, v := range via {
		if v.URL.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("refused a redirect from https to %s (%s)", req.URL.Scheme, req.URL.Redacted())
		}
	}
	if len(via) > 0 && !sameSite(via[0].URL.Hostname(), req.URL.Hostname()) && !r.allowed(req.URL.Hostname()) {
		return &RedirectError{From: via[0].URL.Hostname(), To: req.URL.Hostname()}
	}
	return nil
}

// allowed reports whether the person agreed to follow redirects to host.
func (r *runner) allowed(host string) bool {
	for _, h := range r.opts.AllowRedirect {
		if strings.EqualFold(strings.TrimSuffix(h, "."), strings.TrimSuffix(host, ".")) {
			return true
		}
	}
	return false
}

// RedirectError is a redirect to another domain that was not followed:
// the person has not agreed to send the address to To. Source is set
// where the source is known.
type RedirectError struct {
	Source account.Source
	From   string // the host that redirected
	To     string // the host it redirected to
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s redirects to %s, another domain: not followed without your consent", e.From, e.To)
}

// sameSite reports whether two hosts share a registrable domain (public
// suffix list), or are the same address.
func sameSite(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	ra, err1 := publicsuffix.EffectiveTLDPlusOne(strings.ToLower(a))
	rb, err2 := publicsuffix.EffectiveTLDPlusOne(strings.ToLower(b))
	return err1 == nil && err2 == nil && ra == rb
}

// dial connects to address ("host:port") resolving the host with the
// options' resolver and applying the Ports test seam.
func (r *runner) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("port %q is not a number", portStr)
	}
	if p, ok := r.opts.Ports[port]; ok {
		port = p
	}
	ips, err := r.lookupIP(ctx, host)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	var firstErr error
	for _, ip := range ips {
		c, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), strconv.Itoa(port)))
		if err == nil {
			return c, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("connecting to %s port %d: %w", host, port, firstErr)
}

// lookupIP resolves host. Sources asking for the same name share one
// question (the well-known URL, Autodiscover and guessing all need the
// bare domain; the MX source's ISPDB request needs the ISPDB's name), so a
// slow resolver costs each name once. The name is asked rooted ("host.")
// so the system's search domains never add questions or delay.
func (r *runner) lookupIP(ctx context.Context, host string) ([]net.IP, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []net.IP{ip}, nil
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	r.mu.Lock()
	l, ok := r.lookups[host]
	if !ok {
		l = &lookup{done: make(chan struct{})}
		r.lookups[host] = l
		// The question belongs to the whole Run, not to the source that
		// asked first: a source timing out must not fail the others.
		go func() {
			defer close(l.done)
			l.ips, l.err = r.resolve(r.runCtx, host)
		}()
	}
	r.mu.Unlock()
	select {
	case <-l.done:
		return l.ips, l.err
	case <-ctx.Done():
		return nil, fmt.Errorf("looking up %s: %w", host, ctx.Err())
	}
}

func (r *runner) resolve(ctx context.Context, host string) ([]net.IP, error) {
	addrs, err := r.opts.resolver().LookupIPAddr(ctx, rooted(host))
	if err != nil {
		return nil, dnsError(host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%s has no address in DNS", host)
	}
	ips := make([]net.IP, len(addrs))
	for i, a := range addrs {
		ips[i] = a.IP
	}
	return ips, nil
}

func rooted(name string) string {
	if strings.HasSuffix(name, ".") {
		return name
	}
	return name + "."
}

// dnsError words a resolver error for a person.
func dnsError(name string, err error) error {
	var de *net.DNSError
	if errors.As(err, &de) {
		switch {
		case de.IsNotFound:
			return fmt.Errorf("%s does not exist in DNS", strings.TrimSuffix(name, "."))
		case de.IsTimeout:
			return fmt.Errorf("the DNS server did not answer for %s: %w", strings.TrimSuffix(name, "."), err)
		}
	}
	return fmt.Errorf("looking up %s: %w", strings.TrimSuffix(name, "."), err)
}

// fetched is a response body with the URL it finally came from.
type fetched struct {
	body []byte
	url  *url.URL // after redirects: its scheme says whether it was secure
}

// fetch gets u with GET (body nil) or POST (body set), requires status
// 200 and reads at most MaxBody bytes.
func (r *runner) fetch(ctx context.Context, u string, body []byte, contentType string) (fetched, error) {
	method := http.MethodGet
	var rd io.Reader
	if body != nil {
		method, rd = http.MethodPost, bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fetched{}, fmt.Errorf("%s: %w", u, err)
	}
	req.Header.Set("User-Agent", "mailwiz")
	req.Header.Set("Accept", "application/xml, text/xml;q=0.9, */*;q=0.1")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return fetched{}, fmt.Errorf("%s: %w", u, r.unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fetched{}, fmt.Errorf("%s: HTTP %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return fetched{}, fmt.Errorf("%s: reading the answer: %w", u, r.unwrapURLError(err))
	}
	if len(b) > MaxBody {
		return fetched{}, fmt.Errorf("%s: the answer is larger than 1 MiB; a settings file is a few kilobytes, so this is not one", u)
	}
	return fetched{body: b, url: resp.Request.URL}, nil
}

// unwrapURLError drops net/http's `Get "URL":` prefix (the caller names
// the URL) and words timeouts plainly.
func (r *runner) unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &noAnswerError{limit: r.opts.sourceTimeout()}
	}
	return err
}

// noAnswerError is a source's deadline passing, worded with the limit once:
// runNetwork recognises it by type and adds nothing.
type noAnswerError struct{ limit time.Duration }

func (e *noAnswerError) Error() string { return fmt.Sprintf("no answer within %v", e.limit) }

// Unwrap keeps errors.Is(err, context.DeadlineExceeded) true.
func (e *noAnswerError) Unwrap() error { return context.DeadlineExceeded }
