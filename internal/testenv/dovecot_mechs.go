package testenv

import (
	"strings"
	"testing"
)

// StartDovecotMechs starts Dovecot as [StartDovecot] does, offering the
// SASL mechanisms mechs (Dovecot's names, e.g. "cram-md5",
// "scram-sha-256") on IMAP, POP3 and Submission, and PLAIN besides: the
// harness's own readiness check logs in with IMAP LOGIN, which Dovecot
// runs through PLAIN. The passwords are kept in plain text, so every
// mechanism Dovecot has can check them. Dovecot's log names the method
// of each login ("method=CRAM-MD5"), for tests to see which was used.
func StartDovecotMechs(t testing.TB, ca *CA, mechs []string, users ...string) *Dovecot {
	t.Helper()
	return startDovecot(t, ca, func(*Dovecot) string {
		return "# Mechanisms, from StartDovecotMechs.\nauth_mechanisms = plain " + strings.Join(mechs, " ") + "\n"
	}, users...)
}
