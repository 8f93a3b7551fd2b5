package safetext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestShow(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain ascii", "NO [AUTHENTICATIONFAILED] Invalid credentials", "NO [AUTHENTICATIONFAILED] Invalid credentials"},
		{"cyrillic kept", "Неверный пароль", "Неверный пароль"},
		{"clear screen", "bad\x1b[2J\x1b[Hpassword", `bad\x1b[2J\x1b[Hpassword`},
		{"window title", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"bell", "a\x07b", `a\x07b`},
		{"newline forges a line", "wrong\nimap: ok: logged in", "wrong imap: ok: logged in"},
		{"crlf and tab", "a\r\n\tb", "a   b"},
		{"invalid utf-8", "caf\xe9 \xff", `caf\xe9 \xff`},
		{"c1 control", "a\u009bb", `a\x9bb`},
		{"bidi override", "moc.liamg\u202e", `moc.liamg\u202e`},
		{"bidi isolate", "\u2067x\u2069", `\u2067x\u2069`},
		{"del", "a\x7fb", `a\x7fb`},
		{"bom", "\ufeffhi", `\ufeffhi`},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Show(tc.in); got != tc.want {
				t.Errorf("Show(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestShowBounded(t *testing.T) {
	for _, in := range []string{strings.Repeat("a", 10*MaxShown), strings.Repeat("я", 10*MaxShown), strings.Repeat("\x1b", 10*MaxShown)} {
		got := Show(in)
		if len(got) > MaxShown+8 || !strings.HasSuffix(got, "…") {
			t.Errorf("Show of %d bytes gave %d bytes (%q...)", len(in), len(got), got[:20])
		}
		if !utf8.ValidString(got) {
			t.Errorf("Show cut inside a rune: %q", got[len(got)-10:])
		}
	}
}

func TestLines(t *testing.T) {
	if got, want := Lines("one\x1b[31m\r\ntwo"), "one\\x1b[31m\ntwo"; got != want {
		t.Errorf("Lines = %q, want %q", got, want)
	}
}

func FuzzShow(f *testing.F) {
	for _, s := range []string{"", "ok", "\x1b[2J", "\xff\xfe", "\u202e", strings.Repeat("x", 3000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Show(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Show(%q) is not UTF-8: %q", s, got)
		}
		for _, r := range got {
			if unsafe(r) || r == '\n' || r == '\r' || r == '\t' {
				t.Fatalf("Show(%q) kept %U: %q", s, r, got)
			}
		}
		if plain(s) && len(s) <= MaxShown && got != s {
			t.Fatalf("Show changed plain text %q to %q", s, got)
		}
	})
}
