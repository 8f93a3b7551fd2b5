// Package delivery checks an account for use by a mailing program (a CRM,
// a newsletter tool, a website's form): may it send as another sender
// address, will such mail be delivered (SPF, DKIM, DMARC), how fast may
// it send (each provider's limits, with sources), and what do the
// "Mail Delivery System" reports in its bounce mailbox say.
//
// The package does no sending itself: the caller sends one message to
// the account's own address with the sender substituted (probe's send
// test with SendFrom) and hands over the outcome and the delivered
// message's header. Every sentence comes from the catalog, in English
// and Russian.
package delivery

import (
	"bytes"
	"context"
	"strconv"
	"strings"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/internal/safetext"
	"github.com/mailwiz/mailwiz/probe"
)

// Level rates one finding; the values match wizard.SendingLevel.
type Level string

// The levels, from good to bad.
const (
	OK   Level = "ok"
	Info Level = "info"
	Warn Level = "warn"
	Fail Level = "fail"
)

// Finding is one thing the check found, in the request's language.
type Finding struct {
	// Check names the check: "database", "substitution", "spam", "spf", "dmarc",
	// "verdicts", "limits", "port", "bounce".
	Check string `json:"check"`
	Level Level  `json:"level"`
	Title string `json:"title"`
	Text  string `json:"text"`
	// ServerWords are the server's words, made safe, when it refused.
	ServerWords string `json:"server_words,omitempty"`
	// Record is a DNS record for the sender domain's owner to publish,
	// as a zone file line.
	Record string `json:"record,omitempty"`
}

// Sent is the outcome of the one test message sent with the sender
// substituted.
type Sent struct {
	// Accepted: the server took the message.
	Accepted bool
	// Reply is the server's refusal, when it refused.
	Reply *ServerReply
	// Err says what else went wrong (e.g. the message did not arrive in
	// time), safe to show.
	Err string
	// Message is the delivered message (its header at least), nil when
	// it was not read back.
	Message []byte
	// JunkFolder names the spam folder the message arrived in (safe to
	// show); "" for the inbox.
	JunkFolder string
}

// Request is what Check needs.
type Request struct {
	// Account is the account's address; From the sender the mailing
	// program will use ("" is Account).
	Account string
	From    string
	// Bounce is the mailbox for delivery reports ("" is Account).
	Bounce string
	// SMTP is the outgoing server the program will use; IncomingHost the
	// account's incoming server (its domain is trusted for read-back).
	SMTP         account.Server
	IncomingHost string
	// Config is what the database knows of the account's provider; nil
	// when nothing.
	Config *account.Config
	// Sent is the test message's outcome; nil when none was sent.
	Sent *Sent
	// Bounced is the bounce test's outcome; nil when it did not run.
	Bounced *Bounced
	// TrustedIDs are the authserv-ids whose Authentication-Results are
	// believed; nil means TrustedIDs(Config, IncomingHost, Account).
	TrustedIDs []string
	Lang       string
}

// Substitution is what is known of sending as another sender.
type Substitution struct {
	// Different: From is not the account's own address.
	Different bool `json:"different"`
	// KnownForbidden: the provider database says From must match the
	// login.
	KnownForbidden bool `json:"known_forbidden"`
	// Tested: a message was sent; Accepted: the server took it.
	Tested   bool         `json:"tested"`
	Accepted bool         `json:"accepted"`
	Refusal  Refusal      `json:"refusal,omitempty"`
	Reply    *ServerReply `json:"reply,omitempty"`
	// Rewritten: the message arrived with another From.
	Rewritten bool `json:"from_rewritten"`
	// Arrived: the message was found in the mailbox.
	Arrived bool `json:"arrived"`
	// JunkFolder names the spam folder it arrived in; absent for the
	// inbox.
	JunkFolder string `json:"junk_folder,omitempty"`
}

// Report is everything Check found. Its JSON is the `mailwiz sending
// --json` contract (DESIGN.md).
type Report struct {
	Account      string          `json:"account"`
	From         string          `json:"from"`
	Bounce       string          `json:"bounce_mailbox"`
	SMTP         string          `json:"smtp"`
	Provider     string          `json:"provider,omitempty"`
	Limits       *Limits         `json:"limits,omitempty"`
	Substitution Substitution    `json:"substitution"`
	SPF          *SPFCheck       `json:"spf,omitempty"`
	DMARC        *DMARCCheck     `json:"dmarc,omitempty"`
	Delivered    *ReadBackResult `json:"delivered,omitempty"`
	BounceTest   *BounceTest     `json:"bounce_test,omitempty"`
	Findings     []Finding       `json:"findings"`
}

// Worst is the worst level among the findings (OK for none).
func (r Report) Worst() Level {
	rank := map[Level]int{OK: 0, Info: 1, Warn: 2, Fail: 3}
	w := OK
	for _, f := range r.Findings {
		if rank[f.Level] > rank[w] {
			w = f.Level
		}
	}
	return w
}

// TrustedIDs are the authserv-ids a read-back believes: the provider's
// domains and MX hosts, the incoming server's parent domain, and the
// account's domain. The receiving MTA removes forged fields with these
// ids (RFC 8601 §5); a field with any other id may be the sender's.
func TrustedIDs(cfg *account.Config, incomingHost, address string) []string {
	var ids []string
	if cfg != nil {
		ids = append(ids, cfg.Domains...)
		ids = append(ids, cfg.MXHosts...)
	}
	if h := strings.ToLower(strings.TrimSuffix(incomingHost, ".")); h != "" {
		if _, parent, ok := strings.Cut(h, "."); ok && strings.Contains(parent, ".") {
			ids = append(ids, parent)
		} else {
			ids = append(ids, h)
		}
	}
	if _, d, ok := strings.Cut(address, "@"); ok {
		ids = append(ids, strings.ToLower(d))
	}
	return ids
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(addr[i+1:])
	}
	return ""
}

// Check puts the checks together: what the database knows, the test
// message's outcome and read-back, the sender domain's SPF and DMARC
// (looked up with res), the provider's limits, the port, the bounce
// mailbox.
func Check(ctx context.Context, res Resolver, req Request) Report {
	lang := req.Lang
	T := func(key string, args ...any) string { return catalog.T(lang, key, args...) }
	from := strings.TrimSpace(req.From)
	if from == "" {
		from = req.Account
	}
	bounce := strings.TrimSpace(req.Bounce)
	if bounce == "" {
		bounce = req.Account
	}
	rep := Report{Account: req.Account, From: from, Bounce: bounce,
		SMTP: req.SMTP.Host + ":" + strconv.Itoa(req.SMTP.Port)}
	add := func(f Finding) { rep.Findings = append(rep.Findings, f) }
	providerName := ""
	var lim Limits
	var haveLim bool
	if req.Config != nil && req.Config.Provider != nil {
		rep.Provider = req.Config.Provider.ID
		providerName = req.Config.Provider.Name
		lim, haveLim = LimitsFor(rep.Provider)
		if haveLim {
			rep.Limits = &lim
		}
	}
	sub := &rep.Substitution
	sub.Different = !strings.EqualFold(from, req.Account)
	sub.KnownForbidden = req.Config != nil && req.Config.HasHint(account.HintFromMustMatch)

	// What the database knows, said before the test's outcome.
	if sub.Different && sub.KnownForbidden {
		add(Finding{Check: "database", Level: Warn, Title: T("Sender substitution"),
			Text: T("The provider database says {{.Provider}} sends a letter only if its From address is the address you log in with: a mailing program cannot send as {{.From}} through it.", "Provider", providerName, "From", from)})
	}

	// The test message.
	trusted := req.TrustedIDs
	if trusted == nil {
		trusted = TrustedIDs(req.Config, req.IncomingHost, req.Account)
	}
	var dkimAligned bool
	switch s := req.Sent; {
	case s == nil:
		add(Finding{Check: "substitution", Level: Info, Title: T("Sender substitution"),
			Text: T("No test letter was sent, so whether the server lets you send as {{.From}} is not known.", "From", from)})
	case !s.Accepted:
		sub.Tested = true
		if s.Reply != nil {
			sub.Reply = s.Reply
			sub.Refusal = Classify(*s.Reply, rep.Provider)
		}
		f := Finding{Check: "substitution", Level: Fail, Title: T("Sender substitution")}
		if s.Reply != nil {
			f.ServerWords = s.Reply.String()
		}
		switch sub.Refusal {
		case RefusedSender:
			f.Text = T("The server refused to send a letter from {{.From}} for this login. Set the mailing program's sender to {{.Account}}, or send through a server that is allowed to send for {{.Domain}}.", "From", from, "Account", req.Account, "Domain", domainOf(from))
		case RefusedLimit:
			f.Level = Warn
			f.Text = T("The server refused the letter because a sending limit is reached. Wait and lower the mailing program's hourly and daily limits.")
		case RefusedSpam:
			f.Text = T("The server refused the letter as spam.")
		default:
			if s.Reply == nil {
				f.Level = Warn
				f.Text = T("The test letter could not be sent: {{.Err}}", "Err", safetext.Show(s.Err))
			} else {
				f.Text = T("The server refused the test letter.")
			}
		}
		if haveLim {
			for _, known := range lim.Replies {
				if s.Reply != nil && known.Code == s.Reply.Code && (known.Words == "" || strings.Contains(strings.ToLower(s.Reply.Words), strings.ToLower(known.Words))) {
					f.Text += " " + T(known.Meaning)
					break
				}
			}
		}
		add(f)
	default:
		sub.Tested, sub.Accepted = true, true
		if s.Message == nil {
			add(Finding{Check: "substitution", Level: Warn, Title: T("Sender substitution"),
				Text:        T("The server accepted the letter from {{.From}}, but it did not arrive in the mailbox in time, so whether the From address was kept is not known.", "From", from),
				ServerWords: safetext.Show(s.Err)})
			break
		}
		rb, err := ReadBack(bytes.NewReader(s.Message), from, trusted)
		if err != nil {
			add(Finding{Check: "substitution", Level: Warn, Title: T("Sender substitution"),
				Text: T("The letter arrived, but its header could not be read.")})
			break
		}
		sub.Arrived = true
		rep.Delivered = &rb
		sub.Rewritten = rb.Rewritten
		if rb.Rewritten {
			add(Finding{Check: "substitution", Level: Fail, Title: T("Sender substitution"),
				Text: T("The server accepted the letter but replaced its From address {{.From}} with {{.Delivered}}: recipients would see {{.Delivered}}.", "From", from, "Delivered", rb.From)})
		} else if sub.Different {
			add(Finding{Check: "substitution", Level: OK, Title: T("Sender substitution"),
				Text: T("The server sent the letter from {{.From}} and it arrived with that From address.", "From", from)})
		} else {
			add(Finding{Check: "substitution", Level: OK, Title: T("Sender substitution"),
				Text: T("The letter was sent from the account's own address and arrived.")})
		}
		if s.JunkFolder != "" {
			sub.JunkFolder = s.JunkFolder
			add(Finding{Check: "spam", Level: Warn, Title: T("Spam folder"),
				Text: T("The letter arrived in the spam folder “{{.Folder}}”, not the inbox: the provider took it for spam, and recipients' providers may do the same with the program's letters. The authentication findings say what to fix.", "Folder", s.JunkFolder)})
		}
		if v := rb.Verdicts; v != nil {
			dkimAligned = AlignedDKIM(domainOf(from), v.DKIMDomains)
			lvl := OK
			if v.DMARC == "fail" || v.SPF == "fail" {
				lvl = Fail
			} else if v.DMARC != "pass" && v.DKIM != "pass" && v.SPF != "pass" {
				lvl = Warn
			}
			add(Finding{Check: "verdicts", Level: lvl, Title: T("The receiving server's verdict"),
				Text: T("{{.ID}} found: SPF {{.SPF}}, DKIM {{.DKIM}}, DMARC {{.DMARC}}. DKIM signed by: {{.Signers}}.",
					"ID", v.AuthservID, "SPF", orNone(v.SPF), "DKIM", orNone(v.DKIM), "DMARC", orNone(v.DMARC), "Signers", orNone(strings.Join(rb.Signers, ", ")))})
		} else {
			add(Finding{Check: "verdicts", Level: Info, Title: T("The receiving server's verdict"),
				Text: T("The letter carries no Authentication-Results from the receiving server itself; {{.N}} from elsewhere were ignored, since anyone could have written them. DKIM signed by: {{.Signers}}.",
					"N", rb.Untrusted, "Signers", orNone(strings.Join(rb.Signers, ", ")))})
		}
	}

	// SPF and DMARC, for a sender domain that is not the provider's own.
	fromDomain := domainOf(from)
	own := req.Config != nil && containsFold(req.Config.Domains, fromDomain)
	if fromDomain != "" && !own && res != nil {
		include := ""
		if haveLim {
			include = lim.SPFInclude
		}
		spfc := CheckSPF(ctx, res, fromDomain, req.SMTP.Host, include)
		rep.SPF = &spfc
		switch {
		case spfc.Err != "" && spfc.Record == "" && len(spfc.IPs) == 0:
			add(Finding{Check: "spf", Level: Warn, Title: "SPF", Text: T("The SPF record of {{.Domain}} could not be looked up: {{.Err}}", "Domain", fromDomain, "Err", safetext.Show(spfc.Err))})
		case spfc.Authorised:
			add(Finding{Check: "spf", Level: OK, Title: "SPF", Text: T("The SPF record of {{.Domain}} allows {{.Host}} to send for it.", "Domain", fromDomain, "Host", req.SMTP.Host)})
		case spfc.Record == "":
			add(Finding{Check: "spf", Level: Fail, Title: "SPF", Record: spfc.Fix,
				Text: T("{{.Domain}} has no SPF record, so receivers cannot tell that {{.Host}} may send for it. The domain's owner should publish this record:", "Domain", fromDomain, "Host", req.SMTP.Host)})
		default:
			add(Finding{Check: "spf", Level: Fail, Title: "SPF", Record: spfc.Fix,
				Text: T("The SPF record of {{.Domain}} does not allow {{.Host}} (result: {{.Result}}). The domain's owner should replace it with:", "Domain", fromDomain, "Host", req.SMTP.Host, "Result", spfc.Result)})
		}
		dm := CheckDMARC(ctx, res, fromDomain, spfc, dkimAligned)
		rep.DMARC = &dm
		switch {
		case dm.Err != "":
			add(Finding{Check: "dmarc", Level: Warn, Title: "DMARC", Text: T("The DMARC policy of {{.Domain}} could not be looked up: {{.Err}}", "Domain", fromDomain, "Err", safetext.Show(dm.Err))})
		case dm.Record == "":
			add(Finding{Check: "dmarc", Level: Info, Title: "DMARC", Record: dm.Fix,
				Text: T("{{.Domain}} publishes no DMARC policy. Receivers then judge by SPF alone; the domain's owner may publish a policy that only asks for reports:", "Domain", fromDomain)})
		case dm.Refused:
			add(Finding{Check: "dmarc", Level: Fail, Title: "DMARC", Record: spfc.Fix,
				Text: T("{{.Domain}}'s DMARC policy is p=reject and mail from {{.Host}} does not pass SPF or DKIM for {{.Domain}}: receivers will refuse it. Fix the SPF record first:", "Domain", fromDomain, "Host", req.SMTP.Host)})
		case dm.Quarantined:
			add(Finding{Check: "dmarc", Level: Warn, Title: "DMARC", Record: spfc.Fix,
				Text: T("{{.Domain}}'s DMARC policy is p=quarantine and mail from {{.Host}} does not pass SPF or DKIM for {{.Domain}}: receivers will put it in spam. Fix the SPF record first:", "Domain", fromDomain, "Host", req.SMTP.Host)})
		default:
			add(Finding{Check: "dmarc", Level: OK, Title: "DMARC", Text: T("{{.Domain}}'s DMARC policy (p={{.Policy}}) lets mail from {{.Host}} through.", "Domain", fromDomain, "Policy", dm.Policy, "Host", req.SMTP.Host)})
		}
	}

	// Limits.
	if haveLim {
		text := T("Set the mailing program's limits to at most {{.Hour}} letters an hour and {{.Day}} a day.", "Hour", lim.SafePerHour.Value, "Day", lim.SafePerDay.Value)
		if lim.MessagesPerDay.Known() {
			text += " " + T("{{.Provider}} allows {{.N}} recipients a day.", "Provider", providerName, "N", lim.MessagesPerDay.Value)
		}
		if lim.RecipientsPerMessage.Known() {
			text += " " + T("At most {{.N}} recipients in one letter.", "N", lim.RecipientsPerMessage.Value)
		}
		for _, m := range lim.Observations {
			text += " " + T("Users' guide, observed:") + " " + T(m.Text, "After", m.After, "Code", m.Code)
		}
		add(Finding{Check: "limits", Level: Info, Title: T("Sending limits"), Text: text})
	} else {
		add(Finding{Check: "limits", Level: Info, Title: T("Sending limits"),
			Text: T("The wizard knows no sending limits for this provider. Start with at most {{.Hour}} letters an hour and {{.Day}} a day and ask the provider.", "Hour", 20, "Day", 100)})
	}

	// Port.
	if req.SMTP.Port == 25 {
		add(Finding{Check: "port", Level: Warn, Title: T("Port"),
			Text: T("Port 25 is blocked by many internet providers and by hosted (SaaS) mailing programs. Use port 465 (SSL/TLS) or 587 (STARTTLS).")})
	}

	// The bounce mailbox.
	if strings.EqualFold(bounce, req.Account) {
		add(Finding{Check: "bounce", Level: OK, Title: T("Bounce mailbox"),
			Text: T("Delivery reports (\"Mail Delivery System\") come to {{.Account}}; give the mailing program this account's incoming server ({{.Host}}) to read them.", "Account", req.Account, "Host", req.IncomingHost)})
	} else {
		add(Finding{Check: "bounce", Level: Info, Title: T("Bounce mailbox"),
			Text: T("Delivery reports are to go to {{.Bounce}}: give the mailing program that mailbox's incoming server, and test its login as well.", "Bounce", bounce)})
	}
	if req.Bounced != nil {
		bt, f := checkBounce(lang, req.Account, bounce, req.Bounced)
		rep.BounceTest = &bt
		add(f)
	}
	return rep
}

func orNone(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// SentFrom turns the probe's send test (run with SendFrom and ReadBack)
// into the outcome Check reads; nil for nil.
func SentFrom(st *probe.SendTestResult) *Sent {
	if st == nil {
		return nil
	}
	s := &Sent{Accepted: st.Stage != probe.StageSend, Message: st.Header, JunkFolder: st.JunkFolder}
	if st.Reply != nil {
		s.Reply = &ServerReply{Code: st.Reply.Code, Enhanced: st.Reply.Enhanced, Words: st.Reply.Words}
	}
	if !st.OK {
		s.Err = st.Error
	}
	return s
}
