package delivery

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/probe"
)

// TestCheckBounce: each outcome of the bounce test gets its level, its
// JSON outcome and a text in both languages; the report's words and the
// deletion are said.
func TestCheckBounce(t *testing.T) {
	dsn := readFixture(t, "dsn-postfix.eml")
	plain := []byte("From: MAILER-DAEMON@mx.example\r\nSubject: =?utf-8?B?0J3QtSDQtNC+0YHRgtCw0LLQu9C10L3Qvg==?= \x1b[2J\r\n\r\nYour message could not be delivered.\r\n")
	const to = "nobody@nowhere.invalid"
	tests := []struct {
		name    string
		b       Bounced
		outcome BounceOutcome
		level   Level
		want    []string // in the English text or the server's words
	}{
		{"report", Bounced{To: to, Report: dsn, After: 1400 * time.Millisecond}, BounceReported, OK,
			[]string{"after 1 s", "not delivered, status 5.1.2", "mailwiz deleted the report.", "Host or domain name not found"}},
		{"report in the spam folder", Bounced{To: to, Report: dsn, After: time.Second, JunkFolder: "Junk"}, BounceReported, Warn,
			[]string{"not delivered, status 5.1.2", "spam folder “Junk”"}},
		{"report left behind", Bounced{To: to, Report: dsn, Err: "connection reset"}, BounceReported, OK,
			[]string{"delete it yourself"}},
		{"not standard", Bounced{To: to, Report: plain, After: 3 * time.Second}, BounceNonStandard, Warn,
			[]string{"not a standard delivery report", "Не доставлено", `\x1b`}},
		{"refused", Bounced{To: to, Refused: &ServerReply{Code: 550, Enhanced: "5.1.2", Words: "no such domain"}}, BounceRefused, Info,
			[]string{"refused the address " + to + " at once", "550 5.1.2 no such domain"}},
		{"none", Bounced{To: to, TimedOut: true, Waited: 2 * time.Minute}, BounceNone, Warn,
			[]string{"within 120 s", "spam folder"}},
		{"POP3", Bounced{NeedsIMAP: true}, BounceNotRun, Info, []string{"POP3"}},
		{"other mailbox", Bounced{OtherMailbox: true}, BounceNotRun, Info, []string{"bounces@corp.test"}},
		{"error", Bounced{To: to, Err: "connection reset"}, BounceNotRun, Warn, []string{"could not finish", "connection reset"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bt, f := checkBounce("en", "me@example.test", "bounces@corp.test", &tt.b)
			_, ru := checkBounce("ru", "me@example.test", "bounces@corp.test", &tt.b)
			if bt.Outcome != tt.outcome || f.Level != tt.level || f.Check != "bounce-test" {
				t.Errorf("outcome %q, level %q; want %q, %q", bt.Outcome, f.Level, tt.outcome, tt.level)
			}
			all := f.Text + "|" + f.ServerWords + "|" + bt.Subject
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("%q lacks %q", all, w)
				}
			}
			if strings.ContainsRune(all, 0x1b) {
				t.Errorf("a raw escape reached the finding: %q", all)
			}
			if ru.Text == f.Text || !strings.ContainsAny(ru.Text, "аеиоуя") || ru.Title != "Проверка возвратов" {
				t.Errorf("Russian finding %+v", ru)
			}
		})
	}
}

// TestBouncedFrom reads probe's send test outcomes: a report found, a
// refusal at RCPT, the wait running out, a POP3 account, other errors.
func TestBouncedFrom(t *testing.T) {
	timeout := &probe.SendTestResult{Stage: probe.StageDeliver, Err: errors.Join(probe.ErrNotDelivered), Error: "x", To: "a@x.invalid"}
	tests := []struct {
		name string
		st   *probe.SendTestResult
		want Bounced
	}{
		{"found", &probe.SendTestResult{OK: true, Stage: probe.StageDone, To: "a@x.invalid", Report: []byte("r"), Delivery: time.Second},
			Bounced{To: "a@x.invalid", Report: []byte("r"), After: time.Second, Waited: time.Minute}},
		{"found, not deleted", &probe.SendTestResult{Stage: probe.StageCleanup, To: "a@x.invalid", Report: []byte("r"), Err: errors.New("gone"), Error: "gone"},
			Bounced{To: "a@x.invalid", Report: []byte("r"), Waited: time.Minute, Err: "gone"}},
		{"refused", &probe.SendTestResult{Stage: probe.StageSend, To: "a@x.invalid", Reply: &probe.SMTPReply{Code: 550, Words: "no"}, Error: "550 no"},
			Bounced{To: "a@x.invalid", Refused: &ServerReply{Code: 550, Words: "no"}, Waited: time.Minute}},
		{"timeout", timeout, Bounced{To: "a@x.invalid", TimedOut: true, Waited: time.Minute}},
		{"POP3", &probe.SendTestResult{Stage: probe.StageSend, Err: probe.ErrBounceNeedsIMAP}, Bounced{NeedsIMAP: true, Waited: time.Minute}},
		{"broken", &probe.SendTestResult{Stage: probe.StageDeliver, Err: errors.New("reset"), Error: "reset"}, Bounced{Err: "reset", Waited: time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := BouncedFrom(tt.st, time.Minute)
			if got.To != tt.want.To || string(got.Report) != string(tt.want.Report) || got.After != tt.want.After ||
				got.TimedOut != tt.want.TimedOut || got.NeedsIMAP != tt.want.NeedsIMAP || got.Err != tt.want.Err ||
				(got.Refused == nil) != (tt.want.Refused == nil) || got.Waited != tt.want.Waited {
				t.Errorf("BouncedFrom = %+v; want %+v", got, tt.want)
			}
		})
	}
	if BouncedFrom(nil, time.Minute) != nil {
		t.Error("BouncedFrom(nil) is not nil")
	}
}
