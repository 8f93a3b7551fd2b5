package export

import (
	"bytes"
	"strings"
	"testing"
)

// TestTheBatScriptForCmd: what cmd.exe needs to run the script as meant:
// CRLF on every line; the UTF-8 code page set before the first line with
// a non-ASCII character (a Cyrillic name); cmd's metacharacters in a value
// escaped where they are echoed; The Bat! looked for in every usual place,
// beside the script for a portable copy too.
func TestTheBatScriptForCmd(t *testing.T) {
	a := fixtures(t)["imap"]
	a.Name = "Иван & Co <sales>"
	a.Lang = "ru"
	var b bytes.Buffer
	if err := Write(&b, "thebat", a); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	if strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") || !strings.HasSuffix(s, "\r\n") {
		t.Error("a line does not end in CRLF")
	}
	lines := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	chcp := -1
	for i, l := range lines {
		if l == "chcp 65001 >nul" && chcp < 0 {
			chcp = i
		}
		for _, r := range l {
			if r >= 0x80 && (chcp < 0 || i < chcp) {
				t.Fatalf("line %d has non-ASCII before the code page switch: %q", i+1, l)
			}
		}
	}
	if chcp < 0 {
		t.Fatal("no chcp 65001")
	}
	for _, want := range []string{`%~dp0thebat64.exe`, `%ProgramFiles%\The Bat!\thebat64.exe`, `%ProgramFiles(x86)%\The Bat!\thebat32.exe`,
		`%LOCALAPPDATA%\Programs\The Bat!\thebat64.exe`, "if not defined TB goto notfound"} {
		if !strings.Contains(s, want) {
			t.Errorf("the script lacks %q", want)
		}
	}
	var add string
	for _, l := range lines {
		if strings.HasPrefix(l, `start "" "%TB%" /ADD`) {
			add = l
		}
	}
	if !strings.Contains(add, `FromName="Иван & Co <sales>"`) {
		t.Errorf("the /ADD line does not carry the name inside quotes: %q", add)
	}
}

// TestCmdEcho: an echoed line prints exactly its text, whatever cmd would
// otherwise read in it.
func TestCmdEcho(t *testing.T) {
	got := cmdEcho(`a & b <c> | d ^ (e) %f "g" !h`)
	if want := `echo(a ^& b ^<c^> ^| d ^^ ^(e^) %%f 'g' !h`; got != want {
		t.Errorf("cmdEcho = %s; want %s", got, want)
	}
}
