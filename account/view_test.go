package account

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func mustAddr(t *testing.T, s string) Address {
	t.Helper()
	a, err := ParseAddress(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestExpandUsername(t *testing.T) {
	plain := mustAddr(t, "Alice@Example.COM")
	tagged := mustAddr(t, "alice+news@почта.рф")
	tests := []struct {
		tmpl string
		addr Address
		want string
	}{
		{"", plain, "Alice@example.com"}, // no template: the full address
		{"%EMAILADDRESS%", plain, "Alice@example.com"},
		{"%EMAILLOCALPART%", plain, "Alice"},
		{"%EMAILDOMAIN%", plain, "example.com"},
		{"%EMAILLOCALPART%@%EMAILDOMAIN%", plain, "Alice@example.com"},
		{"mail-%EMAILLOCALPART%", plain, "mail-Alice"},
		{"fixed-login", plain, "fixed-login"},
		{"%EMAILADDRESS%", tagged, "alice@xn--80a1acny.xn--p1ai"}, // the tag is dropped, the domain is what servers take
		{"%EMAILLOCALPART%", tagged, "alice"},
		{"%emailaddress%", plain, "%emailaddress%"}, // placeholders are upper case by definition
	}
	for _, tt := range tests {
		if got := ExpandUsername(tt.tmpl, tt.addr); got != tt.want {
			t.Errorf("ExpandUsername(%q, %s) = %q, want %q", tt.tmpl, tt.addr, got, tt.want)
		}
	}
}

func TestConfigForLeavesTemplate(t *testing.T) {
	tmpl := Config{
		Incoming: []Server{{Protocol: IMAP, Host: "mail.%EMAILDOMAIN%", Port: 993, Security: SSL, Username: "%EMAILLOCALPART%", Auth: AuthPassword}},
		Outgoing: []Server{{Protocol: SMTP, Host: "smtp.example.com", Port: 465, Security: SSL, Auth: AuthPassword}},
	}
	before := tmpl.Incoming[0]
	c := tmpl.For(mustAddr(t, "bob+x@Example.org"))
	if got := c.Incoming[0]; got.Host != "mail.example.org" || got.Username != "bob" {
		t.Errorf("For: incoming %+v", got)
	}
	if got := c.Outgoing[0].Username; got != "bob@example.org" {
		t.Errorf("For: empty username became %q, want the full address", got)
	}
	if tmpl.Incoming[0] != before {
		t.Errorf("For changed its template: %+v", tmpl.Incoming[0])
	}
}

func TestView(t *testing.T) {
	cfg := Config{
		Provider: &Provider{ID: "ex", Name: "Example Mail", ShortName: "Ex"},
		Incoming: []Server{{Protocol: IMAP, Host: "imap.example.com", Port: 993, Security: SSL, Username: "%EMAILADDRESS%", Auth: AuthPassword}},
		Hints: []Hint{
			{Kind: HintAppPassword, URL: "https://example.com/app", Text: map[string]string{"en": "Make an app password.", "ru": "Создайте пароль приложения."}},
			{Kind: HintInfo, Text: map[string]string{"en": "English only."}},
		},
		Limits:       Limits{MaxMessageMB: 25},
		Source:       SourceBuiltin,
		SecureSource: true,
	}
	addr := mustAddr(t, "Alice+x@Example.com")
	v := cfg.View(addr, "ru")
	want := View{
		Email: "Alice+x@example.com", Domain: "example.com",
		Provider: &ProviderView{ID: "ex", Name: "Example Mail"},
		Source:   SourceBuiltin, SecureSource: true,
		Incoming: []Server{{Protocol: IMAP, Host: "imap.example.com", Port: 993, Security: SSL, Username: "Alice@example.com", Auth: AuthPassword}},
		Outgoing: []Server{},
		Hints: []HintView{
			{Kind: HintAppPassword, Text: "Создайте пароль приложения.", URL: "https://example.com/app"},
			{Kind: HintInfo, Text: "English only."}, // falls back to English
		},
		Limits: &Limits{MaxMessageMB: 25},
	}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("View:\ngot  %+v\nwant %+v", v, want)
	}
	if cfg.Incoming[0].Username != "%EMAILADDRESS%" {
		t.Errorf("View changed the template")
	}
}

// TestViewJSON pins the contract's shape for an unknown provider: provider
// null, empty lists as [], no limits key.
func TestViewJSON(t *testing.T) {
	v := Config{Source: SourceGuess}.View(mustAddr(t, "a@b.example"), "en")
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"email":"a@b.example","domain":"b.example","provider":null,"source":"guess","secure_source":false,"incoming":[],"outgoing":[],"hints":[]}`
	if string(b) != want {
		t.Errorf("JSON:\ngot  %s\nwant %s", b, want)
	}
}

func TestHintIn(t *testing.T) {
	h := Hint{Text: map[string]string{"ru": "только по-русски"}}
	if got := h.In("en"); got != "только по-русски" {
		t.Errorf("In(en) with Russian only = %q", got)
	}
	if got := (Hint{}).In("en"); got != "" {
		t.Errorf("In on an empty hint = %q", got)
	}
	for _, k := range HintKinds {
		if !k.Valid() || strings.ToLower(string(k)) != string(k) {
			t.Errorf("kind %q", k)
		}
	}
	if HintKind("reboot").Valid() {
		t.Error(`"reboot" is not a kind`)
	}
}
