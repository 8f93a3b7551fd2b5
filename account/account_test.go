package account

import "testing"

func TestServerString(t *testing.T) {
	s := Server{Protocol: POP3, Host: "pop.example.com", Port: 110, Security: STARTTLS}
	if got, want := s.String(), "pop3://pop.example.com:110?security=starttls"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestDefaultPort(t *testing.T) {
	tests := []struct {
		p    Protocol
		s    Security
		want int
	}{
		{IMAP, SSL, 993}, {IMAP, STARTTLS, 143}, {IMAP, None, 143},
		{POP3, SSL, 995}, {POP3, STARTTLS, 110}, {POP3, None, 110},
		{SMTP, SSL, 465}, {SMTP, STARTTLS, 587}, {SMTP, None, 587},
		{"nntp", SSL, 0},
	}
	for _, tt := range tests {
		if got := DefaultPort(tt.p, tt.s); got != tt.want {
			t.Errorf("DefaultPort(%s, %s) = %d, want %d", tt.p, tt.s, got, tt.want)
		}
	}
}

func TestEnums(t *testing.T) {
	if !(SSL.Rank() < STARTTLS.Rank() && STARTTLS.Rank() < None.Rank()) {
		t.Errorf("Rank does not order ssl < starttls < none")
	}
	for _, p := range []Protocol{IMAP, POP3, SMTP} {
		if !p.Valid() || p.Incoming() == (p == SMTP) {
			t.Errorf("protocol %s: Valid %v Incoming %v", p, p.Valid(), p.Incoming())
		}
	}
	for _, bad := range []string{"", "IMAP", "ssl ", "tls", "plain"} {
		if Protocol(bad).Valid() || Security(bad).Valid() || Auth(bad).Valid() {
			t.Errorf("%q accepted as a protocol, security or auth", bad)
		}
	}
	for _, a := range []Auth{AuthPassword, AuthPasswordEncrypted, AuthOAuth2, AuthNone, AuthClientIP, AuthClientCert} {
		if !a.Valid() {
			t.Errorf("auth %q not valid", a)
		}
	}
}

func TestConfigQueries(t *testing.T) {
	c := Config{
		Incoming: []Server{{Protocol: POP3, Host: "pop"}, {Protocol: IMAP, Host: "imap1"}, {Protocol: IMAP, Host: "imap2"}},
		Hints:    []Hint{{Kind: HintAppPassword}},
	}
	if s, ok := c.PreferredIncoming(IMAP); !ok || s.Host != "imap1" {
		t.Errorf("PreferredIncoming(imap) = %v, %v", s, ok)
	}
	if _, ok := c.PreferredIncoming(SMTP); ok {
		t.Errorf("PreferredIncoming(smtp) found an incoming smtp server")
	}
	if !c.HasHint(HintAppPassword) || c.HasHint(HintNoIMAP) {
		t.Errorf("HasHint wrong")
	}
	var zero Limits
	if !zero.IsZero() || (Limits{BlockedAttachments: []string{"exe"}}).IsZero() || (Limits{IMAPUploadMBDay: 1}).IsZero() {
		t.Errorf("Limits.IsZero wrong")
	}
}

func TestHintInFallback(t *testing.T) {
	tests := []struct {
		name string
		text map[string]string
		lang string
		want string
	}{
		{"asked language", map[string]string{"en": "hello", "ru": "привет"}, "ru", "привет"},
		{"english fallback", map[string]string{"en": "hello", "ru": "привет"}, "de", "hello"},
		{"empty asked text falls back", map[string]string{"en": "hello", "ru": ""}, "ru", "hello"},
		// Without English, the first language code in order, every time
		// (map iteration alone would pick at random).
		{"first code without english", map[string]string{"fr": "bonjour", "de": "hallo", "uk": "привіт"}, "ru", "hallo"},
		{"empty texts skipped", map[string]string{"de": "", "fr": "bonjour"}, "ru", "bonjour"},
		{"no text", nil, "en", ""},
	}
	for _, tt := range tests {
		h := Hint{Kind: HintInfo, Text: tt.text}
		for range 20 {
			if got := h.In(tt.lang); got != tt.want {
				t.Fatalf("%s: In(%q) = %q, want %q", tt.name, tt.lang, got, tt.want)
			}
		}
	}
}

func TestBySecurity(t *testing.T) {
	for s, want := range map[Security]string{SSL: "a", STARTTLS: "b", None: "c", "bogus": "c"} {
		if got := BySecurity(s, "a", "b", "c"); got != want {
			t.Errorf("BySecurity(%q) = %q; want %q", s, got, want)
		}
	}
}
