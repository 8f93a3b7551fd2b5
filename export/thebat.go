package export

import (
	"fmt"
	"io"
	"strings"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
)

// The Bat! export is one .cmd file, not a ZIP of a script and a text: a
// person can read it in Notepad before running it (it is short and says what
// it does), mail it to a relative, and double-click it without unpacking
// anything. It calls The Bat!'s documented /ADD command, the only documented
// text interface that creates a mailbox, then prints the step sheet for what
// /ADD cannot set (port, Connection, SMTP authentication) in The Bat!'s own
// words, and waits for a key so the sheet stays on screen.
//
// cmd.exe rules the file follows: CRLF line ends; the code page is switched
// to UTF-8 (65001) before the first non-ASCII line, with no byte-order mark
// (cmd would run it as part of the first command); delayed expansion is off so
// "!" is literal; every value sits in double quotes with "%" doubled and "^"
// "&" "|" "<" ">" safe inside the quotes; an echoed line escapes those with
// "^" instead. No password is ever written: /ADD's Password key would put it
// in the process list.

func init() {
	register(Format{
		Name: "thebat", Ext: ".cmd",
		Description: catalog.Key("Windows script for The Bat!: creates the mailbox with /ADD and shows the steps for port, Connection and SMTP authentication"),
		file:        func(a Account) string { return safeFileName(a.Address.String()) + "-thebat.cmd" },
		write:       writeTheBat,
	})
}

func writeTheBat(w io.Writer, a Account) error {
	t := textsFor(a.Lang)
	in, out := a.Incoming, a.Outgoing
	for _, u := range []struct{ what, v string }{{"incoming", in.Username}, {"outgoing", out.Username}} {
		if strings.ContainsAny(u.v, `";`) {
			return fmt.Errorf("the %s username %q contains a double quote or a semicolon, which The Bat!'s /ADD command line cannot hold: type it in The Bat! by hand", u.what, u.v)
		}
	}
	var lines []string
	add := func(s ...string) { lines = append(lines, s...) }
	// The code page first, so the comments can be in the person's
	// language; cmd expands "%" even in rem lines, and an address may hold
	// one: "%~x" there would abort the whole script.
	add("@echo off",
		"chcp 65001 >nul",
		"rem "+strings.ReplaceAll(oneLine(catalog.T(a.Lang, "mailwiz: The Bat! mailbox {{.Address}}", "Address", a.Address.Display())), "%", "%%"),
		"rem "+oneLine(catalog.T(a.Lang, "Creates the mailbox with The Bat!'s /ADD command, then shows the steps for what /ADD cannot set. No password is in this file.")),
		"setlocal DisableDelayedExpansion",
	)
	// Where The Bat! lives: its installers' folders (64-bit thebat64.exe,
	// 32-bit thebat32.exe, thebat.exe before version 9 [verify]), a
	// per-user install, and this script's own folder, for a portable copy
	// (the person puts the script beside it).
	add(`set "TB="`)
	for _, dir := range []string{`%~dp0`, `%ProgramFiles%\The Bat!\`, `%ProgramFiles(x86)%\The Bat!\`, `%LOCALAPPDATA%\Programs\The Bat!\`} {
		for _, exe := range []string{"thebat64.exe", "thebat32.exe", "thebat.exe"} {
			add(`if not defined TB if exist "` + dir + exe + `" set "TB=` + dir + exe + `"`)
		}
	}
	add(`if not defined TB goto notfound`)

	// /ADD keys as documented; values quoted, separated by semicolons.
	params := []string{
		"User=" + cmdQuote(a.Address.Display()),
		"InServer=" + cmdQuote(in.Host),
		"OutServer=" + cmdQuote(out.Host),
		"InUser=" + cmdQuote(in.Username),
	}
	if out.Username != "" && out.Username != in.Username {
		params = append(params, "OutUser="+cmdQuote(out.Username))
	}
	if in.Protocol == account.IMAP {
		params = append(params, "IMAP")
	} else if !a.LeaveOnServer {
		params = append(params, "DelReceived")
	} else if a.DaysOnServer > 0 {
		params = append(params, fmt.Sprintf("KeepDays=%d", a.DaysOnServer))
	}
	params = append(params, "FromAddr="+cmdQuote(a.Address.String()))
	if n := a.displayName(); n != "" {
		params = append(params, "FromName="+cmdQuote(n))
	}
	// The Bat!'s help writes its commands with the parameters glued to the
	// command and separated by semicolons ("/MAIL[parameter1[;parameter2]]",
	// "/SEND\"My account 1\";\"My account 2\""): a space starts the next
	// command. The quotes only keep spaces inside one argument. [verify the
	// /ADD form on a live install; its own page gives no syntax line.]
	// start returns at once, so the sheet shows while The Bat! opens; its
	// first quoted argument is the window title, hence "".
	add(`start "" "%TB%" /ADD`+strings.Join(params, ";"),
		cmdEcho(t.BatAfterAdd),
		"goto sheet",
		":notfound",
		cmdEcho(t.BatNotFound),
		":sheet",
		"echo(",
	)
	for _, l := range theBatSheet(a) {
		add(cmdEcho(l))
	}
	add("echo(", "pause")
	_, err := io.WriteString(w, strings.Join(lines, "\r\n")+"\r\n")
	return err
}

// theBatSheet is the step sheet in The Bat!'s own words, one line each.
func theBatSheet(a Account) []string {
	t := textsFor(a.Lang)
	in, out := a.Incoming, a.Outgoing
	var s []string
	s = append(s, fmt.Sprintf(t.BatTitle, a.Address.Display()))
	for _, w := range a.warnings("The Bat!") {
		s = append(s, "", "!! "+w)
	}
	proto := "IMAP4"
	if in.Protocol == account.POP3 {
		proto = "POP3"
	}
	s = append(s, "",
		t.BatTransport,
		"  "+fmt.Sprintf(t.BatSending, out.Host, out.Port, t.batConnection(out.Security)),
	)
	if needsLogin(out.Auth) {
		s = append(s, "  "+t.BatAuthButton, "    - "+t.BatSMTPAuth)
		if out.Username == in.Username {
			s = append(s, "    - "+t.BatUseReceive)
		} else {
			s = append(s, "    - "+t.Username+": "+out.Username)
		}
		if out.Auth != account.AuthPasswordEncrypted {
			s = append(s, "    - "+t.BatSecureAuthOff)
		}
	}
	s = append(s, "  "+fmt.Sprintf(t.BatReceiving, proto, in.Host, in.Port, t.batConnection(in.Security), in.Username))
	if in.Protocol == account.POP3 {
		s = append(s, "", fmt.Sprintf(t.BatPOPLeave, t.leave(a)))
	}
	s = append(s, "", t.BatPress)
	return s
}

// cmdQuote puts v in double quotes for a cmd.exe command line in a batch
// file: inside quotes only "%" is special (doubled). A double quote cannot be
// escaped there, so it becomes a single quote, as The Bat!'s help advises for
// values; a semicolon would end the /ADD parameter, so it becomes a comma.
// Callers refuse both where the exact text matters (usernames).
func cmdQuote(v string) string {
	v = strings.ReplaceAll(v, `"`, "'")
	v = strings.ReplaceAll(v, ";", ",")
	v = strings.ReplaceAll(v, "%", "%%")
	return `"` + v + `"`
}

// cmdEcho is an echo line printing s exactly. "echo(" prints any text,
// including an empty line or "/?", and the metacharacters are escaped with ^;
// a double quote would switch escaping off, so it is printed as '.
func cmdEcho(s string) string {
	var b strings.Builder
	b.WriteString("echo(")
	for _, r := range s {
		switch r {
		case '^', '&', '|', '<', '>', '(', ')':
			b.WriteByte('^')
			b.WriteRune(r)
		case '%':
			b.WriteString("%%")
		case '"':
			b.WriteByte('\'')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
