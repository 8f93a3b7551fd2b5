package wizard

import (
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
)

// TestLimitLines: every limit the database can hold gets its sentence, in
// both languages, in a fixed order; none is made up for a zero.
func TestLimitLines(t *testing.T) {
	l := account.Limits{MaxMessageMB: 30, MaxRecipients: 50, SendPerDay: 500, IMAPConnections: 15,
		IMAPDownloadMBDay: 2500, IMAPUploadMBDay: 500, BlockedAttachments: []string{".exe", ".scr"}}
	want := map[string][]string{
		"en": {"Messages up to 30 MB, attachments included.", "Up to 50 recipients per message.",
			"Up to 500 messages sent per day.", "Up to 15 IMAP connections at once.",
			"Up to 2500 MB downloaded over IMAP per day.", "Up to 500 MB uploaded over IMAP per day.",
			"Attachments of these types are refused: .exe .scr."},
	}
	if got := LimitLines("en", l); strings.Join(got, "|") != strings.Join(want["en"], "|") {
		t.Errorf("en:\n%q\nwant\n%q", got, want["en"])
	}
	ru := LimitLines("ru", l)
	if len(ru) != len(want["en"]) {
		t.Fatalf("ru: %d lines; want %d", len(ru), len(want["en"]))
	}
	for i, line := range ru {
		if line == want["en"][i] || !strings.ContainsAny(line, "абвгдеёжзийклмнопрстуфхцчшщыьэюя") {
			t.Errorf("ru line %d is not Russian: %q", i, line)
		}
	}
	if got := LimitLines("en", account.Limits{}); len(got) != 0 {
		t.Errorf("no limits: %q", got)
	}
}
