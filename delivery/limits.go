package delivery

import "github.com/mailwiz/mailwiz/catalog"

// Kind says how a fact is known. A person deciding how fast a mailing
// program may send must see whether a number is the provider's promise,
// someone's measurement, or our advice.
type Kind string

// The kinds of source, most authoritative first.
const (
	// Provider: the provider's own help page says so.
	Provider Kind = "provider"
	// Guide: our users' guide states it, without a measurement.
	Guide Kind = "guide"
	// Observation: measured by the users' guide's author; the provider
	// publishes nothing. It may have changed since.
	Observation Kind = "observation"
	// Secondary: a third party's page; the provider publishes nothing.
	Secondary Kind = "secondary"
	// Advice: mailwiz's own recommendation, derived from the facts above
	// (Note says how).
	Advice Kind = "advice"
)

// Source is where one fact comes from.
type Source struct {
	Kind Kind   `json:"kind"`
	URL  string `json:"url,omitempty"` // empty for the users' guide and our advice
	// Checked is when the source was last read (YYYY-MM).
	Checked string `json:"checked,omitempty"`
	// Note qualifies the fact, in English (for maintainers; not shown
	// to users).
	Note string `json:"note,omitempty"`
}

// Fact is one number with its source. Value 0 means not published.
type Fact struct {
	Value  int    `json:"value"`
	Source Source `json:"source"`
}

// Known reports whether the fact has a value.
func (f Fact) Known() bool { return f.Value > 0 }

// Reply is what a provider's SMTP server answers when a limit is hit or
// a message refused, as far as anyone has recorded it.
type Reply struct {
	Code     int    `json:"code,omitempty"`
	Enhanced string `json:"enhanced,omitempty"` // "5.4.5"
	// Words are the server's words (or a fragment of them) in English;
	// they are also what Classify looks for.
	Words string `json:"words,omitempty"`
	// Meaning is a catalog key: what the reply means for the person.
	Meaning string `json:"meaning"`
	Source  Source `json:"source"`
}

// Measurement is something the users' guide's author saw happen, a
// catalog key with its figures.
type Measurement struct {
	// Text is a catalog key with {{.After}}, {{.Code}} placeholders.
	Text  string `json:"text"`
	After int    `json:"after,omitempty"` // letters sent before it happened
	Code  int    `json:"code,omitempty"`  // the SMTP reply code seen
}

// Limits are a provider's sending limits for a mailing program, every
// number with its source.
type Limits struct {
	// Provider is the provider's ID in providers/data (its file name).
	Provider string `json:"provider"`
	// RecipientsPerMessage counts To, Cc and Bcc of one message sent over SMTP.
	RecipientsPerMessage Fact `json:"recipients_per_message"`
	MessagesPerHour      Fact `json:"messages_per_hour"`
	// MessagesPerDay: most providers count recipients, not messages.
	MessagesPerDay Fact `json:"messages_per_day"`
	// SafePerHour and SafePerDay are the rate to set in a mailing
	// program's hourly and daily limits.
	SafePerHour Fact `json:"safe_per_hour"`
	SafePerDay  Fact `json:"safe_per_day"`
	// Replies are the known answers when a limit is hit or a message
	// refused.
	Replies []Reply `json:"replies,omitempty"`
	// Observations are the users' guide's measurements.
	Observations []Measurement `json:"observations,omitempty"`
	// SubstitutionForbidden: the provider refuses a From (and envelope
	// sender) that is not the login's own address or alias.
	SubstitutionForbidden Fact `json:"substitution_forbidden"`
	// SPFInclude is the domain a sender domain's SPF record includes to
	// authorise the provider's outgoing servers; empty when the
	// provider does not send for other domains.
	SPFInclude string `json:"spf_include,omitempty"`
}

// guide is the users' guide's CRM chapter (../shared/users-guide.txt).
var guide = Source{Kind: Guide, Checked: "2026-12", Note: "users' guide, CRM chapter"}

func observed(note string) Source {
	return Source{Kind: Observation, Checked: "2026-12", Note: "users' guide, CRM chapter: " + note}
}

func advice(note string) Source { return Source{Kind: Advice, Note: note} }

// table holds the facts. It is a Go table rather than more attributes of
// providers/data's <mw:limits>: every number here carries its own source
// and kind, replies carry catalog keys, and the clientConfig files stay
// what Thunderbird and others read. TestLimitsAgreeWithProviders checks
// that the numbers both hold agree.
var table = map[string]Limits{
	"mailru": {
		Provider:             "mailru",
		RecipientsPerMessage: Fact{30, Source{Kind: Guide, Checked: "2026-12", Note: "users' guide states 30 recipients per message; help.mail.ru publishes no figure we found [verify]"}},
		SafePerHour:          Fact{20, advice("well below the guide's 120 letters, after which delivery was delayed up to 40 minutes")},
		SafePerDay:           Fact{100, advice("below the guide's 120 letters a day, after which delays began")},
		Replies: []Reply{
			{Code: 553, Meaning: catalog.Key("Mail.ru stopped accepting letters for a while: the account sent too many. Wait an hour and send fewer."), Source: observed("error 553 after about 182 letters, lifting after 5 minutes to an hour")},
		},
		Observations: []Measurement{
			{Text: catalog.Key("After about {{.After}} letters delivery was delayed by up to 40 minutes."), After: 120},
			{Text: catalog.Key("After about {{.After}} letters the server answered {{.Code}} for 5 minutes to an hour, and again after each new letter; two days later the limit still applied (about 5 letters an hour)."), After: 182, Code: 553},
		},
		SubstitutionForbidden: Fact{1, Source{Kind: Guide, Checked: "2026-12", Note: "users' guide: free providers (mail.ru, yandex.ru, gmail.com) forbid sender substitution"}},
		SPFInclude:            "_spf.mail.ru",
	},
	"yandex": {
		Provider:             "yandex",
		RecipientsPerMessage: Fact{35, Source{Kind: Provider, URL: "https://yandex.com/support/mail/web/letter/create/send-many-letters.html", Checked: "2026-12", Note: "35 recipients in one message sent from a mail client or over SMTP (50 from the web)"}},
		MessagesPerDay:       Fact{500, Source{Kind: Provider, URL: "https://yandex.com/support/mail/web/letter/create/send-many-letters.html", Checked: "2026-12", Note: "500 a day, each recipient counted; sending is then blocked for 24 hours, extended while attempts continue"}},
		SafePerHour:          Fact{20, advice("the guide saw 550 after about 90 letters sent at once")},
		SafePerDay:           Fact{80, advice("below the guide's 90 letters, after which only about 4 an hour went out")},
		Replies: []Reply{
			{Code: 550, Meaning: catalog.Key("Yandex blocked sending from this account: it sent too many letters. Sending is blocked for 24 hours, longer if you keep trying."), Source: Source{Kind: Provider, URL: "https://yandex.com/support/mail/web/letter/create/send-many-letters.html", Checked: "2026-12", Note: "the block; the code 550 is the guide's observation"}},
			{Code: 553, Enhanced: "5.7.1", Words: "not owned by auth user", Meaning: catalog.Key("The server refuses a sender address that is not your login's own address."), Source: Source{Kind: Secondary, Note: "the wording Yandex's SMTP servers give, quoted in issue 15 and in public mailing-program reports [verify]"}},
		},
		Observations: []Measurement{
			{Text: catalog.Key("After about {{.After}} letters the server answered {{.Code}}; after that about 4 letters an hour went out, for two days."), After: 90, Code: 550},
		},
		SubstitutionForbidden: Fact{1, Source{Kind: Guide, Checked: "2026-12", Note: "users' guide: free providers (mail.ru, yandex.ru, gmail.com) forbid sender substitution"}},
		SPFInclude:            "_spf.yandex.net",
	},
	"rambler": {
		Provider:    "rambler",
		SafePerHour: Fact{10, advice("Rambler publishes no limit; the guide reports spam refusals, so start slowly")},
		SafePerDay:  Fact{50, advice("Rambler publishes no limit; a cautious start")},
		Replies: []Reply{
			{Code: 550, Enhanced: "5.7.1", Words: "Spam message rejected", Meaning: catalog.Key("Rambler took the letter for spam and refused it. If it is not spam, write to Rambler's abuse address with the sending server's IP address."), Source: observed("\"5.7.1 Spam message rejected; If this is not spam contact abuse\"")},
		},
		Observations: []Measurement{
			{Text: catalog.Key("The From address must be the address you log in with.")},
			{Text: catalog.Key("Switch on \"Send letters through the Rambler-Mail SMTP server\" in the mailbox's settings first.")},
		},
		SubstitutionForbidden: Fact{1, Source{Kind: Guide, Checked: "2026-12", Note: "users' guide: From must match the login (providers/data/rambler.xml hint from-must-match-login)"}},
	},
	"gmail": {
		Provider:             "gmail",
		RecipientsPerMessage: Fact{100, Source{Kind: Provider, URL: "https://support.google.com/mail/answer/22839", Checked: "2026-11", Note: "100 per message sent from a POP/IMAP client"}},
		MessagesPerDay:       Fact{500, Source{Kind: Provider, URL: "https://support.google.com/mail/answer/22839", Checked: "2026-11", Note: "500 recipients a day; Workspace accounts 2,000 messages (support.google.com/a/answer/166852)"}},
		SafePerHour:          Fact{40, advice("a day's 500 spread over 12 hours, with room for the person's own mail")},
		SafePerDay:           Fact{400, advice("80% of the published 500, leaving room for the person's own mail")},
		Replies: []Reply{
			{Code: 550, Enhanced: "5.4.5", Words: "Daily user sending limit exceeded", Meaning: catalog.Key("Gmail's daily sending limit is reached: sending resumes within 24 hours."), Source: Source{Kind: Provider, URL: "https://support.google.com/a/answer/3726730", Checked: "2026-12", Note: "Gmail SMTP error reference [verify wording]"}},
		},
		SubstitutionForbidden: Fact{1, Source{Kind: Provider, URL: "https://support.google.com/mail/answer/22370", Checked: "2026-12", Note: "another From only as a verified \"Send mail as\" address; otherwise Gmail rewrites From to the account [verify]"}},
		SPFInclude:            "_spf.google.com",
	},
	"outlook": {
		Provider:              "outlook",
		RecipientsPerMessage:  Fact{500, Source{Kind: Provider, URL: "https://support.microsoft.com/office/sending-limits-in-outlook-com-279ee200-594c-40f0-9ec8-bb6af7735c2e", Checked: "2026-11", Note: "for Microsoft 365 subscribers; lower and unpublished for free accounts"}},
		MessagesPerDay:        Fact{5000, Source{Kind: Provider, URL: "https://support.microsoft.com/office/sending-limits-in-outlook-com-279ee200-594c-40f0-9ec8-bb6af7735c2e", Checked: "2026-11", Note: "recipients a day for Microsoft 365 subscribers; free accounts lower (third parties report 300)"}},
		SafePerHour:           Fact{20, advice("free accounts' limit is unpublished and reported as low as 300 a day")},
		SafePerDay:            Fact{200, advice("below the 300 a day third parties report for free accounts")},
		SubstitutionForbidden: Fact{0, Source{Note: "Outlook.com sends as the account or its aliases; no page found saying what happens to another From [verify]"}},
		SPFInclude:            "spf.protection.outlook.com",
	},
	"yahoo": {
		Provider:              "yahoo",
		RecipientsPerMessage:  Fact{100, Source{Kind: Secondary, URL: "https://www.suped.com/knowledge/email-deliverability/technical/what-are-yahoos-smtp-connection-and-concurrent-link-limits-and-how-to-manage-them-for-email-deli", Checked: "2026-12", Note: "Yahoo's help publishes no sending limit we found [verify]"}},
		MessagesPerDay:        Fact{500, Source{Kind: Secondary, URL: "https://www.suped.com/knowledge/email-deliverability/technical/what-are-yahoos-smtp-connection-and-concurrent-link-limits-and-how-to-manage-them-for-email-deli", Checked: "2026-12", Note: "[verify]"}},
		SafePerHour:           Fact{20, advice("unpublished limits: a cautious rate")},
		SafePerDay:            Fact{200, advice("unpublished limits: well below the 500 third parties report")},
		SubstitutionForbidden: Fact{0, Source{Note: "no page found on another From [verify]"}},
	},
}

// LimitsFor returns the sending limits known for a provider (its ID in
// providers/data), and whether any are known.
func LimitsFor(provider string) (Limits, bool) {
	l, ok := table[provider]
	return l, ok
}

// Providers lists the providers with known sending limits.
func Providers() []string {
	out := make([]string, 0, len(table))
	for id := range table {
		out = append(out, id)
	}
	return out
}
