package probe

import (
	"github.com/mailwiz/mailwiz/account"
)

// ReportView is the JSON form of a Report: the object `mailwiz test --json`
// prints (DESIGN.md, "CLI contract"). Field names and values are a contract.
type ReportView struct {
	OK       bool          `json:"ok"`
	Results  []ResultView  `json:"results"`
	SendTest *SendTestView `json:"send_test,omitempty"`
}

// ResultView is one server's result.
type ResultView struct {
	Protocol   account.Protocol `json:"protocol"`
	Host       string           `json:"host"`
	Port       int              `json:"port"`
	Security   account.Security `json:"security"`
	OK         bool             `json:"ok"`
	Stage      Stage            `json:"stage"`
	DurationMS int64            `json:"duration_ms"`
	Error      string           `json:"error"`
	Diagnosis  *DiagnosisView   `json:"diagnosis"`
	TLS        *TLSInfo         `json:"tls"`
	// FallbackFrom is the preferred server, as a server URL, when this one
	// stands in for it because it did not answer from this network;
	// FallbackText says so in a sentence. Tried are the other servers
	// tried in this place, each as it ended (the preferred first;
	// Result.Tried). All three are
	// absent without a fallback (added with port fallback; the fields
	// before them are unchanged).
	FallbackFrom string       `json:"fallback_from,omitempty"`
	FallbackText string       `json:"fallback_text,omitempty"`
	Tried        []ResultView `json:"tried,omitempty"`
}

// DiagnosisView is a diagnosis in one language.
type DiagnosisView struct {
	Kind Kind   `json:"kind"`
	Text string `json:"text"`
	URL  string `json:"url,omitempty"`
}

// SendTestView is the send test's outcome (present only with --send-test).
type SendTestView struct {
	OK         bool           `json:"ok"`
	Stage      Stage          `json:"stage"`
	DeliveryMS int64          `json:"delivery_ms"`
	Error      string         `json:"error"`
	Diagnosis  *DiagnosisView `json:"diagnosis"`
	// JunkFolder names the spam folder the message arrived in; absent
	// for the inbox (added with the spam-folder search).
	JunkFolder string `json:"junk_folder,omitempty"`
}

// View renders the report with texts in lang ("en", "ru").
func (r Report) View(lang string) ReportView {
	v := ReportView{OK: r.OK, Results: []ResultView{}}
	for _, res := range r.Results {
		v.Results = append(v.Results, res.view(lang))
	}
	if st := r.SendTest; st != nil {
		v.SendTest = &SendTestView{OK: st.OK, Stage: st.Stage, DeliveryMS: st.Delivery.Milliseconds(), Error: st.Error, Diagnosis: st.Diagnosis.view(lang), JunkFolder: st.JunkFolder}
	}
	return v
}

func (res Result) view(lang string) ResultView {
	v := ResultView{
		Protocol:   res.Server.Protocol,
		Host:       res.Server.Host,
		Port:       res.Server.Port,
		Security:   res.Server.Security,
		OK:         res.OK,
		Stage:      res.Stage,
		DurationMS: res.Duration.Milliseconds(),
		Error:      res.Error,
		Diagnosis:  res.Diagnosis.view(lang),
		TLS:        res.TLS,
	}
	if res.FallbackFrom != nil {
		v.FallbackFrom = res.FallbackFrom.String()
		v.FallbackText = fallbackIn(res.FallbackText, lang)
	}
	for _, t := range res.Tried {
		v.Tried = append(v.Tried, t.view(lang))
	}
	return v
}

// fallbackIn is the fallback sentence in lang, falling back to English.
func fallbackIn(texts map[string]string, lang string) string {
	if t := texts[lang]; t != "" {
		return t
	}
	return texts["en"]
}

func (d *Diagnosis) view(lang string) *DiagnosisView {
	if d == nil {
		return nil
	}
	return &DiagnosisView{Kind: d.Kind, Text: d.In(lang), URL: d.URL}
}
