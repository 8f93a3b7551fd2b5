package probe

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"
	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/internal/safetext"
)

// pollInterval is how often the send test looks for the message; the wait
// as a whole is bounded by Request.DeliveryTimeout.
const pollInterval = 100 * time.Millisecond

// maxPOP3Poll: over POP3 every look is a new login (a session sees the
// maildrop as it was when it began), so the pause between two grows from
// pollInterval to this, to spare the server a login every 100 ms.
const maxPOP3Poll = 2 * time.Second

// LoginDelayError: the POP3 server allows a login only every Delay
// (CAPA LOGIN-DELAY, RFC 2449 section 6.8), longer than the send test may
// wait, so no test message was sent: it could not be collected in time.
type LoginDelayError struct{ Delay time.Duration }

func (e *LoginDelayError) Error() string {
	return fmt.Sprintf("probe: the POP3 server allows one login every %s, longer than the wait for the test message; no test message was sent", e.Delay)
}

// loginDelay is the LOGIN-DELAY a POP3 server announced in caps (as
// popCapList lists it), or 0.
func loginDelay(caps []string) time.Duration {
	for _, c := range caps {
		if v, ok := strings.CutPrefix(c, "LOGIN-DELAY "); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return time.Duration(n) * time.Second
			}
		}
	}
	return 0
}

// ErrNotDelivered: the message did not arrive in time.
// ErrBounceNeedsIMAP: the bounce test looks for the report over IMAP.
var ErrBounceNeedsIMAP = errors.New("probe: the bounce test needs an IMAP incoming server to find the delivery report")

// notDeliveredText explains ErrNotDelivered.
var notDeliveredText = catalog.Key("The server accepted the test message but it did not reach the inbox in time. Check the spam folder and any filters or forwarding rules, then try again.")

// ErrNotDelivered: the server took the test message (or the bounce
// test's) but nothing arrived within Request.DeliveryTimeout.
var ErrNotDelivered = errors.New("probe: the test message was accepted for sending but did not arrive in time")

// sendTest sends a short message from the address to itself through the
// first outgoing server, waits for it on the first incoming one and deletes
// it. It runs only when both logins worked.
func sendTest(ctx context.Context, req *Request, results []Result, em *emitter) SendTestResult {
	var in, out *account.Server
	var delay time.Duration
	for i := range results {
		s := results[i].Server
		switch {
		case s.Protocol.Incoming() && in == nil && results[i].OK:
			in = &s
			if s.Protocol == account.POP3 {
				delay = loginDelay(results[i].Capabilities)
			}
		case s.Protocol == account.SMTP && out == nil && results[i].OK:
			out = &s
		}
	}
	if req.Address.Domain == "" {
		err := errors.New("probe: the send test needs Request.Address, the mailbox to send to")
		return SendTestResult{Stage: StageSend, Err: err, Error: err.Error()}
	}
	if in == nil || out == nil {
		err := errors.New("probe: the send test needs an incoming and an outgoing server that both logged in")
		return SendTestResult{Stage: StageSend, Err: err, Error: err.Error()}
	}
	if req.BounceTest && in.Protocol != account.IMAP {
		return SendTestResult{Stage: StageSend, Err: ErrBounceNeedsIMAP, Error: ErrBounceNeedsIMAP.Error()}
	}
	st := &sendTester{req: req, in: *in, out: *out, em: em, loginDelay: delay, lastLogin: time.Now()}
	res := st.run(ctx)
	var te *StageTimeoutError
	if res.Err != nil && errors.Is(ctx.Err(), context.Canceled) && !errors.As(res.Err, &te) {
		// The cancel closed the connection under a command: say it was
		// the cancel, not "use of closed network connection".
		res.Err = &StageTimeoutError{Stage: res.Stage, Cancelled: true, Err: res.Err}
	}
	var se *smtp.SMTPError
	if res.Stage == StageSend && errors.As(res.Err, &se) {
		res.Reply = &SMTPReply{Code: se.Code, Words: safetext.Show(scrub(se.Message, req.secrets()...))}
		if se.EnhancedCode != smtp.NoEnhancedCode && se.EnhancedCode != (smtp.EnhancedCode{}) {
			res.Reply.Enhanced = fmt.Sprintf("%d.%d.%d", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2])
		}
	}
	if res.Header != nil {
		res.Header = []byte(scrub(string(res.Header), req.secrets()...))
	}
	if res.Report != nil {
		res.Report = []byte(scrub(string(res.Report), req.secrets()...))
	}
	res.Err = scrubErr(res.Err, req.secrets()...)
	if res.Err != nil {
		res.Error = safetext.Show(scrub(errorText(res.Err), req.secrets()...))
		res.Diagnosis = scrubDiagnosis(st.diagnose(res.Err, res.Stage), req.secrets()...)
	}
	return res
}

// server is the server a stage talks to: sending is the outgoing
// server's, waiting and cleaning up the incoming one's.
func (st *sendTester) server(stage Stage) account.Server {
	if stage == StageSend {
		return st.out
	}
	return st.in
}

// diagnose explains a send-test failure at stage.
func (st *sendTester) diagnose(err error, stage Stage) *Diagnosis {
	if !errors.Is(err, ErrNotDelivered) {
		return diagnose(err, st.server(stage), stage, st.req.Provider)
	}
	return &Diagnosis{Kind: KindServerError, Text: catalog.All(notDeliveredText)}
}

type sendTester struct {
	req     *Request
	in, out account.Server
	// to is the recipient: the address, or the bounce test's made-up one.
	to string
	em *emitter
	// loginDelay is the POP3 server's least time between two logins;
	// lastLogin when the last one began (the login test's, at first).
	loginDelay time.Duration
	lastLogin  time.Time
}

func (st *sendTester) event(stage Stage, done bool, d time.Duration, err error) {
	ev := Event{Index: -1, Server: st.server(stage), Stage: stage, Done: done, Duration: d, Err: scrubErr(err, st.req.secrets()...)}
	if err != nil {
		ev.Diagnosis = scrubDiagnosis(st.diagnose(err, stage), st.req.secrets()...)
	}
	st.em.emit(ev)
}

// session logs in to srv quietly (no per-stage events) and keeps the login.
func (st *sendTester) session(ctx context.Context, srv account.Server) (*runner, *session, error) {
	r := &runner{req: st.req, srv: srv, index: -1, em: &emitter{}}
	keep := &session{}
	if err := r.test(ctx, keep); err != nil {
		r.closeConn()
		return nil, nil, err
	}
	return r, keep, nil
}

func (st *sendTester) run(ctx context.Context) SendTestResult {
	res := SendTestResult{Stage: StageSend}
	token := randomToken()
	msgID := "<mailwiz-test-" + token + "@" + st.req.Address.Domain + ">"
	st.to = st.req.Address.String()
	// What finds the message in the mailbox: its Message-ID, or for a
	// bounce test the token, which the report quotes in its recipient
	// and in the returned message (IMAP SEARCH BODY covers both).
	crit := &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: msgID}}}
	if st.req.BounceTest {
		st.to = "mailwiz-" + token + "@" + BounceDomain
		crit = &imap.SearchCriteria{Body: []string{token}}
	}
	res.To = st.to

	// Watch first for IMAP, so the INBOX is open before the message leaves.
	var inR *runner
	var inS *session
	var junk string // the spam folder, looked in too (IMAP)
	if st.in.Protocol == account.IMAP {
		var err error
		inR, inS, err = st.session(ctx, st.in)
		if err != nil {
			res.Stage, res.Err = StageDeliver, err
			return res
		}
		defer inR.closeConn()
		stop := context.AfterFunc(ctx, inR.closeConn)
		defer stop()
		err = st.bounded(ctx, StageDeliver, st.req.Timeout, inR.closeConn, func() error {
			junk = junkMailbox(inS.imap.c)
			_, err := inS.imap.c.Select("INBOX", nil).Wait()
			return err
		})
		if err != nil {
			res.Stage, res.Err = StageDeliver, err
			return res
		}
	}

	if st.in.Protocol == account.POP3 && st.loginDelay > 0 && time.Until(st.lastLogin.Add(st.loginDelay)) >= st.req.DeliveryTimeout {
		// The message could not be collected in time; do not leave one
		// behind in the mailbox.
		res.Stage, res.Err = StageDeliver, &LoginDelayError{Delay: st.loginDelay}
		return res
	}

	st.event(StageSend, false, 0, nil)
	start := time.Now()
	err := st.send(ctx, msgID)
	st.event(StageSend, true, time.Since(start), err)
	if err != nil {
		res.Err = err
		return res
	}
	sent := time.Now()

	res.Stage = StageDeliver
	st.event(StageDeliver, false, 0, nil)
	wctx, cancel := context.WithTimeout(ctx, st.req.DeliveryTimeout)
	defer cancel()
	var uids []imap.UID
	if inS != nil {
		// go-imap's commands take no context: only closing the connection
		// ends a search the server never answers, so the delivery timeout
		// closes it, not just the pause between two searches.
		stopWait := context.AfterFunc(wctx, inR.closeConn)
		var where string
		uids, where, err = st.waitIMAP(wctx, inS, crit, junk)
		if where != "" {
			res.JunkFolder = safetext.Show(where)
		}
		switch {
		case err != nil:
		case st.req.BounceTest:
			res.Report, err = st.fetchIMAP(inS, uids[0], imap.PartSpecifierNone, MaxReport)
		case st.req.ReadBack:
			res.Header, err = st.fetchIMAP(inS, uids[0], imap.PartSpecifierHeader, MaxReadBack)
		}
		stopWait()
	} else {
		err = st.waitPOP3(wctx, msgID)
	}
	if err != nil && wctx.Err() != nil && ctx.Err() == nil {
		err = fmt.Errorf("%w (waited %s)", ErrNotDelivered, st.req.DeliveryTimeout)
	}
	res.Delivery = time.Since(sent)
	st.event(StageDeliver, true, res.Delivery, err)
	if err != nil {
		res.Err = err
		return res
	}

	res.Stage = StageCleanup
	if inS != nil {
		st.event(StageCleanup, false, 0, nil)
		start := time.Now()
		err = st.bounded(ctx, StageCleanup, st.req.Timeout, inR.closeConn, func() error { return st.deleteIMAP(inS, uids) })
		st.event(StageCleanup, true, time.Since(start), err)
		if err != nil {
			res.Err = err
			return res
		}
	}
	res.Stage, res.OK = StageDone, true
	return res
}

// bounded runs f, whose I/O takes no context, within limit: when the
// time runs out (or ctx ends) closeConn cuts the connection so f returns,
// and the error says which stage ran out of time.
func (st *sendTester) bounded(ctx context.Context, stage Stage, limit time.Duration, closeConn func(), f func() error) error {
	bctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	stop := context.AfterFunc(bctx, closeConn)
	err := f()
	stop()
	if err != nil && (bctx.Err() != nil || ctx.Err() != nil) { // ctx too: see runner.step
		err = &StageTimeoutError{Stage: stage, Limit: limit.String(), Cancelled: errors.Is(ctx.Err(), context.Canceled), Err: err}
	}
	return err
}

func randomToken() string {
	b := make([]byte, 12)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read does not fail
	return hex.EncodeToString(b)
}

// The test letter's words; the person may see it for a moment before it
// is deleted, so it speaks their language (Request.Lang).
var (
	testSubject    = catalog.Key("mailwiz test message")
	testBody       = catalog.Key("This message was sent by mailwiz to check that your account can send and receive mail.")
	testBodyDelete = catalog.Key("mailwiz deletes it once it has arrived; if you see it, you may delete it.")
	bounceSubject  = catalog.Key("mailwiz bounce test")
	bounceBody     = catalog.Key("This message was sent by mailwiz to an address that cannot exist (RFC 2606), to see the delivery report your provider returns.")
)

// message is the test message: short, plain, and saying what it is. It
// is 7-bit (an encoded-word subject, a quoted-printable body), so it
// passes any server, with or without 8BITMIME.
func (st *sendTester) message(msgID string) string {
	T := func(key string) string { return catalog.T(st.req.Lang, key) }
	subject, body := T(testSubject), T(testBody)+"\r\n"+T(testBodyDelete)+"\r\n"
	if st.req.BounceTest {
		subject, body = T(bounceSubject), T(bounceBody)+"\r\n"
	}
	var b strings.Builder
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", st.from())
	h("To", st.to)
	h("Subject", encodeSubject(subject))
	h("Date", time.Now().Format(time.RFC1123Z))
	h("Message-ID", msgID)
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	h("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(body)) //nolint:errcheck // a strings.Builder does not fail
	qp.Close()             //nolint:errcheck
	return b.String()
}

// encodeSubject is subject as a header value: as it is when ASCII, else
// as encoded words, each on a line of its own so that no line holding one
// is longer than RFC 2047's 76 characters.
func encodeSubject(subject string) string {
	enc := mime.BEncoding.Encode("utf-8", subject)
	if enc == subject {
		return subject
	}
	return "\r\n " + strings.ReplaceAll(enc, "?= =?", "?=\r\n =?")
}

func (st *sendTester) send(ctx context.Context, msgID string) error {
	r, s, err := st.session(ctx, st.out)
	if err != nil {
		return err
	}
	defer r.closeConn()
	stop := context.AfterFunc(ctx, r.closeConn)
	defer stop()
	c := s.smtp.c
	if err := c.SendMail(st.from(), []string{st.to}, strings.NewReader(st.message(msgID))); err != nil {
		return err
	}
	c.Quit() //nolint:errcheck
	return nil
}

// from is the test message's sender: Request.SendFrom, else the address.
func (st *sendTester) from() string {
	if st.req.SendFrom != "" {
		return st.req.SendFrom
	}
	return st.req.Address.String()
}

// fetchIMAP fetches part of the message uid (its header, or the whole
// message), at most max bytes of it (the connection's byte budget bounds
// what the server may send whatever it answers).
func (st *sendTester) fetchIMAP(s *session, uid imap.UID, part imap.PartSpecifier, max int64) ([]byte, error) {
	section := &imap.FetchItemBodySection{Specifier: part, Peek: true,
		Partial: &imap.SectionPartial{Offset: 0, Size: max}}
	msgs, err := s.imap.c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		if b := m.FindBodySection(section); b != nil {
			if int64(len(b)) > max {
				b = b[:max]
			}
			return b, nil
		}
	}
	return nil, errors.New("probe: the server did not return the message it found")
}

func (st *sendTester) waitIMAP(ctx context.Context, s *session, crit *imap.SearchCriteria, junk string) ([]imap.UID, string, error) {
	c := s.imap.c
	nextJunk := time.Now()
	for {
		data, err := c.UIDSearch(crit, nil).Wait()
		if err != nil {
			return nil, "", err
		}
		if uids := data.AllUIDs(); len(uids) > 0 {
			return uids, "", nil
		}
		if junk != "" && !time.Now().Before(nextJunk) {
			// A provider may file the letter (another From, a poor SPF) or
			// the report as spam: look there too, less often.
			nextJunk = time.Now().Add(junkInterval)
			uids, usable, err := searchIn(c, junk, crit)
			if err != nil || len(uids) > 0 {
				return uids, junk, err
			}
			if !usable {
				junk = "" // listed but not usable: the INBOX alone, as without one
			}
		}
		if err := sleep(ctx, pollInterval); err != nil {
			return nil, "", err
		}
		// NOOP lets the server tell us about new mail before we search again.
		if err := c.Noop().Wait(); err != nil {
			return nil, "", err
		}
	}
}

// junkInterval is how often the send test looks in the spam folder.
const junkInterval = time.Second

// searchIn searches mailbox and stays there when it holds a match (the
// message is fetched and deleted there); otherwise it selects the INBOX
// again. usable is false when the server refused to open or search
// mailbox: the INBOX is selected again and err is nil, for the wait to go
// on there.
func searchIn(c *imapclient.Client, mailbox string, crit *imap.SearchCriteria) (uids []imap.UID, usable bool, err error) {
	var imapErr *imap.Error
	_, err = c.Select(mailbox, nil).Wait()
	if err == nil {
		var data *imap.SearchData
		if data, err = c.UIDSearch(crit, nil).Wait(); err == nil {
			if uids = data.AllUIDs(); len(uids) > 0 {
				return uids, true, nil
			}
		}
	}
	if err != nil && !errors.As(err, &imapErr) {
		return nil, false, err // the connection, not the mailbox
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		return nil, false, err
	}
	return nil, imapErr == nil, nil
}

// junkMailbox names the account's spam folder: the mailbox the server
// marks \Junk (RFC 6154), else a selectable one named Junk or Spam; ""
// when there is none or the server will not list its mailboxes.
func junkMailbox(c *imapclient.Client) string {
	var opts *imap.ListOptions
	if c.Caps().Has(imap.CapSpecialUse) {
		opts = &imap.ListOptions{ReturnSpecialUse: true}
	}
	cmd := c.List("", "*", opts)
	defer cmd.Close() //nolint:errcheck // a failed LIST only means no spam folder is looked in
	byName := ""
	for m := cmd.Next(); m != nil; m = cmd.Next() {
		if slices.Contains(m.Attrs, imap.MailboxAttrJunk) {
			return m.Mailbox
		}
		leaf := m.Mailbox
		if i := strings.LastIndex(leaf, string(m.Delim)); m.Delim != 0 && i >= 0 {
			leaf = leaf[i+len(string(m.Delim)):]
		}
		if byName == "" && !slices.Contains(m.Attrs, imap.MailboxAttrNoSelect) && (strings.EqualFold(leaf, "Junk") || strings.EqualFold(leaf, "Spam")) {
			byName = m.Mailbox
		}
	}
	return byName
}

func (st *sendTester) deleteIMAP(s *session, uids []imap.UID) error {
	c := s.imap.c
	set := imap.UIDSetNum(uids...)
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		return err
	}
	var err error
	if c.Caps().Has(imap.CapUIDPlus) {
		err = c.UIDExpunge(set).Close()
	} else {
		err = c.Expunge().Close()
	}
	if err != nil {
		return err
	}
	c.Logout().Wait() //nolint:errcheck
	return nil
}

// waitPOP3 logs in again and again (a POP3 session sees the maildrop as it
// was at login), looks at the newest messages, and deletes the test
// message when it is there.
func (st *sendTester) waitPOP3(ctx context.Context, msgID string) error {
	pause := pollInterval
	for {
		if st.loginDelay > 0 {
			if err := sleep(ctx, time.Until(st.lastLogin.Add(st.loginDelay))); err != nil {
				return err
			}
		}
		st.lastLogin = time.Now()
		found, err := st.lookPOP3(ctx, msgID)
		if err != nil || found {
			return err
		}
		if err := sleep(ctx, pause); err != nil {
			return err
		}
		pause = min(2*pause, maxPOP3Poll)
	}
}

func (st *sendTester) lookPOP3(ctx context.Context, msgID string) (bool, error) {
	r, s, err := st.session(ctx, st.in)
	if err != nil {
		return false, err
	}
	defer r.closeConn()
	stop := context.AfterFunc(ctx, r.closeConn)
	defer stop()
	c := s.pop3.c
	list, err := c.List(ctx)
	if err != nil {
		return false, err
	}
	// The newest few: the test message is small and was just delivered.
	for i := len(list) - 1; i >= 0 && i >= len(list)-20; i-- {
		if list[i].Size > 64<<10 {
			continue
		}
		msg, err := c.Retr(ctx, list[i].Number)
		if err != nil {
			return false, err
		}
		hdr, _ := textproto.NewReader(bufio.NewReader(bytes.NewReader(msg))).ReadMIMEHeader()
		if strings.TrimSpace(hdr.Get("Message-Id")) == msgID {
			if err := c.Dele(ctx, list[i].Number); err != nil {
				return false, err
			}
			return true, c.Quit(ctx)
		}
	}
	c.Quit(ctx) //nolint:errcheck
	return false, nil
}

// sleep waits d or until ctx ends, the pause between two bounded polls.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
