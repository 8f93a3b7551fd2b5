package delivery

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/providers"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name     string
		reply    ServerReply
		provider string
		want     Refusal
	}{
		{"postfix login mismatch", ServerReply{553, "5.7.1", "<news@corp.test>: Sender address rejected: not owned by user alice@example.test"}, "", RefusedSender},
		{"yandex", ServerReply{553, "5.7.1", "Sender address rejected: not owned by auth user."}, "yandex", RefusedSender},
		{"exchange send as", ServerReply{550, "5.7.60", "SMTP; Client does not have permissions to send as this sender"}, "outlook", RefusedSender},
		{"gmail quota", ServerReply{550, "5.4.5", "Daily user sending limit exceeded."}, "gmail", RefusedLimit},
		{"too many recipients", ServerReply{452, "4.5.3", "Error: too many recipients"}, "", RefusedLimit},
		{"rambler spam", ServerReply{550, "5.7.1", "Spam message rejected; If this is not spam contact abuse at rambler-co.ru"}, "rambler", RefusedSpam},
		{"mailru bare 553", ServerReply{553, "", "Requested action not taken"}, "mailru", RefusedLimit},
		{"bare 553 elsewhere", ServerReply{553, "", "Requested action not taken"}, "", RefusedOther},
		{"auth first", ServerReply{530, "5.7.0", "Must issue a STARTTLS command first"}, "", RefusedAuth},
		{"temporary", ServerReply{451, "4.3.0", "Temporary lookup failure"}, "", RefusedLimit},
		{"unknown", ServerReply{554, "5.0.0", "Transaction failed"}, "", RefusedOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.reply, tt.provider); got != tt.want {
				t.Errorf("Classify(%v, %q) = %q, want %q", tt.reply, tt.provider, got, tt.want)
			}
		})
	}
}

func TestReplyOf(t *testing.T) {
	err := fmt.Errorf("sending: %w", &smtp.SMTPError{Code: 553, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "not owned\x1b[2J by user"})
	r, ok := ReplyOf(err)
	if !ok || r.Code != 553 || r.Enhanced != "5.7.1" || strings.ContainsRune(r.Words, 0x1b) {
		t.Fatalf("ReplyOf = %+v, %v; want 553 5.7.1 with the escape made visible", r, ok)
	}
	if _, ok := ReplyOf(errors.New("plain")); ok {
		t.Error("ReplyOf found a reply in a plain error")
	}
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadBack(t *testing.T) {
	trusted := TrustedIDs(nil, "imap.example.test", "alice@example.test")
	tests := []struct {
		file, sentFrom string
		rewritten      bool
		verdicts       *Verdicts
		untrusted      int
		signers        []string
	}{
		{"trusted.eml", "news@corp.test", false, &Verdicts{AuthservID: "mx.example.test", SPF: "pass", DKIM: "pass", DMARC: "pass", DKIMDomains: []string{"corp.test"}}, 1, []string{"corp.test"}},
		// mx.google.com is not this account's receiver: its field is ignored.
		{"rewritten.eml", "news@corp.test", true, nil, 1, nil},
		// A look-alike id (suffix of another domain, or merely ending in the text) is not trusted.
		{"forged.eml", "news@corp.test", false, nil, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rb, err := ReadBack(strings.NewReader(string(readFixture(t, tt.file))), tt.sentFrom, trusted)
			if err != nil {
				t.Fatal(err)
			}
			if rb.Rewritten != tt.rewritten {
				t.Errorf("Rewritten = %v (From %q), want %v", rb.Rewritten, rb.From, tt.rewritten)
			}
			if fmt.Sprint(rb.Verdicts) != fmt.Sprint(tt.verdicts) {
				t.Errorf("Verdicts = %+v, want %+v", rb.Verdicts, tt.verdicts)
			}
			if rb.Untrusted != tt.untrusted {
				t.Errorf("Untrusted = %d, want %d", rb.Untrusted, tt.untrusted)
			}
			if !slices.Equal(rb.Signers, tt.signers) {
				t.Errorf("Signers = %v, want %v", rb.Signers, tt.signers)
			}
		})
	}
	// With Gmail as the receiver, the same field is believed.
	rb, err := ReadBack(strings.NewReader(string(readFixture(t, "rewritten.eml"))), "news@corp.test", []string{"google.com"})
	if err != nil || rb.Verdicts == nil || rb.Verdicts.DMARC != "fail" || rb.Verdicts.SPF != "fail" {
		t.Errorf("ReadBack with google.com trusted = %+v, %v; want spf and dmarc fail", rb.Verdicts, err)
	}
}

func TestParseDSN(t *testing.T) {
	dsn, err := ParseDSN(strings.NewReader(string(readFixture(t, "dsn-postfix.eml"))))
	if err != nil {
		t.Fatal(err)
	}
	if dsn.ReportingMTA != "smtp.example.test" || dsn.OriginalMessageID != "<orig-1@example.test>" || len(dsn.Recipients) != 2 {
		t.Fatalf("ParseDSN = %+v", dsn)
	}
	r := dsn.Recipients[0]
	if r.Recipient != "nobody@nowhere.invalid" || r.Action != "failed" || r.Status != "5.1.2" ||
		!strings.HasPrefix(r.Diagnostic, "Host or domain name not found. Name service error for name=nowhere.invalid") || r.RemoteMTA != "nowhere.invalid" {
		t.Errorf("first recipient = %+v", r)
	}
	r = dsn.Recipients[1]
	if r.Action != "delayed" || r.Status != "4.2.2" || strings.ContainsRune(r.Diagnostic, 0x1b) || !strings.Contains(r.Diagnostic, `\x1b`) {
		t.Errorf("second recipient = %+v; want the escape shown, not sent", r)
	}
	if en, ru := Explain("en", "5.1.2"), Explain("ru", "5.1.2"); en == ru || !strings.Contains(ru, "Домен") {
		t.Errorf("Explain 5.1.2: en %q ru %q", en, ru)
	}
	for _, bad := range []string{"From: a@b\r\nContent-Type: text/plain\r\n\r\nhello\r\n",
		"Content-Type: multipart/report; report-type=disposition-notification; boundary=x\r\n\r\n--x\r\n\r\n--x--\r\n"} {
		if _, err := ParseDSN(strings.NewReader(bad)); !errors.Is(err, ErrNotDSN) {
			t.Errorf("ParseDSN(%q) = %v, want ErrNotDSN", bad[:30], err)
		}
	}
}

// zone is the loopback DNS of the SPF and DMARC tests: smtp.example.test
// on 127.0.0.1, and sender domains with good, missing and wrong records.
func zone() testenv.Zone {
	return testenv.Zone{
		"smtp.example.test": {A: []string{"127.0.0.1"}},
		"good.test":         {TXT: []string{"some-verification=1", "v=spf1 ip4:127.0.0.1 -all"}},
		"_dmarc.good.test":  {TXT: []string{"v=DMARC1; p=reject"}},
		"none.test":         {A: []string{"192.0.2.7"}},
		"wrong.test":        {TXT: []string{"v=spf1 ip4:192.0.2.1 mx -all"}},
		"_dmarc.wrong.test": {TXT: []string{"v=DMARC1; p=reject; rua=mailto:d@wrong.test"}},
		"quar.test":         {TXT: []string{"v=spf1 ~all"}},
		"_dmarc.quar.test":  {TXT: []string{"v=DMARC1; p=quarantine"}},
		"twice.test":        {TXT: []string{"v=spf1 -all", "v=spf1 +all"}},
		"viaprovider.test":  {TXT: []string{"v=spf1 include:_spf.mail.ru ~all"}},
		"_spf.mail.ru":      {TXT: []string{"v=spf1 ip4:192.0.2.50 -all"}},
		"long.test":         {TXT: []string{"v=spf1 " + strings.Repeat("ip4:192.0.2.9 ", 25) + "ip4:127.0.0.1 -all"}},
	}
}

func TestCheckSPF(t *testing.T) {
	dns := testenv.StartDNS(t, zone())
	res := dns.Resolver()
	ctx := context.Background()
	tests := []struct {
		domain, include string
		result          string
		authorised      bool
		fix             string
	}{
		{"good.test", "", "pass", true, ""},
		{"long.test", "", "pass", true, ""},
		{"none.test", "", "none", false, `none.test. TXT "v=spf1 ip4:127.0.0.1 ~all"`},
		{"none.test", "_spf.mail.ru", "none", false, `none.test. TXT "v=spf1 include:_spf.mail.ru ~all"`},
		{"wrong.test", "", "fail", false, `wrong.test. TXT "v=spf1 ip4:192.0.2.1 mx ip4:127.0.0.1 -all"`},
		{"twice.test", "", "permerror", false, `twice.test. TXT "v=spf1 ip4:127.0.0.1 ~all"`},
		// The submission host is not in the record, but the provider's
		// outgoing servers are, through its include.
		{"viaprovider.test", "_spf.mail.ru", "softfail", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.domain+"/"+tt.include, func(t *testing.T) {
			c := CheckSPF(ctx, res, tt.domain, "smtp.example.test", tt.include)
			if c.Result != tt.result || c.Authorised != tt.authorised || c.Fix != tt.fix {
				t.Errorf("CheckSPF = result %q authorised %v fix %q; want %q %v %q (%+v)", c.Result, c.Authorised, c.Fix, tt.result, tt.authorised, tt.fix, c)
			}
		})
	}
	dm := []struct {
		domain                     string
		policy                     string
		refused, quarantined, none bool
	}{
		{"good.test", "reject", false, false, false},
		{"wrong.test", "reject", true, false, false},
		{"quar.test", "quarantine", false, true, false},
		{"none.test", "", false, false, true},
	}
	for _, tt := range dm {
		spfc := CheckSPF(ctx, res, tt.domain, "smtp.example.test", "")
		c := CheckDMARC(ctx, res, tt.domain, spfc, false)
		if c.Policy != tt.policy || c.Refused != tt.refused || c.Quarantined != tt.quarantined || (c.Record == "") != tt.none {
			t.Errorf("CheckDMARC(%s) = %+v", tt.domain, c)
		}
		if tt.none && c.Fix != `_dmarc.none.test. TXT "v=DMARC1; p=none; rua=mailto:postmaster@none.test"` {
			t.Errorf("CheckDMARC(%s).Fix = %q", tt.domain, c.Fix)
		}
	}
	// A DKIM signature aligned with the sender domain passes DMARC
	// even where SPF fails.
	spfc := CheckSPF(ctx, res, "wrong.test", "smtp.example.test", "")
	if c := CheckDMARC(ctx, res, "wrong.test", spfc, true); c.Refused || !c.Aligned {
		t.Errorf("CheckDMARC with aligned DKIM = %+v, want not refused", c)
	}
}

func TestLimitsTable(t *testing.T) {
	for _, id := range []string{"mailru", "yandex", "rambler", "gmail", "outlook", "yahoo"} {
		l, ok := LimitsFor(id)
		if !ok {
			t.Errorf("no limits for %s", id)
			continue
		}
		if _, ok := providers.ByID(id); !ok || l.Provider != id {
			t.Errorf("%s: not a provider of providers/data, or Provider %q", id, l.Provider)
		}
		if !l.SafePerHour.Known() || !l.SafePerDay.Known() {
			t.Errorf("%s: no safe rate", id)
		}
	}
	for id, l := range table {
		facts := map[string]Fact{"recipients": l.RecipientsPerMessage, "hour": l.MessagesPerHour, "day": l.MessagesPerDay,
			"safe hour": l.SafePerHour, "safe day": l.SafePerDay, "substitution": l.SubstitutionForbidden}
		for name, f := range facts {
			if !f.Known() {
				continue
			}
			switch f.Source.Kind {
			case Provider, Secondary:
				if !strings.HasPrefix(f.Source.URL, "https://") {
					t.Errorf("%s %s: a %s fact needs its page's URL", id, name, f.Source.Kind)
				}
			case Guide, Observation, Advice:
				if f.Source.Note == "" {
					t.Errorf("%s %s: a %s fact needs a note saying where it comes from", id, name, f.Source.Kind)
				}
			default:
				t.Errorf("%s %s: unknown kind %q", id, name, f.Source.Kind)
			}
		}
		if l.SafePerDay.Value > l.MessagesPerDay.Value && l.MessagesPerDay.Known() {
			t.Errorf("%s: the safe rate %d exceeds the limit %d", id, l.SafePerDay.Value, l.MessagesPerDay.Value)
		}
		// The provider database's <mw:limits> and this table must agree.
		cfg, _ := providers.ByID(id)
		if n := cfg.Limits.MaxRecipients; n != 0 && l.RecipientsPerMessage.Known() && n != l.RecipientsPerMessage.Value {
			t.Errorf("%s: providers/data says %d recipients per message, the table %d", id, n, l.RecipientsPerMessage.Value)
		}
		if n := cfg.Limits.SendPerDay; n != 0 && l.MessagesPerDay.Known() && n != l.MessagesPerDay.Value {
			t.Errorf("%s: providers/data says %d a day, the table %d", id, n, l.MessagesPerDay.Value)
		}
		// A provider known to forbid another sender says so before login
		// and before sending too (the from-must-match-login hint the
		// faces and Check read), and only such a provider.
		if hint, forbidden := cfg.HasHint(account.HintFromMustMatch), l.SubstitutionForbidden.Known() && l.SubstitutionForbidden.Value == 1; hint != forbidden {
			t.Errorf("%s: providers/data's from-must-match-login hint %v, the table's SubstitutionForbidden %v", id, hint, forbidden)
		}
		// Every sentence is in both languages.
		var keys []string
		for _, r := range l.Replies {
			keys = append(keys, r.Meaning)
		}
		for _, m := range l.Observations {
			keys = append(keys, m.Text)
		}
		for _, k := range keys {
			if ru := catalog.T("ru", k); ru == k {
				t.Errorf("%s: %q has no Russian", id, k)
			}
		}
	}
}
