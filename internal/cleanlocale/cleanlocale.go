// Package cleanlocale keeps Fyne from printing "Error parsing user locale"
// on every run under the C.UTF-8 locale (the default of Debian containers,
// CI runners and cron), which would break the CLI's promise of one clear
// line on stderr.
//
// Fyne's lang package reads the locale in its init function, through
// go-locale, which turns "C.UTF-8" into the language tag "C" and fails to
// parse it. Importing this package from main, blank, runs its init first:
// it imports nothing but os, so Go's initialization order (ready packages
// in import-path order) reaches it before fyne.io/fyne/v2/lang, which waits
// on far more. main_test.go proves the order holds.
package cleanlocale

import (
	"os"
	"strings"
)

func init() { fix(os.Getenv, os.Setenv) }

// fix sets LANGUAGE=en when the locale is C.<charset> and LANGUAGE is unset.
// gettext ignores LANGUAGE under the C locale, so no other program's
// language changes; go-locale reads it and gets a tag it can parse.
func fix(getenv func(string) string, setenv func(string, string) error) {
	if getenv("LANGUAGE") != "" {
		return
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			if strings.HasPrefix(v, "C.") {
				setenv("LANGUAGE", "en") //nolint:errcheck // cannot fail for these names
			}
			return
		}
	}
}
