package export

import (
	"fmt"
	"reflect"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
)

// texts holds every sentence the exports show people, in one language. The
// mail clients' own labels are quoted as those clients show them (The Bat!
// and Thunderbird in English or Russian), so a person can find them.
type texts struct {
	// Settings table (the users' guide words).
	Settings, Incoming, Outgoing, Server, Port, Encryption, Username, Password, Auth string
	PasswordValue                                                                    string
	SecSSL, SecSTARTTLS, SecNone                                                     string
	AuthPassword, AuthEncrypted, AuthOAuth2, AuthNone, AuthClientIP, AuthCert        string
	LeaveOn, LeaveOff, LeaveDays                                                     string
	Title, Account, Name, Before, Limits, Steps, Generated                           string
	MaxMessage, MaxRecipients, SendPerDay, IMAPConns                                 string

	// Warnings. %[1]s is the provider, %[2]s the client.
	OAuth2NoClient string
	OAuth2Sheet    string
	Plaintext      string
	NoPassword     string

	// Steps per client (the sheet and the files' own instructions).
	StepThunderbird, StepTheBat, StepApple, StepOutlook, StepPhones           string
	ClientThunderbird, ClientTheBat, ClientApple, ClientOutlook, ClientPhones string

	// Thunderbird profile ZIP.
	TBProfileSteps string
	// The Bat! step sheet.
	BatTitle, BatAfterAdd, BatTransport, BatSending, BatReceiving, BatConnection string
	BatAuthButton, BatSMTPAuth, BatUseReceive, BatSecureAuthOff, BatPOPLeave     string
	BatNotFound, BatPress                                                        string
	BatConnRegular, BatConnTLS, BatConnSTARTTLS                                  string
	// Outlook ZIP readme.
	OutlookReadme, OutlookDone string
	// Apple.
	AppleDescription string
}

// textsFor is every sentence in lang: en's fields are the catalog's keys
// (printf templates), each looked up in the one catalog.
func textsFor(lang string) *texts {
	t := en
	v := reflect.ValueOf(&t).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.String {
			f.SetString(catalog.T(lang, f.String()))
		}
	}
	return &t
}

var en = texts{
	Settings: catalog.Key("Settings"), Incoming: catalog.Key("Incoming mail"), Outgoing: catalog.Key("Outgoing mail (SMTP)"),
	Server: catalog.Key("Server"), Port: catalog.Key("Port"), Encryption: catalog.Key("Encryption"), Username: catalog.Key("Username"),
	Password: catalog.Key("Password"), Auth: catalog.Key("Authentication"),
	PasswordValue: catalog.Key("your mailbox password (or the app password the provider asks for)"),
	SecSSL:        catalog.Key("SSL/TLS"), SecSTARTTLS: catalog.Key("STARTTLS"), SecNone: catalog.Key("None (unencrypted)"),
	AuthPassword: catalog.Key("Normal password"), AuthEncrypted: catalog.Key("Encrypted password"), AuthOAuth2: catalog.Key("OAuth2 (sign in in the browser)"),
	AuthNone: catalog.Key("None"), AuthClientIP: catalog.Key("None (the server trusts your network)"), AuthCert: catalog.Key("TLS client certificate"),
	LeaveOn: catalog.Key("keep a copy of messages on the server"), LeaveOff: catalog.Key("delete messages from the server after downloading"),
	LeaveDays: catalog.Key("keep a copy on the server for %d days"),
	Title:     catalog.Key("Mail settings for %s"), Account: catalog.Key("Account"), Name: catalog.Key("Name"),
	Before: catalog.Key("Before you start"), Limits: catalog.Key("Limits"), Steps: catalog.Key("Set up your mail program"),
	Generated:  catalog.Key("Made by mailwiz. No password is written on this page."),
	MaxMessage: catalog.Key("Messages up to %d MB"), MaxRecipients: catalog.Key("Up to %d recipients per message"),
	SendPerDay: catalog.Key("Up to %d messages per day"), IMAPConns: catalog.Key("Up to %d IMAP connections at once"),

	OAuth2NoClient: catalog.Key("%[1]s accepts only a browser sign-in (OAuth2) from mail programs: a password, even an app password, is refused. %[2]s cannot be given OAuth2 by this file, so the account will not log in. Add it with %[2]s's own account wizard, which offers %[1]s's sign-in, or use Thunderbird."),
	OAuth2Sheet:    catalog.Key("%[1]s accepts only a browser sign-in (OAuth2): choose OAuth2 in your mail program; a password is refused. Thunderbird and Thunderbird for Android do this; The Bat!, Apple Mail profiles and classic Outlook files cannot."),
	Plaintext:      catalog.Key("Warning: this setup sends your password over the network unencrypted. Use it only if your provider offers nothing better."),
	NoPassword:     catalog.Key("No password is stored in this file: the program asks for it the first time it connects."),

	ClientThunderbird: catalog.Key("Thunderbird"), ClientTheBat: catalog.Key("The Bat!"), ClientApple: catalog.Key("Apple Mail (Mac, iPhone, iPad)"),
	ClientOutlook: catalog.Key("Outlook (Windows)"), ClientPhones: catalog.Key("Phones"),
	StepThunderbird: catalog.Key("Tools › Import… › Import from a file › Import Backed-up Profile, choose the thunderbird-profile ZIP, then restart Thunderbird. By hand: Account Settings › Account Actions › Add Mail Account…, type your name, address and password, click Configure manually and enter the settings above."),
	StepTheBat:      catalog.Key("Run the thebat .cmd file, then finish in Mailbox › Mailbox Properties… › Transport as its sheet says. By hand: Mailbox › New Mailbox…, type your name, address and password, choose IMAP or POP, and enter the server, port and Connection (Secure to dedicated port (TLS) for SSL/TLS, Secure on standard port (STARTTLS) for STARTTLS); tick My SMTP server requires authentication."),
	StepApple:       catalog.Key("Open the .mobileconfig file. Mac: approve it in System Settings › Privacy & Security › Profiles. iPhone or iPad: Settings › Profile Downloaded › Install, within 8 minutes. The device asks for your password."),
	StepOutlook:     catalog.Key("Classic Outlook: unzip the outlook ZIP, run install.cmd, then File › Add Account, type your address and click Connect. New Outlook: Settings › Accounts › Add account, choose IMAP or POP in Advanced settings and enter the settings above."),
	StepPhones:      catalog.Key("Thunderbird for Android: Settings › Import settings › Scan QR code, and scan the android QR code. Other apps: add an Other (IMAP or POP) account by hand with the settings above."),

	TBProfileSteps: catalog.Key("To add this account to an existing Thunderbird: Tools › Import… › Import from a file › Import Backed-up Profile, choose this ZIP file, click Continue, then restart Thunderbird. The import renumbers the account and adds it next to your other accounts; Thunderbird asks for the password on first use."),

	BatTitle:         catalog.Key("The Bat!: finish the mailbox %s"),
	BatAfterAdd:      catalog.Key("The Bat! is adding the mailbox with /ADD, which cannot set ports, encryption or SMTP authentication. Set them as follows once it opens:"),
	BatTransport:     catalog.Key("Mailbox › Mailbox Properties… › Transport"),
	BatSending:       catalog.Key("Sending mail: Server %s, Port %d, Connection: %s"),
	BatReceiving:     catalog.Key("Receiving mail: Protocol %s, Server %s, Port %d, Connection: %s, User %s"),
	BatConnection:    catalog.Key("Connection"),
	BatAuthButton:    catalog.Key("Sending mail › Authentication…:"),
	BatSMTPAuth:      catalog.Key("tick SMTP Authentication (RFC-2554)"),
	BatUseReceive:    catalog.Key("choose Use Mail Receive Options (POP3/IMAP)"),
	BatSecureAuthOff: catalog.Key("leave Require secure authentication off"),
	BatPOPLeave:      catalog.Key("Mailbox › Mailbox Properties… › Management: %s"),
	BatNotFound:      catalog.Key("The Bat! was not found (Program Files, your programs folder, or beside this file). For a portable The Bat!, put this file next to thebat64.exe and run it again; or start The Bat! and add the mailbox by hand (Mailbox › New mailbox) with these settings:"),
	BatPress:         catalog.Key("The password is not in this file: The Bat! asks for it when it first connects."),
	BatConnRegular:   catalog.Key("Regular"), BatConnTLS: catalog.Key("Secure to dedicated port (TLS)"), BatConnSTARTTLS: catalog.Key("Secure on standard port (STARTTLS)"),

	OutlookReadme: catalog.Key("Classic Outlook for Windows (Outlook 2016, 2019, 2021, Microsoft 365):\r\n1. Unzip this folder.\r\n2. Double-click install.cmd. It copies %[1]s to %%PUBLIC%%\\mailwiz and tells Outlook to read it (PreferLocalXML).\r\n   Or by hand: copy %[1]s to C:\\Users\\Public\\mailwiz\\ and double-click %[2]s.\r\n3. In Outlook: File › Add Account, type %[3]s and click Connect. Outlook asks for the password.\r\nNew Outlook and Windows Mail do not read these files: add the account by hand (IMAP or POP) with the same settings.\r\n"),

	OutlookDone: catalog.Key("Done. In Outlook: File › Add Account, type %s and click Connect. Outlook asks for the password."),

	AppleDescription: catalog.Key("Mail account %s. The device asks for the password when you install the profile."),
}

func (t *texts) security(s account.Security) string {
	return account.BySecurity(s, t.SecSSL, t.SecSTARTTLS, t.SecNone)
}

func (t *texts) auth(a account.Auth) string {
	switch a {
	case account.AuthPasswordEncrypted:
		return t.AuthEncrypted
	case account.AuthOAuth2:
		return t.AuthOAuth2
	case account.AuthNone:
		return t.AuthNone
	case account.AuthClientIP:
		return t.AuthClientIP
	case account.AuthClientCert:
		return t.AuthCert
	default:
		return t.AuthPassword
	}
}

// batConnection is The Bat!'s Connection drop-down value for s.
func (t *texts) batConnection(s account.Security) string {
	return account.BySecurity(s, t.BatConnTLS, t.BatConnSTARTTLS, t.BatConnRegular)
}

// leave describes the POP3 leave-on-server choice.
func (t *texts) leave(a Account) string {
	switch {
	case !a.LeaveOnServer:
		return t.LeaveOff
	case a.DaysOnServer > 0:
		return fmt.Sprintf(t.LeaveDays, a.DaysOnServer)
	default:
		return t.LeaveOn
	}
}

// warnings are the sentences every export that can show text carries:
// OAuth2 (for a client that cannot do it) and plaintext.
func (a Account) warnings(client string) []string {
	t := textsFor(a.Lang)
	var w []string
	if a.oauth2() && client != "" {
		w = append(w, fmt.Sprintf(t.OAuth2NoClient, a.providerName(), client))
	}
	if a.plaintext() {
		w = append(w, t.Plaintext)
	}
	return append(w, a.exceptionWarnings()...)
}

// exceptionWarnings say, for each certificate exception, what the program
// will ask and which answer is safe.
func (a Account) exceptionWarnings() []string {
	var w []string
	for _, fp := range a.TrustedCerts {
		w = append(w, catalog.T(a.Lang, "This computer does not trust the server's certificate; in mailwiz you accepted the one with SHA-256 fingerprint {{.Fingerprint}}. When the program asks whether to trust the server's certificate, accept it only if it shows exactly this fingerprint.", "Fingerprint", fp))
	}
	return w
}
