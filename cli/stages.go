package cli

import (
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/wizard"
)

// stageWords is how a person reads stage s in lang: the GUI's words
// ("шифрование", "encrypting"), English where a translation is missing.
func stageWords(s probe.Stage, lang string) string {
	return catalog.T(lang, probe.StageLabel(s))
}

// diagnosisWords is a diagnosis kind as a short phrase in lang.
func diagnosisWords(k probe.Kind, lang string) string {
	return catalog.T(lang, wizard.DiagnosisName(string(k)))
}
