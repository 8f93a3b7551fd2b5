package wizard

import (
	"context"
	"io"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/store"
)

// Deps are the core operations the wizard calls. Every field may be nil:
// the wizard then does without (no Discover: only the built-in database; no
// Save: the Done step says the keychain is unavailable). Functions that take
// a context must return soon after it is cancelled.
type Deps struct {
	// Lookup finds a domain in the built-in provider database, offline
	// (providers.Lookup). The config may be a template; the wizard expands it.
	Lookup func(domain string) (account.Config, bool)

	// Discover asks the network (autoconfig, ISPDB, MX, SRV, guessing...)
	// and reports each source's progress and provisional answers through
	// progress, which it may call from any goroutine.
	Discover func(ctx context.Context, addr account.Address, allow []string, progress func(Event)) (account.Config, error)

	// Test logs in to the servers for real and reports each stage reached.
	// Every failure is in the report (a server's result, its diagnosis);
	// a cancelled test's report is dropped.
	Test func(ctx context.Context, req TestRequest, progress func(StageProgress)) TestReport

	// Save keeps an account: the password in the OS keychain for its chosen
	// servers, the settings (name, servers, certificate exceptions, how the
	// servers were vouched for) beside it.
	Save func(ctx context.Context, req SaveRequest) error

	// Saved returns the account saved for addr (nil, nil when none), so a
	// saved account's servers stand in for discovery. An error is a saved
	// file that cannot be used; the wizard then goes on without it.
	Saved func(addr account.Address) (*store.Account, error)

	// Forget removes the account saved for addr: its keychain items
	// (known names them when its settings cannot be read) and its
	// settings, returning how many items went. Nil: the window offers no
	// forgetting.
	Forget func(ctx context.Context, addr account.Address, known account.Config) (int, error)

	// SignIn signs the account in through its provider's page (OAuth2):
	// the system browser, a loopback redirect. Nil: the window offers no
	// sign-in.
	SignIn func(ctx context.Context, req SignInRequest) (SignedIn, error)

	// KeptSignIn is a fresh access token from the sign-in kept for a
	// saved account (its refresh token in the keychain), for cfg's
	// servers (usernames expanded). Nil: a saved sign-in is not used and
	// the person signs in again.
	KeptSignIn func(ctx context.Context, kept *store.OAuth2Ref, cfg account.Config) (*probe.OAuth2Login, error)

	// CheckSending checks the tested account for a mailing program: can
	// it send as req.From, will such mail be delivered (SPF, DKIM, DMARC),
	// the provider's limits. It sends at most one message, to the
	// account's own address. Nil: the Done step does not offer it.
	CheckSending func(ctx context.Context, req SendingRequest) (SendingReport, error)

	// Formats lists the export formats offered on the Done step.
	Formats []Format
	// Export writes cfg for addr in the format with the given ID. It never
	// writes a password.
	Export func(w io.Writer, format string, req ExportRequest) error

	// DiscoverTimeout bounds discovery; zero means 20 s.
	DiscoverTimeout time.Duration
	// TestTimeout bounds the connection test; zero means 30 s.
	TestTimeout time.Duration
}

// Format is one export format offered to the user.
type Format struct {
	ID   string // the CLI's --format value, e.g. "thunderbird"
	Name string // the format's own name; the window shows a label of its own
	Ext  string // the file name extension, with the dot, e.g. ".js"
	// Mailer: for a mailing program (CRM, newsletter, website form)
	// rather than a mail client; the window lists these apart.
	Mailer bool
}

// ExportRequest is what an export writes: an account, never a password.
type ExportRequest struct {
	Address account.Address
	Name    string
	Config  account.Config // the chosen servers first
	Lang    string         // language of texts inside the file: "en", "ru"
	// TrustedCerts are the certificate exceptions accepted for the chosen
	// servers, which the files name (msmtp's pins).
	TrustedCerts []string
}

func (d Deps) withDefaults() Deps {
	if d.DiscoverTimeout == 0 {
		d.DiscoverTimeout = 20 * time.Second
	}
	if d.TestTimeout == 0 {
		d.TestTimeout = 30 * time.Second
	}
	return d
}
