package wizard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/delivery"
	"github.com/mailwiz/mailwiz/discover"
	"github.com/mailwiz/mailwiz/export"
	"github.com/mailwiz/mailwiz/oauth"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/providers"
	"github.com/mailwiz/mailwiz/store"
)

// Default returns the Deps wired to mailwiz's core packages. A field whose
// package is not there yet stays nil, and the wizard says the feature is
// not available rather than pretending.
func Default() Deps {
	d := Deps{
		Lookup:       providers.Lookup,
		Discover:     Discover(discover.Options{}),
		Test:         Probe(probe.Request{}),
		Save:         SaveToKeychain,
		SignIn:       SignInWithBrowser,
		KeptSignIn:   UseKeptSignIn,
		CheckSending: SendingCheck(delivery.RunRequest{}),
		Saved:        LoadSaved,
		Forget:       ForgetSaved,
		Export:       Export,
	}
	for _, f := range export.Formats() {
		d.Formats = append(d.Formats, Format{ID: f.Name, Name: f.Name, Ext: f.Ext, Mailer: f.Mailer})
	}
	return d
}

// Discover adapts discover.Run to Deps.Discover with opts (a resolver, an
// ISPDB URL or a CA pool for tests), turning its events into the wizard's.
func Discover(opts discover.Options) func(context.Context, account.Address, []string, func(Event)) (account.Config, error) {
	return func(ctx context.Context, addr account.Address, allow []string, progress func(Event)) (account.Config, error) {
		o := opts
		o.AllowRedirect = append(slices.Clip(o.AllowRedirect), allow...)
		o.Events = func(e discover.Event) {
			for _, we := range fromDiscover(e) {
				progress(we)
			}
		}
		return discover.Run(ctx, addr, o)
	}
}

// fromDiscover translates one discovery event.
func fromDiscover(e discover.Event) []Event {
	var st SourceStatus
	switch e.State {
	case discover.Asking:
		st = SourceAsking
	case discover.Found:
		st = SourceFound
	case discover.Failed:
		st = SourceNothing
	default:
		st = SourceSkipped
	}
	out := []Event{SourceProgress{Source: e.Source, Status: st, Detail: e.Detail}}
	if e.State == discover.Found && e.Provisional && e.Config != nil {
		out = append(out, Provisional{Config: *e.Config})
	}
	var re *discover.RedirectError
	if e.State == discover.Failed && errors.As(e.Err, &re) {
		out = append(out, RedirectRefused{From: re.From, To: re.To})
	}
	return out
}

// SaveToKeychain is Deps.Save on the OS keychain and the default store:
// one item per chosen server that logs in with a password, then the
// account's non-secret settings (package store), so `mailwiz forget`
// finds the items and the account can be reopened. Its errors match
// ErrNoKeychain (and keychain.ErrUnavailable) when there is no keychain.
func SaveToKeychain(ctx context.Context, req SaveRequest) error {
	st, err := store.Default()
	if err != nil {
		return err
	}
	_, err = SaveAccount(ctx, st, req)
	return err
}

// SignInWithBrowser is Deps.SignIn: the provider from the built-in
// database, this build's client registrations and the settings folder's
// (oauth.LoadRegistrations), the system browser and a loopback redirect.
// Without a registration for the provider it returns the
// *oauth.NoClientError that says so and what works instead.
func SignInWithBrowser(ctx context.Context, req SignInRequest) (SignedIn, error) {
	flow, err := PrepareSignIn(req.Config, oauth.RedirectLoopback)
	if err != nil {
		return SignedIn{}, err
	}
	SetUpSignIn(flow, req.Address, req.Config)
	tok, err := flow.SignIn(ctx)
	if err != nil {
		return SignedIn{}, err
	}
	return NewSignedIn(flow, tok)
}

// UseKeptSignIn is Deps.KeptSignIn on the keychain and the provider's
// sign-in this build can do (PrepareSignIn).
func UseKeptSignIn(ctx context.Context, kept *store.OAuth2Ref, cfg account.Config) (*probe.OAuth2Login, error) {
	login, _, err := KeptSignIn(ctx, &store.Account{OAuth2: kept}, cfg, func() (*oauth.Flow, error) { return PrepareSignIn(cfg, "") })
	return login, err
}

// SendingCheck adapts delivery.Run to Deps.CheckSending with base (a CA
// pool, a resolver for tests): the letter as From to the account itself
// (the dialog asked consent first), read back, with the DNS checks and the
// provider's limits. The servers are the ones the login test proved, so
// the trust gate has passed. A failed login is one finding with probe's
// words rather than an error.
func SendingCheck(base delivery.RunRequest) func(context.Context, SendingRequest) (SendingReport, error) {
	return func(ctx context.Context, req SendingRequest) (SendingReport, error) {
		return checkSending(ctx, base, req)
	}
}

func checkSending(ctx context.Context, base delivery.RunRequest, req SendingRequest) (SendingReport, error) {
	r := base
	r.Address, r.Config, r.Password, r.OAuth2, r.From, r.Bounce, r.Send, r.Lang = req.Address, req.Config, req.Password, req.OAuth2, req.From, req.Bounce, true, req.Lang
	r.BounceTest = req.BounceTest
	r.TrustedCerts = append(slices.Clip(base.TrustedCerts), req.TrustedCerts...)
	rep, err := delivery.Run(ctx, r)
	var le *delivery.LoginError
	if errors.As(err, &le) {
		f := SendingFinding{Level: SendingFail, Title: catalog.T(req.Lang, "The login failed, so no letter was sent.")}
		for _, r := range le.Report.Results {
			if !r.OK {
				f.ServerWords = r.Error
				if r.Diagnosis != nil {
					f.Text = r.Diagnosis.In(req.Lang)
				}
				break
			}
		}
		return SendingReport{Findings: []SendingFinding{f}}, nil
	}
	if err != nil {
		return SendingReport{}, err
	}
	return SendingFindings(rep), nil
}

// SendingFindings are delivery's findings as the window lists them.
func SendingFindings(rep delivery.Report) SendingReport {
	var out SendingReport
	for _, f := range rep.Findings {
		out.Findings = append(out.Findings, SendingFinding{Level: SendingLevel(f.Level), Title: f.Title, Text: f.Text,
			ServerWords: f.ServerWords, Record: f.Record})
	}
	return out
}

// LoadSaved is Deps.Saved on the default store.
func LoadSaved(addr account.Address) (*store.Account, error) {
	st, err := store.Default()
	if err != nil {
		return nil, nil // no configuration directory: nothing was saved
	}
	a, err := st.Load(addr.String())
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Export is Deps.Export on package export: the chosen servers as they were
// edited, the person's name and language.
func Export(w io.Writer, format string, req ExportRequest) error {
	a, err := export.NewAccount(req.Address, req.Config)
	if err != nil {
		return fmt.Errorf("wizard: %w", err)
	}
	a.Name = req.Name
	a.TrustedCerts = req.TrustedCerts
	if req.Lang != "" {
		a.Lang = req.Lang
	}
	return export.Write(w, format, a)
}

// Probe adapts probe.Run to Deps.Test with base (a CA pool, a resolver or
// timeouts for tests): the chosen incoming and outgoing servers, tested at
// once, each stage reported with the time since the test began.
func Probe(base probe.Request) func(context.Context, TestRequest, func(StageProgress)) TestReport {
	return func(ctx context.Context, req TestRequest, progress func(StageProgress)) TestReport {
		start := time.Now()
		pr := base
		pr.Address = req.Address
		pr.Servers = []account.Server{req.Incoming, req.Outgoing}
		pr.Alternatives = [][]account.Server{req.IncomingAlternatives, req.OutgoingAlternatives}
		pr.Password = req.Password
		pr.OAuth2 = req.OAuth2
		cfg := req.Config
		pr.Provider = &cfg
		pr.AllowPlaintext = req.AllowPlaintext
		pr.TrustedCerts = append(slices.Clip(base.TrustedCerts), req.TrustedCerts...)
		pr.SendTest, pr.Lang = req.SendTest, req.Lang
		pr.Events = func(e probe.Event) {
			if e.Done && e.Err == nil && e.Index >= 0 {
				return // the next stage's start says the same, later
			}
			progress(StageProgress{Server: e.Server, Stage: e.Stage, Elapsed: time.Since(start)})
		}
		rep := probe.Run(ctx, pr)
		out := TestReport{OK: rep.OK}
		for _, r := range rep.Results {
			out.Results = append(out.Results, fromProbeResult(r))
		}
		if st := rep.SendTest; st != nil {
			out.SendTest = &ServerResult{Server: req.Outgoing, OK: st.OK, Stage: st.Stage,
				Duration: st.Delivery, Error: st.Error, Diagnosis: fromProbeDiagnosis(st.Diagnosis), JunkFolder: st.JunkFolder}
		}
		return out
	}
}

func fromProbeResult(r probe.Result) ServerResult {
	res := ServerResult{Server: r.Server, OK: r.OK, Stage: r.Stage, Duration: r.Duration, Error: r.Error,
		Diagnosis: fromProbeDiagnosis(r.Diagnosis), TLS: fromProbeTLS(r.TLS),
		FallbackFrom: r.FallbackFrom, FallbackText: r.FallbackText}
	for _, t := range r.Tried {
		res.Tried = append(res.Tried, fromProbeResult(t))
	}
	return res
}

func fromProbeDiagnosis(d *probe.Diagnosis) Diagnosis {
	if d == nil {
		return Diagnosis{}
	}
	return Diagnosis{Kind: string(d.Kind), Text: d.Text, URL: d.URL, CertSHA256: d.CertSHA256}
}

func fromProbeTLS(t *probe.TLSInfo) *TLSInfo {
	if t == nil {
		return nil
	}
	return &TLSInfo{Version: t.Version, Verified: t.Verified, Exception: t.Exception, Subject: t.Subject,
		Issuer: t.Issuer, NotAfter: t.NotAfter, SHA256: t.SHA256}
}
