package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe"
)

// Every stage a report can name has words in every language the wizard
// ships, taken from the GUI's own translation files.
func TestStageWordsTranslated(t *testing.T) {
	for _, lang := range []string{"en", "ru"} {
		for _, s := range probe.StageLabels() {
			w := stageWords(s, lang)
			if w == "" || w == string(s) && s != probe.StageDone && s != probe.StageGreeting {
				t.Errorf("%s %s: %q; want the GUI's words", lang, s, w)
			}
			if lang == "ru" && w == probe.StageLabel(s) {
				t.Errorf("ru %s: %q is the English label: assets/translations/ru.json lacks it", s, w)
			}
		}
	}
	if got := stageWords(probe.StageTLS, "ru"); got != "шифрование" {
		t.Errorf("ru tls: %q; want шифрование, as the GUI says", got)
	}
	if got := stageWords("nonesuch", "ru"); got != "nonesuch" {
		t.Errorf("an unknown stage: %q; want it as it is", got)
	}
}

// TestReportWordsAndTrustOnce: the readable report of a real Dovecot whose
// certificate is not trusted names the stage as the GUI does (never the
// bare "tls") and states the administrator's confirmation once per
// server, in both languages.
func TestReportWordsAndTrustOnce(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	withRoots(t, testenv.NewCA(t).Pool())
	for _, tc := range []struct{ lang, stage, admin string }{
		{"en", "FAILED at “encrypting” after", "administrator"},
		{"ru", "ОШИБКА на этапе «шифрование» через", "администратор"},
	} {
		var out, errb bytes.Buffer
		env := newEnv(t, testenv.DovecotPassword+"\n", &out, &errb)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		code := Run(ctx, env, []string{"test", "--password-stdin", "--lang", tc.lang,
			"--incoming", srvURL("imap", d.IMAPS, "ssl"), "--outgoing", srvURL("smtp", d.Submissions, "ssl"), testenv.DovecotUser})
		cancel()
		text := out.String()
		if code != ExitFailed || strings.Count(text, tc.stage) != 2 {
			t.Fatalf("%s: exit %d; want 1 and %q for both servers in:\n%s%s", tc.lang, code, tc.stage, text, errb.String())
		}
		if strings.Contains(text, " tls ") || strings.Contains(text, "этапе tls") {
			t.Errorf("%s: the bare stage name shows:\n%s", tc.lang, text)
		}
		for _, line := range strings.Split(text, "\n") {
			if strings.Contains(line, "tls-untrusted:") && strings.Count(line, tc.admin) != 1 {
				t.Errorf("%s: the administrator's confirmation is said %d times, want once:\n%s", tc.lang, strings.Count(line, tc.admin), line)
			}
		}
	}
}
