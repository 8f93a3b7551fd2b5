package testenv

import (
	"context"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Records are the answers a [DNS] server gives for one name. A name in the
// zone with no record of the asked type answers NOERROR with no records;
// a name not in the zone answers NXDOMAIN.
type Records struct {
	A     []string // IPv4 addresses
	AAAA  []string // IPv6 addresses
	CNAME string   // an alias; the server follows it inside the zone
	MX    []MX
	SRV   []SRV
	// TXT are text records, each one string (split into 255-byte
	// character-strings on the wire), e.g. "v=spf1 -all".
	TXT []string
}

// MX is one mail exchanger.
type MX struct {
	Pref uint16
	Host string
}

// SRV is one service record (RFC 2782). Target "." says the service is not
// offered.
type SRV struct {
	Priority, Weight, Port uint16
	Target                 string
}

// Zone maps a domain name (with or without the trailing dot, any case) to its
// records, e.g. "_imaps._tcp.srv.test" to its SRV records.
type Zone map[string]Records

// DNS is a real DNS server on 127.0.0.1, answering over UDP and TCP on one
// port from a zone given as Go values. Start it with [StartDNS].
type DNS struct {
	// Addr is "127.0.0.1:PORT", for net.Resolver's Dial or `--dns`.
	Addr string

	mu      sync.RWMutex
	zone    map[string]Records
	latency time.Duration
	queries atomic.Int64
	closed  chan struct{}
}

// StartDNS starts a DNS server for zone on a free loopback port (the same
// port for UDP and TCP) and stops it when the test ends.
func StartDNS(t testing.TB, zone Zone) *DNS {
	t.Helper()
	d := &DNS{zone: map[string]Records{}, closed: make(chan struct{})}
	for name, r := range zone {
		d.zone[fqdn(name)] = r
	}
	var pc net.PacketConn
	var l net.Listener
	// The UDP and TCP ports must match; another process may take the TCP
	// port between the two calls, so try a few ports.
	for try := 0; ; try++ {
		var err error
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("testenv: dns: listening on UDP: %v", err)
		}
		l, err = net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			break
		}
		pc.Close()
		if try == 20 {
			t.Fatalf("testenv: dns: no loopback port free for both UDP and TCP: %v", err)
		}
	}
	d.Addr = pc.LocalAddr().String()
	h := dns.HandlerFunc(d.serve)
	udp := &dns.Server{PacketConn: pc, Handler: h}
	tcp := &dns.Server{Listener: l, Handler: h}
	started := make(chan struct{}, 2)
	udp.NotifyStartedFunc = func() { started <- struct{}{} }
	tcp.NotifyStartedFunc = func() { started <- struct{}{} }
	go udp.ActivateAndServe()
	go tcp.ActivateAndServe()
	for range 2 {
		select {
		case <-started:
		case <-time.After(5 * time.Second):
			t.Fatal("testenv: dns: the server did not start within 5 s")
		}
	}
	t.Cleanup(func() {
		close(d.closed)
		udp.Shutdown()
		tcp.Shutdown()
	})
	return d
}

// Set replaces the records of one name while the server runs.
func (d *DNS) Set(name string, r Records) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.zone[fqdn(name)] = r
}

// SetLatency delays every answer by lat, to model a distant server.
func (d *DNS) SetLatency(lat time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.latency = lat
}

// Queries is the number of questions answered so far.
func (d *DNS) Queries() int64 { return d.queries.Load() }

// Resolver returns a resolver that asks only this server, the way
// `mailwiz --dns` builds one.
func (d *DNS) Resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var nd net.Dialer
		return nd.DialContext(ctx, network, d.Addr)
	}}
}

func fqdn(name string) string { return dns.Fqdn(strings.ToLower(name)) }

func (d *DNS) serve(w dns.ResponseWriter, req *dns.Msg) {
	d.queries.Add(1)
	d.mu.RLock()
	lat := d.latency
	d.mu.RUnlock()
	if lat > 0 {
		// Model a slow network: the answer leaves after lat, or never
		// when the server stops first.
		timer := time.NewTimer(lat)
		select {
		case <-timer.C:
		case <-d.closed:
			timer.Stop()
			return
		}
	}
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	if len(req.Question) == 1 {
		d.answer(m, req.Question[0])
	} else {
		m.Rcode = dns.RcodeFormatError
	}
	w.WriteMsg(m)
}

func (d *DNS) answer(m *dns.Msg, q dns.Question) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	name := strings.ToLower(q.Name)
	for hops := 0; hops < 8; hops++ {
		r, ok := d.zone[name]
		if !ok {
			if hops == 0 {
				m.Rcode = dns.RcodeNameError
			}
			return
		}
		hdr := func(t uint16) dns.RR_Header {
			return dns.RR_Header{Name: name, Rrtype: t, Class: dns.ClassINET, Ttl: 60}
		}
		if r.CNAME != "" && q.Qtype != dns.TypeCNAME {
			m.Answer = append(m.Answer, &dns.CNAME{Hdr: hdr(dns.TypeCNAME), Target: fqdn(r.CNAME)})
			name = fqdn(r.CNAME)
			continue
		}
		switch q.Qtype {
		case dns.TypeA:
			for _, a := range r.A {
				m.Answer = append(m.Answer, &dns.A{Hdr: hdr(dns.TypeA), A: net.ParseIP(a).To4()})
			}
		case dns.TypeAAAA:
			for _, a := range r.AAAA {
				m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr(dns.TypeAAAA), AAAA: net.ParseIP(a)})
			}
		case dns.TypeCNAME:
			if r.CNAME != "" {
				m.Answer = append(m.Answer, &dns.CNAME{Hdr: hdr(dns.TypeCNAME), Target: fqdn(r.CNAME)})
			}
		case dns.TypeMX:
			for _, mx := range r.MX {
				m.Answer = append(m.Answer, &dns.MX{Hdr: hdr(dns.TypeMX), Preference: mx.Pref, Mx: fqdn(mx.Host)})
			}
		case dns.TypeTXT:
			for _, txt := range r.TXT {
				m.Answer = append(m.Answer, &dns.TXT{Hdr: hdr(dns.TypeTXT), Txt: splitTXT(txt)})
			}
		case dns.TypeSRV:
			for _, s := range r.SRV {
				m.Answer = append(m.Answer, &dns.SRV{Hdr: hdr(dns.TypeSRV), Priority: s.Priority,
					Weight: s.Weight, Port: s.Port, Target: fqdn(s.Target)})
			}
		}
		return
	}
}

// splitTXT cuts a TXT record's text into the character-strings of at most
// 255 bytes a record carries; a reader joins them again (RFC 7208 §3.3).
func splitTXT(s string) []string {
	var parts []string
	for len(s) > 255 {
		parts = append(parts, s[:255])
		s = s[255:]
	}
	return append(parts, s)
}
