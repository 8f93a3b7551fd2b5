package autoconfig

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mailwiz/mailwiz/account"
)

// Write renders c as a clientConfig v1.1 document: deterministic (the same
// Config gives the same bytes), indented with two spaces, XML-escaped, with
// the mw namespace declared once on the root when an extension element or
// attribute is used. Hints with a page and kind enable-imap or enable-pop
// become <enable>, other hints with a page <documentation>, hints without a
// page <mw:hint>. Servers that cannot be written (an unknown protocol,
// security or authentication, a port outside 1-65535) are an error, so a
// written file always parses back.
func Write(w io.Writer, c account.Config) error {
	if err := checkWritable(c); err != nil {
		return err
	}
	b := bufio.NewWriter(w)
	x := &xw{w: b}
	x.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	if usesExtensions(c) {
		x.raw(`<clientConfig version="1.1" xmlns:mw="` + Namespace + `">` + "\n")
	} else {
		x.raw(`<clientConfig version="1.1">` + "\n")
	}
	id, name, short := "", "", ""
	if c.Provider != nil {
		id, name, short = c.Provider.ID, c.Provider.Name, c.Provider.ShortName
	}
	if id == "" && len(c.Domains) > 0 {
		id = c.Domains[0]
	}
	x.line(1, `<emailProvider id="`+esc(id)+`">`)
	for _, d := range c.Domains {
		x.elem(2, "domain", d)
	}
	if name != "" {
		x.elem(2, "displayName", name)
	}
	if short != "" {
		x.elem(2, "displayShortName", short)
	}
	for _, s := range c.Incoming {
		x.server(c, "incomingServer", s)
	}
	for _, s := range c.Outgoing {
		x.server(c, "outgoingServer", s)
	}
	for _, h := range c.Hints {
		x.hint(h)
	}
	if !c.Limits.IsZero() {
		x.limits(c.Limits)
	}
	for _, mx := range c.MXHosts {
		x.elem(2, "mw:mx", mx)
	}
	x.line(1, `</emailProvider>`)
	if c.Provider != nil && c.Provider.OAuth2 != nil {
		x.oauth2(c.Provider.OAuth2)
	}
	x.raw("</clientConfig>\n")
	if x.err != nil {
		return fmt.Errorf("autoconfig: writing: %w", x.err)
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("autoconfig: writing: %w", err)
	}
	return nil
}

// checkWritable refuses a Config whose file would not parse back.
func checkWritable(c account.Config) error {
	check := func(dir string, i int, s account.Server, incoming bool) error {
		where := fmt.Sprintf("autoconfig: write: %s server %d", dir, i+1)
		switch {
		case incoming && s.Protocol != account.IMAP && s.Protocol != account.POP3,
			!incoming && s.Protocol != account.SMTP:
			return fmt.Errorf("%s: protocol %q cannot be %s", where, s.Protocol, dir)
		case !s.Security.Valid():
			return fmt.Errorf("%s: security %q is not ssl, starttls or none", where, s.Security)
		case !s.Auth.Valid():
			return fmt.Errorf("%s: auth %q is not a known method", where, s.Auth)
		case s.Port < 1 || s.Port > 65535:
			return fmt.Errorf("%s: port %d is not 1-65535", where, s.Port)
		}
		if _, err := normalizeHost(s.Host); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		return nil
	}
	for i, s := range c.Incoming {
		if err := check("incoming", i, s, true); err != nil {
			return err
		}
	}
	for i, s := range c.Outgoing {
		if err := check("outgoing", i, s, false); err != nil {
			return err
		}
	}
	for i, h := range c.Hints {
		if !h.Kind.Valid() {
			return fmt.Errorf("autoconfig: write: hint %d: kind %q is not one of %s", i+1, h.Kind, kindList())
		}
		// Parse accepts only web links; a javascript: or file: link would
		// make the written file unreadable, and is no page to send people to.
		if h.URL != "" && !strings.HasPrefix(h.URL, "https://") && !strings.HasPrefix(h.URL, "http://") {
			return fmt.Errorf("autoconfig: write: hint %d: link %q is not an http(s) address", i+1, h.URL)
		}
	}
	l := c.Limits
	for _, v := range []int{l.MaxMessageMB, l.MaxRecipients, l.SendPerDay, l.IMAPConnections,
		l.IMAPDownloadMBDay, l.IMAPUploadMBDay, c.DaysOnServer} {
		if v < 0 {
			return fmt.Errorf("autoconfig: write: a limit or day count is negative (%d)", v)
		}
	}
	if len(c.Incoming) == 0 && !c.HasHint(account.HintNoIMAP) {
		return errors.New("autoconfig: write: the config has no incoming server")
	}
	return nil
}

func usesExtensions(c account.Config) bool {
	if len(c.MXHosts) > 0 || !c.Limits.IsZero() {
		return true
	}
	if o := c.Provider; o != nil && o.OAuth2 != nil {
		a := o.OAuth2
		if len(a.ProtocolScopes) > 0 || a.DeviceAuthURL != "" || len(a.Mechanisms) > 0 || a.SecretRequired || len(a.AuthParams) > 0 {
			return true
		}
	}
	for _, h := range c.Hints {
		switch hintElement(h) {
		case "mw:hint":
			return true
		case "enable":
			if h.Kind != account.HintEnableIMAP {
				return true
			}
		default:
			if h.Kind != account.HintInfo {
				return true
			}
		}
	}
	return false
}

// hintElement picks the element a hint is written as (see Write).
func hintElement(h account.Hint) string {
	switch {
	case h.URL == "":
		return "mw:hint"
	case h.Kind == account.HintEnableIMAP || h.Kind == account.HintEnablePOP:
		return "enable"
	default:
		return "documentation"
	}
}

// xw writes indented lines and keeps the first error.
type xw struct {
	w   *bufio.Writer
	err error
}

func (x *xw) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

func (x *xw) line(depth int, s string) { x.raw(strings.Repeat("  ", depth) + s + "\n") }

func (x *xw) elem(depth int, name, text string) {
	x.line(depth, "<"+name+">"+escText(text)+"</"+name+">")
}

func (x *xw) server(c account.Config, elem string, s account.Server) {
	x.line(2, "<"+elem+` type="`+string(s.Protocol)+`">`)
	x.elem(3, "hostname", s.Host)
	x.elem(3, "port", strconv.Itoa(s.Port))
	x.elem(3, "socketType", socketTypeNames[s.Security])
	if s.Username != "" {
		x.elem(3, "username", s.Username)
	}
	x.elem(3, "authentication", authNames[s.Auth])
	if s.Protocol == account.POP3 && (c.LeaveOnServer || c.DownloadOnBiff || c.DaysOnServer != 0) {
		x.line(3, "<pop3>")
		x.elem(4, "leaveMessagesOnServer", strconv.FormatBool(c.LeaveOnServer))
		if c.DaysOnServer != 0 {
			x.elem(4, "daysToLeaveMessagesOnServer", strconv.Itoa(c.DaysOnServer))
		}
		x.elem(4, "downloadOnBiff", strconv.FormatBool(c.DownloadOnBiff))
		x.line(3, "</pop3>")
	}
	x.line(2, "</"+elem+">")
}

func (x *xw) hint(h account.Hint) {
	langs := make([]string, 0, len(h.Text))
	for l, t := range h.Text {
		if t != "" {
			langs = append(langs, l)
		}
	}
	sort.Strings(langs)
	var open, textElem, close string
	switch hintElement(h) {
	case "mw:hint":
		open, textElem, close = `<mw:hint kind="`+esc(string(h.Kind))+`">`, "mw:text", "</mw:hint>"
	case "enable":
		open = `<enable visiturl="` + esc(h.URL) + `"`
		if h.Kind != account.HintEnableIMAP {
			open += ` mw:kind="` + esc(string(h.Kind)) + `"`
		}
		open, textElem, close = open+">", "instruction", "</enable>"
	default:
		open = `<documentation url="` + esc(h.URL) + `"`
		if h.Kind != account.HintInfo {
			open += ` mw:kind="` + esc(string(h.Kind)) + `"`
		}
		open, textElem, close = open+">", "descr", "</documentation>"
	}
	if len(langs) == 0 {
		x.line(2, strings.TrimSuffix(open, ">")+"/>")
		return
	}
	x.line(2, open)
	for _, l := range langs {
		x.line(3, "<"+textElem+` lang="`+esc(l)+`">`+escText(collapse(h.Text[l]))+"</"+textElem+">")
	}
	x.line(2, close)
}

func (x *xw) limits(l account.Limits) {
	var b strings.Builder
	b.WriteString("<mw:limits")
	for _, f := range []struct {
		name string
		v    int
	}{
		{"maxMessageMB", l.MaxMessageMB},
		{"maxRecipients", l.MaxRecipients},
		{"sendPerDay", l.SendPerDay},
		{"imapConnections", l.IMAPConnections},
		{"imapDownloadMBPerDay", l.IMAPDownloadMBDay},
		{"imapUploadMBPerDay", l.IMAPUploadMBDay},
	} {
		if f.v != 0 {
			fmt.Fprintf(&b, ` %s="%d"`, f.name, f.v)
		}
	}
	if len(l.BlockedAttachments) > 0 {
		b.WriteString(` blockedAttachments="` + esc(strings.Join(l.BlockedAttachments, " ")) + `"`)
	}
	b.WriteString("/>")
	x.line(2, b.String())
}

// textEscaper and attrEscaper escape element text and double-quoted
// attribute values. They leave apostrophes (and, in text, quotes) readable,
// as people edit these files by hand; white space that an attribute would
// normalize away is kept as character references.
var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#xD;")
	attrEscaper = strings.NewReplacer(
		"&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;",
		"\t", "&#x9;", "\n", "&#xA;", "\r", "&#xD;",
	)
)

// esc escapes s for an attribute value, escText for element text. Both
// replace what XML cannot carry (NUL and the other C0 controls, invalid
// UTF-8) with U+FFFD, so a written file always parses.
func esc(s string) string { return attrEscaper.Replace(xmlChars(s)) }

func escText(s string) string { return textEscaper.Replace(xmlChars(s)) }

func xmlChars(s string) string {
	// Ranging over invalid UTF-8 yields U+FFFD, an XML character: only
	// ValidString notices that such bytes would not survive as they are.
	notXML := func(r rune) bool { return !isXMLChar(r) }
	if utf8.ValidString(s) && !strings.ContainsFunc(s, notXML) {
		return s
	}
	// Map writes U+FFFD for each invalid byte as well.
	return strings.Map(func(r rune) rune {
		if isXMLChar(r) {
			return r
		}
		return '\uFFFD'
	}, s)
}

// isXMLChar reports whether r is allowed in XML 1.0 (the Char production).
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// oauth2 writes the <oAuth2> element, mailwiz's extensions last.
func (x *xw) oauth2(o *account.OAuth2) {
	x.line(1, `<oAuth2>`)
	x.elem(2, "issuer", o.Issuer)
	x.elem(2, "scope", strings.Join(o.Scopes, " "))
	x.elem(2, "authURL", o.AuthURL)
	x.elem(2, "tokenURL", o.TokenURL)
	for _, p := range []account.Protocol{account.IMAP, account.POP3, account.SMTP} {
		if list := o.ProtocolScopes[p]; len(list) > 0 {
			x.line(2, `<mw:scope protocol="`+string(p)+`">`+esc(strings.Join(list, " "))+`</mw:scope>`)
		}
	}
	if o.DeviceAuthURL != "" {
		x.elem(2, "mw:deviceAuthURL", o.DeviceAuthURL)
	}
	for _, m := range o.Mechanisms {
		x.elem(2, "mw:mechanism", m)
	}
	if o.SecretRequired {
		x.line(2, `<mw:secretRequired/>`)
	}
	names := make([]string, 0, len(o.AuthParams))
	for k := range o.AuthParams {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		x.line(2, `<mw:authParam name="`+esc(k)+`">`+esc(o.AuthParams[k])+`</mw:authParam>`)
	}
	x.line(1, `</oAuth2>`)
}
