package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/keychain"
)

// NewAccount is the account a person chose: cfg's first (preferred)
// incoming and outgoing server, usernames expanded for addr, and cfg's
// choices. name is the display name.
func NewAccount(addr account.Address, cfg account.Config, name string) Account {
	cfg = cfg.For(addr)
	a := Account{
		Email:         addr.String(),
		Name:          name,
		Provider:      cfg.Provider,
		Source:        cfg.Source,
		LeaveOnServer: cfg.LeaveOnServer,
		DaysOnServer:  cfg.DaysOnServer,
	}
	if len(cfg.Incoming) > 0 {
		a.Incoming = cfg.Incoming[0]
	}
	if len(cfg.Outgoing) > 0 {
		a.Outgoing = cfg.Outgoing[0]
	}
	return a
}

// Remember saves an account for good: password into the OS keychain, one
// item per server that logs in with one, then a's settings (with the item
// names in KeychainItems) into the store. If the keychain fails no settings
// are written (items saved before the failure stay, see keychain.SaveAll),
// and the error matches keychain.ErrUnavailable and the like. Items
// of an earlier save of the same address for servers no longer used are
// removed, so a changed host leaves no password behind. It returns the
// account as saved.
func (s *Store) Remember(ctx context.Context, a Account, password string) (Account, error) {
	if a.Incoming.Host == "" {
		return a, fmt.Errorf("store: %s has no incoming server to save", a.Email)
	}
	cfg := a.Config()
	// A browser sign-in is kept by the oauth package; a password too only
	// when one is given (a server of the account may still take one).
	if a.OAuth2 == nil || password != "" {
		if err := keychain.SaveAll(ctx, cfg, password); err != nil {
			return a, err
		}
		a.KeychainItems = itemNames(cfg)
	}
	old, oldErr := s.Load(a.Email)
	if err := s.Save(a); err != nil {
		return a, fmt.Errorf("%w (the password is in the OS keychain; run the save again)", err)
	}
	if oldErr == nil {
		if _, err := keychain.DeleteAll(ctx, stale(old.Config(), a.KeychainItems)); err != nil {
			return a, fmt.Errorf("store: the account is saved, but an old keychain item stays: %w", err)
		}
	}
	return s.Load(a.Email)
}

// Forget removes what [Store.Remember] saved for email: the keychain items
// of its servers, then its settings. Without settings it removes the items
// of known's servers instead (say, the provider's, from the built-in
// database), for a password saved by an older version or by hand. It
// returns how many keychain items it removed and whether there were
// settings; an error matching [ErrNotFound] if there was nothing at all. If
// the keychain fails, the settings stay, so Forget can run again.
func (s *Store) Forget(ctx context.Context, email string, known account.Config) (removed int, hadSettings bool, err error) {
	a, err := s.Load(email)
	switch {
	case err == nil:
		hadSettings = true
		known = a.Config()
	case !errors.Is(err, ErrNotFound):
		// A settings file we cannot read (damaged, or a newer format) may
		// still name its keychain items: those go too, with known's, and
		// the file below.
		hadSettings = true
		known = withItems(known, s.namedItems(email))
	}
	removed, err = keychain.DeleteAll(ctx, known)
	if err != nil {
		return removed, hadSettings, err
	}
	if hadSettings {
		if err := s.Delete(email); err != nil && !errors.Is(err, ErrNotFound) {
			return removed, hadSettings, err
		}
	}
	if removed == 0 && !hadSettings {
		return 0, false, fmt.Errorf("%w, and the OS keychain holds no password for its servers", ErrNotFound)
	}
	return removed, hadSettings, nil
}

// itemNames are the keychain item user names of cfg's servers.
func itemNames(cfg account.Config) []string {
	var names []string
	for _, srv := range keychain.Servers(cfg) {
		if u, err := keychain.User(srv); err == nil {
			names = append(names, u)
		}
	}
	return names
}

// stale is cfg without the servers whose items are in keep.
func stale(cfg account.Config, keep []string) account.Config {
	kept := map[string]bool{}
	for _, k := range keep {
		kept[k] = true
	}
	filter := func(list []account.Server) []account.Server {
		var out []account.Server
		for _, srv := range list {
			if u, err := keychain.User(srv); err == nil && !kept[u] {
				out = append(out, srv)
			}
		}
		return out
	}
	return account.Config{Incoming: filter(cfg.Incoming), Outgoing: filter(cfg.Outgoing)}
}

// itemPattern finds keychain item names in a settings file's text.
var itemPattern = regexp.MustCompile(`"((?:imap|pop3|smtp)://[^"\\\s]{1,512})"`)

// namedItems are the keychain items a settings file names, read from its
// text when it cannot be parsed: at most its first MiB, only strings of
// an item name's shape.
func (s *Store) namedItems(email string) []account.Server {
	f, err := os.Open(s.Path(email))
	if err != nil {
		return nil
	}
	defer f.Close()
	data, _ := io.ReadAll(io.LimitReader(f, 1<<20))
	var out []account.Server
	for _, m := range itemPattern.FindAllSubmatch(data, -1) {
		if srv, ok := keychain.ServerOf(string(m[1])); ok {
			out = append(out, srv)
		}
	}
	return out
}

// withItems is cfg with servers added, each on its side.
func withItems(cfg account.Config, servers []account.Server) account.Config {
	cfg.Incoming = slices.Clone(cfg.Incoming)
	cfg.Outgoing = slices.Clone(cfg.Outgoing)
	for _, srv := range servers {
		if srv.Protocol == account.SMTP {
			cfg.Outgoing = append(cfg.Outgoing, srv)
		} else {
			cfg.Incoming = append(cfg.Incoming, srv)
		}
	}
	return cfg
}
