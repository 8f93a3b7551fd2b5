package export

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
)

// The settings card is what a person types into a CRM's or mailing
// program's "External SMTP server" form, in the order and the words of the
// users' guide's CRM chapter: sender address, SMTP server, port, login,
// password, security; the hourly and daily limits such programs ask for;
// and the mailbox that receives the "Mail Delivery System" replies. The
// same card comes as a printable HTML page and as plain text to paste into
// a message or a ticket.

func init() {
	register(Format{
		Name: "crm-card", Ext: ".html",
		Description: catalog.Key("settings card for a CRM or mailing program: sender, SMTP server, port, security, limits and the mailbox for bounces (printable HTML)"),
		file:        func(a Account) string { return safeFileName(a.Address.String()) + "-crm-card.html" },
		write:       writeCardHTML,
	})
	register(Format{
		Name: "crm-card-text", Ext: ".txt",
		Description: catalog.Key("the same settings card as plain text, to paste into a message or a ticket"),
		file:        func(a Account) string { return safeFileName(a.Address.String()) + "-crm-card.txt" },
		write:       writeCardText,
	})
}

type cardRow struct {
	Label, Value, Note string
	// Code: a value to type exactly (a host, a login), shown in monospace.
	Code bool
}

type cardSection struct {
	Heading, Intro string
	Rows           []cardRow
	Items          []sheetHint
}

type card struct {
	Lang, Title, Intro, Provider, Footer string
	Warnings                             []string
	Sections                             []cardSection
}

// smtpSecurity names s as the mailing programs' forms do: many of them
// (PHPMailer's words) call TLS from the start "SSL" and STARTTLS "TLS".
func smtpSecurity(lang string, s account.Security) string {
	return account.BySecurity(s, catalog.T(lang, "SSL/TLS (some programs call it SSL)"),
		catalog.T(lang, "STARTTLS (some programs call it TLS)"), textsFor(lang).SecNone)
}

func buildCard(a Account) card {
	t := textsFor(a.Lang)
	L := a.Lang
	c := card{
		Lang:     L,
		Title:    catalog.T(L, "Sending settings for {{.Address}}", "Address", a.Address.Display()),
		Intro:    catalog.T(L, "For a CRM, a newsletter program or a website form that sends mail through this mailbox's SMTP server."),
		Footer:   t.Generated,
		Warnings: mailerWarnings(a),
	}
	if p := a.Config.Provider; p != nil {
		c.Provider = p.Name
	}
	s := a.Outgoing
	smtp := cardSection{Heading: t.Outgoing}
	smtp.Rows = append(smtp.Rows,
		cardRow{Label: catalog.T(L, "Sender address"), Value: a.Address.String(), Note: unicodeAddress(a.Address), Code: true},
		cardRow{Label: catalog.T(L, "SMTP server"), Value: s.Host, Note: unicodeHost(s.Host), Code: true},
		cardRow{Label: catalog.T(L, "SMTP port"), Value: strconv.Itoa(s.Port)},
		cardRow{Label: catalog.T(L, "SMTP security"), Value: smtpSecurity(L, s.Security)},
	)
	if a.loginNeeded() {
		smtp.Rows = append(smtp.Rows,
			cardRow{Label: catalog.T(L, "SMTP login"), Value: s.Username, Code: true},
			cardRow{Label: catalog.T(L, "SMTP password"), Value: t.PasswordValue},
		)
	}
	auth := catalog.T(L, "Yes, with the login and password above")
	if s.Auth != account.AuthPassword && s.Auth != account.AuthPasswordEncrypted {
		auth = t.auth(s.Auth)
	}
	smtp.Rows = append(smtp.Rows, cardRow{Label: catalog.T(L, "SMTP authentication"), Value: auth})
	c.Sections = append(c.Sections, smtp)

	before := cardSection{Heading: t.Before}
	if a.Config.HasHint(account.HintFromMustMatch) {
		// The provider's own rule (the database's words: Gmail's differs
		// from Yandex's), then what to set in the program.
		for _, h := range a.Config.Hints {
			if h.Kind == account.HintFromMustMatch && h.In(L) != "" {
				before.Items = append(before.Items, sheetHint{Text: h.In(L), URL: webOnly(h.URL)})
			}
		}
		before.Items = append(before.Items, sheetHint{Text: catalog.T(L, "Leave \"Allow sender substitution\" off and the sender address of your templates empty or equal to {{.Address}}.", "Address", a.Address.Display())})
	} else {
		before.Items = append(before.Items, sheetHint{Text: catalog.T(L, "Another sender address (the program's \"Allow sender substitution\") works only where the provider allows it: free mail services such as Mail.ru, Yandex and Gmail refuse it or put the login's address back.")})
	}
	if s.Port != 25 {
		before.Items = append(before.Items, sheetHint{Text: portAdvice(L)})
	}
	for _, h := range a.Config.Hints {
		if h.Kind == account.HintFromMustMatch {
			continue // said first, above
		}
		if txt := h.In(L); txt != "" {
			before.Items = append(before.Items, sheetHint{Text: txt, URL: webOnly(h.URL)})
		}
	}
	c.Sections = append(c.Sections, before)

	l := a.Config.Limits
	unknown := catalog.T(L, "not published by the provider: start low and raise it while no errors come back")
	perDay := unknown
	if l.SendPerDay > 0 {
		perDay = catalog.T(L, "{{.N}} (the provider's published limit)", "N", l.SendPerDay)
	}
	limits := cardSection{Heading: t.Limits, Rows: []cardRow{
		{Label: catalog.T(L, "Emails per hour"), Value: unknown},
		{Label: catalog.T(L, "Emails per day"), Value: perDay},
	}}
	for _, lim := range []struct {
		n      int
		format string
	}{{l.MaxRecipients, t.MaxRecipients}, {l.MaxMessageMB, t.MaxMessage}} {
		if lim.n > 0 {
			limits.Items = append(limits.Items, sheetHint{Text: fmt.Sprintf(lim.format, lim.n)})
		}
	}
	c.Sections = append(c.Sections, limits)

	in := a.Incoming
	bounce := cardSection{
		Heading: catalog.T(L, "Mailbox for \"Mail Delivery System\" replies (bounces)"),
		Intro:   catalog.T(L, "Letters that cannot be delivered come back to the sender address as \"Mail Delivery System\" replies. For the program to read them, enter this mailbox's incoming server in its settings for those replies:"),
		Rows: []cardRow{
			{Label: catalog.T(L, "Protocol"), Value: strings.ToUpper(string(in.Protocol))},
			{Label: t.Server, Value: in.Host, Note: unicodeHost(in.Host), Code: true},
			{Label: t.Port, Value: strconv.Itoa(in.Port)},
			{Label: t.Encryption, Value: t.security(in.Security)},
		},
	}
	if needsLogin(in.Auth) {
		bounce.Rows = append(bounce.Rows, cardRow{Label: t.Username, Value: in.Username, Code: true}, cardRow{Label: t.Password, Value: t.PasswordValue})
	} else {
		bounce.Rows = append(bounce.Rows, cardRow{Label: t.Auth, Value: t.auth(in.Auth)})
	}
	c.Sections = append(c.Sections, bounce)
	return c
}

func writeCardHTML(w io.Writer, a Account) error {
	return pages.ExecuteTemplate(w, "crm-card.html", buildCard(a))
}

// writeCardText writes the card as plain text: a title, the warnings, then
// each section as "Label: value" lines and "- item" lines.
func writeCardText(w io.Writer, a Account) error {
	c := buildCard(a)
	var b strings.Builder
	b.WriteString(c.Title + "\n")
	b.WriteString(strings.Repeat("=", len([]rune(c.Title))) + "\n")
	b.WriteString(c.Intro)
	if c.Provider != "" {
		b.WriteString(" (" + c.Provider + ")")
	}
	b.WriteString("\n")
	for _, warn := range c.Warnings {
		b.WriteString("\n! " + warn + "\n")
	}
	for _, s := range c.Sections {
		b.WriteString("\n" + s.Heading + "\n" + strings.Repeat("-", len([]rune(s.Heading))) + "\n")
		if s.Intro != "" {
			b.WriteString(s.Intro + "\n")
		}
		for _, r := range s.Rows {
			b.WriteString(r.Label + ": " + r.Value)
			if r.Note != "" {
				b.WriteString(" (" + r.Note + ")")
			}
			b.WriteString("\n")
		}
		for _, it := range s.Items {
			b.WriteString("- " + it.Text)
			if it.URL != "" {
				b.WriteString(" " + it.URL)
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("\n" + c.Footer + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// unicodeAddress is the address with its domain in Unicode when that
// differs from the ASCII form the card gives to type.
func unicodeAddress(a account.Address) string {
	if a.Display() == a.String() {
		return ""
	}
	return a.Display()
}

// webOnly is u when it is an http(s) link, else "".
func webOnly(u string) string {
	if !webURL(u) {
		return ""
	}
	return u
}
