// Package store keeps the non-secret settings of the accounts mailwiz set
// up, one JSON file per address, so the wizard can reopen an account and
// `mailwiz forget` knows which keychain items to remove.
//
// Most callers want [NewAccount] and [Store.Remember] (the password into
// the OS keychain, then the settings) and [Store.Forget] (both removed);
// [Store.Load] and [Store.List] reopen accounts. [Default] is the store.
//
// # Where
//
// [Default] is os.UserConfigDir()/mailwiz/accounts: ~/.config/mailwiz/accounts
// on Linux (or $XDG_CONFIG_HOME), ~/Library/Application Support/mailwiz/accounts
// on macOS, %AppData%\mailwiz\accounts on Windows. Each account is
// <address>.json, the address in lower case with its ASCII domain;
// characters a file name cannot hold on every system are written %XX.
//
// # Security
//
// [Account] has no password field: passwords go to the OS keychain (package
// keychain) and nowhere else. Files are written with mode 0600 in a 0700
// directory, atomically (a temporary file in the same directory, synced,
// then renamed over the old one), so a crash leaves the old settings or the
// new ones, never half of each.
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/mailwiz/mailwiz/account"
)

// Version is the format version written in every file.
const Version = 1

// ErrNotFound: no settings are saved for the address.
var ErrNotFound = errors.New("store: no settings are saved for this address")

// Account is what is kept about one account: the chosen servers and the
// person's choices. It never holds a password.
type Account struct {
	Version int `json:"version"`
	// Email is the address as account.Address.String() gives it.
	Email string `json:"email"`
	// Name is the display name for outgoing mail.
	Name     string            `json:"name,omitempty"`
	Provider *account.Provider `json:"provider,omitempty"`
	Source   account.Source    `json:"source,omitempty"`
	// Incoming and Outgoing are the servers chosen, usernames expanded.
	Incoming account.Server `json:"incoming"`
	Outgoing account.Server `json:"outgoing,omitzero"`
	// LeaveOnServer and DaysOnServer are the POP3 choices (see account.Config).
	LeaveOnServer bool `json:"leave_on_server,omitempty"`
	DaysOnServer  int  `json:"days_on_server,omitempty"`
	// TrustedCerts are the server certificates the user accepted although
	// they are not trusted (self-signed, say): SHA-256 fingerprints of the
	// leaf, as probe.TLSInfo.SHA256 shows them (probe.Request.TrustedCerts).
	// Not secrets: a fingerprint is public, what it grants is the user's
	// trust in that one certificate.
	TrustedCerts []string `json:"trusted_certs,omitempty"`
	// KeychainItems are the keychain user names the password was saved under.
	KeychainItems []string `json:"keychain_items,omitempty"`
	// Vouched says how the servers were vouched for when they were saved;
	// nil in files written before it existed (then only Source tells).
	Vouched *Vouch `json:"vouched,omitempty"`
	// OAuth2, for an account that signs in through the provider's page,
	// names the provider (and Microsoft tenant) of the sign-in kept in the
	// keychain (oauth.ItemName). Never a token.
	OAuth2 *OAuth2Ref `json:"oauth2,omitempty"`
	Saved  time.Time  `json:"saved"`
}

// OAuth2Ref names an account's browser sign-in: the oauth package's
// provider ID and, for Microsoft, the tenant it was made in.
type OAuth2Ref struct {
	Provider string `json:"provider"`
	Tenant   string `json:"tenant,omitempty"`
}

// Vouch is how an account's servers came to be trusted with its password.
// A later run reads it and never upgrades it: servers that only the person
// confirmed stay confirmed for exactly those hosts.
type Vouch struct {
	// By is what vouched: VouchSource (a source that vouches for its
	// answer: the built-in database, the domain's own autoconfig over
	// https, the ISPDB, the MX match), VouchNamed (the person typed or
	// named the servers) or VouchConfirmed (nothing vouched; the person
	// confirmed Hosts).
	By string `json:"by"`
	// Source is the source the servers came from, as account.Config.Source.
	Source account.Source `json:"source,omitempty"`
	// Hosts, with VouchConfirmed, are the host names the person confirmed.
	Hosts []string `json:"hosts,omitempty"`
	// At is when the person confirmed them (VouchConfirmed).
	At time.Time `json:"at,omitzero"`
}

// The values of Vouch.By.
const (
	VouchSource    = "source"
	VouchNamed     = "named"
	VouchConfirmed = "confirmed"
)

// Config returns the account as an account.Config holding just its servers
// and choices, the form the keychain and export packages take.
func (a Account) Config() account.Config {
	cfg := account.Config{
		Provider:      a.Provider,
		Source:        a.Source,
		LeaveOnServer: a.LeaveOnServer,
		DaysOnServer:  a.DaysOnServer,
	}
	if a.Incoming.Host != "" {
		cfg.Incoming = []account.Server{a.Incoming}
	}
	if a.Outgoing.Host != "" {
		cfg.Outgoing = []account.Server{a.Outgoing}
	}
	return cfg
}

// Store is a directory of account files.
type Store struct {
	// Dir is the directory holding <address>.json files.
	Dir string
}

// Default returns the store in the user's configuration directory.
func Default() (*Store, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return nil, fmt.Errorf("store: no configuration directory to keep settings in: %w", err)
	}
	return &Store{Dir: filepath.Join(dir, "mailwiz", "accounts")}, nil
}

// Path is the file that holds the settings of the address email.
func (s *Store) Path(email string) string {
	return filepath.Join(s.Dir, FileName(email))
}

// Save writes a, replacing the settings saved before for a.Email. Version
// and, if zero, Saved are filled in.
func (s *Store) Save(a Account) error {
	if a.Email == "" || !strings.Contains(a.Email, "@") {
		return fmt.Errorf("store: %q is not an email address", a.Email)
	}
	if a.Incoming.Host == "" {
		return fmt.Errorf("store: %s has no incoming server to save", a.Email)
	}
	a.Version = Version
	if a.Saved.IsZero() {
		a.Saved = time.Now().UTC().Truncate(time.Second)
	}
	data, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	data = append(data, '\n')
	if err := s.prepareDir(true); err != nil {
		return err
	}
	return writeAtomic(s.Path(a.Email), data)
}

// prepareDir makes sure the settings directory and its parent (mailwiz's
// own) are private: another local user who could write there could swap a
// saved server or a certificate exception, and the next test would send
// the password to them. A directory of ours that is open to others is
// tightened to 0700; one owned by someone else is refused. create makes
// the directories when missing (Save); otherwise a missing one is fine.
func (s *Store) prepareDir(create bool) error {
	dirs := []string{s.Dir}
	// Only directories that are mailwiz's own: never a parent such as
	// ~/.config or /tmp that other programs share.
	if parent := filepath.Dir(s.Dir); filepath.Base(parent) == "mailwiz" {
		dirs = []string{parent, s.Dir}
	}
	for _, d := range dirs {
		if create {
			if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
				if err := os.MkdirAll(d, 0o700); err != nil {
					return fmt.Errorf("store: making the settings directory: %w", err)
				}
			}
		}
		if err := securePrivateDir(d); err != nil {
			return err
		}
	}
	return nil
}

// existingDir returns dir's information, nil (and no error) when it does
// not exist, or a *DirError when it is something other than a directory.
func existingDir(dir string) (fs.FileInfo, error) {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if !fi.IsDir() {
		return nil, &DirError{Path: dir, Problem: "it is not a directory", Fix: "move it away and run mailwiz again"}
	}
	return fi, nil
}

// DirError is a settings directory mailwiz will not use.
type DirError struct {
	Path    string
	Problem string // what is wrong, e.g. "it belongs to user 1001"
	Fix     string // what to do
}

func (e *DirError) Error() string { return "store: " + e.Message() }

// Message is the error for a person: the directory, what is wrong, the fix.
func (e *DirError) Message() string {
	return fmt.Sprintf("the settings directory %s cannot be trusted: %s; %s", e.Path, e.Problem, e.Fix)
}

// writeAtomic replaces path with data: a crash leaves the old file or the
// new one whole.
func writeAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*.json")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// CreateTemp makes the file 0600 already; Chmod keeps it so should a
	// platform's default ever differ.
	if err = f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("store: %w", err)
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("store: writing %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("store: writing %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("store: writing %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	// Make the rename itself durable. Best effort: Windows cannot sync a
	// directory, and the file is already whole either way.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Load reads the settings saved for email; an error matching [ErrNotFound]
// if there are none.
func (s *Store) Load(email string) (Account, error) {
	return s.load(s.Path(email))
}

func (s *Store) load(path string) (Account, error) {
	if err := s.prepareDir(false); err != nil {
		return Account{}, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Account{}, fmt.Errorf("%w (%s)", ErrNotFound, path)
	}
	if err != nil {
		return Account{}, fmt.Errorf("store: %w", err)
	}
	var a Account
	if err := json.Unmarshal(data, &a); err != nil {
		return Account{}, fmt.Errorf("store: %s is not a mailwiz settings file (%v): delete it and save the account again", path, err)
	}
	if a.Version > Version {
		return Account{}, fmt.Errorf("store: %s was written by a newer mailwiz (format %d; this one reads %d): update mailwiz", path, a.Version, Version)
	}
	return a, nil
}

// List returns every saved account, ordered by address. A file that cannot
// be read is reported after the others are read.
func (s *Store) List() ([]Account, error) {
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	var out []Account
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") {
			continue
		}
		a, err := s.load(filepath.Join(s.Dir, name))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Email < out[j].Email })
	return out, errors.Join(errs...)
}

// Delete removes the settings saved for email; an error matching
// [ErrNotFound] if there were none.
func (s *Store) Delete(email string) error {
	path := s.Path(email)
	err := os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w (%s)", ErrNotFound, path)
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// FileName is the file name of an address's settings: the address with
// ASCII letters in lower case, every byte that is not a letter, digit or
// one of "@._+-" written %XX (so "/", "\", ":" and the like cannot escape
// the directory or trouble Windows), and ".json". Lower case because
// mailboxes ignore case in practice and macOS's and Windows's file systems
// do too: Alice@ and alice@ are one account on every system.
func FileName(email string) string {
	var b strings.Builder
	for i := 0; i < len(email); i++ {
		c := email[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9',
			c == '@', c == '.', c == '_', c == '+', c == '-':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	name := b.String()
	// A name of dots alone would be "." or "..": not an address anyway, but
	// never a path.
	if strings.Trim(name, ".") == "" {
		name = strings.ReplaceAll(name, ".", "%2E")
	}
	return name + ".json"
}
