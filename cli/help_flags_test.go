package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestHelpNamesNewFlags: `mailwiz help test` and `help save` explain the
// flags the certificate exceptions and the port fallback added, each with
// what a user must know before using it.
func TestHelpNamesNewFlags(t *testing.T) {
	tests := []struct {
		cmd  string
		want []string // each must appear in the help text
	}{
		{"test", []string{
			"--trust-cert SHA256]...", "-trust-cert SHA256", "administrator has confirmed", "save --trust-cert are used too",
			"--no-fallback]", "-no-fallback", "other ports",
			"-allow-plaintext", "an encrypted one never falls back to one without encryption",
		}},
		{"save", []string{"--trust-cert SHA256]...", "-trust-cert SHA256", "accepted with test --trust-cert", "later tests of the address use it"}},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := Run(context.Background(), newEnv(t, "", &out, &errb), []string{"help", tt.cmd})
		if code != ExitOK || errb.Len() != 0 {
			t.Errorf("help %s: exit %d, stderr %q", tt.cmd, code, errb.String())
		}
		// The flag package wraps nothing, so phrases are matched on the
		// text with its line breaks and indents folded.
		text := strings.Join(strings.Fields(out.String()), " ")
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("help %s does not say %q:\n%s", tt.cmd, w, out.String())
			}
		}
	}
}
