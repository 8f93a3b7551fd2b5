// Package autoconfig reads and writes Mozilla's clientConfig v1.1 XML, the
// account-settings format Thunderbird, Thunderbird for Android (K-9),
// Evolution, KMail and Delta Chat read, and the format of mailwiz's built-in
// provider files.
//
// # Reading
//
// [Parse] and [ParseBytes] turn a document into an [account.Config]: the
// emailProvider's id, names and domains; every incomingServer (imap, pop3)
// and outgoingServer (smtp) in file order, which is the provider's order of
// preference; the enable and documentation elements as hints; and mailwiz's
// extension elements (DESIGN.md, "The clientConfig extension elements"):
// mw:kind on enable/documentation, mw:hint, mw:limits and mw:mx. Elements
// the format defines but mailwiz does not use (oAuth2, webMail, addressBook,
// calendar, inputField, ...) and server types it does not speak (exchange,
// ews, nntp) are ignored, as Thunderbird ignores what it does not know.
//
// # Hostile input
//
// A document may come from any web server, so reading does bounded work and
// refuses with an error that names the problem: at most [MaxSize] bytes,
// [MaxElements] elements and [MaxDepth] levels of nesting; no DOCTYPE (so no
// DTD and no entity expansion); ports 1-65535; host names without spaces or
// slashes and at most 253 characters. A document without a usable incoming
// server is an error, unless it carries a no-imap hint saying so.
//
// # Writing
//
// [Write] renders a Config deterministically, indented, XML-escaped, with the
// mw namespace declared once on the root when an extension is used. Parse of
// Write's output returns the Config written.
package autoconfig

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/net/idna"

	"github.com/mailwiz/mailwiz/account"
)

// Namespace is the XML namespace of mailwiz's extension elements. It is a
// name, never fetched.
const Namespace = "https://mailwiz.github.io/ns/clientconfig-ext/1"

// Limits on what Parse reads. Real clientConfig files are a few kilobytes
// with a few dozen elements nested four deep.
const (
	MaxSize     = 1 << 20
	MaxElements = 10000
	MaxDepth    = 32
)

// ErrTooLarge is returned (wrapped) for a document over MaxSize bytes.
var ErrTooLarge = errors.New("autoconfig: document is larger than 1 MiB")

// clientConfig's socketType values and mailwiz's.
var socketTypes = map[string]account.Security{
	"ssl":      account.SSL,
	"tls":      account.SSL, // seen in hand-written files; Thunderbird reads "SSL"
	"starttls": account.STARTTLS,
	"plain":    account.None,
}

// clientConfig's authentication values and mailwiz's. The deprecated
// spellings "plain" and "secure" are Thunderbird's older names. Values that
// are missing here (GSSAPI, NTLM, smtp-after-pop) mailwiz cannot use.
var authMethods = map[string]account.Auth{
	"password-cleartext": account.AuthPassword,
	"plain":              account.AuthPassword,
	"password-encrypted": account.AuthPasswordEncrypted,
	"secure":             account.AuthPasswordEncrypted,
	"oauth2":             account.AuthOAuth2,
	"client-ip-address":  account.AuthClientIP,
	"tls-client-cert":    account.AuthClientCert,
	"none":               account.AuthNone,
}

// What Write puts in the file for each mode and method.
var (
	socketTypeNames = map[account.Security]string{
		account.SSL: "SSL", account.STARTTLS: "STARTTLS", account.None: "plain",
	}
	authNames = map[account.Auth]string{
		account.AuthPassword:          "password-cleartext",
		account.AuthPasswordEncrypted: "password-encrypted",
		account.AuthOAuth2:            "OAuth2",
		account.AuthClientIP:          "client-IP-address",
		account.AuthClientCert:        "TLS-client-cert",
		account.AuthNone:              "none",
	}
)

// checkPort parses a port as written in the file.
func checkPort(s string) (int, error) {
	if ph := placeholderIn(s); ph != "" {
		return 0, fmt.Errorf("port %q holds the placeholder %s; a port is a number and nothing can fill it in", s, ph)
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("port %q is not 1-65535", s)
	}
	return p, nil
}

// normalizeHost lower-cases a host name, drops a trailing dot, and refuses
// what cannot be a host: a mistyped file or a hostile one trying to smuggle a
// URL or a path into what the prober dials. The clientConfig placeholder
// %EMAILDOMAIN% is allowed (some hosters publish mail.%EMAILDOMAIN%);
// Config.For expands it.
func normalizeHost(s string) (string, error) {
	h := strings.TrimSuffix(strings.TrimSpace(s), ".")
	if h == "" {
		return "", errors.New("hostname is empty")
	}
	if !isASCII(h) && !strings.Contains(h, "%") {
		a, err := idna.Lookup.ToASCII(h)
		if err != nil {
			return "", fmt.Errorf("hostname %q is not a valid internationalized name: %w", h, err)
		}
		h = a
	}
	if len(h) > 253 {
		return "", fmt.Errorf("hostname is %d characters long; the limit is 253", len(h))
	}
	for _, ph := range placeholders(h) {
		if ph != account.PlaceholderDomain && ph != account.PlaceholderLocal {
			return "", fmt.Errorf("hostname %q holds the placeholder %s; only %s and %s can be filled in there", h, ph, account.PlaceholderDomain, account.PlaceholderLocal)
		}
	}
	lower := strings.ToLower(hostPlaceholders.Replace(h))
	if lower == "" {
		return h, nil // the address's own domain (or, oddly, its local part)
	}
	for i := 0; i < len(lower); i++ {
		c := lower[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return "", fmt.Errorf("hostname %q contains %q; a host name holds letters, digits, '-' and '.'", h, c)
		}
	}
	if strings.Contains(h, "..") || strings.HasPrefix(h, ".") {
		return "", fmt.Errorf("hostname %q has an empty part between dots", h)
	}
	// Lower-case everything but the placeholders, which are upper case by definition.
	var b strings.Builder
	for rest := h; rest != ""; {
		i := strings.IndexByte(rest, '%')
		if i < 0 {
			b.WriteString(strings.ToLower(rest))
			break
		}
		b.WriteString(strings.ToLower(rest[:i]))
		j := strings.IndexByte(rest[i+1:], '%') + i + 1
		b.WriteString(rest[i : j+1])
		rest = rest[j+1:]
	}
	return b.String(), nil
}

// hostPlaceholders removes the placeholders a host name may hold, to check
// the rest.
var hostPlaceholders = strings.NewReplacer(account.PlaceholderDomain, "", account.PlaceholderLocal, "")

// placeholders returns every %NAME% in s, as written (a lone % is not one:
// the character check refuses it).
func placeholders(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(s[i+1:], '%')
		if j < 0 {
			return out
		}
		name := s[i+1 : i+1+j]
		if name != "" && strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == "" {
			out = append(out, s[i:i+j+2])
			s = s[i+j+2:]
			continue
		}
		s = s[i+1:]
	}
}

// placeholderIn returns the first placeholder in s, or "".
func placeholderIn(s string) string {
	if p := placeholders(s); len(p) > 0 {
		return p[0]
	}
	return ""
}

// normalizeMX accepts an MX host name or a "*.suffix" pattern.
func normalizeMX(s string) (string, error) {
	s = strings.TrimSpace(s)
	rest, wild := strings.CutPrefix(s, "*.")
	if strings.Contains(rest, account.PlaceholderDomain) {
		return "", fmt.Errorf("mx %q: placeholders are not allowed here", s)
	}
	h, err := normalizeHost(rest)
	if err != nil {
		return "", fmt.Errorf("mx %q: %w", s, err)
	}
	if wild {
		return "*." + h, nil
	}
	return h, nil
}

// normalizeDomain lower-cases an email domain and drops a trailing dot.
func normalizeDomain(s string) (string, error) {
	d, err := normalizeHost(s)
	if err != nil {
		return "", fmt.Errorf("domain %q: %w", strings.TrimSpace(s), err)
	}
	return d, nil
}

// collapse trims text and turns every run of white space into one space:
// instructions are written over several indented lines in a file.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
