package app

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/mailwiz/mailwiz/assets"
)

// Fyne's lang package picks the language once, from the system, and has no
// call to switch it later. To switch in the window we load the chosen
// language's file under the names the localizer may be using: the system's
// language (if Fyne matched it) and English (the fallback when it did not).
// Both files are complete (a test checks every key), so loading one over
// the other replaces every string. Fyne's own dialog strings keep following
// the system.

// systemLanguage is the shipped language closest to the system's, "en" or "ru".
func systemLanguage() string {
	l := lang.SystemLocale().LanguageString()
	for _, s := range assets.Languages {
		if strings.HasPrefix(strings.ToLower(l), s) {
			return s
		}
	}
	return "en"
}

// setLanguage makes lang.L answer in code ("en", "ru").
func setLanguage(code string) error {
	data, err := assets.Translations.ReadFile("translations/" + code + ".json")
	if err != nil {
		return fmt.Errorf("app: no translation for %q: %w", code, err)
	}
	names := []string{"en"}
	if sys := lang.SystemLocale().LanguageString(); sys != "" && sys != "en" {
		names = append(names, sys)
	}
	for _, n := range names {
		// AddTranslationsForLocale names the file after the locale; the
		// content replaces what that locale said before.
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(n)); err != nil {
			return fmt.Errorf("app: loading %s as %s: %w", code, n, err)
		}
	}
	return nil
}
