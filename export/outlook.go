package export

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
)

// The Outlook export is a ZIP of four files, because classic Outlook takes an
// account from a file only in two parts: an Autodiscover POX response on disk
// and a registry value (HKCU\...\Outlook\AutoDiscover, named after the
// email domain, with PreferLocalXML=1) that points at it. A .reg file cannot
// expand %PUBLIC%, so it names the fixed path C:\Users\Public\mailwiz\; the
// install.cmd beside it copies the XML there and sets the same values with
// reg.exe, which does expand it (and so also works when Windows is not on
// C:). README.txt says which to use.
//
// The POX puts every Protocol under one Account element (one Account per
// protocol breaks Outlook), says SPA off (no NTLM), and states security both
// ways: SSL on/off for old Outlook and Encryption SSL/TLS/None, which Outlook
// 2010 and later prefer and which is the only way to say STARTTLS (TLS).

func init() {
	register(Format{
		Name: "outlook", Ext: ".zip", Binary: true,
		Description: catalog.Key("ZIP for classic Outlook on Windows: Autodiscover XML, a .reg that points Outlook at it, and install.cmd"),
		file:        func(a Account) string { return safeFileName(a.Address.String()) + "-outlook.zip" },
		write:       writeOutlook,
	})
}

// outlookVersions are the Office registry versions whose Outlook reads a
// local Autodiscover file: 16.0 is Outlook 2016, 2019, 2021 and Microsoft
// 365; 15.0 is Outlook 2013.
var outlookVersions = []string{"16.0", "15.0"}

const outlookDir = `C:\Users\Public\mailwiz`

func outlookFiles(a Account) (xmlName, regName string) {
	d := a.Address.Domain
	return "autodiscover-" + d + ".xml", "outlook-" + d + ".reg"
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func poxEncryption(s account.Security) string { return account.BySecurity(s, "SSL", "TLS", "None") }

// WriteAutodiscoverPOX writes the account as an Autodiscover POX response
// (the file classic Outlook reads for IMAP, POP3 and SMTP accounts).
func WriteAutodiscoverPOX(w io.Writer, a Account) error {
	a, err := a.normalized()
	if err != nil {
		return err
	}
	return writePOX(w, a)
}

func writePOX(w io.Writer, a Account) error {
	in, out := a.Incoming, a.Outgoing
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString("<!-- " + xmlComment(catalog.T(a.Lang, "mailwiz: Autodiscover settings for {{.Address}}. No password is stored here.", "Address", a.Address.String())) + " -->\n")
	for _, warn := range a.warnings("Outlook") {
		b.WriteString("<!-- " + xmlComment(warn) + " -->\n")
	}
	b.WriteString(`<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">` + "\n")
	b.WriteString(`  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">` + "\n")
	b.WriteString("    <User>\n")
	if n := a.displayName(); n != "" {
		b.WriteString("      <DisplayName>" + xmlText(n) + "</DisplayName>\n")
	}
	b.WriteString("      <EMailAddress>" + xmlText(a.Address.String()) + "</EMailAddress>\n")
	b.WriteString("    </User>\n")
	b.WriteString("    <Account>\n      <AccountType>email</AccountType>\n      <Action>settings</Action>\n")
	proto := func(typ string, s account.Server, smtp bool) {
		b.WriteString("      <Protocol>\n")
		el := func(name, v string) { b.WriteString("        <" + name + ">" + xmlText(v) + "</" + name + ">\n") }
		el("Type", typ)
		el("Server", s.Host)
		el("Port", fmt.Sprint(s.Port))
		if s.Username != "" {
			el("LoginName", s.Username)
		}
		el("DomainRequired", "off")
		el("SPA", "off")
		el("SSL", onOff(s.Security != account.None))
		el("Encryption", poxEncryption(s.Security))
		el("AuthRequired", onOff(needsLogin(s.Auth)))
		if smtp {
			el("UsePOPAuth", onOff(needsLogin(s.Auth) && s.Username == in.Username))
			el("SMTPLast", "off")
		}
		b.WriteString("      </Protocol>\n")
	}
	typ := "IMAP"
	if in.Protocol == account.POP3 {
		typ = "POP3"
	}
	proto(typ, in, false)
	proto("SMTP", out, true)
	b.WriteString("    </Account>\n  </Response>\n</Autodiscover>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// xmlComment makes s safe inside <!-- -->: "--" may not appear there.
func xmlComment(s string) string {
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "- -")
	}
	return strings.TrimSuffix(s, "-")
}

// regString quotes s for a .reg file: backslash and double quote escaped.
func regString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// utf16File encodes text as UTF-16LE with a byte-order mark, the encoding
// regedit writes for "Windows Registry Editor Version 5.00" files.
func utf16File(s string) []byte {
	var b bytes.Buffer
	b.Write([]byte{0xff, 0xfe})
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.Bytes()
}

func outlookReg(a Account, xmlName string) string {
	lines := []string{
		"Windows Registry Editor Version 5.00",
		"",
		"; " + oneLine(catalog.T(a.Lang, "mailwiz: tells classic Outlook to read the account settings for {{.Domain}} from {{.File}} (copy the file there first).",
			"Domain", a.Address.Domain, "File", outlookDir+`\`+xmlName)),
	}
	for _, v := range outlookVersions {
		lines = append(lines, "",
			`[HKEY_CURRENT_USER\Software\Microsoft\Office\`+v+`\Outlook\AutoDiscover]`,
			`"PreferLocalXML"=dword:00000001`,
			regString(a.Address.Domain)+"="+regString(outlookDir+`\`+xmlName),
		)
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}

func outlookInstall(a Account, xmlName string) string {
	t := textsFor(a.Lang)
	lines := []string{
		"@echo off",
		"chcp 65001 >nul", // before the first line in the person's language
		"rem " + oneLine(catalog.T(a.Lang, "mailwiz: copies the Autodiscover file for {{.Domain}} to %PUBLIC%\\mailwiz and tells classic Outlook to read it. Changes only your own registry (HKCU).", "Domain", a.Address.Domain)),
		"setlocal DisableDelayedExpansion",
		`if not exist "%PUBLIC%\mailwiz" mkdir "%PUBLIC%\mailwiz" || goto failed`,
		`copy /y "%~dp0` + xmlName + `" "%PUBLIC%\mailwiz\` + xmlName + `" >nul || goto failed`,
	}
	for _, v := range outlookVersions {
		k := `"HKCU\Software\Microsoft\Office\` + v + `\Outlook\AutoDiscover"`
		lines = append(lines,
			"reg add "+k+" /v PreferLocalXML /t REG_DWORD /d 1 /f >nul || goto failed",
			"reg add "+k+" /v "+a.Address.Domain+` /t REG_SZ /d "%PUBLIC%\mailwiz\`+xmlName+`" /f >nul || goto failed`,
		)
	}
	lines = append(lines,
		cmdEcho(fmt.Sprintf(t.OutlookDone, a.Address.String())),
		"pause", "exit /b 0",
		":failed",
		cmdEcho(catalog.T(a.Lang, "mailwiz: the settings could not be installed; see README.txt to do it by hand.")),
		"pause", "exit /b 1",
	)
	return strings.Join(lines, "\r\n") + "\r\n"
}

func writeOutlook(w io.Writer, a Account) error {
	t := textsFor(a.Lang)
	xmlName, regName := outlookFiles(a)
	var pox bytes.Buffer
	if err := writePOX(&pox, a); err != nil {
		return err
	}
	var readme strings.Builder
	for _, warn := range a.warnings("Outlook") {
		readme.WriteString(strings.ReplaceAll(wrap(warn, 76), "\n", "\r\n") + "\r\n\r\n")
	}
	readme.WriteString(fmt.Sprintf(t.OutlookReadme, xmlName, regName, a.Address.String()))
	readme.WriteString("\r\n" + t.NoPassword + "\r\n")
	return writeZip(w, "mailwiz: Outlook settings for "+a.Address.String(), []zipEntry{
		{"README.txt", []byte(readme.String())},
		{xmlName, pox.Bytes()},
		{regName, utf16File(outlookReg(a, xmlName))},
		{"install.cmd", []byte(outlookInstall(a, xmlName))},
	})
}
