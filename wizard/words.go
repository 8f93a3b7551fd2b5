package wizard

import (
	"errors"
	"strings"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/probe"
)

// JunkNote is the catalog key of the sentence both faces add when the
// send test's message arrived in the spam folder; {{.Folder}} is its name.
var JunkNote = catalog.Key("It arrived in the spam folder “{{.Folder}}”, not the inbox: the provider took it for spam.")

// SourceName is the catalog key naming a source of settings in a list of
// sources ("Thunderbird's provider database"); the faces translate it
// (catalog.T, or lang.L in the window).
func SourceName(s account.Source) string {
	switch s {
	case SourceSaved:
		return catalog.Key("your saved account")
	case account.SourceBuiltin:
		return catalog.Key("mailwiz's list of providers")
	case account.SourceAutoconfig:
		return catalog.Key("the domain's own settings (autoconfig)")
	case account.SourceWellKnown:
		return catalog.Key("the domain's website (.well-known)")
	case account.SourceISPDB:
		return catalog.Key("Thunderbird's provider database")
	case account.SourceMX:
		return catalog.Key("the domain's mail servers (MX)")
	case account.SourceSRV:
		return catalog.Key("DNS service records (SRV)")
	case account.SourceAutodiscover:
		return catalog.Key("Microsoft Autodiscover")
	case account.SourceGuess:
		return catalog.Key("trying common server names")
	}
	return catalog.Key("typed by hand")
}

// SourcePhrase is the catalog key saying, in a sentence, where settings
// came from ("from Thunderbird's provider database").
func SourcePhrase(s account.Source) string {
	switch s {
	case SourceSaved:
		return catalog.Key("from your saved account")
	case account.SourceBuiltin:
		return catalog.Key("from mailwiz's list of providers")
	case account.SourceAutoconfig, account.SourceWellKnown:
		return catalog.Key("from the domain's own settings")
	case account.SourceISPDB:
		return catalog.Key("from Thunderbird's provider database")
	case account.SourceMX:
		return catalog.Key("from the provider that handles this domain's mail")
	case account.SourceSRV:
		return catalog.Key("from the domain's DNS records — please check")
	case account.SourceAutodiscover:
		return catalog.Key("from Microsoft Autodiscover")
	case account.SourceGuess:
		return catalog.Key("guessed — please check")
	}
	return catalog.Key("typed by hand")
}

// DiagnosisName is the catalog key of a short phrase for a diagnosis kind
// (the contract's words, e.g. "bad-credentials"), for lists where the
// whole explanation would not fit: the servers a fallback also tried.
func DiagnosisName(kind string) string {
	switch kind {
	case "dns-failed":
		return catalog.Key("the name does not resolve")
	case "refused":
		return catalog.Key("connection refused")
	case "timeout":
		return catalog.Key("no answer")
	case "port-blocked":
		return catalog.Key("the port is blocked")
	case "tls-untrusted":
		return catalog.Key("certificate not trusted")
	case "tls-hostname-mismatch":
		return catalog.Key("certificate for another name")
	case "tls-expired":
		return catalog.Key("certificate expired")
	case "tls-too-old":
		return catalog.Key("outdated encryption only")
	case "starttls-unavailable":
		return catalog.Key("no STARTTLS")
	case "plaintext-refused":
		return catalog.Key("refuses a login without encryption")
	case "bad-credentials":
		return catalog.Key("wrong user name or password")
	case "app-password":
		return catalog.Key("needs an app password")
	case "enable-imap":
		return catalog.Key("IMAP is switched off")
	case "enable-pop":
		return catalog.Key("POP is switched off")
	case "oauth2-required":
		return catalog.Key("needs a sign-in through the provider's page")
	case "web-login":
		return catalog.Key("needs a login on the website first")
	case "too-many-connections":
		return catalog.Key("too many connections")
	case "no-common-mechanism":
		return catalog.Key("no sign-in method in common")
	case "server-misbehaving":
		return catalog.Key("the server misbehaved")
	}
	return catalog.Key("a problem at the server")
}

// AddressProblem is the catalog key of the sentence that explains why an
// address was refused (an *account.AddressError, by its Code), for both
// faces; false for another error or a code without a sentence.
func AddressProblem(err error) (string, bool) {
	var ae *account.AddressError
	if !errors.As(err, &ae) {
		return "", false
	}
	switch ae.Code {
	case "empty":
		return catalog.Key("The address is empty: type it as name@example.com."), true
	case "encoding", "control":
		return catalog.Key("The address contains an invisible or broken character: retype it by hand."), true
	case "space":
		return catalog.Key("The address contains a space: remove it."), true
	case "too-long":
		return catalog.Key("The address is too long (254 characters at most): check that only one address was pasted."), true
	case "no-at":
		return catalog.Key("The address has no @ sign: type it as name@example.com."), true
	case "many-at":
		return catalog.Key("The address has more than one @ sign: keep one between the name and the domain."), true
	case "empty-local":
		return catalog.Key("The part before the @ is empty: put your mailbox name there, as in name@example.com."), true
	case "local-too-long":
		return catalog.Key("The name before the @ is too long (64 characters at most)."), true
	case "local-dot":
		return catalog.Key("The name before the @ starts or ends with a dot: remove it."), true
	case "local-dots":
		return catalog.Key("The name before the @ has two dots in a row: remove one."), true
	case "local-char":
		return catalog.Key("The name before the @ contains a character an address cannot hold: use letters, digits and . _ - +"), true
	case "empty-domain":
		return catalog.Key("The part after the @ is empty: put the domain there, as in name@example.com."), true
	case "single-label":
		return catalog.Key("The domain has no dot: type the full domain, as in example.com."), true
	case "label-empty":
		return catalog.Key("The domain has an extra dot: remove it."), true
	case "label-hyphen":
		return catalog.Key("A part of the domain starts or ends with a hyphen: check the spelling."), true
	case "label-underscore":
		return catalog.Key("The domain contains an underscore: domains use hyphens, not underscores."), true
	case "label-too-long", "domain-too-long":
		return catalog.Key("The domain is too long: check it for a missing dot."), true
	case "label-char", "idna":
		return catalog.Key("The domain contains a character domains cannot hold: use letters, digits and hyphens."), true
	}
	return "", false
}

// StageLabel is the catalog key naming a test stage in words ("encrypting"
// for tls), as both faces show it.
func StageLabel(s Stage) string { return probe.StageLabel(s) }

// LimitLines states a provider's limits in lang, one sentence each, in a
// fixed order; both faces show them under their own heading.
func LimitLines(lang string, l account.Limits) []string {
	var out []string
	add := func(n int, key string) {
		if n > 0 {
			out = append(out, catalog.T(lang, key, "N", n))
		}
	}
	add(l.MaxMessageMB, catalog.Key("Messages up to {{.N}} MB, attachments included."))
	add(l.MaxRecipients, catalog.Key("Up to {{.N}} recipients per message."))
	add(l.SendPerDay, catalog.Key("Up to {{.N}} messages sent per day."))
	add(l.IMAPConnections, catalog.Key("Up to {{.N}} IMAP connections at once."))
	add(l.IMAPDownloadMBDay, catalog.Key("Up to {{.N}} MB downloaded over IMAP per day."))
	add(l.IMAPUploadMBDay, catalog.Key("Up to {{.N}} MB uploaded over IMAP per day."))
	if len(l.BlockedAttachments) > 0 {
		out = append(out, catalog.T(lang, "Attachments of these types are refused: {{.List}}.", "List", strings.Join(l.BlockedAttachments, " ")))
	}
	return out
}

// HintTitle is the catalog key of a short heading for a hint kind.
func HintTitle(k account.HintKind) string {
	switch k {
	case account.HintEnableIMAP:
		return catalog.Key("Turn on IMAP access")
	case account.HintEnablePOP:
		return catalog.Key("Turn on POP3 access")
	case account.HintAppPassword:
		return catalog.Key("Create an app password")
	case account.HintOAuth2Required:
		return catalog.Key("Sign-in through the provider only")
	case account.HintWebLogin:
		return catalog.Key("Log in on the website once")
	case account.HintFromMustMatch:
		return catalog.Key("Send only from this address")
	case account.HintPort25Blocked:
		return catalog.Key("Port 25 may be blocked")
	case account.HintNoIMAP:
		return catalog.Key("No IMAP access")
	case account.HintLookAlike:
		return catalog.Key("This is not the provider it looks like")
	}
	return catalog.Key("Good to know")
}

// SecurityLabel is the catalog key naming a security mode, as both faces
// show it: "SSL/TLS", "STARTTLS", "None (unencrypted)".
func SecurityLabel(s account.Security) string {
	return account.BySecurity(s, catalog.Key("SSL/TLS"), catalog.Key("STARTTLS"), catalog.Key("None (unencrypted)"))
}
