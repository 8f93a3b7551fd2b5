package export

import (
	"reflect"
	"regexp"
	"slices"
	"testing"

	"github.com/mailwiz/mailwiz/catalog"
)

// verbRE finds fmt verbs, explicit-index ones included ("%[2]s"), and "%%".
var verbRE = regexp.MustCompile(`%(\[\d+\])?[a-z%]`)

// TestTextsComplete: every sentence exists in every language, with the same
// fmt verbs, so a missing or mistyped translation is caught here rather
// than as an empty line or "%!d(MISSING)" in a person's file.
func TestTextsComplete(t *testing.T) {
	base := reflect.ValueOf(en)
	for _, lang := range catalog.Languages {
		v := reflect.ValueOf(*textsFor(lang))
		for i := range v.NumField() {
			name := v.Type().Field(i).Name
			got, want := v.Field(i).String(), base.Field(i).String()
			if lang != "en" && !catalog.Has(lang, want) {
				t.Errorf("%s: the catalog has no %s for %s", lang, lang, name)
			}
			if got == "" {
				t.Errorf("%s: %s is empty", lang, name)
				continue
			}
			gv, wv := verbRE.FindAllString(got, -1), verbRE.FindAllString(want, -1)
			slices.Sort(gv)
			slices.Sort(wv)
			if !slices.Equal(gv, wv) {
				t.Errorf("%s: %s has the verbs %v; English has %v", lang, name, gv, wv)
			}
		}
	}
}
