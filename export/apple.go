package export

import (
	"crypto/sha1"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
)

// The Apple export is an unsigned configuration profile (.mobileconfig, an
// XML property list) with one com.apple.mail.managed payload. It holds no
// password: the device asks for it at install time, once for both servers
// (OutgoingPasswordSameAsIncomingPassword). The payload has no OAuth2 and no
// STARTTLS switch: UseSSL is true for SSL and STARTTLS alike, and Mail picks
// STARTTLS on the standard ports (143, 110, 587), as deployed generators do.

func init() {
	register(Format{
		Name: "apple", Ext: ".mobileconfig",
		Description: catalog.Key("configuration profile for Apple Mail on Mac, iPhone and iPad (the device asks for the password)"),
		write:       writeApple,
	})
}

// appleNamespace is the UUID namespace of mailwiz's profile UUIDs (a
// constant chosen once; changing it would make every reinstall add a second
// account instead of updating the first).
var appleNamespace = [16]byte{0x6d, 0x61, 0x69, 0x6c, 0x77, 0x69, 0x7a, 0x2d, 0x8a, 0x71, 0x4c, 0x3e, 0x9b, 0x05, 0x51, 0x0e}

// stableUUID is a name-based UUID (RFC 9562 version 5: SHA-1 of namespace and
// name) in the upper-case form Apple's tools write. The same account gives
// the same UUIDs, so installing the profile again updates it.
func stableUUID(name string) string {
	h := sha1.New()
	h.Write(appleNamespace[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC variant
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]))
}

func appleAuth(a account.Auth) string {
	switch a {
	case account.AuthPasswordEncrypted:
		return "EmailAuthCRAMMD5"
	case account.AuthNone, account.AuthClientIP, account.AuthClientCert:
		return "EmailAuthNone"
	default:
		// OAuth2 has no value here: the profile carries a warning instead.
		return "EmailAuthPassword"
	}
}

// payloadID is a reverse-DNS identifier for the account: the same address
// always gives the same identifier, which is what makes a reinstall replace
// the old profile.
func payloadID(a Account) string {
	var b strings.Builder
	for _, r := range strings.ToLower(a.Address.String()) {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return "io.github.mailwiz.account." + b.String()
}

func writeApple(w io.Writer, a Account) error {
	t := textsFor(a.Lang)
	in, out := a.Incoming, a.Outgoing
	key := a.Address.String() + "\x00" + in.String() + "\x00" + out.String()
	id := payloadID(a)

	typ := "EmailTypeIMAP"
	if in.Protocol == account.POP3 {
		typ = "EmailTypePOP"
	}
	mail := plistDict{
		{"EmailAccountDescription", a.Address.Display()},
		{"EmailAccountType", typ},
		{"EmailAddress", a.Address.String()},
		{"IncomingMailServerAuthentication", appleAuth(in.Auth)},
		{"IncomingMailServerHostName", in.Host},
		{"IncomingMailServerPortNumber", in.Port},
		{"IncomingMailServerUseSSL", in.Security != account.None},
		{"IncomingMailServerUsername", in.Username},
		{"OutgoingMailServerAuthentication", appleAuth(out.Auth)},
		{"OutgoingMailServerHostName", out.Host},
		{"OutgoingMailServerPortNumber", out.Port},
		{"OutgoingMailServerUseSSL", out.Security != account.None},
		{"OutgoingMailServerUsername", out.Username},
		{"OutgoingPasswordSameAsIncomingPassword", out.Username == in.Username},
		{"PayloadDisplayName", a.Address.Display()},
		{"PayloadIdentifier", id + ".mail"},
		{"PayloadType", "com.apple.mail.managed"},
		{"PayloadUUID", stableUUID("mail\x00" + key)},
		{"PayloadVersion", 1},
	}
	if n := a.displayName(); n != "" {
		mail = append(mail, plistEntry{"EmailAccountName", n})
	}
	if in.Username == "" {
		mail = mail.without("IncomingMailServerUsername")
	}
	if out.Username == "" {
		mail = mail.without("OutgoingMailServerUsername")
	}

	// ConsentText is shown before the person installs the profile: the place
	// for what they must know first.
	consent := append(a.warnings("Apple Mail"), t.NoPassword)
	top := plistDict{
		{"ConsentText", plistDict{{"default", strings.Join(consent, "\n\n")}}},
		{"PayloadContent", []plistDict{mail.sorted()}},
		{"PayloadDescription", fmt.Sprintf(t.AppleDescription, a.Address.Display())},
		{"PayloadDisplayName", a.Address.Display()},
		{"PayloadIdentifier", id},
		{"PayloadRemovalDisallowed", false},
		{"PayloadType", "Configuration"},
		{"PayloadUUID", stableUUID("profile\x00" + key)},
		{"PayloadVersion", 1},
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">` + "\n")
	b.WriteString(`<plist version="1.0">` + "\n")
	writePlistValue(&b, top.sorted(), 0)
	b.WriteString("</plist>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// plistDict is an ordered property-list dictionary.
type plistDict []plistEntry

type plistEntry struct {
	key   string
	value any // string, int, bool, plistDict, []plistDict
}

func (d plistDict) without(key string) plistDict {
	var out plistDict
	for _, e := range d {
		if e.key != key {
			out = append(out, e)
		}
	}
	return out
}

// sorted orders keys as Apple's tools write them (byte order), so the file
// diffs cleanly against one they produce.
func (d plistDict) sorted() plistDict {
	out := append(plistDict(nil), d...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].key < out[j-1].key; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func writePlistValue(b *strings.Builder, v any, depth int) {
	ind := strings.Repeat("\t", depth)
	switch v := v.(type) {
	case plistDict:
		b.WriteString(ind + "<dict>\n")
		for _, e := range v {
			b.WriteString(ind + "\t<key>" + xmlText(e.key) + "</key>\n")
			writePlistValue(b, e.value, depth+1)
		}
		b.WriteString(ind + "</dict>\n")
	case []plistDict:
		b.WriteString(ind + "<array>\n")
		for _, d := range v {
			writePlistValue(b, d, depth+1)
		}
		b.WriteString(ind + "</array>\n")
	case string:
		b.WriteString(ind + "<string>" + xmlText(v) + "</string>\n")
	case int:
		fmt.Fprintf(b, "%s<integer>%d</integer>\n", ind, v)
	case bool:
		if v {
			b.WriteString(ind + "<true/>\n")
		} else {
			b.WriteString(ind + "<false/>\n")
		}
	}
}

// xmlText escapes s for XML character data and attribute values.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
