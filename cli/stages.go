package cli

import (
	"encoding/json"
	"sync"

	"github.com/mailwiz/mailwiz/assets"
	"github.com/mailwiz/mailwiz/probe"
)

// translations are the wizard's own translation files (the ones the GUI
// loads), read once: the CLI's report takes its stage words from them so
// both faces name a stage alike.
var translations = sync.OnceValue(func() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, l := range assets.Languages {
		data, err := assets.Translations.ReadFile("translations/" + l + ".json")
		if err != nil {
			continue
		}
		var m map[string]string
		if json.Unmarshal(data, &m) == nil {
			out[l] = m
		}
	}
	return out
})

// stageWords is how a person reads stage s in lang: the GUI's words
// ("шифрование", "encrypting"), English where a translation is missing.
func stageWords(s probe.Stage, lang string) string {
	label := probe.StageLabel(s)
	if t := translations()[lang][label]; t != "" {
		return t
	}
	return label
}
