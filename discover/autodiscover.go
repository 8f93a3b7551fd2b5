package discover

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mailwiz/mailwiz/account"
)

// Exchange Autodiscover "POX" (plain old XML), the protocol Outlook uses;
// many hosters answer it for IMAP/POP3/SMTP accounts too.
const (
	adRequestNS  = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
	adResponseNS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
	// maxAutodiscoverRedirects bounds redirectAddr/redirectUrl answers.
	maxAutodiscoverRedirects = 2
)

// adAnswer is what one Autodiscover response says: either servers, or a
// redirect to another address or URL.
type adAnswer struct {
	Incoming, Outgoing []account.Server
	RedirectAddr       string
	RedirectURL        string
}

// The response tree, by local name: Go's decoder matches elements in any
// namespace when a tag names none, and servers differ in the namespaces
// they declare.
type adXML struct {
	XMLName  xml.Name `xml:"Autodiscover"`
	Response struct {
		Error   *adError `xml:"Error"`
		Account struct {
			Action       string       `xml:"Action"`
			RedirectAddr string       `xml:"RedirectAddr"`
			RedirectURL  string       `xml:"RedirectUrl"`
			Protocols    []adProtocol `xml:"Protocol"`
			Error        *adError     `xml:"Error"`
		} `xml:"Account"`
	} `xml:"Response"`
}

type adError struct {
	ErrorCode string `xml:"ErrorCode"`
	Message   string `xml:"Message"`
	DebugData string `xml:"DebugData"`
}

type adProtocol struct {
	Type         string `xml:"Type"`
	Server       string `xml:"Server"`
	Port         string `xml:"Port"`
	LoginName    string `xml:"LoginName"`
	SSL          string `xml:"SSL"`
	Encryption   string `xml:"Encryption"`
	SPA          string `xml:"SPA"`
	AuthRequired string `xml:"AuthRequired"`
}

// parseAutodiscover reads an Autodiscover POX response: the IMAP, POP3 and
// SMTP Protocol elements, or a redirectAddr/redirectUrl action. It takes at
// most [MaxBody] bytes, refuses a DTD (so no entity expansion) and never
// panics; an error names what is wrong.
func parseAutodiscover(b []byte) (adAnswer, error) {
	if len(b) > MaxBody {
		return adAnswer{}, errors.New("discover: the Autodiscover answer is larger than 1 MiB")
	}
	if bytes.Contains(b, []byte("<!DOCTYPE")) || bytes.Contains(b, []byte("<!ENTITY")) {
		return adAnswer{}, errors.New("discover: the Autodiscover answer declares a DTD or entities, which mailwiz refuses")
	}
	var doc adXML
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	if err := d.Decode(&doc); err != nil {
		return adAnswer{}, fmt.Errorf("discover: the Autodiscover answer is not valid POX XML: %w", err)
	}
	for _, e := range []*adError{doc.Response.Error, doc.Response.Account.Error} {
		if e != nil {
			msg := strings.TrimSpace(e.Message)
			if msg == "" {
				msg = "no message"
			}
			return adAnswer{}, fmt.Errorf("discover: the Autodiscover server answered error %s: %s",
				strings.TrimSpace(e.ErrorCode), clip(msg, 200))
		}
	}
	acc := doc.Response.Account
	switch strings.ToLower(strings.TrimSpace(acc.Action)) {
	case "redirectaddr":
		a := strings.TrimSpace(acc.RedirectAddr)
		if a == "" {
			return adAnswer{}, errors.New("discover: the Autodiscover answer redirects to an empty address")
		}
		return adAnswer{RedirectAddr: a}, nil
	case "redirecturl":
		u := strings.TrimSpace(acc.RedirectURL)
		if u == "" {
			return adAnswer{}, errors.New("discover: the Autodiscover answer redirects to an empty URL")
		}
		return adAnswer{RedirectURL: u}, nil
	}
	var ans adAnswer
	for _, p := range acc.Protocols {
		s, ok := p.server()
		if !ok {
			continue
		}
		if s.Protocol.Incoming() {
			ans.Incoming = append(ans.Incoming, s)
		} else {
			ans.Outgoing = append(ans.Outgoing, s)
		}
	}
	if len(ans.Incoming) == 0 {
		return adAnswer{}, errors.New("discover: the Autodiscover answer names no IMAP or POP3 server")
	}
	return ans, nil
}

// server maps one Protocol element the way Outlook and Thunderbird read
// it: Encryption (Outlook 2010+) wins over SSL; SSL defaults to on; with
// neither saying which TLS, the standard STARTTLS ports mean STARTTLS.
func (p adProtocol) server() (account.Server, bool) {
	var s account.Server
	switch strings.ToUpper(strings.TrimSpace(p.Type)) {
	case "IMAP":
		s.Protocol = account.IMAP
	case "POP3":
		s.Protocol = account.POP3
	case "SMTP":
		s.Protocol = account.SMTP
	default:
		return s, false // Exchange types (EXCH, EXPR, EXHTTP, WEB) are not for us
	}
	s.Host = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(p.Server)), ".")
	if !validHost(s.Host) {
		return s, false
	}
	if ps := strings.TrimSpace(p.Port); ps != "" {
		n, err := strconv.Atoi(ps)
		if err != nil || n < 1 || n > 65535 {
			return s, false
		}
		s.Port = n
	}
	on := func(v string, def bool) bool {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "on", "true", "1":
			return true
		case "off", "false", "0":
			return false
		}
		return def
	}
	switch strings.ToLower(strings.TrimSpace(p.Encryption)) {
	case "none":
		s.Security = account.None
	case "ssl":
		s.Security = account.SSL
	case "tls":
		s.Security = account.STARTTLS
	default:
		switch {
		case !on(p.SSL, true):
			s.Security = account.None
		case s.Port == 143 || s.Port == 110 || s.Port == 25 || s.Port == 587:
			s.Security = account.STARTTLS
		default:
			s.Security = account.SSL
		}
	}
	if s.Port == 0 {
		s.Port = account.DefaultPort(s.Protocol, s.Security)
	}
	s.Username = strings.TrimSpace(p.LoginName)
	if s.Username == "" || len(s.Username) > 320 {
		s.Username = account.PlaceholderAddress
	}
	s.Auth = account.AuthPassword
	if on(p.SPA, false) {
		s.Auth = account.AuthPasswordEncrypted
	}
	if s.Protocol == account.SMTP && !on(p.AuthRequired, true) {
		s.Auth = account.AuthNone
	}
	return s, true
}

// clip shortens what a server sent to at most n bytes for an error
// message. It cuts at a rune boundary: half a UTF-8 sequence would reach
// the terminal and the JSON output as garbage.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func autodiscoverRequest(email string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<Autodiscover xmlns="` + adRequestNS + `"><Request><EMailAddress>`)
	xml.EscapeText(&b, []byte(email))
	b.WriteString(`</EMailAddress><AcceptableResponseSchema>` + adResponseNS +
		`</AcceptableResponseSchema></Request></Autodiscover>`)
	return b.Bytes()
}

func autodiscoverURLs(domain string) []string {
	return []string{
		"https://" + domain + "/autodiscover/autodiscover.xml",
		"https://autodiscover." + domain + "/autodiscover/autodiscover.xml",
	}
}

// autodiscover POSTs to both standard URLs at once (first success in that
// order wins) and follows redirectAddr/redirectUrl answers at most twice,
// over https only. No password is ever sent.
func (r *runner) autodiscover(ctx context.Context) (account.Config, error) {
	email := r.addr.String()
	urls := autodiscoverURLs(r.addr.Domain)
	for hop := 0; ; hop++ {
		ans, err := r.autodiscoverOnce(ctx, email, urls)
		if err != nil {
			return account.Config{}, err
		}
		if ans.RedirectAddr == "" && ans.RedirectURL == "" {
			return account.Config{Source: account.SourceAutodiscover, SecureSource: true,
				Incoming: ans.Incoming, Outgoing: ans.Outgoing}, nil
		}
		if hop == maxAutodiscoverRedirects {
			return account.Config{}, fmt.Errorf("Autodiscover redirected more than %d times", maxAutodiscoverRedirects)
		}
		if ans.RedirectAddr != "" {
			a, err := account.ParseAddress(ans.RedirectAddr)
			if err != nil {
				return account.Config{}, fmt.Errorf("Autodiscover redirected to a bad address %q: %w", clip(ans.RedirectAddr, 100), err)
			}
			// The next request goes to the new address's domain.
			if !sameSite(a.Domain, r.addr.Domain) && !r.allowed(a.Domain) && !r.allowed("autodiscover."+a.Domain) {
				return account.Config{}, &RedirectError{Source: account.SourceAutodiscover, From: r.addr.Domain, To: a.Domain}
			}
			email, urls = a.String(), autodiscoverURLs(a.Domain)
			continue
		}
		u, err := url.Parse(ans.RedirectURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return account.Config{}, fmt.Errorf("Autodiscover redirected to %q, which is not an https URL; refused", clip(ans.RedirectURL, 100))
		}
		if !sameSite(u.Hostname(), r.addr.Domain) && !r.allowed(u.Hostname()) {
			return account.Config{}, &RedirectError{Source: account.SourceAutodiscover, From: r.addr.Domain, To: u.Hostname()}
		}
		urls = []string{u.String()}
	}
}

// autodiscoverOnce asks every URL at once and returns the first answer in
// URL order that parses.
func (r *runner) autodiscoverOnce(ctx context.Context, email string, urls []string) (adAnswer, error) {
	type reply struct {
		ans adAnswer
		err error
	}
	body := autodiscoverRequest(email)
	replies := make([]chan reply, len(urls))
	for i, u := range urls {
		replies[i] = make(chan reply, 1)
		go func() {
			f, err := r.fetch(ctx, u, body, "text/xml; charset=utf-8")
			if err != nil {
				replies[i] <- reply{err: err}
				return
			}
			ans, err := parseAutodiscover(f.body)
			if err != nil {
				err = fmt.Errorf("%s: %w", u, err)
			}
			replies[i] <- reply{ans, err}
		}()
	}
	var errs joinedError
	for i := range urls {
		rep := <-replies[i]
		if rep.err == nil {
			return rep.ans, nil
		}
		errs = append(errs, rep.err)
	}
	return adAnswer{}, errs
}

// joinedError is several URLs' failures on one line. Unlike errors.Join it
// does not break the line (the CLI prints one line per source), and it
// keeps each cause for errors.Is and errors.As: a timeout stays a timeout.
type joinedError []error

func (e joinedError) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (e joinedError) Unwrap() []error { return e }
