package catalog

import "testing"

func TestLoads(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatal(err)
	}
	if len(Keys("en")) < 100 {
		t.Fatalf("only %d English keys", len(Keys("en")))
	}
}

func TestT(t *testing.T) {
	for _, tc := range []struct{ lang, key, want string }{
		{"en", "Back", "Back"},
		{"ru", "Back", "Назад"},
		{"ru_RU.UTF-8", "Back", "Назад"},
		{"de", "Back", "Back"},
		{"ru", "no such key {{.X}}", "no such key 7"},
	} {
		if got := T(tc.lang, tc.key, "X", 7); got != tc.want {
			t.Errorf("T(%q, %q) = %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
	if got := T("ru", "Attachments of these types are refused: {{.List}}.", "List", "exe"); got != "Вложения этих типов не принимаются: exe." {
		t.Errorf("placeholder: %q", got)
	}
}

// TestAll: every language's text, placeholders filled.
func TestAll(t *testing.T) {
	m := All("Port {{.Port}} is closed.", "Port", 465)
	if len(m) != len(Languages) || m["en"] != "Port 465 is closed." {
		t.Errorf("All = %v", m)
	}
}
