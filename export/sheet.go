package export

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"golang.org/x/net/idna"
)

// The sheet is the universal fallback: a printable HTML page with the
// settings table of our users' guide (server, port, encryption, username for
// incoming and outgoing mail), the provider's hints with their links, and
// short steps for each mail program. It is one file with its CSS inside, so
// it prints and opens offline; html/template escapes every value and refuses
// links that are not http(s).

func init() {
	register(Format{
		Name: "sheet", Ext: ".html",
		Description: catalog.Key("printable HTML page with the settings table, the provider's hints and steps for every mail program"),
		write:       writeSheet,
	})
	register(Format{
		Name: "json", Ext: ".json",
		Description: catalog.Key("the detect JSON (DESIGN.md), the chosen servers first"),
		write:       writeJSON,
	})
}

type sheetStep struct{ Client, Text string }

type sheetHint struct{ Text, URL string }

type sheetData struct {
	Lang, Title, Name, Email, Provider string
	T                                  *texts
	In, Out                            account.Server
	InProto, InSec, OutSec             string
	InAuth, OutAuth, Leave             string
	// InHostU, OutHostU are the hosts' Unicode forms when they differ from
	// the ASCII ones a client is typed.
	InHostU, OutHostU string
	Warnings, Limits  []string
	Hints             []sheetHint
	Steps             []sheetStep
}

func writeSheet(w io.Writer, a Account) error {
	t := textsFor(a.Lang)
	d := sheetData{
		Lang: a.Lang, T: t,
		Title: fmt.Sprintf(t.Title, a.Address.Display()),
		Name:  a.displayName(), Email: a.Address.Display(),
		In: a.Incoming, Out: a.Outgoing,
		InProto: strings.ToUpper(string(a.Incoming.Protocol)),
		InSec:   t.security(a.Incoming.Security), OutSec: t.security(a.Outgoing.Security),
		InAuth: t.auth(a.Incoming.Auth), OutAuth: t.auth(a.Outgoing.Auth),
	}
	if p := a.Config.Provider; p != nil {
		d.Provider = p.Name
	}
	d.InHostU, d.OutHostU = unicodeHost(a.Incoming.Host), unicodeHost(a.Outgoing.Host)
	if a.Incoming.Protocol == account.POP3 {
		d.Leave = t.leave(a)
	}
	if a.oauth2() {
		d.Warnings = append(d.Warnings, fmt.Sprintf(t.OAuth2Sheet, a.providerName()))
	}
	if a.plaintext() {
		d.Warnings = append(d.Warnings, t.Plaintext)
	}
	d.Warnings = append(d.Warnings, a.exceptionWarnings()...)
	for _, h := range a.Config.Hints {
		if txt := h.In(a.Lang); txt != "" {
			u := h.URL
			if !webURL(u) {
				u = ""
			}
			d.Hints = append(d.Hints, sheetHint{Text: txt, URL: u})
		}
	}
	l := a.Config.Limits
	for _, lim := range []struct {
		n      int
		format string
	}{{l.MaxMessageMB, t.MaxMessage}, {l.MaxRecipients, t.MaxRecipients}, {l.SendPerDay, t.SendPerDay}, {l.IMAPConnections, t.IMAPConns}} {
		if lim.n > 0 {
			d.Limits = append(d.Limits, fmt.Sprintf(lim.format, lim.n))
		}
	}
	d.Steps = []sheetStep{
		{t.ClientThunderbird, t.StepThunderbird},
		{t.ClientTheBat, t.StepTheBat},
		{t.ClientApple, t.StepApple},
		{t.ClientOutlook, t.StepOutlook},
		{t.ClientPhones, t.StepPhones},
	}
	return pages.ExecuteTemplate(w, "sheet.html", d)
}

// writeJSON writes the detect JSON with the chosen servers first, so a
// program reading "the preferred server" gets the one the person chose.
func writeJSON(w io.Writer, a Account) error {
	c := a.Config
	c.Incoming = chosenFirst(a.Incoming, c.For(a.Address).Incoming)
	c.Outgoing = chosenFirst(a.Outgoing, c.For(a.Address).Outgoing)
	c.LeaveOnServer, c.DaysOnServer = a.LeaveOnServer, a.DaysOnServer
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c.View(a.Address, a.Lang))
}

// chosenFirst returns chosen followed by the others, without duplicates.
// The others are put in the form Write checked chosen into (host in lower
// case ASCII, auth filled in) before they are compared: else the chosen
// server came back as a second entry spelled differently.
func chosenFirst(chosen account.Server, all []account.Server) []account.Server {
	out := []account.Server{chosen}
	for _, s := range all {
		if n, err := checkServer("other", s); err == nil {
			s = n
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// unicodeHost is host's Unicode form if it has one ("pop.почта.рф" for
// "pop.xn--80a1acny.xn--p1ai"), else "".
func unicodeHost(host string) string {
	u, err := idna.Display.ToUnicode(host)
	if err != nil || u == host {
		return ""
	}
	return u
}
