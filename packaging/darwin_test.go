package packaging

import (
	"errors"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// TestDarwinScript: the macOS package script is valid sh, and off a Mac it
// stops at once with exit 2 and a sentence saying why, before building
// anything (it needs Apple's toolchain; the forge's macOS runner runs it).
func TestDarwinScript(t *testing.T) {
	if out, err := exec.Command("sh", "-n", "../scripts/package-darwin").CombinedOutput(); err != nil {
		t.Fatalf("sh -n: %v\n%s", err, out)
	}
	if runtime.GOOS == "darwin" {
		t.Skip("on a Mac the script builds for real: make package-darwin")
	}
	cmd := exec.Command("./scripts/package-darwin")
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "runs on a Mac") {
		t.Errorf("off a Mac: %v\n%s", err, out)
	}
}
