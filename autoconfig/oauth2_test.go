package autoconfig

import (
	"strings"
	"testing"
)

// withOAuth2 is a minimal document with the given <oAuth2> body.
func withOAuth2(body string) string {
	return strings.Replace(minimal(imapOK), "</emailProvider>", "</emailProvider><oAuth2>"+body+"</oAuth2>", 1)
}

const oauth2OK = `<issuer>login.x.example</issuer><scope>mail offline_access</scope>` +
	`<authURL>https://login.x.example/auth</authURL><tokenURL>https://login.x.example/token</tokenURL>`

// TestOAuth2Refused: an <oAuth2> element that could send a sign-in
// somewhere unsafe or is malformed is refused with an error naming the
// problem.
func TestOAuth2Refused(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"no issuer", `<scope>mail</scope><authURL>https://a.example/</authURL><tokenURL>https://a.example/t</tokenURL>`, "no <issuer>"},
		{"plain http authURL", strings.Replace(oauth2OK, "https://login.x.example/auth", "http://login.x.example/auth", 1), "authURL"},
		{"javascript tokenURL", strings.Replace(oauth2OK, "https://login.x.example/token", "javascript:alert(1)", 1), "tokenURL"},
		{"user in URL", strings.Replace(oauth2OK, "https://login.x.example/auth", "https://evil@login.x.example/auth", 1), "authURL"},
		{"no scope", strings.Replace(oauth2OK, "<scope>mail offline_access</scope>", "", 1), "no <scope>"},
		{"quote in scope", strings.Replace(oauth2OK, "mail offline_access", `mail "x"`, 1), "scope token"},
		{"scope for FTP", oauth2OK + `<mw:scope protocol="ftp">mail</mw:scope>`, "not imap, pop3 or smtp"},
		{"protocol scope not listed", oauth2OK + `<mw:scope protocol="imap">other</mw:scope>`, "not in <scope>"},
		{"mechanism PLAIN", oauth2OK + `<mw:mechanism>PLAIN</mw:mechanism>`, "XOAUTH2 or OAUTHBEARER"},
		{"http device URL", oauth2OK + `<mw:deviceAuthURL>http://login.x.example/device</mw:deviceAuthURL>`, "deviceAuthURL"},
		{"issuer not a host", strings.Replace(oauth2OK, "login.x.example</issuer>", "login x</issuer>", 1), "issuer"},
		{"duplicate scopes", strings.Replace(oauth2OK, "mail offline_access", "s"+strings.Repeat(" x", 40), 1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBytes([]byte(withOAuth2(tt.body)))
			if tt.want == "" {
				// Duplicates collapse: 41 tokens of two distinct values are two scopes.
				if err != nil {
					t.Errorf("err = %v; want duplicates collapsed", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "oAuth2") {
				t.Errorf("err = %v; want one naming oAuth2 and %q", err, tt.want)
			}
		})
	}
	var many []string
	for i := range 40 {
		many = append(many, "s"+strings.Repeat("x", i))
	}
	if _, err := ParseBytes([]byte(withOAuth2(strings.Replace(oauth2OK, "mail offline_access", strings.Join(many, " "), 1)))); err == nil || !strings.Contains(err.Error(), "more than 32 scopes") {
		t.Errorf("40 scopes: err = %v", err)
	}
}
