// Package account holds the model every other mailwiz package speaks: a parsed
// email address, the servers that serve it, and what a person must know
// before a mail client may log in.
//
// Start with [ParseAddress]; a [Config] then describes the account's incoming
// (IMAP, POP3) and outgoing (SMTP) servers, preferred first, with the
// provider's [Hint]s and [Limits]. The package does no I/O.
package account

import (
	"fmt"
	"strings"
)

// Protocol is a mail access or submission protocol.
type Protocol string

// The protocols mailwiz configures.
const (
	IMAP Protocol = "imap"
	POP3 Protocol = "pop3"
	SMTP Protocol = "smtp"
)

// Incoming reports whether p fetches mail (IMAP, POP3) rather than sends it.
func (p Protocol) Incoming() bool { return p == IMAP || p == POP3 }

// Valid reports whether p is one of the known protocols.
func (p Protocol) Valid() bool { return p == IMAP || p == POP3 || p == SMTP }

// Security is how a connection is protected.
type Security string

// Connection security modes, in the order RFC 8314 prefers them.
const (
	SSL      Security = "ssl"      // implicit TLS from the first byte
	STARTTLS Security = "starttls" // plain greeting, then STARTTLS/STLS before login
	None     Security = "none"     // no encryption: the password crosses the network readable
)

// Valid reports whether s is one of the known modes.
func (s Security) Valid() bool { return s == SSL || s == STARTTLS || s == None }

// BySecurity returns ssl, starttls or none, the one of them for s (none
// for anything but SSL and STARTTLS): each program's words for the three
// modes, in one line where they are used.
func BySecurity[T any](s Security, ssl, starttls, none T) T {
	switch s {
	case SSL:
		return ssl
	case STARTTLS:
		return starttls
	}
	return none
}

// Rank orders security modes by RFC 8314 preference: lower is better.
func (s Security) Rank() int {
	switch s {
	case SSL:
		return 0
	case STARTTLS:
		return 1
	default:
		return 2
	}
}

// Auth is how the client proves who it is.
type Auth string

// Authentication methods. The first four are the CLI/JSON contract; the
// last two come from clientConfig and are kept so a config round-trips.
const (
	AuthPassword          Auth = "password"           // the password, sent inside TLS (PLAIN/LOGIN)
	AuthPasswordEncrypted Auth = "password-encrypted" // a challenge-response mechanism (CRAM-MD5 and the like)
	AuthOAuth2            Auth = "oauth2"             // a browser sign-in; a password does not work
	AuthNone              Auth = "none"               // no login (rare: some SMTP relays)
	AuthClientIP          Auth = "client-ip"          // the server trusts the client's network address
	AuthClientCert        Auth = "tls-client-cert"    // a TLS client certificate
)

// Valid reports whether a is one of the known methods.
func (a Auth) Valid() bool {
	switch a {
	case AuthPassword, AuthPasswordEncrypted, AuthOAuth2, AuthNone, AuthClientIP, AuthClientCert:
		return true
	}
	return false
}

// Username placeholders of Mozilla's clientConfig format, expanded by
// [ExpandUsername].
const (
	PlaceholderAddress = "%EMAILADDRESS%"
	PlaceholderLocal   = "%EMAILLOCALPART%"
	PlaceholderDomain  = "%EMAILDOMAIN%"
)

// Server is one IMAP, POP3 or SMTP endpoint.
type Server struct {
	Protocol Protocol `json:"protocol"`
	Host     string   `json:"host"`
	Port     int      `json:"port"`
	Security Security `json:"security"`
	// Username is the login name. In a provider's template it may hold the
	// clientConfig placeholders; [Config.For] expands them.
	Username string `json:"username"`
	Auth     Auth   `json:"auth"`
}

// String renders the server as the URL form the CLI accepts, e.g.
// "imap://imap.example.com:993?security=ssl".
func (s Server) String() string {
	return fmt.Sprintf("%s://%s:%d?security=%s", s.Protocol, s.Host, s.Port, s.Security)
}

// DefaultPort is the standard port for a protocol under a security mode.
func DefaultPort(p Protocol, s Security) int {
	switch p {
	case IMAP:
		if s == SSL {
			return 993
		}
		return 143
	case POP3:
		if s == SSL {
			return 995
		}
		return 110
	case SMTP:
		if s == SSL {
			return 465
		}
		return 587
	}
	return 0
}

// Source names where a Config came from. The JSON contract uses these words.
type Source string

// Discovery sources, best first (see DESIGN.md, "Discovery order and ranking").
const (
	SourceBuiltin      Source = "builtin"
	SourceAutoconfig   Source = "autoconfig"
	SourceWellKnown    Source = "wellknown"
	SourceISPDB        Source = "ispdb"
	SourceMX           Source = "mx"
	SourceSRV          Source = "srv"
	SourceAutodiscover Source = "autodiscover"
	SourceGuess        Source = "guess"
	SourceManual       Source = "manual" // typed or given on the command line
)

// Limits are a provider's published limits. Zero means unknown.
type Limits struct {
	MaxMessageMB       int      `json:"max_message_mb,omitempty"`
	MaxRecipients      int      `json:"max_recipients,omitempty"`
	SendPerDay         int      `json:"send_per_day,omitempty"`
	IMAPConnections    int      `json:"imap_connections,omitempty"`
	IMAPDownloadMBDay  int      `json:"imap_download_mb_per_day,omitempty"`
	IMAPUploadMBDay    int      `json:"imap_upload_mb_per_day,omitempty"`
	BlockedAttachments []string `json:"blocked_attachments,omitempty"`
}

// IsZero reports whether no limit is known.
func (l Limits) IsZero() bool {
	return l.MaxMessageMB == 0 && l.MaxRecipients == 0 && l.SendPerDay == 0 &&
		l.IMAPConnections == 0 && l.IMAPDownloadMBDay == 0 && l.IMAPUploadMBDay == 0 &&
		len(l.BlockedAttachments) == 0
}

// Provider identifies a known mail provider.
type Provider struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	ShortName string `json:"-"`
	// OAuth2, when the provider's mail servers take a browser sign-in, is
	// its authorization server (clientConfig's <oAuth2>); nil otherwise.
	OAuth2 *OAuth2 `json:"-"`
}

// Config is everything known about how to reach one account (or, before
// [Config.For], one provider).
type Config struct {
	// Provider is nil when the servers belong to no provider we know.
	Provider *Provider
	// Domains are the email domains the provider serves (ASCII, lower case).
	Domains []string
	// MXHosts are MX host names or "*.suffix" patterns that identify the
	// provider when a custom domain's mail is hosted there.
	MXHosts []string
	// Incoming and Outgoing list every known server, preferred first.
	Incoming []Server
	Outgoing []Server
	Hints    []Hint
	Limits   Limits
	// LeaveOnServer, for POP3: keep a copy on the server after downloading.
	LeaveOnServer bool
	// DaysOnServer, for POP3 with LeaveOnServer: how long to keep it; 0 is forever.
	DaysOnServer int
	// DownloadOnBiff, for POP3: download new messages when checking for them
	// (clientConfig's downloadOnBiff), rather than only counting them.
	DownloadOnBiff bool
	Source         Source
	// SecureSource is false when the config could have been altered on the way
	// or points at hosts nothing vouches for (see DESIGN.md, "Trust").
	SecureSource bool
}

// For returns a copy of c with the username placeholders expanded for addr.
func (c Config) For(addr Address) Config {
	out := c
	out.Incoming = expandAll(c.Incoming, addr)
	out.Outgoing = expandAll(c.Outgoing, addr)
	out.Hints = append([]Hint(nil), c.Hints...)
	return out
}

func expandAll(servers []Server, addr Address) []Server {
	out := make([]Server, len(servers))
	for i, s := range servers {
		s.Username = ExpandUsername(s.Username, addr)
		// clientConfig allows the domain placeholder in host names too
		// (hosters publish mail.%EMAILDOMAIN%).
		s.Host = strings.NewReplacer(PlaceholderDomain, addr.Domain, PlaceholderLocal, addr.LoginLocal()).Replace(s.Host)
		out[i] = s
	}
	return out
}

// ExpandUsername replaces the clientConfig placeholders in tmpl. An empty
// template means the full address, the most common convention. The login
// drops a "+tag" (plus-addressing): login+tag@yandex.ru logs in as login.
func ExpandUsername(tmpl string, addr Address) string {
	if tmpl == "" {
		tmpl = PlaceholderAddress
	}
	r := strings.NewReplacer(
		PlaceholderAddress, addr.Login(),
		PlaceholderLocal, addr.LoginLocal(),
		PlaceholderDomain, addr.Domain,
	)
	return r.Replace(tmpl)
}

// PreferredIncoming returns the first incoming server of protocol p, or false.
func (c Config) PreferredIncoming(p Protocol) (Server, bool) {
	for _, s := range c.Incoming {
		if s.Protocol == p {
			return s, true
		}
	}
	return Server{}, false
}

// HasHint reports whether c carries a hint of kind k.
func (c Config) HasHint(k HintKind) bool {
	for _, h := range c.Hints {
		if h.Kind == k {
			return true
		}
	}
	return false
}
