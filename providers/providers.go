// Package providers is mailwiz's built-in provider database: one clientConfig
// file per provider in data/, embedded, looked up by email domain or by MX
// host in microseconds and without a network.
package providers

import "github.com/mailwiz/mailwiz/account"

// Lookup returns the provider config for an email domain (ASCII or Unicode,
// any case). The config is a template: call Config.For(addr) to expand the
// username. Source is builtin and SecureSource true.
func Lookup(domain string) (account.Config, bool) { return account.Config{}, false } // TODO(loader)

// LookupMX returns the provider whose mail exchangers include host (an MX
// host name, with or without the trailing dot).
func LookupMX(host string) (account.Config, bool) { return account.Config{}, false } // TODO(loader)

// All returns every provider, ordered by ID.
func All() []account.Config { return nil } // TODO(loader)
