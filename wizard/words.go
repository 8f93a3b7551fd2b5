package wizard

import (
	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
)

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
