package packaging

import (
	"strings"
	"testing"
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
