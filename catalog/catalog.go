// Package catalog is mailwiz's one catalog of words: every sentence,
// heading and label a person reads, in English and Russian, for every face
// (the window, the CLI, the texts inside exports, the diagnoses).
//
// The catalog is the files in assets/translations: flat JSON whose keys
// are the English sentences and whose values are the sentence in that
// language, with go-i18n's {{.Field}} placeholders. The window loads the
// same files through Fyne's lang package; this package reads them for the
// code below the window, which must not import Fyne.
//
// A key missing from a language falls back to English (the key itself),
// so a gap shows English rather than nothing; a test checks there are
// none.
package catalog

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"text/template"

	"github.com/mailwiz/mailwiz/assets"
)

// Languages are the languages the catalog holds, English first.
var Languages = assets.Languages

var (
	loadOnce sync.Once
	tables   map[string]map[string]string
	loadErr  error

	tmplMu sync.Mutex
	tmpls  = map[[2]string]*template.Template{}
)

func load() {
	tables = map[string]map[string]string{}
	for _, l := range Languages {
		data, err := assets.Translations.ReadFile("translations/" + l + ".json")
		if err != nil {
			loadErr = fmt.Errorf("catalog: %w", err)
			return
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			loadErr = fmt.Errorf("catalog: translations/%s.json: %w", l, err)
			return
		}
		tables[l] = m
	}
}

// Lang is the catalog language for a language tag or locale ("ru",
// "ru_RU.UTF-8", "RU"): one of Languages, English when none matches.
func Lang(tag string) string {
	t := strings.ToLower(tag)
	for _, l := range Languages {
		if t == l || strings.HasPrefix(t, l+"_") || strings.HasPrefix(t, l+"-") || strings.HasPrefix(t, l+".") {
			return l
		}
	}
	return "en"
}

// T is the sentence key in lang, its {{.Field}} placeholders filled from
// args, given as name, value pairs: T("ru", "Port {{.Port}} is closed.",
// "Port", 465). Values are shown with fmt's %v.
func T(lang, key string, args ...any) string {
	loadOnce.Do(load)
	text := key
	if m := tables[Lang(lang)]; m != nil {
		if v, ok := m[key]; ok && v != "" {
			text = v
		}
	}
	if len(args) == 0 && !strings.Contains(text, "{{") {
		return text
	}
	data := map[string]any{}
	for i := 0; i+1 < len(args); i += 2 {
		data[fmt.Sprint(args[i])] = args[i+1]
	}
	t := tmpl(Lang(lang), key, text)
	if t == nil {
		return text
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return text
	}
	return b.String()
}

func tmpl(lang, key, text string) *template.Template {
	tmplMu.Lock()
	defer tmplMu.Unlock()
	k := [2]string{lang, key}
	if t, ok := tmpls[k]; ok {
		return t
	}
	t, err := template.New("").Option("missingkey=zero").Parse(text)
	if err != nil {
		t = nil
	}
	tmpls[k] = t
	return t
}

// Has reports whether lang has its own text for key.
func Has(lang, key string) bool {
	loadOnce.Do(load)
	_, ok := tables[lang][key]
	return ok
}

// Keys lists lang's keys, sorted.
func Keys(lang string) []string {
	loadOnce.Do(load)
	var out []string
	for k := range tables[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Err is why the catalog could not be read (nil when it could): the files
// are embedded, so only a broken build fails.
func Err() error {
	loadOnce.Do(load)
	return loadErr
}

// Key marks a literal as a catalog key where it is chosen, not where it is
// translated (a function that returns the key for a value); it returns s.
// The completeness test finds keys by these calls, by lang.L and by T.
func Key(s string) string { return s }

// All is key in every language of the catalog, placeholders filled from
// args as T does: the form hints and diagnoses keep their texts in, one
// per language.
func All(key string, args ...any) map[string]string {
	out := make(map[string]string, len(Languages))
	for _, lang := range Languages {
		out[lang] = T(lang, key, args...)
	}
	return out
}
