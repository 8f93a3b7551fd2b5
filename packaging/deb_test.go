package packaging

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/internal/testenv"
)

// built returns the one package matching pattern under ../dist, or skips
// (fails under CI) when it has not been built.
func built(t *testing.T, pattern string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join("..", "dist", pattern))
	if len(m) != 1 {
		if testenv.InCI() {
			t.Fatalf("%d files match dist/%s; make package-linux package-windows builds them", len(m), pattern)
		}
		t.Skipf("dist/%s is not built (make package-linux package-windows)", pattern)
	}
	return m[0]
}

// version is FyneApp.toml's Version, the one every package carries.
func version(t *testing.T) string {
	b, err := os.ReadFile("../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no Version in FyneApp.toml")
	}
	return string(m[1])
}

// TestDeb reads the .deb back with dpkg: its fields, its files in the
// right places with the right modes, a desktop entry and metainfo the
// freedesktop and AppStream validators accept, an Exec line that names
// the installed program, apt's acceptance of its dependencies, and the
// installed program opening its window under Xvfb.
func TestDeb(t *testing.T) {
	deb := built(t, "mailwiz_*_amd64.deb")
	dpkgDeb := testenv.RequireCommand(t, "dpkg-deb", "dpkg")
	field := func(name string) string {
		out, err := exec.Command(dpkgDeb, "-f", deb, name).Output()
		if err != nil {
			t.Fatalf("dpkg-deb -f %s: %v", name, err)
		}
		return strings.TrimSpace(string(out))
	}
	if got := field("Package"); got != "mailwiz" {
		t.Errorf("Package %q", got)
	}
	if got, want := field("Version"), version(t); got != want {
		t.Errorf("Version %q; FyneApp.toml says %q", got, want)
	}
	if got := field("Architecture"); got != "amd64" {
		t.Errorf("Architecture %q", got)
	}
	if got := field("Depends"); !strings.Contains(got, "libgl1") {
		t.Errorf("Depends %q lacks the OpenGL library the window needs", got)
	}
	listing, err := exec.Command(dpkgDeb, "-c", deb).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"./usr/bin/mailwiz": "-rwxr-xr-x root/root",
		"./usr/share/applications/io.github.mailwiz.mailwiz.desktop":           "-rw-r--r-- root/root",
		"./usr/share/icons/hicolor/512x512/apps/io.github.mailwiz.mailwiz.png": "-rw-r--r-- root/root",
		"./usr/share/metainfo/io.github.mailwiz.mailwiz.metainfo.xml":          "-rw-r--r-- root/root",
	}
	sc := bufio.NewScanner(strings.NewReader(string(listing)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 {
			continue
		}
		if mode, ok := want[f[len(f)-1]]; ok {
			if got := f[0] + " " + f[1]; got != mode {
				t.Errorf("%s: %s; want %s", f[len(f)-1], got, mode)
			}
			delete(want, f[len(f)-1])
		} else if !strings.HasSuffix(f[len(f)-1], "/") {
			t.Errorf("unexpected file %s", f[len(f)-1])
		}
	}
	for f := range want {
		t.Errorf("the package lacks %s", f)
	}

	root := t.TempDir()
	if out, err := exec.Command(dpkgDeb, "-x", deb, root).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v: %s", err, out)
	}
	desktop := filepath.Join(root, "usr/share/applications/io.github.mailwiz.mailwiz.desktop")
	if v := testenv.RequireCommand(t, "desktop-file-validate", "desktop-file-utils"); v != "" {
		if out, err := exec.Command(v, desktop).CombinedOutput(); err != nil || len(strings.TrimSpace(string(out))) > 0 {
			t.Errorf("desktop-file-validate: %v: %s", err, out)
		}
	}
	if a := testenv.RequireCommand(t, "appstreamcli", "appstream"); a != "" {
		if out, err := exec.Command(a, "validate", "--no-net", filepath.Join(root, "usr/share/metainfo/io.github.mailwiz.mailwiz.metainfo.xml")).CombinedOutput(); err != nil {
			t.Errorf("appstreamcli validate: %v: %s", err, out)
		}
	}
	b, err := os.ReadFile(desktop)
	if err != nil {
		t.Fatal(err)
	}
	exe := regexp.MustCompile(`(?m)^Exec=(\S+)`).FindSubmatch(b)
	if exe == nil {
		t.Fatal("no Exec line")
	}
	// The menu runs Exec through PATH, where /usr/bin is.
	installed := filepath.Join(root, "usr/bin", string(exe[1]))
	if st, err := os.Stat(installed); err != nil || st.Mode()&0o111 == 0 {
		t.Fatalf("Exec=%s does not name the installed program (%v)", exe[1], err)
	}
	if apt, err := exec.LookPath("apt-get"); err == nil && os.Geteuid() == 0 {
		if out, err := exec.Command(apt, "install", "-s", deb).CombinedOutput(); err != nil || !strings.Contains(string(out), "Inst mailwiz") {
			t.Errorf("apt-get install -s refuses the package: %v\n%s", err, out)
		}
	}

	// The program the menu starts opens its window and stays up (it would
	// exit at once if a library were missing or it crashed).
	xvfb := testenv.RequireCommand(t, "xvfb-run", "xvfb")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, xvfb, "-a", "timeout", "8", installed)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 124 {
		t.Errorf("the installed mailwiz did not stay up for 8 s under Xvfb (%v):\n%s", err, out)
	}
}
