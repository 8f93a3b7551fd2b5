package wizard

import (
	"slices"
	"strings"

	"github.com/mailwiz/mailwiz/account"
)

// Port fallback: networks block ports (25 nearly everywhere, sometimes 465
// or 993), and providers offer others. When the chosen server does not
// answer from this network, the test tries the provider's other servers of
// the same protocol (probe's rules: only on silence, never after an
// answer; plaintext only with consent, and in the wizard only for a side
// whose chosen server is itself plaintext). One that logs in becomes the
// chosen server, so the Servers step, Save and every export use what
// works, and the test report says why (ServerResult.FallbackText).
//
// A server the user typed or edited on the Servers step is tested exactly
// as typed: the user chose it, and the provider's list may not even be for
// that host.

// adoptFallbackLocked makes each server that logged in in place of the
// chosen one the chosen server, keeping the old one in the list behind it.
func (w *Wizard) adoptFallbackLocked(rep TestReport) {
	for _, r := range rep.Results {
		if !r.OK || r.FallbackFrom == nil {
			continue
		}
		list := &w.cfg.Incoming
		if r.Server.Protocol == account.SMTP {
			list = &w.cfg.Outgoing
		}
		l := *list
		if len(l) == 0 || !sameEndpoint(l[0], *r.FallbackFrom) {
			continue // the settings changed while the test ran
		}
		if w.chooseLocked(r.Server) {
			w.carryExceptionLocked(r)
		}
	}
	w.pruneTrustLocked()
}

// chooseLocked makes s, one of the provider's servers in its side's list,
// the chosen one (first), the others keeping their order; false when s is
// not in the list or is chosen already.
func (w *Wizard) chooseLocked(s account.Server) bool {
	l := w.cfg.Incoming
	if s.Protocol == account.SMTP {
		l = w.cfg.Outgoing
	}
	for i, c := range l {
		if i > 0 && sameEndpoint(c, s) {
			copy(l[1:i+1], l[:i])
			l[0] = c
			return true
		}
	}
	return false
}

// carryExceptionLocked keeps a certificate exception with the server that
// now stands in for the one it was accepted for. The new server logged in
// with that very certificate (one leaf, one key: IMAP on 993 and 143 share
// it), so the exception still names exactly what the user checked; without
// this the prune that follows would drop it and Save would keep an account
// whose server fails its next test.
func (w *Wizard) carryExceptionLocked(r ServerResult) {
	if r.TLS == nil || !r.TLS.Exception {
		return
	}
	if !slices.ContainsFunc(w.test.trusted, func(e exception) bool { return e.sha256 == r.TLS.SHA256 }) {
		return // withdrawn since the test began
	}
	e := exception{sha256: r.TLS.SHA256, host: strings.ToLower(r.Server.Host), port: r.Server.Port}
	if !slices.Contains(w.test.trusted, e) {
		w.test.trusted = append(w.test.trusted, e)
	}
}

// sameEndpoint: the same protocol, host, port and security.
func sameEndpoint(a, b account.Server) bool {
	return a.Protocol == b.Protocol && strings.EqualFold(a.Host, b.Host) && a.Port == b.Port && a.Security == b.Security
}

// FallbackNotes returns, in lang, a sentence for each server the test
// replaced by another that answered ("Port 465 did not answer from your
// network; smtp.gmail.com:587 STARTTLS works, so mailwiz uses it.").
func (r TestReport) FallbackNotes(lang string) []string {
	var out []string
	for _, res := range r.Results {
		if res.FallbackFrom == nil {
			continue
		}
		t := res.FallbackText[lang]
		if t == "" {
			t = res.FallbackText["en"]
		}
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}
