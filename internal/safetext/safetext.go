// Package safetext makes text that came from a server or a downloaded
// config safe to show: on a terminal, in a window, in a log line.
//
// A mail server's reply ("NO [AUTHENTICATIONFAILED] ...") or a config's
// display name is written by whoever runs that server. Printed as it is, an
// escape sequence in it can clear the terminal, retitle the window or hide
// text; a newline can forge a line of mailwiz's own report; a bidi override
// can make a host name read backwards; invalid UTF-8 can break the JSON
// reader of a script downstream. [Show] turns every such character into a
// visible escape, so what the person sees is exactly what was sent, and
// nothing more happens.
package safetext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxShown is how many bytes of one text [Show] keeps: a server's reply
// line is bounded when read, but several together still should not fill a
// screen.
const MaxShown = 2000

// Show returns s with every control character, bidi control and invalid
// UTF-8 byte written as a visible escape (\x1b, \u202e, \xff); tabs,
// carriage returns and line feeds become one space each, so a text stays on
// the line it was given. Longer than MaxShown bytes, it is cut at a rune
// boundary and ends with "…". Plain text comes back unchanged.
func Show(s string) string {
	if plain(s) && len(s) <= MaxShown {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if b.Len() >= MaxShown {
			b.WriteString("…")
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unsafe(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Lines is Show for a text whose line breaks are its own (a config's
// multi-line instruction): each line is made safe and they stay apart.
func Lines(s string) string {
	parts := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, p := range parts {
		parts[i] = Show(p)
	}
	return strings.Join(parts, "\n")
}

// plain reports whether s needs no change.
func plain(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 || unsafe(r) {
			return false
		}
		i += size
	}
	return true
}

// unsafe: C0 and C1 controls, DEL, and the characters that reorder or hide
// text (bidi embeddings, overrides and isolates, the marks, zero-width
// joiners kept as they are legitimate in some scripts).
func unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	case r == 0xfeff, r == 0xfff9, r == 0xfffa, r == 0xfffb:
		return true
	}
	return false
}
