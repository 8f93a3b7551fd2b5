package account

// View is the JSON form of a Config for one address: the object `mailwiz
// detect --json` prints and the `json` export writes (DESIGN.md, "CLI
// contract"). Field names and values are a contract: change them only with
// the design.
type View struct {
	Email        string        `json:"email"`
	Domain       string        `json:"domain"`
	Provider     *ProviderView `json:"provider"`
	Source       Source        `json:"source"`
	SecureSource bool          `json:"secure_source"`
	Incoming     []Server      `json:"incoming"`
	Outgoing     []Server      `json:"outgoing"`
	Hints        []HintView    `json:"hints"`
	Limits       *Limits       `json:"limits,omitempty"`
}

// ProviderView names the provider in the JSON contract.
type ProviderView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// HintView is one hint in one language.
type HintView struct {
	Kind HintKind `json:"kind"`
	Text string   `json:"text"`
	URL  string   `json:"url,omitempty"`
}

// View renders c for addr with hint texts in lang ("en", "ru"). It expands
// username placeholders, so c may be a provider template.
func (c Config) View(addr Address, lang string) View {
	c = c.For(addr)
	v := View{
		Email:        addr.String(),
		Domain:       addr.Domain,
		Source:       c.Source,
		SecureSource: c.SecureSource,
		Incoming:     nonNil(c.Incoming),
		Outgoing:     nonNil(c.Outgoing),
		Hints:        []HintView{},
	}
	if c.Provider != nil {
		v.Provider = &ProviderView{ID: c.Provider.ID, Name: c.Provider.Name}
	}
	for _, h := range c.Hints {
		v.Hints = append(v.Hints, HintView{Kind: h.Kind, Text: h.In(lang), URL: h.URL})
	}
	if !c.Limits.IsZero() {
		l := c.Limits
		v.Limits = &l
	}
	return v
}

func nonNil(s []Server) []Server {
	if s == nil {
		return []Server{}
	}
	return s
}
