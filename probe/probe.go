// Package probe tests an account's servers for real: it resolves each host,
// connects, negotiates TLS (implicit, or STARTTLS after the greeting), reads
// the capabilities, logs in and logs out, and says in plain words why a step
// failed.
//
// # Use
//
// Build a [Request] with the servers to test and the password, and call
// [Run]. Incoming (IMAP or POP3) and outgoing (SMTP) servers are tested at
// the same time; [Request.Events] reports every stage as it starts and ends,
// with its duration, for a live display. The [Report] holds one [Result] per
// server: the last stage reached, the TLS certificate seen, the server's own
// words and a [Diagnosis]. With [Request.SendTest] a short message then goes
// to the user's own address and is watched for in the INBOX (or maildrop).
//
// # Safety
//
// TLS is verified strictly against the system roots (or [Request.RootCAs]).
// The one way past a failed verification is an exception the user confirmed
// after checking the certificate: its SHA-256 fingerprint in
// [Request.TrustedCerts], which accepts exactly that leaf certificate, as
// Thunderbird's "Confirm Security Exception" does.
// A configured STARTTLS that the server does not offer ends the test with
// starttls-unavailable before anything secret is sent: never a silent
// downgrade. A password is sent over an unencrypted connection only with
// [Request.AllowPlaintext]; otherwise the test stops with plaintext-refused.
// The password never appears in a Result, an Event or an error text.
//
// # Fallback to another port
//
// Networks block ports (25 nearly everywhere, sometimes 465 or 993). With
// [Request.Alternatives] (the provider's other servers of the same
// protocol, see [Alternatives]), a preferred server that has not said a
// word [DefaultFallbackDelay] after its name resolved, or that failed
// without a word (refused, silent, a TLS handshake that never completes),
// gets its alternatives tried at once; the first to log in is taken, and
// [Result.FallbackFrom] and [Result.FallbackText] say so. A server that
// answered (a refused password, an untrusted certificate, no STARTTLS) is
// reported as it is: no fallback. An alternative without encryption needs
// [Request.AllowPlaintext]. See fallback.go.
//
// # Cancellation
//
// Cancelling the context closes every connection at once, so Run returns
// within milliseconds. [Request.Timeout] bounds each stage separately.
package probe

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/safetext"
)

// Stage is a step of a server test. The values are part of the JSON contract.
type Stage string

// The stages, in the order a test passes them. An implicit-TLS server goes
// dns, connect, tls, greeting, auth, done; a STARTTLS one dns, connect,
// greeting, starttls, auth, done. The capabilities are read within the
// greeting (SMTP's EHLO) and auth stages.
const (
	StageDNS      Stage = "dns"
	StageConnect  Stage = "connect"
	StageTLS      Stage = "tls"
	StageGreeting Stage = "greeting"
	StageSTARTTLS Stage = "starttls"
	StageAuth     Stage = "auth"
	StageDone     Stage = "done"
)

// Stages of the send test (Request.SendTest), reported in Events with
// Index -1.
const (
	StageSend    Stage = "send"    // the message is handed to SMTP
	StageDeliver Stage = "deliver" // waiting for it in the INBOX or maildrop
	StageCleanup Stage = "cleanup" // deleting it again
)

// DefaultTimeout bounds each stage when Request.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// DefaultDeliveryTimeout bounds the wait for the test message.
const DefaultDeliveryTimeout = 2 * time.Minute

// Request says what to test.
type Request struct {
	// Address is the account's address: the send test's sender and recipient.
	Address account.Address
	// Servers are tested concurrently. Each Username must be set
	// (account.Config.For fills it in).
	Servers []account.Server
	// Password is used for every server. It never leaves memory except
	// inside the login itself.
	Password string
	// Provider, if known, supplies hints and links for the diagnosis text.
	Provider *account.Config
	// OAuth2, when set, is the browser sign-in the servers that sign in
	// with OAuth2 log in with (XOAUTH2, OAUTHBEARER); without it such a
	// server is tried with Password (an app password).
	OAuth2 *OAuth2Login
	// AllowPlaintext is the user's consent to send the password over a
	// connection without TLS (security "none").
	AllowPlaintext bool
	// SendTest sends a message to Address through the first SMTP server and
	// waits for it on the first incoming server, then deletes it.
	SendTest bool
	// SendFrom, when set, is the send test's From and envelope sender
	// instead of Address (a mailing program's sender substitution); the
	// message still goes to Address only.
	SendFrom string
	// BounceTest makes the send test a bounce test: the message goes to
	// a made-up address at a reserved domain nobody receives mail for
	// (RFC 2606 ".invalid", BounceDomain) instead of to Address, and the
	// test waits (IMAP only) for the delivery status notification that
	// names it, keeps it in SendTestResult.Report and deletes it. A server
	// that refuses the address at once is a result too (Reply).
	BounceTest bool
	// Lang is the language of the test message's subject and text ("en",
	// "ru"); English when empty.
	Lang string
	// ReadBack keeps the header of the arrived test message (at most
	// MaxReadBack bytes, IMAP only) in SendTestResult.Header before the
	// message is deleted.
	ReadBack bool
	// Timeout bounds each stage; zero means DefaultTimeout.
	Timeout time.Duration
	// DeliveryTimeout bounds the wait for the test message; zero means
	// DefaultDeliveryTimeout.
	DeliveryTimeout time.Duration
	// RootCAs verifies certificates; nil means the system pool.
	RootCAs *x509.CertPool
	// TrustedCerts are the certificate exceptions the user confirmed:
	// SHA-256 fingerprints (TLSInfo.SHA256; ParseFingerprint reads other
	// spellings). A server whose leaf certificate fails verification is
	// still accepted when that leaf's fingerprint is listed, and TLSInfo
	// says so with Exception. Nothing else is relaxed: another certificate
	// at the same server fails as before, and a host is never trusted by
	// its name alone.
	TrustedCerts []string
	// Alternatives[i], when set, are other servers of the same account that
	// may stand in for Servers[i] (the provider's other ports, preferred
	// first; [Alternatives] picks them from a config): they are tried only
	// when Servers[i] does not answer from this network (fallback.go).
	// Nil or empty: Servers[i] alone, exactly as given.
	Alternatives [][]account.Server
	// FallbackDelay is how long Servers[i] may stay silent after the name
	// is resolved before its alternatives are tried as well; zero means
	// DefaultFallbackDelay, negative: only once it has failed.
	FallbackDelay time.Duration
	// Resolver looks up host names; nil means net.DefaultResolver.
	Resolver *net.Resolver
	// Events, if set, is told when each stage starts and ends. Calls are
	// serialized (never concurrent) but come from Run's goroutines: a GUI
	// must hand them to its own thread and must not block.
	Events func(Event)
}

// Event reports one stage of one server.
type Event struct {
	// Index is the server's position in Request.Servers; -1 for the send test.
	Index int
	// Server is the server the stage talks to (for the send test: the
	// outgoing server while sending, the incoming one after).
	Server account.Server
	// Alternative: Server is not Request.Servers[Index] but one of its
	// Alternatives, tried because that one did not answer.
	Alternative bool
	Stage       Stage
	// Done is false when the stage starts and true when it ends.
	Done bool
	// Duration is how long the stage took (set when Done).
	Duration time.Duration
	// Err is why the stage failed, or nil. Its text holds no password.
	Err error
	// Diagnosis explains Err (set when Done and Err is not nil).
	Diagnosis *Diagnosis
}

// TLSInfo describes the certificate a server presented.
type TLSInfo struct {
	Version  string `json:"version"`  // "TLS 1.3"
	Verified bool   `json:"verified"` // the chain and name checked out
	// Exception: the chain, name or dates did not check out, but the leaf
	// is one the user accepted (Request.TrustedCerts). In JSON only when
	// true, so the contract's earlier fields are unchanged.
	Exception bool      `json:"exception,omitempty"`
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	NotAfter  time.Time `json:"not_after"`
	SHA256    string    `json:"sha256"` // of the leaf certificate's DER, hex
	// DNSNames are the names the certificate is valid for.
	DNSNames []string `json:"-"`
}

// Result is the outcome for one server.
type Result struct {
	Server account.Server
	OK     bool
	// Stage is the last stage reached: StageDone when OK, else the one that failed.
	Stage    Stage
	Duration time.Duration
	// Err is the failure, nil when OK. Error is its text, with the server's
	// own words kept.
	Err   error
	Error string
	// Diagnosis says what happened and what to do; nil when OK.
	Diagnosis *Diagnosis
	// TLS is the certificate seen, nil when no TLS was negotiated.
	TLS *TLSInfo
	// Capabilities the server announced, upper case, as last seen: IMAP
	// CAPABILITY and POP3 CAPA whole; for SMTP only "AUTH <mechanisms>" and
	// STARTTLS (go-smtp shows no other EHLO keywords).
	Capabilities []string
	// FallbackFrom is the preferred server (Request.Servers[i]) when Server
	// is one of its Alternatives, taken because the preferred did not
	// answer from this network; nil otherwise. FallbackText says so in
	// words, by language ("en", "ru").
	FallbackFrom *account.Server
	FallbackText map[string]string
	// Tried are the other servers tried in this place, each as it ended,
	// the preferred first: with FallbackFrom set, why the preferred was
	// left (and an alternative that ended on its own, silent or with an
	// answer, before the chosen one decided it; those stopped by the
	// outcome are left out); without it, the alternatives that did not
	// answer either. Empty when no alternative was tried.
	Tried []Result
}

// SendTestResult is the outcome of the send test.
type SendTestResult struct {
	OK    bool
	Stage Stage // StageSend, StageDeliver, StageCleanup or StageDone
	// Reply is the outgoing server's refusal of the message, when it
	// refused it: its words scrubbed of secrets and made safe to show.
	Reply *SMTPReply
	// Header is the arrived message's header, with Request.ReadBack.
	Header []byte
	// To is where the message went: Address, or the bounce test's
	// made-up address.
	To string
	// Report is the delivery status notification the bounce test
	// found (at most MaxReport bytes), before it was deleted.
	Report []byte
	// JunkFolder names the spam folder the message (the report, for a
	// bounce test) arrived in, made safe to show; "" for the INBOX.
	JunkFolder string
	// Delivery is the time from the end of SMTP DATA to seeing the
	// message (the report, for a bounce test).
	Delivery  time.Duration
	Err       error
	Error     string
	Diagnosis *Diagnosis
}

// SMTPReply is an SMTP server's reply.
type SMTPReply struct {
	Code     int
	Enhanced string // "5.7.1", "" when the server gave none
	Words    string
}

// MaxReadBack bounds the header Request.ReadBack keeps.
const MaxReadBack = 64 << 10

// MaxReport bounds the delivery status notification a bounce test
// keeps: the report and the returned test message, which is small.
const MaxReport = 256 << 10

// BounceDomain is the domain of the bounce test's recipient: under
// ".invalid", which RFC 2606 reserves so that it never exists, so the
// letter reaches nobody and the provider must report it undeliverable.
const BounceDomain = "mailwiz-bounce-test.invalid"

// Report is everything Run found.
type Report struct {
	OK      bool
	Results []Result // in the order of Request.Servers
	// SendTest is nil unless Request.SendTest was set.
	SendTest *SendTestResult
}

// Run tests every server in req concurrently and, with req.SendTest and all
// logins good, the round trip of a message. It always returns a complete
// Report; a cancelled ctx shows as failures of kind "timeout" with the
// context's error.
func Run(ctx context.Context, req Request) Report {
	if req.Timeout <= 0 {
		req.Timeout = DefaultTimeout
	}
	if req.DeliveryTimeout <= 0 {
		req.DeliveryTimeout = DefaultDeliveryTimeout
	}
	if req.Resolver == nil {
		req.Resolver = net.DefaultResolver
	}
	em := &emitter{f: req.Events}
	rep := Report{Results: make([]Result, len(req.Servers))}
	var wg sync.WaitGroup
	for i, srv := range req.Servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if alts := req.usableAlternatives(i); len(alts) > 0 {
				rep.Results[i] = runWithFallback(ctx, &req, i, alts, em)
				return
			}
			r := &runner{req: &req, srv: srv, index: i, em: em}
			rep.Results[i] = r.run(ctx)
		}()
	}
	wg.Wait()
	rep.OK = len(rep.Results) > 0
	for _, r := range rep.Results {
		rep.OK = rep.OK && r.OK
	}
	if req.SendTest {
		st := sendTest(ctx, &req, rep.Results, em)
		rep.SendTest = &st
		rep.OK = rep.OK && st.OK
	}
	return rep
}

type emitter struct {
	mu sync.Mutex
	f  func(Event)
}

func (e *emitter) emit(ev Event) {
	if e.f == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.f(ev)
}

// scrub removes the password from text that will be shown or stored, in
// case a server or library echoed it: the literal, its URL escapings, and
// any base64 or hex token whose decoding holds it (the SASL PLAIN blob
// "\x00user\x00password", LOGIN's base64 password, an XOAUTH2 payload),
// whatever the alignment of the password inside the blob.
func scrub(s string, secrets ...string) string {
	for _, secret := range secrets {
		s = scrubOne(s, secret)
	}
	return s
}

func scrubOne(s, password string) string {
	if len(password) < 3 {
		return s
	}
	for _, form := range []string{password, url.QueryEscape(password), url.PathEscape(password)} {
		s = strings.ReplaceAll(s, form, "****")
	}
	return encodedToken.ReplaceAllStringFunc(s, func(tok string) string {
		if decodesTo(tok, password) {
			return "****"
		}
		return tok
	})
}

// encodedToken is a run of base64 (standard or URL alphabet) or hex
// characters long enough to hold an encoded password.
var encodedToken = regexp.MustCompile(`[A-Za-z0-9+/_-]{4,}={0,2}`)

// decodesTo reports whether tok, read as base64 (either alphabet, padded
// or not, or its longest whole-quantum prefix, for a blob cut short) or as
// hex, holds password or a run of six of its characters (a blob cut
// short inside the password).
func decodesTo(tok, password string) bool {
	p := []byte(password)
	raw := strings.TrimRight(tok, "=")
	cands := []string{raw, raw[:len(raw)/4*4]}
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		for _, c := range cands {
			if b, err := enc.DecodeString(c); err == nil && holdsPart(b, p) {
				return true
			}
		}
	}
	if b, err := hex.DecodeString(tok[:len(tok)/2*2]); err == nil && holdsPart(b, p) {
		return true
	}
	return false
}

// holdsPart reports whether b contains p, or any six bytes of it in a row.
func holdsPart(b, p []byte) bool {
	k := min(6, len(p))
	for i := 0; i+k <= len(p); i++ {
		if bytes.Contains(b, p[i:i+k]) {
			return true
		}
	}
	return false
}

// scrubErr is err with the password cut out of its text, for the errors
// Run hands out (Result.Err, Event.Err) and a caller may log. errors.Is and
// errors.As still reach the cause.
func scrubErr(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	if s := scrub(text, secrets...); s != text {
		return &scrubbedError{err: err, text: s}
	}
	return err
}

// scrubDiagnosis drops from d a link that holds the password. Such a link
// is the server's (the provider's links come from our database): a
// refusal that quotes the password may put it in a help URL too, and a
// URL with the password cut out would lead nowhere, so none is shown.
func scrubDiagnosis(d *Diagnosis, secrets ...string) *Diagnosis {
	if d == nil {
		return d
	}
	// The texts may quote the server: no password, no control characters.
	for lang, t := range d.Text {
		d.Text[lang] = safetext.Show(scrub(t, secrets...))
	}
	for _, password := range secrets {
		if d.URL == "" || len(password) < 3 {
			continue
		}
		for _, p := range []string{password, url.QueryEscape(password), url.PathEscape(password)} {
			if strings.Contains(d.URL, p) {
				d.URL = ""
				break
			}
		}
	}
	return d
}

type scrubbedError struct {
	err  error
	text string
}

func (e *scrubbedError) Error() string { return e.text }
func (e *scrubbedError) Unwrap() error { return e.err }
