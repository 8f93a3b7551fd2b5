package account

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseAddressAccepts(t *testing.T) {
	tests := []struct {
		in                          string
		local, domain, domainUni    string
		login, loginLocal, tag, str string
	}{
		{in: "alice@example.com", local: "alice", domain: "example.com", domainUni: "example.com"},
		{in: "  Alice.Smith@Example.COM \t", local: "Alice.Smith", domain: "example.com", domainUni: "example.com"},
		{in: "алиса@почта.рф", local: "алиса", domain: "xn--80a1acny.xn--p1ai", domainUni: "почта.рф"},
		{in: "bob@ПОЧТА.РФ", local: "bob", domain: "xn--80a1acny.xn--p1ai", domainUni: "почта.рф"},
		{in: "bob@xn--80a1acny.xn--p1ai", local: "bob", domain: "xn--80a1acny.xn--p1ai", domainUni: "почта.рф"},
		{in: "login+shop@yandex.ru", local: "login+shop", domain: "yandex.ru", domainUni: "yandex.ru",
			login: "login@yandex.ru", loginLocal: "login", tag: "shop"},
		{in: "+tag@example.com", local: "+tag", domain: "example.com", domainUni: "example.com",
			login: "+tag@example.com", loginLocal: "+tag"}, // a leading plus is the name, not a tag
		{in: "Alice Smith <alice@example.com>", local: "alice", domain: "example.com", domainUni: "example.com"},
		{in: "mailto:alice@example.com?subject=hi", local: "alice", domain: "example.com", domainUni: "example.com"},
		{in: "MAILTO:alice@example.com", local: "alice", domain: "example.com", domainUni: "example.com"},
		{in: "a@ＥＸＡＭＰＬＥ.com", local: "a", domain: "example.com", domainUni: "example.com"}, // full-width letters
		{in: "o'brien_x-y@sub-1.example.co.uk", local: "o'brien_x-y", domain: "sub-1.example.co.uk", domainUni: "sub-1.example.co.uk"},
		{in: strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + ".com", local: strings.Repeat("a", 64),
			domain: strings.Repeat("b", 63) + ".com", domainUni: strings.Repeat("b", 63) + ".com"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, err := ParseAddress(tt.in)
			if err != nil {
				t.Fatalf("ParseAddress(%q): %v", tt.in, err)
			}
			if a.Local != tt.local || a.Domain != tt.domain || a.DomainUnicode != tt.domainUni {
				t.Errorf("got %+v, want local %q domain %q unicode %q", a, tt.local, tt.domain, tt.domainUni)
			}
			if tt.login == "" {
				tt.login, tt.loginLocal = tt.local+"@"+tt.domain, tt.local
			}
			if a.Login() != tt.login || a.LoginLocal() != tt.loginLocal || a.Tag() != tt.tag {
				t.Errorf("Login %q LoginLocal %q Tag %q; want %q %q %q", a.Login(), a.LoginLocal(), a.Tag(), tt.login, tt.loginLocal, tt.tag)
			}
			if a.String() != tt.local+"@"+tt.domain || a.Display() != tt.local+"@"+tt.domainUni {
				t.Errorf("String %q Display %q", a.String(), a.Display())
			}
		})
	}
}

// idnLongDomain is short in characters but longer than 253 once encoded.
func idnLongDomain() string { return idnDomain(9) }

// idnDomain is n Cyrillic labels of 29 punycode bytes each, then .рф.
func idnDomain(n int) string {
	label := "жабвгдезийклмнопрстуф" // 21 letters: 29 bytes of punycode
	return strings.TrimSuffix(strings.Repeat(label+".", n), ".") + ".рф"
}

// TestParseAddressRejects covers every rejection of issue 2, item 2: the
// stable Code a UI translates, and a message that names the problem.
func TestParseAddressRejects(t *testing.T) {
	tests := []struct {
		name, in, code string
		mention        string // the message must contain it
	}{
		{"empty", "", "empty", "empty"},
		{"only spaces", "   \t ", "empty", "empty"},
		{"empty angle", "Alice <>", "empty", "empty"},
		{"no at", "alice.example.com", "no-at", "no @"},
		{"several at", "alice@home@example.com", "many-at", "2 @ signs"},
		{"empty local", "@example.com", "empty-local", "before the @ is empty"},
		{"empty domain", "alice@", "empty-domain", "after the @ is empty"},
		{"space", "al ice@example.com", "space", "space"},
		{"no-break space", "alice@exa\u00a0mple.com", "space", "space"},
		{"tab inside", "alice@\texample.com", "space", "space"},
		{"control", "alice\x01@example.com", "control", "control character"},
		{"delete", "alice@example.com\x7f", "control", "U+007F"},
		{"invalid utf-8", "alice@ex\xffample.com", "encoding", "not valid text"},
		{"empty label", "alice@example..com", "label-empty", "empty part"},
		{"leading dot", "alice@.example.com", "label-empty", "empty part"},
		{"trailing dot", "alice@example.com.", "label-empty", "ends with a dot"},
		{"label starts with hyphen", "alice@-example.com", "label-hyphen", `"-example"`},
		{"label ends with hyphen", "alice@example-.com", "label-hyphen", `"example-"`},
		{"underscore", "alice@my_host.example.com", "label-underscore", `"my_host"`},
		{"label too long", "alice@" + strings.Repeat("x", 64) + ".com", "label-too-long", "64 characters"},
		{"domain too long", "a@" + idnLongDomain(), "domain-too-long", "limit is 253"},
		{"single label", "root@localhost", "single-label", `"localhost" has no dot`},
		{"address too long", strings.Repeat("a", 60) + "@" + strings.Repeat(strings.Repeat("b", 60)+".", 4) + "com", "too-long", "limit is 254"},
		{"address too long once encoded", strings.Repeat("a", 64) + "@" + idnDomain(7), "too-long", "once its domain is encoded"},
		{"local too long", strings.Repeat("a", 65) + "@example.com", "local-too-long", "65 characters"},
		{"local dot", ".alice@example.com", "local-dot", "starts or ends with a dot"},
		{"local dots", "al..ice@example.com", "local-dots", "two dots"},
		{"local comma", "alice,bob@example.com", "local-char", `','`},
		{"domain char", "alice@exa!mple.com", "label-char", `'!'`},
		{"bad idn", "alice@xn--zz.com", "idna", "xn--zz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseAddress(tt.in)
			if err == nil {
				t.Fatalf("ParseAddress(%q) = %+v; want error %s", tt.in, a, tt.code)
			}
			var ae *AddressError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v is %T, want *AddressError", err, err)
			}
			if ae.Code != tt.code {
				t.Errorf("Code = %q, want %q (%v)", ae.Code, tt.code, err)
			}
			if !strings.Contains(ae.Problem, tt.mention) {
				t.Errorf("Problem %q does not name %q", ae.Problem, tt.mention)
			}
			if ae.Fix == "" || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q needs a fix and must be one line", err)
			}
		})
	}
}

// FuzzParseAddress: no input panics; an accepted address re-parses to
// itself from both its ASCII and its Unicode form; the ASCII domain is lower
// case letters, digits, hyphens and dots (punycode).
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{
		"alice@example.com", "алиса@почта.рф", "login+tag@yandex.ru", "Name <a@b.example>",
		"mailto:a@b.example?x", "a@ＥＸＡＭＰＬＥ.com", "a@xn--80a1acny.xn--p1ai", "a@ß.de", "a@b",
		"@", "a@-b.com", "a@b..c", "a\x00@b.com", "a@" + idnLongDomain(),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			var ae *AddressError
			if !errors.As(err, &ae) || ae.Code == "" || ae.Problem == "" {
				t.Fatalf("ParseAddress(%q): error %v has no code or problem", s, err)
			}
			return
		}
		for i := 0; i < len(a.Domain); i++ {
			c := a.Domain[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
				t.Fatalf("ParseAddress(%q): domain %q holds %q", s, a.Domain, c)
			}
		}
		// The address limit counts the domain in the form DNS sees.
		if len(a.Domain) > 253 || utf8.RuneCountInString(a.String()) > 254 {
			t.Fatalf("ParseAddress(%q): over the limits: %+v", s, a)
		}
		for _, form := range []string{a.String(), a.Display()} {
			b, err := ParseAddress(form)
			if err != nil {
				t.Fatalf("ParseAddress(%q) = %+v, but its form %q is refused: %v", s, a, form, err)
			}
			if b != a {
				t.Fatalf("ParseAddress(%q) = %+v; re-parsing %q gives %+v", s, a, form, b)
			}
		}
	})
}
