package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/internal/testenv"
)

// TestWindowsExecutables reads the Windows package's programs back with
// Go's PE reader: both PE32+ for x86-64; mailwiz.exe a GUI program (no
// console window on a double-click), mailwiz-cli.exe a console one; both
// with an icon and a version resource whose product version is
// FyneApp.toml's.
func TestWindowsExecutables(t *testing.T) {
	v := version(t)
	for _, tt := range []struct {
		pattern   string
		subsystem uint16
	}{
		{"mailwiz-*-windows-amd64.exe", subsystemGUI},
		{"mailwiz-cli-*-windows-amd64.exe", subsystemConsole},
	} {
		path := built(t, strings.Replace(tt.pattern, "mailwiz-*", "mailwiz-"+v, 1))
		p, err := readPE(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !p.PE32Plus || !p.AMD64 {
			t.Errorf("%s: PE32+ %v, AMD64 %v", path, p.PE32Plus, p.AMD64)
		}
		if p.Subsystem != tt.subsystem {
			t.Errorf("%s: subsystem %d; want %d", path, p.Subsystem, tt.subsystem)
		}
		if !p.Types[rtIcon] || !p.Types[rtGroupIcon] {
			t.Errorf("%s: no icon resource (types %v)", path, p.Types)
		}
		if !p.Types[rtVersion] || !strings.HasPrefix(p.Version, v) {
			t.Errorf("%s: version resource %v, product version %q; want %s", path, p.Types[rtVersion], p.Version, v)
		}
	}
}

// TestWindowsInstaller reads the NSIS installer back: a PE32+ GUI program
// with the icon and the version, asking for no administrator rights (its
// manifest runs it asInvoker: a per-user install), and carrying both
// programs and the uninstaller, byte for byte the ones built (7-Zip reads
// NSIS archives).
func TestWindowsInstaller(t *testing.T) {
	v := version(t)
	setup := built(t, "mailwiz-"+v+"-windows-amd64-setup.exe")
	p, err := readPE(setup)
	if err != nil {
		t.Fatal(err)
	}
	if !p.PE32Plus || !p.AMD64 || p.Subsystem != subsystemGUI {
		t.Errorf("PE32+ %v, AMD64 %v, subsystem %d", p.PE32Plus, p.AMD64, p.Subsystem)
	}
	if !p.Types[rtIcon] || !p.Types[rtVersion] || !strings.HasPrefix(p.Version, v) {
		t.Errorf("icon %v, version resource %v %q", p.Types[rtIcon], p.Types[rtVersion], p.Version)
	}
	if !strings.Contains(p.Manifest, `level="asInvoker"`) {
		t.Errorf("the installer does not run as the user (RequestExecutionLevel user): manifest %q", p.Manifest)
	}
	sevenZ := testenv.RequireCommand(t, "7z", "p7zip-full")
	dir := t.TempDir()
	if out, err := exec.Command(sevenZ, "x", "-y", "-o"+dir, setup).CombinedOutput(); err != nil {
		t.Fatalf("7z x: %v\n%s", err, out)
	}
	for name, from := range map[string]string{"mailwiz.exe": "mailwiz-" + v + "-windows-amd64.exe", "mailwiz-cli.exe": "mailwiz-cli-" + v + "-windows-amd64.exe"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("the installer lacks %s: %v", name, err)
			continue
		}
		want, _ := os.ReadFile(built(t, from))
		if string(got) != string(want) {
			t.Errorf("%s in the installer is not the one built", name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "uninstall.exe")); err != nil {
		t.Errorf("no uninstaller: %v", err)
	}
}
