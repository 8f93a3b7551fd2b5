// Package keychain keeps mail passwords in the operating system's keychain:
// the macOS Keychain, the Windows Credential Manager, or a Secret Service
// (gnome-keyring, KeePassXC) on Linux and the BSDs, through
// github.com/zalando/go-keyring.
//
// Start with [SaveAll] after a successful connection test, [Get] to read a
// password back, and [DeleteAll] when the person removes the account.
//
// # Items
//
// Every server that logs in with a password gets its own item: service
// [Service] ("mailwiz"), user "<protocol>://<username>@<host>" (see [User]),
// e.g. "imap://alice@example.com@imap.example.com". Other tools find them
// there too: `secret-tool search service mailwiz` on Linux, Keychain Access
// on macOS, Credential Manager on Windows.
//
// # Blocking and timeouts
//
// A keychain call can block for as long as a person leaves an unlock prompt
// open, and go-keyring has no way to cancel one. So every call here runs on
// its own goroutine and the caller stops waiting when its context ends, or,
// for a context without a deadline, after [DefaultTimeout]. A user interface
// that lets a person type the keyring's password into an unlock prompt gives
// a longer deadline (a minute, say); scripts keep the default and fail fast.
// The abandoned call finishes in the background when the keychain answers: a
// [Save] that timed out may still land later.
//
// # Errors
//
// A keychain call's errors are *[Error] values that match [ErrUnavailable]
// (no keychain, a locked one whose prompt was dismissed, no answer in
// time), [ErrNotFound] or [ErrTooBig] with errors.Is; a call the caller
// cancelled matches context.Canceled. A server that cannot have an item
// (see [User]) is refused before the keychain is asked, with a plain error.
// Their text says what to do about it.
//
// # Security
//
// The password goes to the keychain and nowhere else: there is no fallback to
// a file, and no error text holds it (the keychain's own words are kept, with
// the password cut out should they ever quote it).
package keychain

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/zalando/go-keyring"
)

// Service is the keychain service name of every mailwiz item.
const Service = "mailwiz"

// DefaultTimeout bounds every call whose context has no deadline. An unlock
// prompt still open after it counts as [ErrUnavailable].
const DefaultTimeout = 5 * time.Second

// Sentinel errors, matched with errors.Is.
var (
	// ErrUnavailable: no keychain answered — none installed or running, no
	// D-Bus session, a locked keyring whose prompt was dismissed, or no
	// answer within the timeout.
	ErrUnavailable = errors.New("the OS keychain is not available")
	// ErrNotFound: the keychain holds no item for the server.
	ErrNotFound = errors.New("no password is saved in the OS keychain for it")
	// ErrTooBig: the keychain refused the password for its size (Windows
	// allows 2560 bytes, macOS about 3000 with the names).
	ErrTooBig = errors.New("the password is too long for the OS keychain")
)

// Error is what every keychain call returns on failure.
type Error struct {
	// Op is the operation: "save", "get" or "delete".
	Op string
	// User is the item's user name (see [User]); it holds no secret.
	User string
	// Kind is ErrUnavailable, ErrNotFound, ErrTooBig, context.Canceled or,
	// for a refusal of our own before the keychain is asked (an empty
	// password), nil.
	Kind error
	// Detail is the keychain's own words, or ours, never the password.
	Detail string
}

func (e *Error) Error() string { return "keychain: " + e.Message() }

// Message is the error for a person: the operation, the item, what went
// wrong and, when no keychain answered, what to do.
func (e *Error) Message() string {
	var b strings.Builder
	b.WriteString(e.Op)
	if e.User != "" {
		b.WriteString(" " + e.User)
	}
	switch {
	case e.Kind == nil:
		b.WriteString(": " + e.Detail)
	case e.Detail != "":
		b.WriteString(": " + e.Kind.Error() + " (" + e.Detail + ")")
	default:
		b.WriteString(": " + e.Kind.Error())
	}
	if e.Kind == ErrUnavailable {
		b.WriteString(": " + advice())
	}
	return b.String()
}

// Unwrap returns Kind, so errors.Is(err, ErrUnavailable) works. The
// keychain's original error is deliberately not kept: its text is not ours
// to vouch for.
func (e *Error) Unwrap() error { return e.Kind }

var _ error = (*Error)(nil)

// advice says what to do when no keychain answers, for this platform.
func advice() string {
	switch runtime.GOOS {
	case "darwin":
		return "unlock the login keychain (Keychain Access) and try again"
	case "windows":
		return "check that the Credential Manager service is running and try again"
	default:
		return "install and unlock gnome-keyring or KeePassXC's Secret Service; " +
			"on a headless machine run inside a D-Bus session (dbus-run-session)"
	}
}

// User is the keychain user name of s's item: "<protocol>://<username>@<host>",
// the host in lower case. It fails for a server that cannot have one: no
// host, no username, or a username still holding a clientConfig placeholder
// (call account.Config.For first).
func User(s account.Server) (string, error) {
	switch {
	case !s.Protocol.Valid():
		return "", fmt.Errorf("keychain: the server's protocol %q is not imap, pop3 or smtp", s.Protocol)
	case s.Host == "":
		return "", fmt.Errorf("keychain: the %s server has no host name", s.Protocol)
	case s.Username == "":
		return "", fmt.Errorf("keychain: the %s server %s has no username", s.Protocol, s.Host)
	case strings.Contains(s.Username, account.PlaceholderAddress),
		strings.Contains(s.Username, account.PlaceholderLocal),
		strings.Contains(s.Username, account.PlaceholderDomain):
		return "", fmt.Errorf("keychain: the %s username %q is a template: expand it with Config.For", s.Protocol, s.Username)
	}
	return string(s.Protocol) + "://" + s.Username + "@" + strings.ToLower(s.Host), nil
}

// ServerOf reads an item's user name ([User]) back into the server it
// belongs to (protocol, username, host; the password login): ok is false
// for anything else. The username may hold '@', the host may not.
func ServerOf(user string) (s account.Server, ok bool) {
	proto, rest, found := strings.Cut(user, "://")
	i := strings.LastIndexByte(rest, '@')
	if !found || i <= 0 || i == len(rest)-1 {
		return s, false
	}
	s = account.Server{Protocol: account.Protocol(proto), Username: rest[:i], Host: rest[i+1:], Auth: account.AuthPassword}
	if u, err := User(s); err != nil || u != user {
		return account.Server{}, false
	}
	return s, true
}

// NeedsPassword reports whether s logs in with a password, and so has a
// keychain item: OAuth2, client certificates, client IP and no login do not.
func NeedsPassword(s account.Server) bool {
	return s.Auth == "" || s.Auth == account.AuthPassword || s.Auth == account.AuthPasswordEncrypted
}

// Save stores password for s, replacing the one saved before.
func Save(ctx context.Context, s account.Server, password string) error {
	user, err := User(s)
	if err != nil {
		return err
	}
	if password == "" {
		return &Error{Op: "save", User: user, Detail: "the password is empty"}
	}
	_, err = ask(ctx, "save", user, password, func() (string, error) {
		return "", keyring.Set(Service, user, password)
	})
	return err
}

// Get returns the password saved for s; an error matching [ErrNotFound] if
// there is none.
func Get(ctx context.Context, s account.Server) (string, error) {
	user, err := User(s)
	if err != nil {
		return "", err
	}
	return ask(ctx, "get", user, "", func() (string, error) {
		return keyring.Get(Service, user)
	})
}

// Delete removes s's item; an error matching [ErrNotFound] if there was none.
func Delete(ctx context.Context, s account.Server) error {
	user, err := User(s)
	if err != nil {
		return err
	}
	_, err = ask(ctx, "delete", user, "", func() (string, error) {
		return "", keyring.Delete(Service, user)
	})
	return err
}

// Servers returns the servers of cfg that get an item, incoming first, each
// item once: those that need a password ([NeedsPassword]). cfg's usernames
// must be expanded (account.Config.For).
func Servers(cfg account.Config) []account.Server {
	var out []account.Server
	seen := map[string]bool{}
	for _, list := range [][]account.Server{cfg.Incoming, cfg.Outgoing} {
		for _, s := range list {
			if !NeedsPassword(s) {
				continue
			}
			u, err := User(s)
			if err != nil {
				// Kept, so SaveAll reports why the server cannot be saved.
				out = append(out, s)
				continue
			}
			if !seen[u] {
				seen[u] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// SaveAll stores password for every server of cfg that needs one
// ([Servers]), the same password for each, as mail accounts use it. It
// stops at the first failure, which names the item; items saved before it
// stay saved. A cfg with no such server is an error: there is nothing to
// keep the password for.
func SaveAll(ctx context.Context, cfg account.Config, password string) error {
	servers := Servers(cfg)
	if len(servers) == 0 {
		return errors.New("keychain: none of the servers logs in with a password, so there is nothing to save")
	}
	for _, s := range servers {
		if err := Save(ctx, s, password); err != nil {
			return err
		}
	}
	return nil
}

// DeleteAll removes the item of every server of cfg that needs a password
// and returns how many it removed. Servers without an item are skipped;
// any other failure stops it.
func DeleteAll(ctx context.Context, cfg account.Config) (removed int, err error) {
	for _, s := range Servers(cfg) {
		err := Delete(ctx, s)
		switch {
		case err == nil:
			removed++
		case errors.Is(err, ErrNotFound):
		default:
			return removed, err
		}
	}
	return removed, nil
}

// ask is call for go-keyring's functions: where no keychain can answer at
// all (Linux with no D-Bus session bus), it says so at once instead of
// asking.
func ask(ctx context.Context, op, user, secret string, f func() (string, error)) (string, error) {
	if err := ctx.Err(); err == nil {
		if why := noSessionBus(); why != "" {
			return "", &Error{Op: op, User: user, Kind: ErrUnavailable, Detail: why}
		}
	}
	return call(ctx, op, user, secret, f)
}

// call runs f on its own goroutine and waits for it until ctx ends or, if
// ctx has no deadline, for DefaultTimeout. secret, when not empty, is cut
// out of any error text.
func call(ctx context.Context, op, user, secret string, f func() (string, error)) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", ctxError(op, user, err, 0)
	}
	start := time.Now()
	deadline, ok := ctx.Deadline()
	if !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
		deadline, _ = ctx.Deadline()
	}
	type result struct {
		val string
		err error
	}
	// Buffered, so the goroutine can finish and exit after we stop waiting.
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return "", classify(op, user, secret, r.err)
		}
		return r.val, nil
	case <-ctx.Done():
		// The time allowed, not the time measured: a wake-up a little late
		// on a busy machine read "no answer within 5.1s" for a 5 s limit.
		return "", ctxError(op, user, ctx.Err(), max(deadline.Sub(start), 0))
	}
}

func ctxError(op, user string, err error, waited time.Duration) error {
	if errors.Is(err, context.Canceled) {
		return &Error{Op: op, User: user, Kind: context.Canceled}
	}
	if waited == 0 {
		// The caller's deadline had passed before the keychain was asked:
		// "no answer within 0s" would blame the keychain for it.
		return &Error{Op: op, User: user, Kind: ErrUnavailable,
			Detail: "the time allowed ran out before the keychain was asked; try again with a longer timeout"}
	}
	return &Error{Op: op, User: user, Kind: ErrUnavailable,
		Detail: fmt.Sprintf("no answer within %s; a locked keyring may be waiting for its unlock prompt",
			waited.Round(100*time.Millisecond))}
}

// classify maps go-keyring's errors onto ours. Anything but "not found" and
// "too big" means the keychain could not do the job: unavailable.
func classify(op, user, secret string, err error) error {
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return &Error{Op: op, User: user, Kind: ErrNotFound}
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return &Error{Op: op, User: user, Kind: ErrTooBig}
	}
	return &Error{Op: op, User: user, Kind: ErrUnavailable, Detail: redact(err.Error(), secret)}
}

// redact cuts secret out of msg and keeps one line.
func redact(msg, secret string) string {
	if secret != "" {
		msg = strings.ReplaceAll(msg, secret, "[password]")
	}
	msg = strings.Join(strings.Fields(msg), " ")
	const max = 300
	if len(msg) > max {
		msg = strings.ToValidUTF8(msg[:max], "") + "…"
	}
	return msg
}

// SaveItem stores secret under an item user name of the caller's making,
// for secrets that belong to no single server: package oauth keeps a
// refresh token as "oauth2://<username>@<provider>". The name must not be
// empty; it is not checked otherwise.
func SaveItem(ctx context.Context, user, secret string) error {
	if user == "" {
		return errors.New("keychain: the item has no name")
	}
	if secret == "" {
		return &Error{Op: "save", User: user, Detail: "the secret is empty"}
	}
	_, err := ask(ctx, "save", user, secret, func() (string, error) {
		return "", keyring.Set(Service, user, secret)
	})
	return err
}

// GetItem returns the secret SaveItem stored under user; an error matching
// [ErrNotFound] if there is none.
func GetItem(ctx context.Context, user string) (string, error) {
	if user == "" {
		return "", errors.New("keychain: the item has no name")
	}
	return ask(ctx, "get", user, "", func() (string, error) {
		return keyring.Get(Service, user)
	})
}

// DeleteItem removes the item SaveItem stored under user; an error matching
// [ErrNotFound] if there was none.
func DeleteItem(ctx context.Context, user string) error {
	if user == "" {
		return errors.New("keychain: the item has no name")
	}
	_, err := ask(ctx, "delete", user, "", func() (string, error) {
		return "", keyring.Delete(Service, user)
	})
	return err
}
