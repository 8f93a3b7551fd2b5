package delivery

import (
	"context"
	"errors"
	"net"
	"strings"

	"blitiri.com.ar/go/spf"
	"github.com/emersion/go-msgauth/dmarc"
)

// SPFCheck is what the sender domain's SPF record says about the SMTP
// server mail will leave from.
type SPFCheck struct {
	Domain string `json:"domain"`
	// Record is the domain's SPF record ("" when it has none).
	Record string `json:"record,omitempty"`
	// Result is the SPF result (RFC 7208 §8) for the server's addresses:
	// pass, fail, softfail, neutral, none, permerror, temperror. The best
	// result over the addresses checked.
	Result string `json:"result"`
	// IPs are the addresses checked.
	IPs []string `json:"ips,omitempty"`
	// Includes: the record includes the provider's SPF domain.
	Includes bool `json:"includes_provider,omitempty"`
	// Authorised: the record authorises the server (pass), or includes
	// the provider's SPF domain.
	Authorised bool `json:"authorised"`
	// Fix is the record the domain's owner should publish instead, as a
	// zone file line; empty when nothing needs to change.
	Fix string `json:"fix,omitempty"`
	// Err says why no answer was possible (DNS failure).
	Err string `json:"error,omitempty"`
}

// DMARCCheck is the sender domain's DMARC policy and what it means for
// mail sent through the provider's servers.
type DMARCCheck struct {
	Domain string `json:"domain"`
	// Record is the policy record, "" when there is none.
	Record string `json:"record,omitempty"`
	Policy string `json:"policy,omitempty"` // none, quarantine, reject
	// Aligned: a message from this server can pass DMARC: SPF passes for
	// the sender domain (and the envelope sender is that domain), or the
	// provider signs with a DKIM key of that domain (only known from a
	// delivered message: see ReadBack).
	Aligned bool `json:"aligned"`
	// Refused: p=reject and nothing aligns: receivers will refuse the
	// mail. Quarantined: p=quarantine likewise: it goes to spam.
	Refused     bool   `json:"refused"`
	Quarantined bool   `json:"quarantined"`
	Fix         string `json:"fix,omitempty"`
	Err         string `json:"error,omitempty"`
}

// Resolver is what the checks ask DNS; *net.Resolver is one.
type Resolver = spf.DNSResolver

// CheckSPF checks whether domain's SPF record authorises mail from the
// SMTP server smtpHost (its addresses as res resolves them; for a known
// provider also whether it includes the provider's SPF domain, since
// outgoing mail leaves from other hosts than the submission server).
func CheckSPF(ctx context.Context, res Resolver, domain, smtpHost, include string) SPFCheck {
	c := SPFCheck{Domain: domain, Result: string(spf.None)}
	txts, err := res.LookupTXT(ctx, domain)
	if err != nil && !isNotFound(err) {
		c.Result, c.Err = string(spf.TempError), err.Error()
		return c
	}
	addrs, err := res.LookupIPAddr(ctx, smtpHost)
	if err != nil {
		c.Err = err.Error()
	}
	for _, a := range addrs {
		c.IPs = append(c.IPs, a.IP.String())
	}
	var records []string
	for _, t := range txts {
		if t == "v=spf1" || strings.HasPrefix(strings.ToLower(t), "v=spf1 ") {
			records = append(records, t)
		}
	}
	if len(records) > 1 {
		c.Record = strings.Join(records, " | ")
		c.Result = string(spf.PermError)
		c.Fix = spfFix(domain, "", include, smtpHost, c.IPs)
		return c
	}
	if len(records) == 1 {
		c.Record = records[0]
		c.Includes = include != "" && hasInclude(records[0], include)
	}
	best := spf.Result("")
	rank := map[spf.Result]int{spf.Pass: 6, spf.Neutral: 5, spf.SoftFail: 4, spf.Fail: 3, spf.None: 2, spf.PermError: 1, spf.TempError: 0}
	for _, a := range addrs {
		r, _ := spf.CheckHostWithSender(a.IP, smtpHost, "postmaster@"+domain,
			spf.WithResolver(res), spf.WithContext(ctx))
		if best == "" || rank[r] > rank[best] {
			best = r
		}
	}
	if best != "" {
		c.Result = string(best)
	} else if c.Record != "" {
		c.Result = string(spf.Neutral)
	}
	c.Authorised = best == spf.Pass || c.Includes
	if !c.Authorised {
		c.Fix = spfFix(domain, c.Record, include, smtpHost, c.IPs)
	}
	return c
}

// spfFix is the SPF record that authorises the provider: the existing
// record with the provider's include (or the server's addresses) put
// before its "all", or a new one ending in ~all.
func spfFix(domain, record, include, host string, ips []string) string {
	var add []string
	if include != "" {
		add = []string{"include:" + include}
	} else {
		for _, ip := range ips {
			if strings.Contains(ip, ":") {
				add = append(add, "ip6:"+ip)
			} else {
				add = append(add, "ip4:"+ip)
			}
		}
		if len(add) == 0 {
			add = []string{"a:" + host}
		}
	}
	terms := []string{"v=spf1"}
	tail := "~all"
	if record != "" {
		for _, t := range strings.Fields(record)[1:] {
			lt := strings.ToLower(t)
			if strings.HasSuffix(lt, "all") && len(lt) <= 4 {
				tail = t
				continue
			}
			if strings.HasPrefix(lt, "redirect=") {
				continue
			}
			terms = append(terms, t)
		}
	}
	terms = append(terms, add...)
	terms = append(terms, tail)
	return strings.TrimSuffix(domain, ".") + ". TXT \"" + strings.Join(terms, " ") + "\""
}

func hasInclude(record, include string) bool {
	for _, t := range strings.Fields(strings.ToLower(record)) {
		t = strings.TrimLeft(t, "+?~")
		if t == "include:"+strings.ToLower(include) {
			return true
		}
	}
	return false
}

func isNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// CheckDMARC looks up domain's DMARC policy and says whether mail sent
// with spf's verdict (and DKIM aligned or not, when known) will be
// refused, quarantined or delivered.
func CheckDMARC(ctx context.Context, res Resolver, domain string, spfc SPFCheck, dkimAligned bool) DMARCCheck {
	c := DMARCCheck{Domain: domain}
	var raw string
	rec, err := dmarc.LookupWithOptions(domain, &dmarc.LookupOptions{LookupTXT: func(name string) ([]string, error) {
		txts, err := res.LookupTXT(ctx, name)
		for _, t := range txts {
			if strings.HasPrefix(t, "v=DMARC1") {
				raw = t
			}
		}
		return txts, err
	}})
	c.Aligned = spfc.Result == string(spf.Pass) || dkimAligned
	switch {
	case errors.Is(err, dmarc.ErrNoPolicy):
		c.Fix = "_dmarc." + strings.TrimSuffix(domain, ".") + ". TXT \"v=DMARC1; p=none; rua=mailto:postmaster@" + strings.TrimSuffix(domain, ".") + "\""
		return c
	case err != nil:
		c.Err = err.Error()
		return c
	}
	c.Record = raw
	c.Policy = string(rec.Policy)
	if !c.Aligned {
		c.Refused = rec.Policy == dmarc.PolicyReject
		c.Quarantined = rec.Policy == dmarc.PolicyQuarantine
	}
	return c
}
