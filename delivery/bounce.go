package delivery

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"

	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/internal/safetext"
	"github.com/mailwiz/mailwiz/probe"
)

// BounceOutcome is what the bounce test saw.
type BounceOutcome string

// The bounce test's outcomes.
const (
	// BounceReported: a delivery status notification (RFC 3464) arrived.
	BounceReported BounceOutcome = "report"
	// BounceNonStandard: a reply arrived that is not a standard report,
	// which a mailing program may not recognise as a bounce.
	BounceNonStandard BounceOutcome = "nonstandard"
	// BounceRefused: the server refused the address while sending, so
	// the program learns of it from the error and no report comes.
	BounceRefused BounceOutcome = "refused"
	// BounceNone: no report arrived in time.
	BounceNone BounceOutcome = "none"
	// BounceNotRun: the test could not run or finish (Error says why).
	BounceNotRun BounceOutcome = "not-run"
)

// Bounced is the bounce test's raw outcome: what probe's send test with
// BounceTest left (BouncedFrom), for Check to read.
type Bounced struct {
	// To is the made-up recipient at a reserved .invalid domain.
	To string
	// Refused is the server's refusal of the message, when it refused.
	Refused *ServerReply
	// Report is the message found in the mailbox, nil when none.
	Report []byte
	// JunkFolder names the spam folder Report was found in (safe to
	// show); "" for the inbox.
	JunkFolder string
	// After is the time from sending to finding Report.
	After time.Duration
	// Waited is how long the test waited (the delivery timeout).
	Waited time.Duration
	// TimedOut: the wait ended with no report.
	TimedOut bool
	// NeedsIMAP: the account's incoming server is POP3; the test looks
	// for the report over IMAP.
	NeedsIMAP bool
	// OtherMailbox: reports are to go to another mailbox than the
	// account's, whose inbox the test cannot watch.
	OtherMailbox bool
	// Err says what else went wrong (safe to show); with Report set, the
	// report was found but could not be deleted.
	Err string
}

// BouncedFrom turns probe's send test (run with BounceTest) into
// Bounced; nil for nil. waited is the delivery timeout it ran with.
func BouncedFrom(st *probe.SendTestResult, waited time.Duration) *Bounced {
	if st == nil {
		return nil
	}
	b := &Bounced{To: st.To, Report: st.Report, Waited: waited, JunkFolder: st.JunkFolder}
	if st.Report != nil {
		b.After = st.Delivery
	}
	switch {
	case st.OK:
	case errors.Is(st.Err, probe.ErrBounceNeedsIMAP):
		b.NeedsIMAP = true
	case st.Stage == probe.StageSend && st.Reply != nil:
		b.Refused = &ServerReply{Code: st.Reply.Code, Enhanced: st.Reply.Enhanced, Words: st.Reply.Words}
	case st.Report == nil && errors.Is(st.Err, probe.ErrNotDelivered):
		b.TimedOut = true
	default:
		b.Err = st.Error
	}
	return b
}

// BounceTest is the bounce test's outcome in Report (`sending --json`).
type BounceTest struct {
	Outcome BounceOutcome `json:"outcome"`
	// To is the made-up recipient the letter went to.
	To string `json:"to,omitempty"`
	// AfterMS is how long the report took to arrive.
	AfterMS int64 `json:"after_ms,omitempty"`
	// Reply is the server's refusal, for BounceRefused.
	Reply *ServerReply `json:"reply,omitempty"`
	// DSN is the parsed report, for BounceReported.
	DSN *DSN `json:"dsn,omitempty"`
	// Subject is the reply's subject, made safe, for BounceNonStandard.
	Subject string `json:"subject,omitempty"`
	// JunkFolder names the spam folder the report arrived in; absent for
	// the inbox.
	JunkFolder string `json:"junk_folder,omitempty"`
	// Deleted: mailwiz removed the report from the mailbox again.
	Deleted bool   `json:"deleted"`
	Error   string `json:"error,omitempty"`
}

// Seconds says d in whole seconds (at least 1), in lang.
func Seconds(lang string, d time.Duration) string {
	return catalog.T(lang, "{{.N}} s", "N", max(1, int((d+time.Second/2)/time.Second)))
}

// checkBounce explains the bounce test's outcome for account, whose
// inbox the report was looked for in; bounce is the mailbox reports are
// to go to.
func checkBounce(lang, account, bounce string, b *Bounced) (BounceTest, Finding) {
	T := func(key string, args ...any) string { return catalog.T(lang, key, args...) }
	title := T("Bounce test")
	bt := BounceTest{To: b.To}
	switch {
	case b.OtherMailbox:
		bt.Outcome = BounceNotRun
		return bt, Finding{Check: "bounce-test", Level: Info, Title: title,
			Text: T("The bounce test watches {{.Account}}'s own inbox, and delivery reports are to go to {{.Bounce}}: check the sending for {{.Bounce}} to test its bounces.", "Account", account, "Bounce", bounce)}
	case b.NeedsIMAP:
		bt.Outcome = BounceNotRun
		return bt, Finding{Check: "bounce-test", Level: Info, Title: title,
			Text: T("The bounce test looks for the delivery report over IMAP, and this account is set up with POP3. Test the account with its IMAP server to run it; a mailing program reads bounces over IMAP too.")}
	case b.Refused != nil:
		bt.Outcome, bt.Reply = BounceRefused, b.Refused
		return bt, Finding{Check: "bounce-test", Level: Info, Title: title, ServerWords: b.Refused.String(),
			Text: T("The server refused the address {{.To}} at once, while sending. A mailing program learns of such an address from the error it gets while sending; no delivery report comes for it.", "To", b.To)}
	case b.Report != nil:
		bt.AfterMS = b.After.Milliseconds()
		bt.Deleted = b.Err == ""
		f := Finding{Check: "bounce-test", Level: OK, Title: title}
		dsn, err := ParseDSN(bytes.NewReader(b.Report))
		if err != nil {
			bt.Outcome, bt.Subject = BounceNonStandard, subjectOf(b.Report)
			f.Level = Warn
			f.Text = T("A reply to the letter to {{.To}} arrived in {{.Account}}'s inbox after {{.After}}, but it is not a standard delivery report (RFC 3464): a mailing program may not recognise it as a bounce. Its subject: {{.Subject}}",
				"To", b.To, "Account", account, "After", Seconds(lang, b.After), "Subject", orNone(bt.Subject))
		} else {
			bt.Outcome, bt.DSN = BounceReported, dsn
			status, action, why := "", "", ""
			for _, r := range dsn.Recipients {
				if strings.EqualFold(r.Recipient, b.To) || status == "" {
					status, action, why = r.Status, r.Action, r.Diagnostic
				}
			}
			f.ServerWords = why
			f.Text = T("The provider's delivery report for {{.To}} arrived in {{.Account}}'s inbox after {{.After}}: {{.Action}}, status {{.Status}}. {{.Meaning}} A mailing program that reads this inbox over IMAP can take such addresses off its list.",
				"To", b.To, "Account", account, "After", Seconds(lang, b.After), "Action", actionWord(lang, action), "Status", orNone(status), "Meaning", Explain(lang, status))
		}
		if b.JunkFolder != "" {
			bt.JunkFolder = b.JunkFolder
			f.Level = Warn
			f.Text += " " + T("It arrived in the spam folder “{{.Folder}}”, not the inbox: a mailing program that reads only the inbox misses such reports.", "Folder", b.JunkFolder)
		}
		if b.Err == "" {
			f.Text += " " + T("mailwiz deleted the report.")
		} else {
			bt.Error = b.Err
			f.Text += " " + T("mailwiz could not delete the report; delete it yourself.")
		}
		return bt, f
	case b.TimedOut:
		bt.Outcome = BounceNone
		return bt, Finding{Check: "bounce-test", Level: Warn, Title: title,
			Text: T("No delivery report arrived in {{.Account}}'s inbox within {{.Wait}} of sending to {{.To}}. The provider may send it later (look for it in the inbox and the spam folder) or not at all; then a mailing program cannot learn from this mailbox which addresses are bad.",
				"Account", account, "Wait", Seconds(lang, b.Waited), "To", b.To)}
	}
	bt.Outcome, bt.Error = BounceNotRun, b.Err
	return bt, Finding{Check: "bounce-test", Level: Warn, Title: title, ServerWords: b.Err,
		Text: T("The bounce test could not finish.")}
}

// subjectOf is a message's Subject, decoded and made safe; "" when it
// has none or the header cannot be read.
func subjectOf(msg []byte) string {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(msg)))
	if err != nil {
		return ""
	}
	mh := message.Header{Header: h}
	s, err := mh.Text("Subject")
	if err != nil {
		s = h.Get("Subject") // an unknown charset: the raw words
	}
	return safetext.Show(strings.TrimSpace(s))
}

// actionWord says a DSN's Action field (RFC 3464 §2.3.3) in lang.
func actionWord(lang, action string) string {
	switch strings.ToLower(action) {
	case "failed":
		return catalog.T(lang, "not delivered")
	case "delayed":
		return catalog.T(lang, "delayed")
	case "delivered":
		return catalog.T(lang, "delivered")
	case "relayed":
		return catalog.T(lang, "passed on to a server that sends no reports")
	case "expanded":
		return catalog.T(lang, "delivered to a mailing list")
	}
	return orNone(safetext.Show(action))
}
