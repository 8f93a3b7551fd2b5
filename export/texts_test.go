package export

import (
	"reflect"
	"regexp"
	"slices"
	"testing"
)

// verbRE finds fmt verbs, explicit-index ones included ("%[2]s"), and "%%".
var verbRE = regexp.MustCompile(`%(\[\d+\])?[a-z%]`)

// TestTextsComplete: every sentence exists in every language, with the same
// fmt verbs, so a missing or mistyped translation is caught here rather
// than as an empty line or "%!d(MISSING)" in a person's file.
func TestTextsComplete(t *testing.T) {
	base := reflect.ValueOf(en)
	for lang, tx := range textsByLang {
		v := reflect.ValueOf(*tx)
		for i := range v.NumField() {
			name := v.Type().Field(i).Name
			got, want := v.Field(i).String(), base.Field(i).String()
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
