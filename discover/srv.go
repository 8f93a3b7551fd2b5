package discover

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"

	"github.com/mailwiz/mailwiz/account"
)

// srvLabels are the RFC 6186 and RFC 8314 service labels, each with what a
// record under it means.
var srvLabels = []struct {
	service  string
	protocol account.Protocol
	security account.Security
}{
	{"imaps", account.IMAP, account.SSL},
	{"imap", account.IMAP, account.STARTTLS},
	{"pop3s", account.POP3, account.SSL},
	{"pop3", account.POP3, account.STARTTLS},
	{"submissions", account.SMTP, account.SSL},
	{"submission", account.SMTP, account.STARTTLS},
}

// srvCandidate is one SRV record with what it offers.
type srvCandidate struct {
	server   account.Server
	priority uint16
	label    int // index in srvLabels: the tie-breaker
	order    int // position in the resolver's weighted order
}

// srv asks the six labels at once. A target of "." means the service is
// decidedly not offered. Servers are ordered by priority across labels
// (RFC 6186 §3.4); at equal priority implicit TLS comes first (RFC 8314)
// and IMAP before POP3; within a label the resolver's weighted random
// order (RFC 2782) is kept.
func (r *runner) srv(ctx context.Context) (account.Config, error) {
	type answer struct {
		recs []*net.SRV
		err  error
	}
	answers := make([]chan answer, len(srvLabels))
	for i, l := range srvLabels {
		answers[i] = make(chan answer, 1)
		go func() {
			// Asked by full name, rooted, so search domains add nothing.
			_, recs, err := r.opts.resolver().LookupSRV(ctx, "", "", "_"+l.service+"._tcp."+r.addr.Domain+".")
			answers[i] <- answer{recs, err}
		}()
	}
	var cands []srvCandidate
	var notOffered, failed []string
	var firstErr error
	for i, l := range srvLabels {
		a := <-answers[i]
		name := "_" + l.service + "._tcp"
		if a.err != nil && len(a.recs) == 0 {
			// "No such name" is the common answer, not a failure.
			var de *net.DNSError
			if !errors.As(a.err, &de) || !de.IsNotFound {
				if firstErr == nil {
					firstErr = dnsError(name+"."+r.addr.Domain, a.err)
				}
				failed = append(failed, name)
			}
			continue
		}
		for j, rec := range a.recs {
			target := strings.TrimSuffix(rec.Target, ".")
			if target == "" {
				notOffered = append(notOffered, name)
				continue
			}
			if rec.Port == 0 {
				continue
			}
			cands = append(cands, srvCandidate{
				server: account.Server{Protocol: l.protocol, Host: strings.ToLower(target), Port: int(rec.Port),
					Security: l.security, Username: account.PlaceholderAddress, Auth: account.AuthPassword},
				priority: rec.Priority, label: i, order: j,
			})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.priority != b.priority {
			return a.priority < b.priority
		}
		if sa, sb := a.server.Security.Rank(), b.server.Security.Rank(); sa != sb {
			return sa < sb
		}
		if a.label != b.label {
			return a.label < b.label
		}
		return a.order < b.order
	})
	var cfg account.Config
	for _, c := range cands {
		if c.server.Protocol.Incoming() {
			cfg.Incoming = append(cfg.Incoming, c.server)
		} else {
			cfg.Outgoing = append(cfg.Outgoing, c.server)
		}
	}
	if len(cfg.Incoming) > 0 {
		cfg.Source = account.SourceSRV
		return cfg, nil
	}
	switch {
	case len(notOffered) > 0 && len(cfg.Outgoing) == 0:
		return account.Config{}, fmt.Errorf("SRV records at %s say the service is not offered (%s)",
			r.addr.Domain, strings.Join(notOffered, ", "))
	case len(cfg.Outgoing) > 0:
		return account.Config{}, fmt.Errorf("SRV records name only outgoing servers at %s, no IMAP or POP3", r.addr.Domain)
	case firstErr != nil:
		return account.Config{}, fmt.Errorf("SRV lookups failed (%s): %w", strings.Join(failed, ", "), firstErr)
	}
	return account.Config{}, fmt.Errorf("no IMAP or POP3 SRV records at %s", r.addr.Domain)
}
