package discover

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/autoconfig"
	"github.com/mailwiz/mailwiz/providers"
)

// autoconfigURL is the domain's own autoconfig URL. Over https it names
// the address, as Thunderbird's does (a hoster may answer per mailbox);
// over plain http it does not: anyone on the path could read it, and an
// answer that came over http is unverified anyway, so a per-mailbox
// answer buys nothing there.
func (r *runner) autoconfigURL(scheme string) string {
	u := scheme + "://autoconfig." + r.addr.Domain + "/mail/config-v1.1.xml"
	if scheme == "https" {
		u += "?emailaddress=" + url.QueryEscape(r.addr.String())
	}
	return u
}

func (r *runner) wellKnownURL() string {
	return "https://" + r.addr.Domain + "/.well-known/autoconfig/mail/config-v1.1.xml"
}

// ispdbURL is the ISPDB address for domain: base + domain, or base with
// "{{domain}}" replaced.
func (r *runner) ispdbURL(domain string) string {
	base := r.opts.ISPDBURL
	if base == "" {
		base = DefaultISPDBURL
	}
	if strings.Contains(base, "{{domain}}") {
		return strings.ReplaceAll(base, "{{domain}}", url.PathEscape(domain))
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return base + url.PathEscape(domain)
}

// describe says what a source asks, for the Asking event.
func (r *runner) describe(s source) string {
	switch {
	case s.name == account.SourceAutoconfig && s.label == "https":
		return r.autoconfigURL("https")
	case s.name == account.SourceAutoconfig:
		return r.autoconfigURL("http")
	case s.name == account.SourceWellKnown:
		return r.wellKnownURL()
	case s.name == account.SourceISPDB:
		return r.ispdbURL(r.addr.Domain)
	case s.name == account.SourceMX:
		return "MX records of " + r.addr.Domain
	case s.name == account.SourceSRV:
		return "SRV records _imaps, _imap, _pop3s, _pop3, _submissions, _submission of " + r.addr.Domain
	case s.name == account.SourceAutodiscover:
		return "Exchange Autodiscover at " + r.addr.Domain + " and autodiscover." + r.addr.Domain
	case s.name == account.SourceGuess:
		return "connecting to imap., mail., pop., pop3., smtp. and " + r.addr.Domain + " on the standard ports"
	}
	return string(s.name)
}

// clientConfig fetches and parses one clientConfig document.
func (r *runner) clientConfig(ctx context.Context, u string, src account.Source) (account.Config, error) {
	f, err := r.fetch(ctx, u, nil, "")
	if err != nil {
		return account.Config{}, err
	}
	cfg, err := autoconfig.ParseBytes(f.body)
	if err != nil {
		return account.Config{}, fmt.Errorf("%s: %w", u, err)
	}
	cfg.Source = src
	// Secure until trust() says otherwise only when every hop was https:
	// a redirect that arrived over http could have been forged, wherever
	// it points. (checkRedirect refuses https to http, so the first URL
	// decides.)
	cfg.SecureSource = strings.HasPrefix(u, "https://") && f.url.Scheme == "https"
	return cfg, nil
}

func (r *runner) autoconfigHTTPS(ctx context.Context) (account.Config, error) {
	return r.clientConfig(ctx, r.autoconfigURL("https"), account.SourceAutoconfig)
}

func (r *runner) autoconfigHTTP(ctx context.Context) (account.Config, error) {
	return r.clientConfig(ctx, r.autoconfigURL("http"), account.SourceAutoconfig)
}

func (r *runner) wellKnown(ctx context.Context) (account.Config, error) {
	return r.clientConfig(ctx, r.wellKnownURL(), account.SourceWellKnown)
}

func (r *runner) ispdb(ctx context.Context) (account.Config, error) {
	return r.clientConfig(ctx, r.ispdbURL(r.addr.Domain), account.SourceISPDB)
}

// mx looks up the domain's mail exchangers; the first (by preference) that
// the built-in database knows wins; otherwise the ISPDB is asked for the
// lowest MX host's parent domain and registrable domain
// (mx1.eu.hoster.example → eu.hoster.example, hoster.example), first
// answer in that order.
func (r *runner) mx(ctx context.Context) (account.Config, error) {
	recs, err := r.opts.resolver().LookupMX(ctx, rooted(r.addr.Domain))
	if err != nil && len(recs) == 0 {
		return account.Config{}, dnsError(r.addr.Domain, err)
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Pref < recs[j].Pref })
	var hosts []string
	for _, m := range recs {
		h := strings.ToLower(strings.TrimSuffix(m.Host, "."))
		if h != "" {
			hosts = append(hosts, h)
		}
	}
	if len(hosts) == 0 {
		return account.Config{}, fmt.Errorf("%s has no MX records", r.addr.Domain)
	}
	for _, h := range hosts {
		if cfg, ok := providers.LookupMX(h); ok {
			cfg.Source, cfg.SecureSource = account.SourceMX, true
			return cfg, nil
		}
	}
	cands := mxDomains(hosts[0], r.addr.Domain)
	if len(cands) == 0 {
		return account.Config{}, fmt.Errorf("the MX host %s is in %s itself and the built-in database does not know it", hosts[0], r.addr.Domain)
	}
	type answer struct {
		cfg account.Config
		err error
	}
	answers := make([]chan answer, len(cands))
	for i, d := range cands {
		answers[i] = make(chan answer, 1)
		go func() {
			cfg, err := r.clientConfig(ctx, r.ispdbURL(d), account.SourceMX)
			answers[i] <- answer{cfg, err}
		}()
	}
	var errs []string
	for i, d := range cands {
		a := <-answers[i]
		if a.err == nil {
			return a.cfg, nil
		}
		errs = append(errs, fmt.Sprintf("ISPDB for %s: %v", d, a.err))
	}
	return account.Config{}, fmt.Errorf("the MX host %s is not in the built-in database; %s", hosts[0], strings.Join(errs, "; "))
}

// mxDomains returns the domains to ask the ISPDB about for an MX host:
// its parent domain (when it differs from the registrable one), then its
// registrable domain; never the address's own domain, which the ISPDB
// source asks already.
func mxDomains(mxHost, own string) []string {
	reg, err := publicsuffix.EffectiveTLDPlusOne(mxHost)
	if err != nil {
		return nil
	}
	ownReg, _ := publicsuffix.EffectiveTLDPlusOne(own)
	var out []string
	if i := strings.IndexByte(mxHost, '.'); i > 0 {
		if parent := mxHost[i+1:]; parent != reg && parent != own && strings.HasSuffix(parent, "."+reg) {
			out = append(out, parent)
		}
	}
	if reg != own && reg != ownReg {
		out = append(out, reg)
	}
	return out
}
