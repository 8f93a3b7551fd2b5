package wizard

import (
	"errors"
	"slices"
	"strings"

	"github.com/mailwiz/mailwiz/account"
)

// Certificate exceptions, as Thunderbird's "Confirm Security Exception":
// a self-hosted server with a self-signed certificate, or Proton Mail
// Bridge on 127.0.0.1, fails the test with tls-untrusted (or
// tls-hostname-mismatch, tls-expired) however right the settings are. The
// user may accept exactly the certificate the test saw, after checking its
// fingerprint with the server's administrator. An exception belongs to the
// servers that showed the certificate (host and port): changing such a
// server on the Servers step drops it, so it never follows the user to
// another server.

// CertOffer is a certificate the last test refused that the user may accept
// as an exception.
type CertOffer struct {
	// SHA256 is the leaf certificate's fingerprint (TLSInfo.SHA256).
	SHA256 string
	// Kind is why it was refused: tls-untrusted, tls-expired or
	// tls-hostname-mismatch.
	Kind string
	// Servers are the servers that showed it (IMAP and SMTP often share
	// one certificate): chosen ones, or the provider's other port that
	// stood in for a chosen one that did not answer from this network.
	Servers []account.Server
	// TLS describes the certificate, for the confirmation.
	TLS TLSInfo
}

// ErrNoCertOffer is returned by TrustCert for a fingerprint the last test
// did not refuse: the wizard accepts only a certificate the user has seen.
var ErrNoCertOffer = errors.New("wizard: that certificate was not refused by the last test; test again and accept the certificate it shows")

type exception struct {
	sha256 string
	host   string // lower case
	port   int
}

// CertOffers returns the certificates the last test refused that may be
// accepted, in the order of the servers; nil when there are none.
func (w *Wizard) CertOffers() []CertOffer { return locked(w, w.certOffersLocked) }

func (w *Wizard) certOffersLocked() []CertOffer {
	if w.test.report == nil {
		return nil
	}
	chosen := w.chosenLocked()
	var out []CertOffer
	for _, r := range w.test.report.Results {
		fp := r.Diagnosis.CertSHA256
		// A stand-in for a silent chosen server is the one to fix: the
		// chosen one cannot be reached from here at all.
		standsIn := r.FallbackFrom != nil && slices.ContainsFunc(chosen, sameServer(r.FallbackFrom.Host, r.FallbackFrom.Port))
		if r.OK || fp == "" || r.TLS == nil || !slices.ContainsFunc(chosen, sameServer(r.Server.Host, r.Server.Port)) && !standsIn {
			continue // not refused, or a server changed since the test
		}
		i := slices.IndexFunc(out, func(o CertOffer) bool { return o.SHA256 == fp })
		if i < 0 {
			out = append(out, CertOffer{SHA256: fp, Kind: r.Diagnosis.Kind, TLS: *r.TLS})
			i = len(out) - 1
		}
		out[i].Servers = append(out[i].Servers, r.Server)
	}
	return out
}

// TrustCert accepts the certificate with fingerprint sha256, which the last
// test refused, for the servers that showed it. Run the test again to use
// it. Only a certificate in CertOffers can be accepted (ErrNoCertOffer).
func (w *Wizard) TrustCert(sha256 string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, o := range w.certOffersLocked() {
		if o.SHA256 != sha256 {
			continue
		}
		for _, s := range o.Servers {
			// A stand-in becomes the chosen server: it is the one that
			// answers, and an exception belongs to a chosen server.
			w.chooseLocked(s)
			e := exception{sha256: o.SHA256, host: strings.ToLower(s.Host), port: s.Port}
			if !slices.Contains(w.test.trusted, e) {
				w.test.trusted = append(w.test.trusted, e)
			}
		}
		return nil
	}
	return ErrNoCertOffer
}

// TrustedCerts returns the fingerprints of the certificates accepted for
// the chosen servers, for the test and the saved settings.
func (w *Wizard) TrustedCerts() []string { return locked(w, w.trustedLocked) }

func (w *Wizard) trustedLocked() []string {
	var out []string
	for _, e := range w.test.trusted {
		if !slices.Contains(out, e.sha256) {
			out = append(out, e.sha256)
		}
	}
	return out
}

// pruneTrustLocked drops the exceptions of servers no longer chosen: an
// exception is for the server that showed the certificate, not for
// whatever the user types next.
func (w *Wizard) pruneTrustLocked() {
	if len(w.test.trusted) == 0 {
		return
	}
	chosen := w.chosenLocked()
	w.test.trusted = slices.DeleteFunc(w.test.trusted, func(e exception) bool {
		return !slices.ContainsFunc(chosen, sameServer(e.host, e.port))
	})
}

// chosenLocked returns the chosen incoming and outgoing server.
func (w *Wizard) chosenLocked() []account.Server {
	var chosen []account.Server
	for _, l := range [][]account.Server{w.cfg.Incoming, w.cfg.Outgoing} {
		if len(l) > 0 {
			chosen = append(chosen, l[0])
		}
	}
	return chosen
}

// sameServer matches a server by host and port, as Thunderbird keys its
// exceptions: the security mode may change, the machine may not.
func sameServer(host string, port int) func(account.Server) bool {
	return func(s account.Server) bool { return strings.EqualFold(s.Host, host) && s.Port == port }
}
