package account

// HintKind names what a person must do (or know) before a client may log in.
// The values are part of the CLI/JSON contract.
type HintKind string

// Hint kinds (DESIGN.md).
const (
	HintEnableIMAP       HintKind = "enable-imap"
	HintEnablePOP        HintKind = "enable-pop"
	HintAppPassword      HintKind = "app-password"
	HintOAuth2Required   HintKind = "oauth2-required"
	HintWebLogin         HintKind = "web-login"
	HintFromMustMatch    HintKind = "from-must-match-login"
	HintPort25Blocked    HintKind = "port25-blocked"
	HintNoIMAP           HintKind = "no-imap"
	HintUnverifiedSource HintKind = "unverified-source"
	HintPlaintext        HintKind = "plaintext"
	HintInfo             HintKind = "info" // anything else worth saying, e.g. "Proton needs Bridge"
	// HintLookAlike: the domain only looks like a known provider's.
	HintLookAlike HintKind = "lookalike-domain"
)

// HintKinds lists every kind, for validation and documentation.
var HintKinds = []HintKind{HintEnableIMAP, HintEnablePOP, HintAppPassword, HintOAuth2Required,
	HintWebLogin, HintFromMustMatch, HintPort25Blocked, HintNoIMAP, HintUnverifiedSource,
	HintPlaintext, HintInfo, HintLookAlike}

// Valid reports whether k is a known kind.
func (k HintKind) Valid() bool {
	for _, v := range HintKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Hint is one thing a person must know or do, in several languages.
type Hint struct {
	Kind HintKind
	// Text maps a language code ("en", "ru") to the sentence in that language.
	Text map[string]string
	// URL is the provider's page where the person does it, if there is one.
	URL string
}

// In returns the hint's text in lang, falling back to English, then to the
// language whose code sorts first: the same hint always reads the same, in
// the JSON output and the golden files alike.
func (h Hint) In(lang string) string {
	if t := h.Text[lang]; t != "" {
		return t
	}
	if t := h.Text["en"]; t != "" {
		return t
	}
	first, text := "", ""
	for l, t := range h.Text {
		if t != "" && (text == "" || l < first) {
			first, text = l, t
		}
	}
	return text
}
