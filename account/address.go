package account

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Address is an email address as mailwiz uses it: the local part exactly as
// typed, the domain lower-cased and in its ASCII (punycode) form.
type Address struct {
	// Local is the part before the @, as typed (case kept: some servers care).
	Local string
	// Domain is the ASCII form, lower case: "xn--80a1acny.xn--p1ai".
	Domain string
	// DomainUnicode is the form to show people: "почта.рф".
	DomainUnicode string
}

// String returns the address with the ASCII domain, the form servers accept.
func (a Address) String() string { return a.Local + "@" + a.Domain }

// Display returns the address with the Unicode domain, the form people read.
func (a Address) Display() string { return a.Local + "@" + a.DomainUnicode }

// LoginLocal is the local part without a "+tag": providers deliver
// login+tag@domain to login's mailbox, and the login is "login".
func (a Address) LoginLocal() string {
	if i := strings.IndexByte(a.Local, '+'); i > 0 {
		return a.Local[:i]
	}
	return a.Local
}

// Tag is the "+tag" part of the local part without the plus, or "".
func (a Address) Tag() string {
	if i := strings.IndexByte(a.Local, '+'); i > 0 {
		return a.Local[i+1:]
	}
	return ""
}

// Login is the full address without a "+tag", the usual login name.
func (a Address) Login() string { return a.LoginLocal() + "@" + a.Domain }

// AddressError says why an address was refused and how to fix it. Code is
// a stable identifier a user interface can translate.
type AddressError struct {
	Code    string // e.g. "no-at", "label-hyphen"
	Problem string // what is wrong, naming the offending part
	Fix     string // what to type instead
}

func (e *AddressError) Error() string { return e.Problem + ": " + e.Fix }

var _ error = (*AddressError)(nil)

func addrErr(code, fix, format string, args ...any) *AddressError {
	return &AddressError{Code: code, Problem: fmt.Sprintf(format, args...), Fix: fix}
}

// Length limits from RFC 5321 section 4.5.3.1 and RFC 1035.
const (
	maxAddress = 254
	maxLocal   = 64
	maxDomain  = 253
	maxLabel   = 63
)

// idnaProfile maps for lookup (lower-casing, width folding) and enforces the
// IDNA2008 rules, so the ASCII form is what DNS will be asked.
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.ValidateLabels(true),
	idna.StrictDomainName(false), // our own checks name the bad character
)

const example = "type it as name@example.com"

// ParseAddress parses an email address as people type or paste it: it trims
// spaces, accepts "Name <addr>" and "mailto:addr", lower-cases and
// IDN-encodes the domain, and keeps the local part as typed. A refused
// address returns an *AddressError whose text names the problem and the fix.
func ParseAddress(s string) (Address, error) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '<'); i >= 0 && strings.HasSuffix(s, ">") {
		s = strings.TrimSpace(s[i+1 : len(s)-1])
	}
	if len(s) >= 7 && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
		if i := strings.IndexByte(s, '?'); i >= 0 {
			s = s[:i]
		}
	}
	if s == "" {
		return Address{}, addrErr("empty", example, "the address is empty")
	}
	if !utf8.ValidString(s) {
		return Address{}, addrErr("encoding", "retype it", "the address is not valid text")
	}
	for _, r := range s {
		if unicode.IsSpace(r) {
			return Address{}, addrErr("space", "remove the spaces", "the address contains a space")
		}
		if unicode.IsControl(r) || r == '\uFFFD' {
			return Address{}, addrErr("control", "retype it by hand", "the address contains an invisible control character (%U)", r)
		}
	}
	if utf8.RuneCountInString(s) > maxAddress {
		return Address{}, addrErr("too-long", "check that only one address was pasted",
			"the address is %d characters long; the limit is %d", utf8.RuneCountInString(s), maxAddress)
	}
	switch n := strings.Count(s, "@"); {
	case n == 0:
		return Address{}, addrErr("no-at", example, "%q has no @ sign", s)
	case n > 1:
		return Address{}, addrErr("many-at", "keep one @ between name and domain", "%q has %d @ signs", s, n)
	}
	at := strings.IndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if err := checkLocal(local); err != nil {
		return Address{}, err
	}
	ascii, unicodeForm, err := normalizeDomain(domain)
	if err != nil {
		return Address{}, err
	}
	// An IDN domain grows when encoded: the limit is on the form servers see.
	if n := utf8.RuneCountInString(local) + 1 + len(ascii); n > maxAddress {
		return Address{}, addrErr("too-long", "use a shorter address",
			"the address is %d characters long once its domain is encoded for DNS (%s); the limit is %d", n, ascii, maxAddress)
	}
	return Address{Local: local, Domain: ascii, DomainUnicode: unicodeForm}, nil
}

func checkLocal(local string) error {
	switch {
	case local == "":
		return addrErr("empty-local", "put your mailbox name before the @, as in name@example.com",
			"the part before the @ is empty")
	case utf8.RuneCountInString(local) > maxLocal:
		return addrErr("local-too-long", "check the name before the @",
			"the part before the @ is %d characters long; the limit is %d", utf8.RuneCountInString(local), maxLocal)
	case strings.HasPrefix(local, ".") || strings.HasSuffix(local, "."):
		return addrErr("local-dot", "remove the dot at the start or end of the name",
			"%q starts or ends with a dot", local)
	case strings.Contains(local, ".."):
		return addrErr("local-dots", "remove one of the two dots", "%q has two dots in a row", local)
	}
	if i := strings.IndexAny(local, `()<>[]\,;:"`); i >= 0 {
		return addrErr("local-char", "remove it; mailbox names use letters, digits and . _ - +",
			"the name %q contains %q, which an address cannot hold", local, local[i])
	}
	return nil
}

// normalizeDomain returns the ASCII and Unicode forms of a domain, or an
// error naming the label at fault.
func normalizeDomain(domain string) (ascii, uni string, err error) {
	if domain == "" {
		return "", "", addrErr("empty-domain", "put the domain after the @, as in name@example.com",
			"the part after the @ is empty")
	}
	// Reject what IDNA would silently drop or map before it hides the cause.
	for _, label := range strings.Split(domain, ".") {
		if e := checkLabel(label, domain); e != nil {
			return "", "", e
		}
	}
	ascii, err = idnaProfile.ToASCII(domain)
	if err != nil {
		return "", "", addrErr("idna", "check the spelling of the domain",
			"the domain %q is not a valid internationalized name (%v)", domain, err)
	}
	ascii = strings.ToLower(ascii)
	labels := strings.Split(ascii, ".")
	for _, label := range labels {
		if e := checkLabel(label, domain); e != nil {
			return "", "", e
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", "", addrErr("label-char", "domains use letters, digits and hyphens only",
					"the domain %q contains %q", domain, c)
			}
		}
	}
	if len(ascii) > maxDomain {
		return "", "", addrErr("domain-too-long", "check the domain after the @",
			"the domain is %d characters long; the limit is %d", len(ascii), maxDomain)
	}
	if len(labels) < 2 {
		return "", "", addrErr("single-label", "add the rest of the domain, as in name@"+domain+".com",
			"the domain %q has no dot: mail on the internet needs a full domain", domain)
	}
	uni, err = idna.Display.ToUnicode(ascii)
	if err != nil {
		uni = ascii
	}
	return ascii, uni, nil
}

func checkLabel(label, domain string) *AddressError {
	switch {
	case label == "":
		if strings.HasSuffix(domain, ".") {
			return addrErr("label-empty", "remove the dot at the end", "the domain %q ends with a dot", domain)
		}
		return addrErr("label-empty", "remove the extra dot", "the domain %q has an empty part between dots", domain)
	case strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-"):
		return addrErr("label-hyphen", "a domain part cannot start or end with a hyphen",
			"%q in the domain %q starts or ends with -", label, domain)
	case strings.Contains(label, "_"):
		return addrErr("label-underscore", "domains use hyphens, not underscores",
			"%q in the domain %q contains _", label, domain)
	case len(label) > maxLabel:
		return addrErr("label-too-long", "check the domain for a missing dot",
			"a part of the domain %q is %d characters long; the limit is %d", domain, len(label), maxLabel)
	}
	return nil
}
