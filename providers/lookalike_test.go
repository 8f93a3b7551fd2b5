package providers

import "testing"

func TestLookAlike(t *testing.T) {
	for _, tc := range []struct {
		domain, want string
	}{
		{"gmaіl.com", "gmail.com"},        // Cyrillic і
		{"xn--gmal-n9d.com", "gmail.com"}, // the same, in punycode
		{"ya.ru", ""},                     // known itself
		{"gmail.com", ""},                 // known itself
		{"rnail.ru", "mail.ru"},           // rn reads as m
		{"gmai1.com", "gmail.com"},        // 1 reads as l
		{"уаndех.ru", "yandex.ru"},        // Cyrillic у, а, е, х
		{"example.org", ""},               // looks like nothing known
		{"mycompany.ru", ""},
	} {
		got, ok := LookAlike(tc.domain)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("LookAlike(%q) = %q, %v; want %q", tc.domain, got, ok, tc.want)
		}
	}
}
