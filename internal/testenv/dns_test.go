package testenv

import (
	"context"
	"errors"
	"net"
	"sort"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func TestDNS(t *testing.T) {
	d := StartDNS(t, Zone{
		"Host.Example.test":        {A: []string{"127.0.0.1"}, AAAA: []string{"::1"}},
		"alias.example.test":       {CNAME: "host.example.test"},
		"example.test":             {MX: []MX{{Pref: 20, Host: "mx2.example.test"}, {Pref: 10, Host: "mx1.example.test"}}},
		"_imaps._tcp.example.test": {SRV: []SRV{{Priority: 1, Weight: 5, Port: 993, Target: "imap.example.test"}}},
		"_pop3._tcp.example.test":  {SRV: []SRV{{Target: "."}}},
	})
	r := d.Resolver()
	ctx := t.Context()

	ips, err := r.LookupHost(ctx, "host.example.test.")
	sort.Strings(ips)
	if err != nil || len(ips) != 2 || ips[0] != "127.0.0.1" || ips[1] != "::1" {
		t.Errorf("LookupHost = %v, %v", ips, err)
	}
	if ips, err := r.LookupHost(ctx, "alias.example.test."); err != nil || len(ips) == 0 {
		t.Errorf("CNAME not followed: %v, %v", ips, err)
	}
	mx, err := r.LookupMX(ctx, "example.test.")
	if err != nil || len(mx) != 2 || mx[0].Host != "mx1.example.test." {
		t.Errorf("LookupMX = %v, %v", mx, err)
	}
	_, srv, err := r.LookupSRV(ctx, "imaps", "tcp", "example.test.")
	if err != nil || len(srv) != 1 || srv[0].Port != 993 || srv[0].Target != "imap.example.test." {
		t.Errorf("LookupSRV = %v, %v", srv, err)
	}
	_, srv, err = r.LookupSRV(ctx, "pop3", "tcp", "example.test.")
	if err != nil || len(srv) != 1 || srv[0].Target != "." {
		t.Errorf(`LookupSRV "." = %v, %v`, srv, err)
	}
	_, err = r.LookupHost(ctx, "missing.example.test.")
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsNotFound {
		t.Errorf("missing name: %v, want NXDOMAIN", err)
	}
	// A known name without the asked type: NOERROR, no records.
	if mx, err := r.LookupMX(ctx, "host.example.test."); len(mx) != 0 {
		t.Errorf("MX of an A-only name = %v, %v", mx, err)
	}
	d.Set("late.example.test", Records{A: []string{"127.0.0.2"}})
	if ips, err := r.LookupHost(ctx, "late.example.test."); err != nil || len(ips) != 1 {
		t.Errorf("Set: %v, %v", ips, err)
	}
	if d.Queries() == 0 {
		t.Error("Queries did not count")
	}
}

// TestDNSTCP asks over TCP, as resolvers do when an answer is truncated.
func TestDNSTCP(t *testing.T) {
	d := StartDNS(t, Zone{"tcp.example.test": {A: []string{"127.0.0.1"}}})
	c := &dns.Client{Net: "tcp", Timeout: 5 * time.Second}
	m := new(dns.Msg).SetQuestion("tcp.example.test.", dns.TypeA)
	in, _, err := c.Exchange(m, d.Addr)
	if err != nil || len(in.Answer) != 1 {
		t.Fatalf("TCP exchange: %v, %v", in, err)
	}
}

// TestDNSLatency: answers wait for the latency; a client that gives up
// first gets nothing.
func TestDNSLatency(t *testing.T) {
	d := StartDNS(t, Zone{"slow.example.test": {A: []string{"127.0.0.1"}}})
	d.SetLatency(time.Minute)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := d.Resolver().LookupHost(ctx, "slow.example.test."); err == nil {
		t.Fatal("an answer arrived before the latency")
	}
	d.SetLatency(0)
	if _, err := d.Resolver().LookupHost(t.Context(), "slow.example.test."); err != nil {
		t.Fatal(err)
	}
}
