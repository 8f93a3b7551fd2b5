package app

import (
	"errors"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
)

// Every refusal of the address parser is said in the window's words, in
// both languages, never the parser's English fallback.
func TestAddressProblemsTranslated(t *testing.T) {
	inputs := []string{
		"", "a b@c.d", "a\x01b@c.d", strings.Repeat("a", 250) + "@example.com", "alice", "a@b@c.d",
		"@a.b", strings.Repeat("a", 65) + "@c.d", ".a@b.c", "a..b@c.d", "a(b@c.d", "a@",
		"a@localhost", "a@b..c", "a@-b.c", "a@b_c.d", "a@" + strings.Repeat("b", 64) + ".c",
		"a@" + strings.Repeat("b.", 130) + "cc", "a@b!.c", "a@xn--a.com",
	}
	for _, code := range []string{"en", "ru"} {
		if err := setLanguage(code); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, in := range inputs {
			_, err := account.ParseAddress(in)
			var ae *account.AddressError
			if !errors.As(err, &ae) {
				t.Errorf("%q: parser accepted it or gave %T", in, err)
				continue
			}
			seen[ae.Code] = true
			if got := addressProblem(err); got == ae.Error() || got == "" {
				t.Errorf("%s: code %q (%q) has no translation", code, ae.Code, in)
			}
		}
		if len(seen) < 18 {
			t.Errorf("the inputs reached only %d codes: %v", len(seen), seen)
		}
	}
	setLanguage("en")
}
