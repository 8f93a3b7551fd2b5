package oauth

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/internal/testenv"
)

// TestChromium drives the browser step once with a real headless Chromium
// (Debian's chromium): it opens the authorization URL, the test server
// redirects it to the loopback listener, and the sign-in completes. It is
// skipped where chromium is not installed, and fails under CI then.
func TestChromium(t *testing.T) {
	bin := testenv.RequireCommand(t, "chromium", "chromium")
	e := newEnv(t)
	leaf, err := x509.ParseCertificate(e.as.Leaf.TLS.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	spki := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	profile := t.TempDir()
	var out []byte
	exited := make(chan struct{})
	f := e.flow()
	f.Timeout = 90 * time.Second
	f.OpenBrowser = func(ctx context.Context, u string) error {
		args := []string{"--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
			// Without these, Chromium reaches for Google's hosts at start.
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir=" + profile,
			// Trust exactly the test server's key, not every certificate.
			"--ignore-certificate-errors-spki-list=" + base64.StdEncoding.EncodeToString(spki[:]),
			"--dump-dom", u}
		if os.Geteuid() == 0 {
			args = append([]string{"--no-sandbox"}, args...)
		}
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append(os.Environ(), "HOME="+profile)
		go func() { out, _ = cmd.CombinedOutput(); close(exited) }()
		return nil
	}
	start := time.Now()
	tok, err := f.SignIn(context.Background())
	e.noteErr(err)
	// SignIn's end cancels the context Chromium was started with.
	<-exited
	if err != nil {
		t.Fatalf("sign-in with Chromium: %v\nChromium said:\n%s", err, out)
	}
	if !strings.HasPrefix(tok.AccessToken, canary) {
		t.Fatalf("the token is not the server's")
	}
	t.Logf("Chromium signed in in %v", time.Since(start).Round(time.Millisecond))
	// The profile holds no token: the code went through the browser's
	// history, the tokens never did.
	filepath.Walk(profile, func(p string, fi os.FileInfo, err error) error { //nolint:errcheck
		if err != nil || fi.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), tok.AccessToken) || strings.Contains(string(b), tok.RefreshToken) {
			t.Errorf("Chromium's profile file %s holds a token", p)
		}
		return nil
	})
}
