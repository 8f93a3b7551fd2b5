package discover

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/mailwiz/mailwiz/account"
)

// accept checks a source's answer and marks how far it can be trusted.
// Servers a client cannot use are dropped; an answer with no incoming
// server left fails its source.
func (r *runner) accept(s source, cfg account.Config) (account.Config, error) {
	cfg.Source = s.name
	cfg = expand(cfg, r.addr)
	cfg.Incoming = usable(cfg.Incoming, true)
	cfg.Outgoing = usable(cfg.Outgoing, false)
	if len(cfg.Incoming) == 0 {
		return account.Config{}, errors.New("the answer names no usable incoming server (IMAP or POP3 with a host and port)")
	}
	if s.name != account.SourceMX && s.name != account.SourceBuiltin {
		// The built-in database lists servers in a deliberate order; a
		// discovered file's order is often accidental (POP3 first), so it
		// is ranked as Thunderbird ranks it.
		rank(cfg.Incoming)
	}
	r.trust(&cfg)
	return cfg, nil
}

// expand fills in the clientConfig placeholders for addr before anything is
// checked: a host mail.%EMAILDOMAIN% is valid once it is mail.example.com,
// and a display name or instruction shows the person's domain, not the
// placeholder. Usernames stay templates (Config.For expands them, for the
// login as typed).
func expand(cfg account.Config, addr account.Address) account.Config {
	host := strings.NewReplacer(account.PlaceholderDomain, addr.Domain, account.PlaceholderLocal, addr.LoginLocal())
	for _, list := range []*[]account.Server{&cfg.Incoming, &cfg.Outgoing} {
		out := make([]account.Server, len(*list))
		for i, s := range *list {
			s.Host = host.Replace(s.Host)
			out[i] = s
		}
		*list = out
	}
	cfg.Hints = append([]account.Hint(nil), cfg.Hints...)
	text := strings.NewReplacer(
		account.PlaceholderAddress, addr.String(),
		account.PlaceholderLocal, addr.Local,
		account.PlaceholderDomain, addr.Domain,
	)
	if cfg.Provider != nil {
		p := *cfg.Provider
		p.Name, p.ShortName = text.Replace(p.Name), text.Replace(p.ShortName)
		cfg.Provider = &p
	}
	for i, h := range cfg.Hints {
		if len(h.Text) == 0 {
			continue
		}
		t := make(map[string]string, len(h.Text))
		for l, v := range h.Text {
			t[l] = text.Replace(v)
		}
		cfg.Hints[i].Text = t
	}
	return cfg
}

// rank orders incoming servers as Thunderbird does whatever the file's
// order: IMAP before POP3, then SSL before STARTTLS before plain; servers
// alike keep the file's order.
func rank(servers []account.Server) {
	score := func(s account.Server) int {
		n := 0
		if s.Protocol != account.IMAP {
			n += 10
		}
		switch s.Security {
		case account.STARTTLS:
			n++
		case account.SSL:
		default:
			n += 2
		}
		return n
	}
	sort.SliceStable(servers, func(i, j int) bool { return score(servers[i]) < score(servers[j]) })
}

// usable keeps the servers a client can connect to: the right kind of
// protocol, a host name or address, a port, a known security mode.
func usable(servers []account.Server, incoming bool) []account.Server {
	var out []account.Server
	for _, s := range servers {
		if !s.Protocol.Valid() || s.Protocol.Incoming() != incoming || !s.Security.Valid() ||
			s.Port < 1 || s.Port > 65535 || !validHost(s.Host) {
			continue
		}
		if s.Auth == "" {
			s.Auth = account.AuthPassword
		}
		s.Host = strings.ToLower(strings.TrimSuffix(s.Host, "."))
		out = append(out, s)
	}
	return out
}

func validHost(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	if net.ParseIP(h) != nil {
		return true
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// Why a config is not vouched for.
type distrust int

const (
	trusted distrust = iota
	viaHTTP
	viaGuess
	viaSRV
	outsideDomain
)

// trust applies DESIGN.md's rule: plain HTTP, guessing and SRV are never
// vouched for; the domain's own autoconfig, well-known file and
// Autodiscover are, for hosts inside the address's registrable domain; the
// built-in database, the ISPDB and the MX match vouch for any host, when
// they came over https.
func (r *runner) trust(cfg *account.Config) {
	why := trusted
	hosts := hostsOf(*cfg)
	switch {
	case !cfg.SecureSource && cfg.Source != account.SourceGuess && cfg.Source != account.SourceSRV:
		why = viaHTTP
	case cfg.Source == account.SourceGuess:
		why = viaGuess
	case cfg.Source == account.SourceSRV:
		why = viaSRV
	case cfg.Source == account.SourceBuiltin || cfg.Source == account.SourceISPDB || cfg.Source == account.SourceMX:
	default:
		var outside []string
		for _, h := range hosts {
			if !inDomain(h, r.addr.Domain) {
				outside = append(outside, h)
			}
		}
		if len(outside) > 0 {
			why, hosts = outsideDomain, outside
		}
	}
	if why == trusted {
		cfg.SecureSource = true
		return
	}
	cfg.SecureSource = false
	cfg.Hints = append(cfg.Hints, unverifiedHint(why, hosts, r.addr.DomainUnicode))
}

// inDomain reports whether host belongs to the address's domain: the
// domain itself, a name under it, or a name under the same registrable
// domain (a@sub.example.com served by mail.example.com).
func inDomain(host, domain string) bool {
	if host == domain || strings.HasSuffix(host, "."+domain) {
		return true
	}
	hr, err1 := publicsuffix.EffectiveTLDPlusOne(host)
	dr, err2 := publicsuffix.EffectiveTLDPlusOne(domain)
	return err1 == nil && err2 == nil && hr == dr
}

func hostsOf(cfg account.Config) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range append(append([]account.Server(nil), cfg.Incoming...), cfg.Outgoing...) {
		if !seen[s.Host] {
			seen[s.Host] = true
			out = append(out, s.Host)
		}
	}
	return out
}

// unverifiedHint explains, in English and Russian, why the servers need a
// person's confirmation, naming them.
func unverifiedHint(why distrust, hosts []string, domain string) account.Hint {
	list := strings.Join(hosts, ", ")
	var en, ru string
	switch why {
	case viaHTTP:
		en = "These settings came over unencrypted HTTP, which anyone on the network could have altered."
		ru = "Эти настройки получены по незашифрованному HTTP: их мог подменить любой в сети."
	case viaGuess:
		en = "These servers were found by guessing common server names; nothing confirms they serve your mail."
		ru = "Эти серверы найдены перебором типичных имён; ничто не подтверждает, что они обслуживают вашу почту."
	case viaSRV:
		en = "These servers come from DNS SRV records, which are not signed and could have been altered."
		ru = "Эти серверы взяты из записей DNS SRV: они не подписаны, и их могли подменить."
	case outsideDomain:
		en = fmt.Sprintf("These servers are outside %s and nothing vouches for them.", domain)
		ru = fmt.Sprintf("Эти серверы находятся вне домена %s, и никто за них не ручается.", domain)
	}
	en += fmt.Sprintf(" Check that %s really belong to your mail provider before you enter your password.", list)
	ru += fmt.Sprintf(" Прежде чем вводить пароль, убедитесь, что %s действительно принадлежат вашему почтовому провайдеру.", list)
	return account.Hint{Kind: account.HintUnverifiedSource, Text: map[string]string{"en": en, "ru": ru}}
}
