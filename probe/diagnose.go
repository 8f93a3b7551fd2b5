package probe

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-smtp"
	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/probe/pop3"
)

// Kind names what went wrong. The values are part of the JSON contract
// (DESIGN.md, "test --json").
type Kind string

// The diagnosis kinds.
const (
	KindDNSFailed           Kind = "dns-failed"
	KindRefused             Kind = "refused"
	KindTimeout             Kind = "timeout"
	KindTLSUntrusted        Kind = "tls-untrusted"
	KindTLSHostnameMismatch Kind = "tls-hostname-mismatch"
	KindTLSExpired          Kind = "tls-expired"
	KindSTARTTLSUnavailable Kind = "starttls-unavailable"
	KindBadCredentials      Kind = "bad-credentials"
	KindAppPassword         Kind = "app-password"
	KindEnableIMAP          Kind = "enable-imap"
	KindEnablePOP           Kind = "enable-pop"
	KindOAuth2Required      Kind = "oauth2-required"
	KindWebLogin            Kind = "web-login"
	KindTooManyConnections  Kind = "too-many-connections"
	KindPortBlocked         Kind = "port-blocked"
	KindPlaintextRefused    Kind = "plaintext-refused"
	KindServerError         Kind = "server-error"
	KindServerMisbehaving   Kind = "server-misbehaving"
	KindTLSTooOld           Kind = "tls-too-old"
	KindNoCommonMechanism   Kind = "no-common-mechanism"
	KindLoginDelay          Kind = "login-delay"
	// A browser sign-in's token refused (issue 14).
	KindTokenExpired  Kind = "token-expired"
	KindTokenRevoked  Kind = "token-revoked"
	KindTokenScope    Kind = "token-scope"
	KindTokenConsent  Kind = "token-consent"
	KindTenantBlocked Kind = "tenant-blocks-auth"
)

// Kinds lists every kind, for validation and documentation.
var Kinds = []Kind{KindDNSFailed, KindRefused, KindTimeout, KindTLSUntrusted,
	KindTLSHostnameMismatch, KindTLSExpired, KindSTARTTLSUnavailable, KindBadCredentials,
	KindAppPassword, KindEnableIMAP, KindEnablePOP, KindOAuth2Required, KindWebLogin,
	KindTooManyConnections, KindPortBlocked, KindPlaintextRefused, KindServerError,
	KindServerMisbehaving, KindTLSTooOld, KindNoCommonMechanism, KindLoginDelay,
	KindTokenExpired, KindTokenRevoked, KindTokenScope, KindTokenConsent, KindTenantBlocked}

// Diagnosis says in plain words what happened and what to do next.
type Diagnosis struct {
	Kind Kind
	// Text maps a language ("en", "ru") to the explanation.
	Text map[string]string
	// URL is the provider's own page for the fix, when known.
	URL string
	// CertSHA256 is set on tls-untrusted, tls-expired and
	// tls-hostname-mismatch: the fingerprint of the certificate refused,
	// which the user may accept (Request.TrustedCerts) once the server's
	// administrator has confirmed it. Text names it too.
	CertSHA256 string
}

// In returns the text in lang, falling back to English.
func (d *Diagnosis) In(lang string) string {
	if t := d.Text[lang]; t != "" {
		return t
	}
	return d.Text["en"]
}

// Errors of our own making, for errors.Is.
var (
	// ErrPlaintextRefused: the connection is not encrypted and the user did
	// not allow sending the password over it.
	ErrPlaintextRefused = errors.New("probe: the connection is not encrypted; the password was not sent (allow plaintext to send it anyway)")
	// ErrSTARTTLSUnavailable: STARTTLS was configured but the server does
	// not offer it.
	ErrSTARTTLSUnavailable = errors.New("probe: the server does not offer STARTTLS; refusing to continue without encryption")
	// ErrServerRefusesPlaintext: the server itself will not take a password
	// over this unencrypted connection (IMAP LOGINDISABLED, no AUTH before
	// STARTTLS).
	ErrServerRefusesPlaintext = errors.New("probe: the server does not accept a login on an unencrypted connection")
)

// StageTimeoutError is a stage that did not finish in time, or was cancelled.
type StageTimeoutError struct {
	Stage     Stage
	Limit     string // the stage timeout, e.g. "15s"
	Cancelled bool   // the caller cancelled rather than the clock ran out
	Err       error  // what the connection reported when it was cut
}

func (e *StageTimeoutError) Error() string {
	if e.Cancelled {
		return fmt.Sprintf("probe: cancelled during the %s stage", e.Stage)
	}
	return fmt.Sprintf("probe: no answer within %s in the %s stage", e.Limit, e.Stage)
}

func (e *StageTimeoutError) Unwrap() error { return e.Err }

// serverAnswer is what the server said, normalized across protocols.
type serverAnswer struct {
	code     string // IMAP response code, POP3 resp-code, SMTP enhanced code "5.7.8"
	smtpCode int
	text     string // the server's own words
	ok       bool
}

func answerOf(err error) serverAnswer {
	var ie *imap.Error
	var se *smtp.SMTPError
	var pe *pop3.Error
	switch {
	case errors.As(err, &ie):
		return serverAnswer{code: string(ie.Code), text: ie.Text, ok: true}
	case errors.As(err, &se):
		return serverAnswer{code: enhancedCode(se), smtpCode: se.Code, text: se.Message, ok: true}
	case errors.As(err, &pe):
		return serverAnswer{code: pe.Code, text: pe.Text, ok: true}
	}
	return serverAnswer{}
}

// errorText is the error as the user sees it, the server's own words kept
// whole: go-smtp's own text drops the enhanced status code, which is the
// part a provider's help page names.
func errorText(err error) string {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		code := strconv.Itoa(se.Code)
		if ec := enhancedCode(se); ec != "" {
			code += " " + ec
		}
		return "smtp: " + code + " " + se.Message
	}
	return err.Error()
}

// enhancedCode is the RFC 3463 code of an SMTP reply ("5.7.8"), or "" when
// the server sent none.
func enhancedCode(se *smtp.SMTPError) string {
	if se.EnhancedCode == (smtp.EnhancedCode{}) || se.EnhancedCode == smtp.NoEnhancedCode {
		return ""
	}
	return fmt.Sprintf("%d.%d.%d", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2])
}

// knownAnswer is a provider answer recognized by robust parts: a code, a
// key phrase (lower case), or both. The first match in knownAnswers wins.
type knownAnswer struct {
	who     string   // whose answer it is, for the reader of this table
	code    string   // must equal the answer's code, when set
	phrases []string // one must occur in the lower-cased text, when set
	kind    Kind
	also    []Kind           // further advice worth giving with it
	proto   account.Protocol // only for this protocol, when set
	// hosts, when set: only for servers whose name is one of these or
	// ends in "." and one of these (a provider's generic words, which
	// mean more on its own servers).
	hosts []string
}

// microsoftHosts are Microsoft's mail servers (Outlook.com, Microsoft
// 365). Exchange Online switched basic authentication off for IMAP and
// POP3 for every tenant in 2022-2023, and for Outlook.com accounts in
// September 2024: there, a refused password login is the policy, whatever
// the words, and a password (even an app password) cannot help.
var microsoftHosts = []string{"outlook.office365.com", "office365.com", "outlook.com", "office.com", "hotmail.com", "live.com"}

// knownAnswers: what the big providers really say. Sources: the providers'
// help pages and the answers quoted in client bug trackers (Thunderbird,
// K-9, Mailspring, mutt-wizard, himalaya).
var knownAnswers = []knownAnswer{
	// Gmail. "NO [ALERT] Application-specific password required:
	// https://support.google.com/accounts/answer/185833 (Failure)"
	// (https://github.com/LukeSmithxyz/mutt-wizard/issues/831), SMTP
	// "534 5.7.9 Application-specific password required."
	// (https://github.com/leiweibau/Pi.Alert/issues/236); "NO [WEBALERT
	// https://accounts.google.com/...] Web login required." and "NO [ALERT]
	// Please log in via your web browser" (https://github.com/pmengal/MailSystem.NET/issues/17,
	// https://github.com/smiley22/S22.Imap/issues/116).
	{who: "Gmail", phrases: []string{"application-specific password required"}, kind: KindAppPassword},
	{who: "Gmail", code: "WEBALERT", kind: KindWebLogin},
	{who: "Gmail", phrases: []string{"not enabled for imap"}, kind: KindEnableIMAP},
	{who: "Gmail", phrases: []string{"not enabled for pop"}, kind: KindEnablePOP},
	{who: "Gmail", phrases: []string{"log in via your web browser", "web login required", "log in with your web browser"}, kind: KindWebLogin},
	{who: "Gmail SMTP", code: "5.7.14", kind: KindWebLogin},
	{who: "Gmail SMTP", code: "5.7.9", kind: KindAppPassword},
	{who: "Gmail", phrases: []string{"too many simultaneous connections"}, kind: KindTooManyConnections},
	{who: "Gmail SMTP", phrases: []string{"username and password not accepted"}, kind: KindBadCredentials},
	// Mail.ru: "NEOBHODIM parol prilozheniya https://help.mail.ru/... / Application password is REQUIRED".
	{who: "Mail.ru", phrases: []string{"application password is required", "parol prilozheniya", "пароль для внешнего приложения"}, kind: KindAppPassword},
	// Yandex: "LOGIN Invalid credentials or IMAP is disabled", and SMTP's
	// "This user does not have access rights to this service" when mail
	// clients are off or an app password is required.
	{who: "Yandex", phrases: []string{"invalid credentials or imap is disabled"}, kind: KindBadCredentials, also: []Kind{KindAppPassword, KindEnableIMAP}},
	{who: "Yandex", phrases: []string{"does not have access rights to this service"}, kind: KindAppPassword, also: []Kind{KindEnableIMAP}},
	{who: "Yandex", phrases: []string{"suspects it may have been hacked", "access to your account has been temporarily restricted"}, kind: KindWebLogin},
	// Microsoft: Outlook.com and Microsoft 365 with basic authentication
	// (a password login) off, as each protocol words it. Each wording with
	// where it was seen.
	//
	// 5.7.139 is also the code of a plain wrong password:
	// "535 5.7.139 Authentication unsuccessful, the user credentials were
	// incorrect." (https://github.com/codassassin/email-bomber-v2.0/issues/1)
	{who: "Microsoft 365 SMTP", code: "5.7.139", phrases: []string{"user credentials were incorrect"}, kind: KindBadCredentials},
	// SMTP: "535 5.7.139 Authentication unsuccessful, basic authentication
	// is disabled." (https://github.com/nodemailer/nodemailer/issues/1714,
	// https://github.com/rpremraj/mailR/issues/107); IMAP LOGIN on
	// Outlook.com: "NO Basic authentication is disabled."
	// (https://github.com/holon-run/uxc/issues/445).
	{who: "Microsoft", phrases: []string{"basic authentication is disabled", "basic auth is disabled"}, kind: KindOAuth2Required},
	// SMTP: "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication
	// is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled"
	// (https://github.com/nodemailer/nodemailer/issues/1484).
	{who: "Microsoft 365 SMTP", phrases: []string{"smtpclientauthentication is disabled"}, kind: KindOAuth2Required},
	// SMTP: "535 5.7.139 Authentication unsuccessful, user is locked by
	// your organization's security defaults policy." and "... the request
	// did not meet the criteria to be authenticated successfully. Contact
	// your administrator." (Conditional Access blocking legacy
	// authentication) (https://docs.bookyourpto.com/features/smtp-troubleshoot).
	{who: "Microsoft 365 SMTP", phrases: []string{"security defaults policy", "did not meet the criteria to be authenticated"}, kind: KindOAuth2Required},
	// Any other 5.7.139 ("Authentication unsuccessful" with a reason) is
	// Microsoft's refusal of the password login itself.
	{who: "Microsoft 365 SMTP", code: "5.7.139", kind: KindOAuth2Required},
	// IMAP AUTHENTICATE with a token Exchange refuses, or basic auth off:
	// "NO AUTHENTICATE failed." with "AuthFailed:LogonDenied" in its detail
	// (https://phinit.de/en/2025/12/23/ms365-fix-logondenied-error-on-imap-oauth-powershell-fix).
	// BasicAuthBlocked is the name of the tenant setting behind it
	// (BasicAuthBlockedApps, https://office365itpros.com/2021/09/24/basic-authentication-exchange/);
	// a refusal naming it means the same.
	{who: "Microsoft 365", phrases: []string{"logondenied", "basicauthblocked"}, kind: KindOAuth2Required},
	// Outlook.com, a sign-in it found unusual: "LOGIN failed. Account is
	// blocked. Login to your account via a web browser to verify your
	// identity." (https://github.com/mscdex/node-imap/issues/799).
	{who: "Outlook.com", phrases: []string{"login to your account via a web browser"}, kind: KindWebLogin},
	// On Microsoft's own servers the generic refusals mean the same:
	// IMAP "NO LOGIN failed." (https://github.com/paperless-ngx/paperless-ngx/issues/1647,
	// https://github.com/imapsync/imapsync/issues/317), IMAP
	// "NO AUTHENTICATE failed." (https://github.com/Webklex/php-imap/issues/302,
	// https://github.com/barbushin/php-imap/issues/681), POP3
	// "-ERR Logon failure: unknown user name or bad password."
	// (https://github.com/nicm/fdm/issues/123) and "-ERR Authentication
	// failure: unknown user name or bad password."
	// (https://github.com/simonrob/email-oauth2-proxy/issues/244).
	{who: "Microsoft IMAP/POP3", hosts: microsoftHosts, phrases: []string{"login failed", "authenticate failed", "logon failure", "authentication failure"}, kind: KindOAuth2Required},
	// Yahoo: bad passwords are rate limited ("(#AUTH005) Too many bad auth attempts").
	{who: "Yahoo", phrases: []string{"too many bad auth attempts"}, kind: KindBadCredentials, also: []Kind{KindAppPassword}},
	// Plaintext refused by the server.
	{who: "any SMTP", phrases: []string{"must issue a starttls command first", "starttls first"}, kind: KindPlaintextRefused},
	{who: "Dovecot", phrases: []string{"plaintext authentication disallowed", "plaintext authentication not allowed"}, kind: KindPlaintextRefused},
	{who: "any IMAP", code: string(imap.ResponseCodePrivacyRequired), kind: KindPlaintextRefused},
	{who: "any SMTP", code: "5.7.11", kind: KindPlaintextRefused}, // encryption required (RFC 5248)
	// Connection limits.
	{who: "any", phrases: []string{"too many connections", "maximum number of connections", "connection limit", "too many concurrent"}, kind: KindTooManyConnections},
	{who: "any POP3", code: pop3.CodeInUse, kind: KindTooManyConnections},
	{who: "any IMAP", code: string(imap.ResponseCodeInUse), kind: KindTooManyConnections},
	// The server's own trouble, not the password's (RFC 3206, RFC 5530).
	{who: "any POP3", code: pop3.CodeSysTemp, kind: KindServerError},
	{who: "any POP3", code: pop3.CodeSysPerm, kind: KindServerError},
	{who: "any POP3", code: pop3.CodeLoginDelay, kind: KindServerError},
	{who: "any IMAP", code: string(imap.ResponseCodeUnavailable), kind: KindServerError},
	{who: "any IMAP", code: string(imap.ResponseCodeServerBug), kind: KindServerError},
	// Generic authentication failures.
	{who: "any IMAP", code: string(imap.ResponseCodeAuthenticationFailed), kind: KindBadCredentials},
	{who: "any IMAP", code: string(imap.ResponseCodeAuthorizationFailed), kind: KindBadCredentials},
	{who: "any POP3", code: pop3.CodeAuth, kind: KindBadCredentials},
	{who: "any SMTP", code: "5.7.8", kind: KindBadCredentials},
	{who: "any SMTP", code: "5.7.3", kind: KindBadCredentials},
	{who: "any", phrases: []string{"invalid credentials", "authentication failed", "login failed", "authenticate failed", "bad credentials", "incorrect authentication data", "invalid user or password", "authentication unsuccessful", "credentials invalid"}, kind: KindBadCredentials},
}

var urlRE = regexp.MustCompile(`https?://[^\s)>\]"']+`)

// diagnose classifies err once, for the server srv at stage, and writes the
// text, using the provider's hints for links and advice.
func diagnose(err error, srv account.Server, stage Stage, provider *account.Config) *Diagnosis {
	kind, also, serverURL := classify(err, srv, stage)
	d := &Diagnosis{Kind: kind, Text: map[string]string{}}
	var rec tls.RecordHeaderError
	wrongTLS := errors.As(err, &rec)
	// STARTTLS (or plaintext) on a port that wants TLS from the first byte:
	// the server waits for a TLS hello and never greets.
	wrongPlain := kind == KindTimeout && stage == StageGreeting && srv.Security != account.SSL && implicitTLSPort(srv.Port)
	var noMech *NoMechanismError
	var delay *LoginDelayError
	var token *TokenError
	for _, lang := range []string{"en", "ru"} {
		d.Text[lang] = explain(kind, srv, lang)
		switch {
		case errors.As(err, &noMech):
			d.Text[lang] = explain(kind, srv, lang, mechNames(noMech.Offered))
		case errors.As(err, &delay):
			d.Text[lang] = explain(kind, srv, lang, minutes(delay.Delay, lang))
		case errors.As(err, &token):
			// The oauth package's words: what happened to the sign-in and
			// how to sign in again.
			d.Text[lang] = token.Problem.Message(lang)
		case errors.Is(err, ErrWantsTLS):
			d.Text[lang] = format(catalog.T(lang, speaksTLSText), srv)
		case kind == KindPlaintextRefused && !errors.Is(err, ErrPlaintextRefused):
			d.Text[lang] = format(catalog.T(lang, serverPlaintextText), srv)
		case wrongTLS:
			d.Text[lang] = format(catalog.T(lang, notTLSText), srv)
		case wrongPlain:
			d.Text[lang] = format(catalog.T(lang, wantsTLSText), srv)
		}
	}
	// A refused certificate can be accepted as an exception: say which one
	// and on what condition.
	var ce *CertificateError
	if errors.As(err, &ce) && ce.SHA256 != "" && (kind == KindTLSUntrusted || kind == KindTLSExpired || kind == KindTLSHostnameMismatch) {
		d.CertSHA256 = ce.SHA256
		for _, lang := range []string{"en", "ru"} {
			if kind == KindTLSUntrusted {
				// The base text's "unless your administrator confirms" would
				// say trustText's condition twice.
				d.Text[lang] = format(catalog.T(lang, untrustedFactText), srv)
			}
			d.Text[lang] += " " + fmt.Sprintf(catalog.T(lang, trustText), ce.SHA256)
		}
	}
	// The provider's own link for this kind, else one the server sent.
	if h, ok := hintFor(provider, hintKind(kind)); ok {
		d.URL = h.URL
	} else if serverURL != "" && kind != KindBadCredentials {
		d.URL = serverURL
	}
	// A refused password at a provider that needs an app password, IMAP/POP
	// switched on, or a browser sign-in: the usual real cause. Say so.
	if kind == KindBadCredentials || len(also) > 0 {
		extra := also
		if provider != nil {
			for _, k := range []Kind{KindAppPassword, KindEnableIMAP, KindEnablePOP, KindOAuth2Required} {
				if k == KindEnableIMAP && srv.Protocol != account.IMAP || k == KindEnablePOP && srv.Protocol != account.POP3 {
					continue
				}
				if provider.HasHint(hintKind(k)) && !slices.Contains(extra, k) {
					extra = append(extra, k)
				}
			}
		}
		for _, k := range extra {
			if k == kind {
				continue
			}
			for _, lang := range []string{"en", "ru"} {
				d.Text[lang] += " " + alsoText(k, lang)
			}
			if d.URL == "" {
				if h, ok := hintFor(provider, hintKind(k)); ok {
					d.URL = h.URL
				}
			}
		}
	}
	return d
}

// classify maps an error onto a Kind, with advice kinds a known provider
// answer adds and a URL the server sent.
func classify(err error, srv account.Server, stage Stage) (Kind, []Kind, string) {
	var (
		te        *StageTimeoutError
		dnsErr    *net.DNSError
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		invalid   x509.CertificateInvalidError
		tlsVerify *tls.CertificateVerificationError
		netErr    net.Error
	)
	switch {
	case errors.As(err, new(*MisbehavingError)):
		return KindServerMisbehaving, nil, ""
	case tlsTooOld(err):
		return KindTLSTooOld, nil, ""
	case errors.As(err, new(*NoMechanismError)):
		return KindNoCommonMechanism, nil, ""
	case errors.As(err, new(*LoginDelayError)):
		return KindLoginDelay, nil, ""
	case errors.As(err, new(*TokenError)):
		k, _ := tokenKind(err)
		return k, nil, ""
	case errors.As(err, new(*oauthOnlyError)):
		return KindOAuth2Required, nil, ""
	case errors.Is(err, ErrWantsTLS):
		// The kind a silent TLS port has always had; the text says what
		// was found.
		return KindTimeout, nil, ""
	case errors.Is(err, ErrPlaintextRefused), errors.Is(err, ErrServerRefusesPlaintext):
		return KindPlaintextRefused, nil, ""
	case errors.Is(err, ErrSTARTTLSUnavailable), errors.Is(err, pop3.ErrSTLSUnavailable):
		return KindSTARTTLSUnavailable, nil, ""
	case errors.As(err, &hostErr):
		return KindTLSHostnameMismatch, nil, ""
	case errors.As(err, &unknownCA):
		return KindTLSUntrusted, nil, ""
	case errors.As(err, &invalid):
		if invalid.Reason == x509.Expired {
			return KindTLSExpired, nil, ""
		}
		return KindTLSUntrusted, nil, ""
	case errors.As(err, &tlsVerify):
		return KindTLSUntrusted, nil, ""
	case errors.As(err, &te):
		if blocked(srv, te.Stage) && !te.Cancelled {
			return KindPortBlocked, nil, ""
		}
		return KindTimeout, nil, ""
	case errors.As(err, &dnsErr):
		return KindDNSFailed, nil, ""
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused, nil, ""
	}
	if a := answerOf(err); a.ok {
		lower := strings.ToLower(a.text)
		url := urlRE.FindString(a.text)
		for _, k := range knownAnswers {
			if k.proto != "" && k.proto != srv.Protocol {
				continue
			}
			if k.code != "" && !strings.EqualFold(k.code, a.code) {
				continue
			}
			if len(k.phrases) > 0 && !containsAny(lower, k.phrases) {
				continue
			}
			if len(k.hosts) > 0 && !hostIn(srv.Host, k.hosts) {
				continue
			}
			return k.kind, k.also, url
		}
		// An unrecognized refusal of the login itself is, by far most
		// often, the password: 5xx from SMTP AUTH, NO from IMAP LOGIN,
		// -ERR from POP3 PASS.
		if stage == StageAuth && (a.smtpCode == 0 || a.smtpCode >= 500 && a.smtpCode < 600) {
			var ie *imap.Error
			if !errors.As(err, &ie) || ie.Type == imap.StatusResponseTypeNo {
				return KindBadCredentials, nil, url
			}
		}
		return KindServerError, nil, url
	}
	if errors.As(err, &netErr) && netErr.Timeout() {
		if blocked(srv, stage) {
			return KindPortBlocked, nil, ""
		}
		return KindTimeout, nil, ""
	}
	return KindServerError, nil, ""
}

// implicitTLSPort: the standard ports where TLS starts with the first byte.
func implicitTLSPort(port int) bool { return port == 993 || port == 995 || port == 465 }

// blocked: many ISPs drop outgoing connections to port 25, so a silent
// port 25 is most likely that.
func blocked(srv account.Server, stage Stage) bool {
	return srv.Protocol == account.SMTP && srv.Port == 25 && (stage == StageConnect || stage == StageGreeting || stage == StageTLS)
}

// hostIn reports whether host is one of domains or a name under one.
func hostIn(host string, domains []string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, d := range domains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

func containsAny(s string, subs []string) bool {
	for _, p := range subs {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

func hintKind(k Kind) account.HintKind {
	switch k {
	case KindAppPassword:
		return account.HintAppPassword
	case KindEnableIMAP:
		return account.HintEnableIMAP
	case KindEnablePOP:
		return account.HintEnablePOP
	case KindOAuth2Required:
		return account.HintOAuth2Required
	case KindWebLogin:
		return account.HintWebLogin
	case KindPortBlocked:
		return account.HintPort25Blocked
	case KindPlaintextRefused:
		return account.HintPlaintext
	}
	return ""
}

func hintFor(p *account.Config, k account.HintKind) (account.Hint, bool) {
	if p == nil || k == "" {
		return account.Hint{}, false
	}
	for _, h := range p.Hints {
		if h.Kind == k && h.URL != "" {
			return h, true
		}
	}
	return account.Hint{}, false
}

// tlsTooOld reports a TLS handshake that failed because the server offers
// only a protocol version mailwiz refuses (TLS 1.0 or 1.1): crypto/tls
// says "server selected unsupported protocol version", or the server
// sends the protocol_version alert (70) when it cannot go as high.
func tlsTooOld(err error) bool {
	var alert tls.AlertError
	if errors.As(err, &alert) && alert == 70 {
		return true
	}
	return strings.Contains(err.Error(), "unsupported protocol version") || strings.Contains(err.Error(), "protocol version not supported")
}
