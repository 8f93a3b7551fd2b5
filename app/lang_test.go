package app

import (
	"encoding/json"
	"testing"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/mailwiz/mailwiz/assets"
	"github.com/mailwiz/mailwiz/wizard"
)

func loadTranslation(t *testing.T, code string) map[string]string {
	t.Helper()
	b, err := assets.Translations.ReadFile("translations/" + code + ".json")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", code, err)
	}
	return m
}

func TestLanguageSwitch(t *testing.T) {
	h := newHarness(t, wizard.Deps{Lookup: lookupExample})
	test.Type(h.ui.address.address, "alice@example.com")
	h.ui.langs.SetSelected("Русский")
	if got := h.ui.next.Text; got != "Далее" {
		t.Errorf("Next in Russian = %q", got)
	}
	if got := h.ui.heading.Text; got != "Ваш адрес почты" {
		t.Errorf("heading in Russian = %q", got)
	}
	if got := h.w.Title(); got != "Мастер настройки почты" {
		t.Errorf("title in Russian = %q", got)
	}
	// The page was rebuilt: what was typed is still there.
	if got := h.ui.address.address.Text; got != "alice@example.com" {
		t.Errorf("address after the switch = %q", got)
	}
	h.ui.langs.SetSelected("English")
	if got := lang.L("Next"); got != "Next" {
		t.Errorf("Next after switching back = %q", got)
	}
}
