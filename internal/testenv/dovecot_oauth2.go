package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// StartDovecotOAuth2 starts Dovecot as [StartDovecot] does, and also lets
// IMAP, POP3 and Submission log in with XOAUTH2 and OAUTHBEARER, each token
// checked by introspection (RFC 7662) at the authorization server as. The
// token's introspected "username" must be the login name. Passwords keep
// working for PLAIN and LOGIN.
//
// The auth cache is off, so a token revoked or expired at as is refused at
// the next login; a refused token gets the mechanism's JSON error challenge
// before the final NO / -ERR / 535.
func StartDovecotOAuth2(t testing.TB, ca *CA, as *AuthServer, users ...string) *Dovecot {
	t.Helper()
	return startDovecot(t, ca, func(d *Dovecot) string {
		ext := filepath.Join(d.Dir, "dovecot-oauth2.conf.ext")
		lines := []string{
			"introspection_mode = post",
			"introspection_url = " + as.IntrospectURL,
			// Every login asks the server: no token is taken on its own say.
			"force_introspection = yes",
			"username_attribute = username",
			"active_attribute = active",
			"active_value = true",
			"tls_ca_cert_file = " + ca.CertFile,
		}
		if err := os.WriteFile(ext, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var b conf
		w := b.line
		w("# OAuth2, from StartDovecotOAuth2.")
		w("auth_mechanisms = plain login xoauth2 oauthbearer")
		w("auth_cache_size = 0")
		w("passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = %s\n}", ext)
		return b.String()
	}, users...)
}
