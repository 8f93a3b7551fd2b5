package probe

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Fingerprint is the SHA-256 of a certificate's DER bytes in the form
// TLSInfo.SHA256 shows and Request.TrustedCerts takes: 32 upper-case hex
// bytes joined by colons, as browsers and Thunderbird show it.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return formatFingerprint(sum[:])
}

func formatFingerprint(sum []byte) string {
	h := strings.ToUpper(hex.EncodeToString(sum))
	var b strings.Builder
	b.Grow(len(h) + len(h)/2)
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// ParseFingerprint reads a SHA-256 certificate fingerprint as people copy
// it: with or without colons (or spaces), in any case, optionally prefixed
// "SHA256:" or "sha256=". It returns the canonical form of TLSInfo.SHA256.
func ParseFingerprint(s string) (string, error) {
	t := strings.TrimSpace(s)
	lower := strings.ToLower(t)
	for _, p := range []string{"sha256:", "sha256=", "sha-256:", "sha-256="} {
		if strings.HasPrefix(lower, p) {
			t = t[len(p):]
			break
		}
	}
	t = strings.NewReplacer(":", "", " ", "", "-", "").Replace(t)
	if len(t) != 2*sha256.Size {
		return "", fmt.Errorf("probe: %q is not a SHA-256 fingerprint: it needs 64 hex digits (with or without colons), as the test report's SHA-256 line shows; this has %d", short(s), len(t))
	}
	sum, err := hex.DecodeString(t)
	if err != nil {
		return "", fmt.Errorf("probe: %q is not a SHA-256 fingerprint: only the hex digits 0-9 and A-F (and colons) may appear; copy it from the test report's SHA-256 line", short(s))
	}
	return formatFingerprint(sum), nil
}

// short keeps an error line readable when a whole file was pasted.
func short(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// trusts reports whether the user accepted the certificate with the
// fingerprint fp (canonical form). Entries are compared in canonical form,
// so any spelling ParseFingerprint reads works; one it cannot read never
// matches anything.
func (req *Request) trusts(fp string) bool {
	for _, t := range req.TrustedCerts {
		if c, err := ParseFingerprint(t); err == nil && c == fp {
			return true
		}
	}
	return false
}

// CertificateError is a certificate that failed verification, with the
// fingerprint the user may check with the server's administrator and
// accept (Request.TrustedCerts). Its text is the verification error's;
// errors.As reaches the x509 error beneath it.
type CertificateError struct {
	SHA256 string // the leaf's fingerprint, canonical form
	Err    error  // why verification failed (x509.UnknownAuthorityError, HostnameError...)
}

func (e *CertificateError) Error() string { return e.Err.Error() }
func (e *CertificateError) Unwrap() error { return e.Err }
