package delivery

import (
	"bufio"
	"fmt"
	"io"
	"net/mail"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-msgauth/authres"

	"github.com/mailwiz/mailwiz/internal/safetext"
)

// MaxMessage bounds how much of a delivered message or report is read.
const MaxMessage = 1 << 20

// Verdicts is the receiving provider's own verdict on a delivered message,
// from its Authentication-Results header field (RFC 8601).
type Verdicts struct {
	// AuthservID is the authserv-id of the field the verdicts come from.
	AuthservID string `json:"authserv_id"`
	SPF        string `json:"spf,omitempty"`   // pass, fail, softfail, ...
	DKIM       string `json:"dkim,omitempty"`  // the best DKIM result
	DMARC      string `json:"dmarc,omitempty"` // pass, fail, none
	// DKIMDomains are the header.d of DKIM results that passed.
	DKIMDomains []string `json:"dkim_domains,omitempty"`
}

// ReadBackResult is what a delivered message says about its way.
type ReadBackResult struct {
	// From is the delivered From address; Rewritten: not the sender
	// the message was sent with (the provider replaced it).
	From      string `json:"from"`
	Rewritten bool   `json:"from_rewritten"`
	// ReturnPath is the envelope sender the receiving server recorded.
	ReturnPath string `json:"return_path,omitempty"`
	// Signers are the d= domains of the message's DKIM-Signature fields.
	Signers []string `json:"dkim_signers,omitempty"`
	// Verdicts are from the trusted Authentication-Results fields; nil
	// when none was there.
	Verdicts *Verdicts `json:"verdicts,omitempty"`
	// Untrusted counts Authentication-Results fields with another
	// authserv-id: anyone on the way may have written those, so they
	// are ignored (RFC 8601 §5).
	Untrusted int `json:"untrusted_results,omitempty"`
}

// ReadBack reads a delivered message's header (at most MaxMessage bytes
// of r): the From the recipient sees, compared with sentFrom, the
// DKIM signers, and the Authentication-Results of the receiving
// provider. Only fields whose authserv-id is one of trusted (or a
// subdomain of one) count: an MTA removes fields with its own id from
// incoming mail, so those are the only ones a sender cannot forge.
func ReadBack(r io.Reader, sentFrom string, trusted []string) (ReadBackResult, error) {
	var res ReadBackResult
	h, err := textproto.ReadHeader(bufio.NewReader(io.LimitReader(r, MaxMessage)))
	if err != nil {
		return res, fmt.Errorf("delivery: the delivered message's header cannot be read: %w", err)
	}
	if from := h.Get("From"); from != "" {
		if a, err := mail.ParseAddress(from); err == nil {
			res.From = safetext.Show(a.Address)
		} else {
			res.From = safetext.Show(from)
		}
		res.Rewritten = !strings.EqualFold(res.From, sentFrom)
	}
	res.ReturnPath = safetext.Show(strings.Trim(strings.TrimSpace(h.Get("Return-Path")), "<>"))
	for _, sig := range h.Values("DKIM-Signature") {
		if d := tagValue(sig, "d"); d != "" {
			res.Signers = append(res.Signers, safetext.Show(strings.ToLower(d)))
		}
	}
	for _, v := range h.Values("Authentication-Results") {
		id, results, err := authres.Parse(v)
		if err != nil || !trustedID(id, trusted) {
			res.Untrusted++
			continue
		}
		if res.Verdicts != nil {
			// The topmost trusted field is the receiver's last word.
			continue
		}
		vd := &Verdicts{AuthservID: safetext.Show(id)}
		for _, r := range results {
			switch r := r.(type) {
			case *authres.SPFResult:
				vd.SPF = string(r.Value)
			case *authres.DKIMResult:
				if vd.DKIM == "" || r.Value == authres.ResultPass {
					vd.DKIM = string(r.Value)
				}
				if r.Value == authres.ResultPass && r.Domain != "" {
					vd.DKIMDomains = append(vd.DKIMDomains, safetext.Show(strings.ToLower(r.Domain)))
				}
			case *authres.DMARCResult:
				vd.DMARC = string(r.Value)
			}
		}
		vd.SPF, vd.DKIM, vd.DMARC = safetext.Show(vd.SPF), safetext.Show(vd.DKIM), safetext.Show(vd.DMARC)
		res.Verdicts = vd
	}
	return res, nil
}

func trustedID(id string, trusted []string) bool {
	id = strings.ToLower(strings.TrimSuffix(id, "."))
	if id == "" {
		return false
	}
	for _, t := range trusted {
		t = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(t, "*."), "."))
		if t != "" && (id == t || strings.HasSuffix(id, "."+t)) {
			return true
		}
	}
	return false
}

// tagValue returns the value of tag name in a tag=value list (a
// DKIM-Signature, RFC 6376 §3.2), whitespace removed.
func tagValue(list, name string) string {
	for _, part := range strings.Split(list, ";") {
		k, v, ok := strings.Cut(part, "=")
		if ok && strings.TrimSpace(k) == name {
			return strings.Join(strings.Fields(v), "")
		}
	}
	return ""
}

// AlignedDKIM reports whether one of domains is aligned with the From
// domain under relaxed alignment (the same organisational domain,
// approximated as: equal, or one a subdomain of the other).
func AlignedDKIM(fromDomain string, domains []string) bool {
	f := strings.ToLower(fromDomain)
	for _, d := range domains {
		d = strings.ToLower(d)
		if d == f || strings.HasSuffix(f, "."+d) || strings.HasSuffix(d, "."+f) {
			return true
		}
	}
	return false
}
