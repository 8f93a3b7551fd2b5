package export

import (
	"io"
	"net/url"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/autoconfig"
	"github.com/mailwiz/mailwiz/catalog"
)

// The thunderbird-autoconfig export is the clientConfig v1.1 file a domain's
// admin publishes at https://autoconfig.<domain>/mail/config-v1.1.xml (or in
// Thunderbird's <installdir>/isp/<domain>.xml), so every address of the
// domain is set up by Thunderbird, Thunderbird for Android, Evolution, KMail
// and Delta Chat. It describes the domain, not one person: usernames that
// follow the address go back to placeholders, and the chosen servers come
// first, as the preferred ones.

func init() {
	register(Format{
		Name: "thunderbird-autoconfig", Ext: ".xml",
		Description: catalog.Key("clientConfig XML to publish at autoconfig.<domain>/mail/config-v1.1.xml (Thunderbird, Android, Evolution, KMail)"),
		file:        func(Account) string { return "config-v1.1.xml" },
		write:       writeAutoconfig,
	})
}

func writeAutoconfig(w io.Writer, a Account) error {
	return autoconfig.Write(w, autoconfigFor(a))
}

// autoconfigFor is the account's config as a domain template: the chosen
// servers first, then the other valid ones, usernames as placeholders where
// they follow the address.
func autoconfigFor(a Account) account.Config {
	c := a.Config
	c.Source, c.SecureSource = "", false
	if len(c.Domains) == 0 {
		c.Domains = []string{a.Address.Domain}
	}
	c.Incoming = templateServers(a, a.Incoming, c.Incoming)
	c.Outgoing = templateServers(a, a.Outgoing, c.Outgoing)
	c.LeaveOnServer, c.DaysOnServer = a.LeaveOnServer, a.DaysOnServer
	c.Hints = nil
	for _, h := range a.Config.Hints {
		if !webURL(h.URL) {
			h.URL = "" // a javascript: or file: link must not reach a published file
		}
		c.Hints = append(c.Hints, h)
	}
	return c
}

// webURL reports whether u is an absolute http(s) address.
func webURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != ""
}

func templateServers(a Account, chosen account.Server, all []account.Server) []account.Server {
	tmpl := func(s account.Server) account.Server {
		switch s.Username {
		case a.Address.Login():
			s.Username = account.PlaceholderAddress
		case a.Address.LoginLocal():
			s.Username = account.PlaceholderLocal
		}
		return s
	}
	out := []account.Server{tmpl(chosen)}
	seen := map[account.Server]bool{out[0]: true}
	for _, s := range all {
		s, err := checkServer("other", s)
		if err != nil {
			continue // a server we would not export ourselves is left out
		}
		if s = tmpl(s); !seen[s] && s.Protocol.Incoming() == chosen.Protocol.Incoming() {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
