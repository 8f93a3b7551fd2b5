package probe

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzGreetings feeds arbitrary server bytes to the plaintext parsers that
// run before STARTTLS (IMAP greeting, SMTP replies): they must never panic,
// never return more than they were given, and keep error texts short.
func FuzzGreetings(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/greetings/*.txt")
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := &imapPre{br: bufio.NewReaderSize(bytes.NewReader(data), maxLine)}
		if err := p.greeting(); err != nil && len(err.Error()) > 700 { // 120 quoted bytes at most
			t.Fatalf("IMAP greeting error is %d bytes long", len(err.Error()))
		}
		for _, c := range p.caps {
			if strings.ContainsAny(c, " ]\r\n") {
				t.Fatalf("capability %q holds a separator", c)
			}
		}
		s := &smtpPre{br: bufio.NewReaderSize(bytes.NewReader(data), maxLine)}
		lines, err := s.reply(220)
		if err == nil {
			for _, l := range lines {
				if strings.Contains(l, "\n") {
					t.Fatalf("reply line %q holds a line break", l)
				}
			}
		}
		typ, code, text := splitStatus(string(data))
		if strings.Contains(string(code), "]") || len(text) > len(data) || len(typ) > len(data) {
			t.Fatalf("splitStatus(%q) = %q %q %q", data, typ, code, text)
		}
	})
}
