package catalog

import (
	"regexp"
	"testing"
)

func TestLoads(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatal(err)
	}
	if len(Keys("en")) < 100 {
		t.Fatalf("only %d English keys", len(Keys("en")))
	}
}

// TestComplete: every key is in every language, and the placeholders of a
// translation are the key's own.
func TestComplete(t *testing.T) {
	field := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	for _, l := range Languages {
		for _, other := range Languages {
			for _, k := range Keys(other) {
				if !Has(l, k) {
					t.Errorf("%s lacks %q (in %s)", l, k, other)
				}
			}
		}
		for _, k := range Keys(l) {
			want := map[string]bool{}
			for _, m := range field.FindAllStringSubmatch(k, -1) {
				want[m[1]] = true
			}
			for _, m := range field.FindAllStringSubmatch(tables[l][k], -1) {
				if !want[m[1]] {
					t.Errorf("%s %q uses {{.%s}}, which the key does not have", l, k, m[1])
				}
			}
		}
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
