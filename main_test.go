package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain lets a test run the real program: the test binary, started
// again with MAILWIZ_RUN_MAIN=1, is mailwiz with the same imports and so the
// same package initialization.
func TestMain(m *testing.M) {
	if os.Getenv("MAILWIZ_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// TestCLIStderrIsOneLine: under the locales of containers, CI and cron,
// nothing but our one line reaches stderr (Fyne's lang package used to log
// "Error parsing user locale C" from its init; see internal/cleanlocale).
func TestCLIStderrIsOneLine(t *testing.T) {
	for _, lang := range []string{"C.UTF-8", "C", "en_US.UTF-8", "ru_RU.UTF-8", ""} {
		t.Run("LANG="+lang, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "detect", "--offline", "a@localhost")
			env := []string{"MAILWIZ_RUN_MAIN=1"}
			for _, kv := range os.Environ() {
				if k, _, _ := strings.Cut(kv, "="); k == "LANGUAGE" || k == "LANG" || strings.HasPrefix(k, "LC_") {
					continue
				}
				env = append(env, kv)
			}
			if lang != "" {
				env = append(env, "LANG="+lang)
			}
			cmd.Env = env
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Fatalf("exit: %v; want status 2 for a bad address", err)
			}
			lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "mailwiz: ") || !strings.Contains(lines[0], "localhost") {
				t.Errorf("stderr is not one mailwiz line:\n%s", stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout for a bad address: %q", stdout.String())
			}
		})
	}
}
