package oauth

import (
	"context"
	"errors"
	"net/url"
	"os/exec"
	"runtime"
)

// OpenSystemBrowser opens rawURL in the person's default browser: open on
// macOS, rundll32's URL handler on Windows, xdg-open elsewhere. Only http
// and https URLs are opened, passed as one argument and never through a
// shell.
func OpenSystemBrowser(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return errors.New("not an http or https address")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Not tied to ctx: the browser xdg-open starts must outlive the sign-in.
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", rawURL)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", rawURL)
	default:
		cmd = exec.Command("xdg-open", rawURL)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	// Reaped in the background: xdg-open may wait for the browser.
	go cmd.Wait() //nolint:errcheck
	return nil
}
