package probe

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
)

// texts: for each kind, what happened and what to do, in English and
// Russian. %[1]s is the host, %[2]d the port, %[3]s the protocol's name.
var texts = map[Kind]string{
	KindDNSFailed:           catalog.Key("The name %[1]s could not be found. Check the server name for typos; if it is right, check that this computer is online."),
	KindRefused:             catalog.Key("%[1]s refused the connection on port %[2]d: nothing answers there. Check the port, or the security setting it belongs to (SSL or STARTTLS)."),
	KindTimeout:             catalog.Key("%[1]s did not answer in time on port %[2]d. A firewall may be dropping the connection, or the server is overloaded: check the port and try again later."),
	KindTLSUntrusted:        catalog.Key("The certificate of %[1]s is not signed by an authority this computer trusts, so the connection could be intercepted. Do not continue unless your administrator confirms the certificate."),
	KindTLSHostnameMismatch: catalog.Key("The certificate presented on %[1]s belongs to a different name. Use the server name the certificate is for (your provider's help page lists it)."),
	KindTLSExpired:          catalog.Key("The certificate of %[1]s has expired (or the computer's clock is wrong). Check the date and time here; if they are right, tell the server's administrator."),
	KindSTARTTLSUnavailable: catalog.Key("%[1]s did not offer STARTTLS on port %[2]d, so the password was not sent. Something on the network may be removing it: use SSL (the implicit TLS port) instead."),
	KindBadCredentials:      catalog.Key("%[1]s did not accept the user name or password. Check both (the user name is usually the full address)."),
	KindAppPassword:         catalog.Key("Your provider requires an app password for mail programs: create one in your account's security settings and use it here instead of your usual password."),
	KindEnableIMAP:          catalog.Key("IMAP access is switched off for this account: turn it on in your mailbox's settings on the web, then test again."),
	KindEnablePOP:           catalog.Key("POP3 access is switched off for this account: turn it on in your mailbox's settings on the web, then test again."),
	KindOAuth2Required:      catalog.Key("Your provider no longer accepts passwords from mail programs (basic authentication is off): use a program that signs in through the browser (OAuth2), or ask your administrator to allow it."),
	KindWebLogin:            catalog.Key("Your provider blocked this sign-in as unusual: sign in once in a web browser, confirm it was you, then test again."),
	KindTooManyConnections:  catalog.Key("%[1]s has too many connections open for this account. Close other mail programs or devices using it, wait a few minutes, and test again."),
	KindPortBlocked:         catalog.Key("Port %[2]d on %[1]s did not answer: many internet providers block port 25. Use port 587 (STARTTLS) or 465 (SSL), or 2525 where your provider offers it."),
	KindPlaintextRefused:    catalog.Key("The connection to %[1]s is not encrypted, so the password was not sent. Use SSL or STARTTLS; only allow plaintext on a network you fully trust."),
	KindServerMisbehaving:   catalog.Key("%[1]s sent far more than a mail server ever sends (a line or a greeting without end), so mailwiz stopped listening. It may be broken, or not a mail server at all: check the server name and port."),
	KindTLSTooOld:           catalog.Key("%[1]s offers only an outdated encryption (TLS 1.0 or 1.1) that mailwiz does not accept, because it can be broken. The server's administrator or your provider must switch on TLS 1.2 or newer."),
	// %[4]s: the mechanisms the server offers.
	KindNoCommonMechanism: catalog.Key("%[1]s offers no way to log in that mailwiz knows: it offers only %[4]s, while mailwiz logs in with SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN or LOGIN. Ask your provider or the server's administrator to switch one of these on (PLAIN over SSL or STARTTLS is enough)."),
	KindTokenExpired:      catalog.Key("%[1]s refused the sign-in: it has run out. Sign in with the provider again (mailwiz signin)."),
	KindTokenRevoked:      catalog.Key("%[1]s refused the sign-in: it was withdrawn (a changed password, or the app's access removed in the account's security settings). Sign in with the provider again (mailwiz signin)."),
	KindTokenScope:        catalog.Key("%[1]s refused the sign-in: it does not allow mail access. Sign in again and allow mail access when the provider's page asks."),
	KindTokenConsent:      catalog.Key("%[1]s refused the sign-in: the access was not approved. Sign in again and approve it, or ask your organization's administrator to approve mailwiz."),
	KindTenantBlocked:     catalog.Key("%[1]s refused the sign-in: your organization does not allow mail programs to log in this way (IMAP, POP3 or SMTP authentication is off). Ask your administrator to turn it on for your mailbox."),
	// %[4]s: the least time between two logins, in words ("15 minutes").
	KindLoginDelay:  catalog.Key("%[1]s lets a mail program log in over POP3 only once every %[4]s, longer than the wait for the test message, so mailwiz sent none. The logins themselves worked. To see sending work, send yourself a message from your mail program and look for it after that time."),
	KindServerError: catalog.Key("%[1]s reported a problem (its own words are below). Try again later; if it persists, tell the provider what it said."),
}

// serverPlaintextText replaces the generic plaintext text when the server,
// not mailwiz, refused the password on a plain connection.
var serverPlaintextText = catalog.Key("%[1]s accepts a password only over an encrypted connection: use STARTTLS on this port, or SSL.")

// notTLSText: SSL was chosen but the port answers without TLS.
var notTLSText = catalog.Key("%[1]s does not speak TLS on port %[2]d from the start: this port wants STARTTLS (or is the wrong port). Choose STARTTLS here, or SSL on the provider's SSL port (993 IMAP, 995 POP3, 465 SMTP).")

// wantsTLSText: STARTTLS or plaintext was chosen on a port that starts
// with TLS, so the server waited for a TLS hello and never greeted.
var wantsTLSText = catalog.Key("%[1]s said nothing on port %[2]d: this port expects TLS from the first byte. Choose SSL for this port.")

// speaksTLSText: STARTTLS or plaintext was chosen, the server did not
// greet, and a TLS handshake on the same port succeeded.
var speaksTLSText = catalog.Key("%[1]s did not greet on port %[2]d but answers with TLS: this port wants SSL/TLS from the start, not STARTTLS. Choose SSL/TLS for this port.")

// untrustedFactText is KindTLSUntrusted's text without its advice, for a
// refused certificate whose fingerprint is known: trustText then states
// the condition (the administrator confirms it) once, and more exactly.
var untrustedFactText = catalog.Key("The certificate of %[1]s is not signed by an authority this computer trusts, so the connection could be intercepted.")

// trustText follows a refused certificate's explanation: its fingerprint,
// and that it may be accepted once someone who runs the server has
// confirmed it (a self-hosted server or Proton Mail Bridge has a
// certificate of its own). %s is the fingerprint.
var trustText = catalog.Key("Its SHA-256 fingerprint is %s. If the server's administrator confirms exactly this fingerprint (ask them yourself; do not go by a message telling you so), you may accept this certificate, and only this one, as an exception.")

// alsoTexts add the likely real cause to a refused password.
var alsoTexts = map[Kind]string{
	KindAppPassword:    catalog.Key("If you use two-step verification, this provider needs an app password instead of your usual one."),
	KindEnableIMAP:     catalog.Key("Also check that IMAP access is switched on in the mailbox's settings on the web."),
	KindEnablePOP:      catalog.Key("Also check that POP3 access is switched on in the mailbox's settings on the web."),
	KindOAuth2Required: catalog.Key("This provider may accept only browser sign-in (OAuth2) from mail programs."),
}

// explain is kind's text in lang for srv; more fills the texts' further
// verbs (%[4]s: the server's mechanisms for no-common-mechanism).
func explain(kind Kind, srv account.Server, lang string, more ...any) string {
	t, ok := texts[kind]
	if !ok {
		t = texts[KindServerError]
	}
	return format(catalog.T(lang, t), srv, more...)
}

// format fills in the host, port and protocol, then more; texts without
// verbs stay as they are (fmt would otherwise append the unused
// arguments). A verb without its argument shows as "?".
func format(t string, srv account.Server, more ...any) string {
	if !strings.Contains(t, "%[") {
		return t
	}
	args := []any{srv.Host, srv.Port, strings.ToUpper(string(srv.Protocol))}
	args = append(args, more...)
	for len(args) < 4 {
		args = append(args, "?")
	}
	return fmt.Sprintf(t, args...)
}

func alsoText(kind Kind, lang string) string {
	if t := alsoTexts[kind]; t != "" {
		return catalog.T(lang, t)
	}
	return ""
}

// fallbackWorksText: the preferred server did not answer and an
// alternative logged in. %[1]d is the preferred's port, %[2]s the
// alternative ("smtp.gmail.com:587 STARTTLS").
var fallbackWorksText = catalog.Key("Port %[1]d did not answer from your network; %[2]s works, so mailwiz uses it.")

// fallbackAnsweredText: the preferred server did not answer and an
// alternative answered but refused the login; what it said is the problem
// to fix.
var fallbackAnsweredText = catalog.Key("Port %[1]d did not answer from your network; %[2]s answered, so mailwiz tested that one.")

// alsoSilentText follows the diagnosis when the alternatives did not
// answer either. %s lists them.
var alsoSilentText = catalog.Key("mailwiz also tried %s: no answer there either, so this network probably blocks mail; try another network, or ask its administrator.")

// noEncryptionText names security "none" in a sentence.
var noEncryptionText = catalog.Key("without encryption")

// stageLabels are the words a person reads for each stage, in English.
// They are also the keys of the other languages in the wizard's
// translation files (assets/translations), so the GUI and the CLI say the
// same thing: "encrypting", not "tls".
var stageLabels = map[Stage]string{
	StageDNS:      catalog.Key("looking up the name"),
	StageConnect:  catalog.Key("connecting"),
	StageTLS:      catalog.Key("encrypting"),
	StageGreeting: catalog.Key("greeting"),
	StageSTARTTLS: catalog.Key("switching to encryption"),
	StageAuth:     catalog.Key("logging in"),
	StageDone:     catalog.Key("done"),
	StageSend:     catalog.Key("sending the test message"),
	StageDeliver:  catalog.Key("waiting for the test message"),
	StageCleanup:  catalog.Key("deleting the test message"),
}

// StageLabel is the English words for stage s (the JSON keeps the bare
// stage name); an unknown stage is given as it is.
func StageLabel(s Stage) string {
	if l, ok := stageLabels[s]; ok {
		return l
	}
	return string(s)
}

// StageLabels lists every stage that has a label, for checks that each
// one is translated.
func StageLabels() []Stage {
	return slices.Sorted(maps.Keys(stageLabels))
}

// minutes says d in whole minutes (at least one), in lang.
func minutes(d time.Duration, lang string) string {
	n := int((d + time.Minute - 1) / time.Minute)
	return catalog.T(lang, "{{.N}} min", "N", n)
}
