package providers

import (
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
)

// westPin is what a person at one domain of part 1 of the database (the
// providers of Western Europe and the Americas, the global ones, and
// Proton and Tuta) must get without a network: the preferred incoming and
// outgoing server with its login and authentication, and the hints without
// which a correct client still fails.
type westPin struct {
	domain string // looked up with Lookup; "mx:HOST" looks up LookupMX(HOST)
	id     string
	in     account.Server // Username is the login for "jane.doe+news@<domain>"
	out    account.Server
	hints  []account.HintKind
}

const westLocal = "jane.doe"

// west builds an expected server logging in with the full address (user
// "@") or the local part (user "local") of jane.doe+news@domain; auth
// defaults to a password.
func west(p account.Protocol, host string, port int, sec account.Security, user string, auth ...account.Auth) account.Server {
	a := account.AuthPassword
	if len(auth) > 0 {
		a = auth[0]
	}
	return account.Server{Protocol: p, Host: host, Port: port, Security: sec, Username: user, Auth: a}
}

var (
	wSSL      = account.SSL
	wSTARTTLS = account.STARTTLS
	wIMAP     = account.IMAP
	wPOP3     = account.POP3
	wSMTP     = account.SMTP
	wOAuth2   = account.AuthOAuth2
	wFull     = "@"
	wLocal    = "local"
)

// westPins pins the main domain of every part-1 provider and a sample of
// alias domains. A change here is a change in what users are told: check it
// against the provider's help page named at the top of the data file.
var westPins = []westPin{
	// Outlook.com: OAuth2 only since 16 September 2024; a password fails.
	// IMAP and POP are off by default and must be switched on in Outlook.com's settings.
	{"outlook.com", "outlook",
		west(wIMAP, "outlook.office365.com", 993, wSSL, wFull, wOAuth2),
		west(wSMTP, "smtp-mail.outlook.com", 587, wSTARTTLS, wFull, wOAuth2),
		[]account.HintKind{account.HintOAuth2Required, account.HintEnableIMAP}},
	{"hotmail.com", "outlook",
		west(wIMAP, "outlook.office365.com", 993, wSSL, wFull, wOAuth2),
		west(wSMTP, "smtp-mail.outlook.com", 587, wSTARTTLS, wFull, wOAuth2),
		[]account.HintKind{account.HintOAuth2Required, account.HintEnableIMAP}},
	{"hotmail.co.uk", "outlook",
		west(wIMAP, "outlook.office365.com", 993, wSSL, wFull, wOAuth2),
		west(wSMTP, "smtp-mail.outlook.com", 587, wSTARTTLS, wFull, wOAuth2), nil},
	{"live.ru", "outlook",
		west(wIMAP, "outlook.office365.com", 993, wSSL, wFull, wOAuth2),
		west(wSMTP, "smtp-mail.outlook.com", 587, wSTARTTLS, wFull, wOAuth2), nil},
	{"outlook.de", "outlook",
		west(wIMAP, "outlook.office365.com", 993, wSSL, wFull, wOAuth2),
		west(wSMTP, "smtp-mail.outlook.com", 587, wSTARTTLS, wFull, wOAuth2), nil},
	{"msn.com", "outlook",
		west(wIMAP, "outlook.office365.com", 993, wSSL, wFull, wOAuth2),
		west(wSMTP, "smtp-mail.outlook.com", 587, wSTARTTLS, wFull, wOAuth2), nil},
	{"mx:eur.olc.protection.outlook.com", "outlook",
		west(wIMAP, "outlook.office365.com", 993, wSSL, wFull, wOAuth2),
		west(wSMTP, "smtp-mail.outlook.com", 587, wSTARTTLS, wFull, wOAuth2), nil},
	// Microsoft 365: custom domains only, found by MX; OAuth2.
	{"mx:contoso-com.mail.protection.outlook.com", "microsoft365",
		west(wIMAP, "outlook.office365.com", 993, wSSL, wFull, wOAuth2),
		west(wSMTP, "smtp.office365.com", 587, wSTARTTLS, wFull, wOAuth2),
		[]account.HintKind{account.HintOAuth2Required}},

	// Yahoo: app password; implicit TLS for sending first.
	{"yahoo.com", "yahoo",
		west(wIMAP, "imap.mail.yahoo.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.mail.yahoo.com", 465, wSSL, wFull),
		[]account.HintKind{account.HintAppPassword}},
	{"ymail.com", "yahoo",
		west(wIMAP, "imap.mail.yahoo.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.mail.yahoo.com", 465, wSSL, wFull), nil},
	{"rocketmail.com", "yahoo",
		west(wIMAP, "imap.mail.yahoo.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.mail.yahoo.com", 465, wSSL, wFull), nil},
	{"yahoo.co.uk", "yahoo",
		west(wIMAP, "imap.mail.yahoo.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.mail.yahoo.com", 465, wSSL, wFull), nil},
	{"cox.net", "yahoo",
		west(wIMAP, "imap.mail.yahoo.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.mail.yahoo.com", 465, wSSL, wFull), nil},
	{"mx:mta6.am0.yahoodns.net", "yahoo",
		west(wIMAP, "imap.mail.yahoo.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.mail.yahoo.com", 465, wSSL, wFull), nil},
	{"yahoo.co.jp", "yahoojp",
		west(wIMAP, "imap.mail.yahoo.co.jp", 993, wSSL, wLocal),
		west(wSMTP, "smtp.mail.yahoo.co.jp", 465, wSSL, wLocal),
		[]account.HintKind{account.HintEnableIMAP}},

	// AOL, and Verizon on AOL's servers: app password.
	{"aol.com", "aol",
		west(wIMAP, "imap.aol.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.aol.com", 465, wSSL, wFull),
		[]account.HintKind{account.HintAppPassword}},
	{"aim.com", "aol",
		west(wIMAP, "imap.aol.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.aol.com", 465, wSSL, wFull), nil},
	{"verizon.net", "aol",
		west(wIMAP, "imap.aol.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.aol.com", 465, wSSL, wFull),
		[]account.HintKind{account.HintAppPassword}},

	// iCloud: IMAP logs in with the name part, SMTP with the address.
	{"icloud.com", "icloud",
		west(wIMAP, "imap.mail.me.com", 993, wSSL, wLocal),
		west(wSMTP, "smtp.mail.me.com", 587, wSTARTTLS, wFull),
		[]account.HintKind{account.HintAppPassword}},
	{"me.com", "icloud",
		west(wIMAP, "imap.mail.me.com", 993, wSSL, wLocal),
		west(wSMTP, "smtp.mail.me.com", 587, wSTARTTLS, wFull), nil},
	{"mac.com", "icloud",
		west(wIMAP, "imap.mail.me.com", 993, wSSL, wLocal),
		west(wSMTP, "smtp.mail.me.com", 587, wSTARTTLS, wFull), nil},

	// GMX (Germany) and GMX.com (international) are different servers.
	{"gmx.net", "gmx",
		west(wIMAP, "imap.gmx.net", 993, wSSL, wFull),
		west(wSMTP, "mail.gmx.net", 465, wSSL, wFull),
		[]account.HintKind{account.HintEnableIMAP}},
	{"gmx.de", "gmx",
		west(wIMAP, "imap.gmx.net", 993, wSSL, wFull),
		west(wSMTP, "mail.gmx.net", 465, wSSL, wFull), nil},
	{"gmx.at", "gmx",
		west(wIMAP, "imap.gmx.net", 993, wSSL, wFull),
		west(wSMTP, "mail.gmx.net", 465, wSSL, wFull), nil},
	{"gmx.ch", "gmx",
		west(wIMAP, "imap.gmx.net", 993, wSSL, wFull),
		west(wSMTP, "mail.gmx.net", 465, wSSL, wFull), nil},
	{"gmx.com", "gmxcom",
		west(wIMAP, "imap.gmx.com", 993, wSSL, wFull),
		west(wSMTP, "mail.gmx.com", 465, wSSL, wFull),
		[]account.HintKind{account.HintEnableIMAP}},
	{"gmx.us", "gmxcom",
		west(wIMAP, "imap.gmx.com", 993, wSSL, wFull),
		west(wSMTP, "mail.gmx.com", 465, wSSL, wFull), nil},
	{"gmx.co.uk", "gmxcom",
		west(wIMAP, "imap.gmx.com", 993, wSSL, wFull),
		west(wSMTP, "mail.gmx.com", 465, wSSL, wFull), nil},
	{"gmx.fr", "gmxcom",
		west(wIMAP, "imap.gmx.com", 993, wSSL, wFull),
		west(wSMTP, "mail.gmx.com", 465, wSSL, wFull), nil},
	{"web.de", "webde",
		west(wIMAP, "imap.web.de", 993, wSSL, wFull),
		west(wSMTP, "smtp.web.de", 465, wSSL, wFull),
		[]account.HintKind{account.HintEnableIMAP}},
	{"email.de", "webde",
		west(wIMAP, "imap.web.de", 993, wSSL, wFull),
		west(wSMTP, "smtp.web.de", 465, wSSL, wFull),
		nil},
	// T-Online: a separate e-mail password; freenet: access switched on first.
	{"t-online.de", "tonline",
		west(wIMAP, "secureimap.t-online.de", 993, wSSL, wFull),
		west(wSMTP, "securesmtp.t-online.de", 465, wSSL, wFull),
		[]account.HintKind{account.HintAppPassword}},
	{"magenta.de", "tonline",
		west(wIMAP, "secureimap.t-online.de", 993, wSSL, wFull),
		west(wSMTP, "securesmtp.t-online.de", 465, wSSL, wFull), nil},
	{"freenet.de", "freenet",
		west(wIMAP, "mx.freenet.de", 993, wSSL, wFull),
		west(wSMTP, "mx.freenet.de", 465, wSSL, wFull),
		[]account.HintKind{account.HintEnableIMAP}},

	// Fastmail: implicit TLS only, app password always.
	{"fastmail.com", "fastmail",
		west(wIMAP, "imap.fastmail.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.fastmail.com", 465, wSSL, wFull),
		[]account.HintKind{account.HintAppPassword}},
	{"fastmail.fm", "fastmail",
		west(wIMAP, "imap.fastmail.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.fastmail.com", 465, wSSL, wFull), nil},
	{"mx:in1-smtp.messagingengine.com", "fastmail",
		west(wIMAP, "imap.fastmail.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.fastmail.com", 465, wSSL, wFull), nil},

	// Posteo and mailbox.org.
	{"posteo.de", "posteo",
		west(wIMAP, "posteo.de", 993, wSSL, wFull),
		west(wSMTP, "posteo.de", 465, wSSL, wFull),
		[]account.HintKind{account.HintAppPassword}},
	{"posteo.net", "posteo",
		west(wIMAP, "posteo.de", 993, wSSL, wFull),
		west(wSMTP, "posteo.de", 465, wSSL, wFull), nil},
	{"mailbox.org", "mailboxorg",
		west(wIMAP, "imap.mailbox.org", 993, wSSL, wFull),
		west(wSMTP, "smtp.mailbox.org", 465, wSSL, wFull), nil},

	// Proton: only through Bridge on this computer, STARTTLS by default.
	{"proton.me", "proton",
		west(wIMAP, "127.0.0.1", 1143, wSTARTTLS, wFull),
		west(wSMTP, "127.0.0.1", 1025, wSTARTTLS, wFull),
		[]account.HintKind{account.HintInfo}},
	{"protonmail.com", "proton",
		west(wIMAP, "127.0.0.1", 1143, wSTARTTLS, wFull),
		west(wSMTP, "127.0.0.1", 1025, wSTARTTLS, wFull), nil},
	{"pm.me", "proton",
		west(wIMAP, "127.0.0.1", 1143, wSTARTTLS, wFull),
		west(wSMTP, "127.0.0.1", 1025, wSTARTTLS, wFull), nil},
	// Zoho: personal addresses per data centre; organisations found by MX.
	{"zoho.com", "zoho",
		west(wIMAP, "imap.zoho.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.zoho.com", 465, wSSL, wFull),
		[]account.HintKind{account.HintEnableIMAP}},
	{"zohomail.com", "zoho",
		west(wIMAP, "imap.zoho.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.zoho.com", 465, wSSL, wFull), nil},
	{"zoho.eu", "zohoeu",
		west(wIMAP, "imap.zoho.eu", 993, wSSL, wFull),
		west(wSMTP, "smtp.zoho.eu", 465, wSSL, wFull),
		[]account.HintKind{account.HintEnableIMAP}},
	{"zoho.in", "zohoin",
		west(wIMAP, "imap.zoho.in", 993, wSSL, wFull),
		west(wSMTP, "smtp.zoho.in", 465, wSSL, wFull), nil},
	{"mx:mx2.zoho.com", "zohobiz",
		west(wIMAP, "imappro.zoho.com", 993, wSSL, wFull),
		west(wSMTP, "smtppro.zoho.com", 465, wSSL, wFull),
		[]account.HintKind{account.HintEnableIMAP}},
	{"mx:mx.zoho.eu", "zohobizeu",
		west(wIMAP, "imappro.zoho.eu", 993, wSSL, wFull),
		west(wSMTP, "smtppro.zoho.eu", 465, wSSL, wFull), nil},
	{"mx:mx.zoho.in", "zohobizin",
		west(wIMAP, "imappro.zoho.in", 993, wSSL, wFull),
		west(wSMTP, "smtppro.zoho.in", 465, wSSL, wFull), nil},
	{"mx:mx.zoho.com.au", "zohobizau",
		west(wIMAP, "imappro.zoho.com.au", 993, wSSL, wFull),
		west(wSMTP, "smtppro.zoho.com.au", 465, wSSL, wFull), nil},
	// mail.com: ~190 vanity domains; IMAP only with Premium, switched on.
	{"mail.com", "mailcom",
		west(wIMAP, "imap.mail.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.mail.com", 465, wSSL, wFull),
		[]account.HintKind{account.HintEnableIMAP}},
	{"email.com", "mailcom",
		west(wIMAP, "imap.mail.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.mail.com", 465, wSSL, wFull),
		nil},
	{"usa.com", "mailcom",
		west(wIMAP, "imap.mail.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.mail.com", 465, wSSL, wFull),
		nil},
	{"myself.com", "mailcom",
		west(wIMAP, "imap.mail.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.mail.com", 465, wSSL, wFull),
		nil},
	{"consultant.com", "mailcom",
		west(wIMAP, "imap.mail.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.mail.com", 465, wSSL, wFull),
		nil},
	{"mad.scientist.com", "mailcom",
		west(wIMAP, "imap.mail.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.mail.com", 465, wSSL, wFull),
		nil},

	// US ISPs: Comcast (Xfinity), AT&T and its legacy domains.
	{"comcast.net", "comcast",
		west(wIMAP, "imap.comcast.net", 993, wSSL, wFull),
		west(wSMTP, "smtp.comcast.net", 465, wSSL, wFull),
		[]account.HintKind{account.HintEnableIMAP}},
	{"att.net", "att",
		west(wIMAP, "imap.mail.att.net", 993, wSSL, wFull),
		west(wSMTP, "smtp.mail.att.net", 465, wSSL, wFull),
		[]account.HintKind{account.HintAppPassword}},
	{"sbcglobal.net", "att",
		west(wIMAP, "imap.mail.att.net", 993, wSSL, wFull),
		west(wSMTP, "smtp.mail.att.net", 465, wSSL, wFull),
		[]account.HintKind{account.HintAppPassword}},
	{"bellsouth.net", "att",
		west(wIMAP, "imap.mail.att.net", 993, wSSL, wFull),
		west(wSMTP, "smtp.mail.att.net", 465, wSSL, wFull),
		nil},
	{"pacbell.net", "att",
		west(wIMAP, "imap.mail.att.net", 993, wSSL, wFull),
		west(wSMTP, "smtp.mail.att.net", 465, wSSL, wFull),
		nil},

	// France: Orange (with Wanadoo), Free (logs in with the local part).
	{"orange.fr", "orange",
		west(wIMAP, "imap.orange.fr", 993, wSSL, wFull),
		west(wSMTP, "smtp.orange.fr", 465, wSSL, wFull),
		nil},
	{"wanadoo.fr", "orange",
		west(wIMAP, "imap.orange.fr", 993, wSSL, wFull),
		west(wSMTP, "smtp.orange.fr", 465, wSSL, wFull),
		nil},
	{"free.fr", "free",
		west(wIMAP, "imap.free.fr", 993, wSSL, wLocal),
		west(wSMTP, "smtp.free.fr", 465, wSSL, wLocal),
		nil},
	// Europe: France, Italy, Switzerland, Czechia, the UK, Sweden; privacy mail.
	{"laposte.net", "laposte",
		west(wIMAP, "imap.laposte.net", 993, wSSL, wLocal),
		west(wSMTP, "smtp.laposte.net", 465, wSSL, wLocal),
		nil},
	{"sfr.fr", "sfr",
		west(wIMAP, "imap.sfr.fr", 993, wSSL, wFull),
		west(wSMTP, "smtp.sfr.fr", 465, wSSL, wFull),
		nil},
	{"neuf.fr", "sfr",
		west(wIMAP, "imap.sfr.fr", 993, wSSL, wFull),
		west(wSMTP, "smtp.sfr.fr", 465, wSSL, wFull),
		nil},
	{"libero.it", "libero",
		west(wIMAP, "imapmail.libero.it", 993, wSSL, wFull),
		west(wSMTP, "smtp.libero.it", 465, wSSL, wFull),
		nil},
	{"inwind.it", "libero",
		west(wIMAP, "imapmail.libero.it", 993, wSSL, wFull),
		west(wSMTP, "smtp.libero.it", 465, wSSL, wFull),
		nil},
	{"virgilio.it", "virgilio",
		west(wIMAP, "in.virgilio.it", 993, wSSL, wFull),
		west(wSMTP, "out.virgilio.it", 465, wSSL, wFull),
		nil},
	{"aruba.it", "aruba",
		west(wIMAP, "imaps.aruba.it", 993, wSSL, wFull),
		west(wSMTP, "smtps.aruba.it", 465, wSSL, wFull),
		nil},
	{"bluewin.ch", "bluewin",
		west(wIMAP, "imaps.bluewin.ch", 993, wSSL, wFull),
		west(wSMTP, "smtpauths.bluewin.ch", 465, wSSL, wFull),
		nil},
	{"seznam.cz", "seznam",
		west(wIMAP, "imap.seznam.cz", 993, wSSL, wFull),
		west(wSMTP, "smtp.seznam.cz", 465, wSSL, wFull),
		nil},
	{"email.cz", "seznam",
		west(wIMAP, "imap.seznam.cz", 993, wSSL, wFull),
		west(wSMTP, "smtp.seznam.cz", 465, wSSL, wFull),
		nil},
	{"post.cz", "seznam",
		west(wIMAP, "imap.seznam.cz", 993, wSSL, wFull),
		west(wSMTP, "smtp.seznam.cz", 465, wSSL, wFull),
		nil},
	{"spoluzaci.cz", "seznam",
		west(wIMAP, "imap.seznam.cz", 993, wSSL, wFull),
		west(wSMTP, "smtp.seznam.cz", 465, wSSL, wFull),
		nil},
	{"btinternet.com", "bt",
		west(wIMAP, "mail.btinternet.com", 993, wSSL, wFull),
		west(wSMTP, "mail.btinternet.com", 465, wSSL, wFull),
		nil},
	{"hushmail.com", "hushmail",
		west(wIMAP, "imap.hushmail.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.hushmail.com", 465, wSSL, wFull),
		nil},
	{"runbox.com", "runbox",
		west(wIMAP, "mail.runbox.com", 993, wSSL, wFull),
		west(wSMTP, "mail.runbox.com", 465, wSSL, wFull),
		[]account.HintKind{account.HintAppPassword}},
	{"rbx.email", "runbox",
		west(wIMAP, "mail.runbox.com", 993, wSSL, wFull),
		west(wSMTP, "mail.runbox.com", 465, wSSL, wFull),
		nil},
	{"telia.com", "telia",
		west(wIMAP, "mailin.telia.com", 993, wSSL, wFull),
		west(wSMTP, "mailout.telia.com", 465, wSSL, wFull),
		nil},
	// Cable and telecom ISPs: US, Canada, UK, Netherlands, Belgium.
	{"charter.net", "spectrum",
		west(wIMAP, "mobile.charter.net", 993, wSSL, wFull),
		west(wSMTP, "mobile.charter.net", 587, wSSL, wFull),
		nil},
	{"spectrum.net", "spectrum",
		west(wIMAP, "mobile.charter.net", 993, wSSL, wFull),
		west(wSMTP, "mobile.charter.net", 587, wSSL, wFull),
		nil},
	{"windstream.net", "windstream",
		west(wIMAP, "imap.windstream.net", 993, wSSL, wFull),
		west(wSMTP, "smtp.windstream.net", 465, wSSL, wFull),
		nil},
	{"rr.com", "twc",
		west(wIMAP, "mail.twc.com", 993, wSSL, wFull),
		west(wSMTP, "mail.twc.com", 587, wSTARTTLS, wFull),
		nil},
	{"nyc.rr.com", "twc",
		west(wIMAP, "mail.twc.com", 993, wSSL, wFull),
		west(wSMTP, "mail.twc.com", 587, wSTARTTLS, wFull),
		nil},
	{"bell.net", "bell",
		west(wIMAP, "imap.bell.net", 993, wSSL, wFull),
		west(wSMTP, "smtphm.sympatico.ca", 587, wSTARTTLS, wFull),
		nil},
	{"sympatico.ca", "bell",
		west(wIMAP, "imap.bell.net", 993, wSSL, wFull),
		west(wSMTP, "smtphm.sympatico.ca", 587, wSTARTTLS, wFull),
		nil},
	{"virginmedia.com", "virginmedia",
		west(wIMAP, "imap.virginmedia.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.virginmedia.com", 465, wSSL, wFull),
		nil},
	{"ntlworld.com", "virginmedia",
		west(wIMAP, "imap.virginmedia.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.virginmedia.com", 465, wSSL, wFull),
		nil},
	{"blueyonder.co.uk", "virginmedia",
		west(wIMAP, "imap.virginmedia.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.virginmedia.com", 465, wSSL, wFull),
		nil},
	{"sky.com", "sky",
		west(wIMAP, "imap.tools.sky.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.tools.sky.com", 465, wSSL, wFull),
		nil},
	{"kpnmail.nl", "kpn",
		west(wIMAP, "imap.kpnmail.nl", 993, wSSL, wFull),
		west(wSMTP, "smtp.kpnmail.nl", 465, wSSL, wFull),
		nil},
	{"planet.nl", "kpn",
		west(wIMAP, "imap.kpnmail.nl", 993, wSSL, wFull),
		west(wSMTP, "smtp.kpnmail.nl", 465, wSSL, wFull),
		nil},
	{"xs4all.nl", "kpn",
		west(wIMAP, "imap.kpnmail.nl", 993, wSSL, wFull),
		west(wSMTP, "smtp.kpnmail.nl", 465, wSSL, wFull),
		nil},
	{"ziggo.nl", "ziggo",
		west(wIMAP, "imap.ziggo.nl", 993, wSSL, wFull),
		west(wSMTP, "smtp.ziggo.nl", 587, wSTARTTLS, wFull),
		nil},
	{"home.nl", "ziggo",
		west(wIMAP, "imap.ziggo.nl", 993, wSSL, wFull),
		west(wSMTP, "smtp.ziggo.nl", 587, wSTARTTLS, wFull),
		nil},
	{"telenet.be", "telenet",
		west(wIMAP, "imap.telenet.be", 993, wSSL, wFull),
		west(wSMTP, "smtp.telenet.be", 587, wSTARTTLS, wFull),
		nil},
	// More ISPs with a million mailboxes or more: Italy, Austria, Belgium,
	// the US, Australia.
	{"tim.it", "tim",
		west(wIMAP, "imap.tim.it", 143, wSTARTTLS, wFull),
		west(wSMTP, "smtp.tim.it", 587, wSTARTTLS, wFull), nil},
	{"alice.it", "alice",
		west(wIMAP, "in.alice.it", 143, wSTARTTLS, wFull),
		west(wSMTP, "out.alice.it", 587, wSTARTTLS, wFull), nil},
	{"tiscali.it", "tiscali",
		west(wIMAP, "imap.tiscali.it", 993, wSSL, wFull, account.AuthPasswordEncrypted),
		west(wSMTP, "smtp.tiscali.it", 465, wSSL, wFull, account.AuthPasswordEncrypted), nil},
	{"a1.net", "a1",
		west(wIMAP, "securemail.a1.net", 993, wSSL, wFull),
		west(wSMTP, "securemail.a1.net", 587, wSTARTTLS, wFull), nil},
	{"skynet.be", "proximus",
		west(wIMAP, "imap.proximus.be", 993, wSSL, wFull),
		west(wSMTP, "relay.proximus.be", 587, wSTARTTLS, wFull), nil},
	{"earthlink.net", "earthlink",
		west(wIMAP, "imap.earthlink.net", 993, wSSL, wFull, account.AuthPasswordEncrypted),
		west(wSMTP, "smtpauth.earthlink.net", 587, wSTARTTLS, wFull), nil},
	{"centurylink.net", "centurylink",
		west(wPOP3, "pop.centurylink.net", 995, wSSL, wFull),
		west(wSMTP, "smtp.centurylink.net", 587, wSTARTTLS, wFull), nil},
	{"bol.com.br", "bol",
		west(wIMAP, "imap.bol.com.br", 993, wSSL, wLocal),
		west(wSMTP, "smtps.bol.com.br", 465, wSSL, wLocal), nil},
	{"sapo.pt", "sapo",
		west(wIMAP, "imap.sapo.pt", 993, wSSL, wFull),
		west(wSMTP, "smtp.sapo.pt", 465, wSSL, wFull), nil},
	{"mx:mailstore1.secureserver.net", "godaddy",
		west(wIMAP, "imap.secureserver.net", 993, wSSL, wFull),
		west(wSMTP, "smtpout.secureserver.net", 465, wSSL, wFull), nil},
	{"mx:mx1.emailsrvr.com", "rackspace",
		west(wIMAP, "secure.emailsrvr.com", 993, wSSL, wFull),
		west(wSMTP, "secure.emailsrvr.com", 465, wSSL, wFull), nil},
	{"mx:mx1.mail.ovh.net", "ovh",
		west(wIMAP, "ssl0.ovh.net", 993, wSSL, wFull),
		west(wSMTP, "ssl0.ovh.net", 465, wSSL, wFull),
		[]account.HintKind{account.HintInfo}},
	{"bigpond.com", "telstra",
		west(wIMAP, "imap.telstra.com", 993, wSSL, wFull),
		west(wSMTP, "smtp.telstra.com", 465, wSSL, wFull), nil},
	// Germany: ISP and hosting mail; hosted own domains found by MX.
	{"online.de", "1und1",
		west(wIMAP, "imap.1und1.de", 993, wSSL, wFull),
		west(wSMTP, "smtp.1und1.de", 465, wSSL, wFull), nil},
	{"mx:mx00.kundenserver.de", "ionos",
		west(wIMAP, "imap.ionos.de", 993, wSSL, wFull),
		west(wSMTP, "smtp.ionos.de", 465, wSSL, wFull), nil},
	{"mx:mx01.ionos.de", "ionos",
		west(wIMAP, "imap.ionos.de", 993, wSSL, wFull),
		west(wSMTP, "smtp.ionos.de", 465, wSSL, wFull), nil},
	{"mx:smtpin.rzone.de", "strato",
		west(wIMAP, "imap.strato.de", 993, wSSL, wFull),
		west(wSMTP, "smtp.strato.de", 465, wSSL, wFull), nil},
	{"arcor.de", "vodafonede",
		west(wIMAP, "imap.vodafonemail.de", 993, wSSL, wFull),
		west(wSMTP, "smtp.vodafonemail.de", 465, wSSL, wFull), nil},
	{"vodafonemail.de", "vodafonede",
		west(wIMAP, "imap.vodafonemail.de", 993, wSSL, wFull),
		west(wSMTP, "smtp.vodafonemail.de", 465, wSSL, wFull), nil},
}

func TestPinWest(t *testing.T) {
	for _, p := range westPins {
		t.Run(p.domain, func(t *testing.T) {
			var (
				tmpl   account.Config
				ok     bool
				domain = p.domain
			)
			if host, isMX := strings.CutPrefix(p.domain, "mx:"); isMX {
				tmpl, ok = LookupMX(host)
				domain = "example.com" // a custom domain hosted there
			} else {
				tmpl, ok = Lookup(p.domain)
			}
			if !ok {
				t.Fatalf("lookup of %q found nothing; want provider %q", p.domain, p.id)
			}
			if tmpl.Provider == nil || tmpl.Provider.ID != p.id {
				t.Fatalf("lookup of %q gave provider %+v; want id %q", p.domain, tmpl.Provider, p.id)
			}
			addr, err := account.ParseAddress(westLocal + "+news@" + domain)
			if err != nil {
				t.Fatalf("ParseAddress: %v", err)
			}
			cfg := tmpl.For(addr)
			if len(cfg.Incoming) == 0 || len(cfg.Outgoing) == 0 {
				t.Fatalf("%s: %d incoming, %d outgoing servers; want at least one of each",
					p.domain, len(cfg.Incoming), len(cfg.Outgoing))
			}
			login := map[string]string{wFull: westLocal + "@" + domain, wLocal: westLocal}
			for _, c := range []struct {
				what      string
				got, want account.Server
			}{{"incoming", cfg.Incoming[0], p.in}, {"outgoing", cfg.Outgoing[0], p.out}} {
				want := c.want
				want.Username = login[want.Username]
				if c.got != want {
					t.Errorf("preferred %s server = %s user %q auth %q; want %s user %q auth %q",
						c.what, c.got, c.got.Username, c.got.Auth, want, want.Username, want.Auth)
				}
			}
			for _, k := range p.hints {
				if !cfg.HasHint(k) {
					t.Errorf("%s: no %q hint; people fail without it", p.domain, k)
				}
			}
		})
	}
}

// TestPinWestLinks pins the deep links people follow before a client can
// log in: the exact settings page, not the provider's home page.
func TestPinWestLinks(t *testing.T) {
	checkPinnedLinks(t, []pinnedLink{
		{"outlook.com", account.HintEnableIMAP, "https://outlook.live.com/mail/0/options/mail/forwarding"},
		{"yahoo.com", account.HintAppPassword, "https://login.yahoo.com/account/security"},
		{"t-online.de", account.HintAppPassword, "https://email.t-online.de/pr?a=globalsettings.passwords"},
		{"web.de", account.HintEnableIMAP, "https://hilfe.web.de/pop-imap/einschalten.html"},
		{"gmx.net", account.HintEnableIMAP, "https://hilfe.gmx.net/pop-imap/einschalten.html"},
	})
}

// TestTutaHasNoServers pins that Tuta is known but offers no server at all:
// the wizard must say so instead of guessing hosts that do not exist.
func TestTutaHasNoServers(t *testing.T) {
	for _, d := range []string{"tuta.com", "tutanota.com", "tutanota.de", "tuta.io", "keemail.me"} {
		cfg, ok := Lookup(d)
		if !ok || cfg.Provider == nil || cfg.Provider.ID != "tuta" {
			t.Errorf("Lookup(%q) = %v, %v; want the tuta provider", d, cfg.Provider, ok)
			continue
		}
		if len(cfg.Incoming)+len(cfg.Outgoing) != 0 || !cfg.HasHint(account.HintNoIMAP) {
			t.Errorf("%s: %d incoming, %d outgoing servers, no-imap hint %v; want none, none, true",
				d, len(cfg.Incoming), len(cfg.Outgoing), cfg.HasHint(account.HintNoIMAP))
		}
	}
}

// westIDs are the providers of part 1 of the database, one data file each.
var westIDs = []string{
	"1und1", "a1", "alice", "aol", "aruba", "att", "bell", "bluewin", "bol", "bt", "centurylink",
	"comcast", "earthlink", "fastmail", "free", "freenet", "gmx", "gmxcom", "godaddy", "hushmail",
	"icloud", "ionos", "kpn", "laposte", "libero", "mailboxorg", "mailcom", "microsoft365",
	"orange", "outlook", "ovh", "posteo", "proton", "proximus", "rackspace", "runbox", "sapo", "seznam", "sfr", "sky",
	"spectrum", "strato", "telenet", "telia", "telstra", "tim", "tiscali", "tonline", "tuta",
	"twc", "virgilio", "virginmedia", "vodafonede", "webde", "windstream", "yahoo", "yahoojp", "ziggo",
	"zoho", "zohobiz", "zohobizau", "zohobizeu", "zohobizin", "zohoeu", "zohoin",
}

// TestWestFilesNameTheirSources checks that every part-1 file loads, says at
// its top where its facts were checked (a URL and the month), and has at
// least one pinned lookup above, so no provider ships unchecked.
func TestWestFilesNameTheirSources(t *testing.T) {
	pinned := map[string]bool{"tuta": true} // TestTutaHasNoServers
	for _, p := range westPins {
		pinned[p.id] = true
	}
	for _, id := range westIDs {
		if _, ok := ByID(id); !ok {
			t.Errorf("provider %q is not in the database; see LoadErrors: %v", id, LoadErrors())
			continue
		}
		raw, err := dataFS.ReadFile("data/" + id + ".xml")
		if err != nil {
			t.Errorf("%s: %v; the file name must be the provider id", id, err)
			continue
		}
		head, _, _ := strings.Cut(string(raw), "<clientConfig")
		if !checkedURL.MatchString(head) {
			t.Errorf("%s.xml: no \"<!-- checked: URL (YYYY-MM)\" comment before <clientConfig>; say where each fact was checked", id)
		}
		if !pinned[id] {
			t.Errorf("%s: no entry in westPins; pin its main domain's preferred servers", id)
		}
	}
}
