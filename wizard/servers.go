package wizard

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/mailwiz/mailwiz/account"
)

// Config returns the account as it stands: the found or typed servers, with
// the chosen incoming and outgoing server first.
func (w *Wizard) Config() account.Config {
	w.mu.Lock()
	defer w.mu.Unlock()
	return cloneConfig(w.cfg)
}

// setResolvedLocked adopts found servers. POP3 "leave a copy on the
// server" starts on, as our users' guide recommends for people with
// several devices, unless a saved account says otherwise.
func (w *Wizard) setResolvedLocked(r Resolved) {
	cfg := cloneConfig(r.Config)
	if !r.FromSaved {
		cfg.LeaveOnServer = true
	}
	w.cfg = cfg
	w.have = true
	w.vouch = r.Vouching
	w.fromSaved = r.FromSaved
	w.kept = r.SignIn
	if w.name == "" {
		w.name = r.Name
	}
	w.test.typed = r.Named
	w.pruneTrustLocked()
}

// resolvedLocked is the account as it stands, in the form the shared
// decisions take (plan.go).
func (w *Wizard) resolvedLocked() Resolved {
	return Resolved{Config: cloneConfig(w.cfg), Named: w.test.typed, FromSaved: w.fromSaved, SignIn: w.kept, Vouching: w.vouch}
}

// FromSaved reports whether the servers came from the account saved for
// the address (the Servers step says so).
func (w *Wizard) FromSaved() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fromSaved
}

func cloneConfig(c account.Config) account.Config {
	c.Incoming = append([]account.Server(nil), c.Incoming...)
	c.Outgoing = append([]account.Server(nil), c.Outgoing...)
	c.Hints = append([]account.Hint(nil), c.Hints...)
	return c
}

// Incoming returns the chosen incoming server (the first), or a zero Server.
func (w *Wizard) Incoming() account.Server {
	return locked(w, func() account.Server { return first(w.cfg.Incoming) })
}

// Outgoing returns the chosen outgoing server (the first), or a zero Server.
func (w *Wizard) Outgoing() account.Server {
	return locked(w, func() account.Server { return first(w.cfg.Outgoing) })
}

// first is a side's chosen server, or a zero Server when it has none.
func first(l []account.Server) account.Server {
	if len(l) == 0 {
		return account.Server{}
	}
	return l[0]
}

// ChooseProtocol makes the provider's preferred server of protocol p (IMAP
// or POP3) the chosen incoming server. If the provider offers none, it
// derives one from the current host with p's standard port, for the user to
// check.
func (w *Wizard) ChooseProtocol(p account.Protocol) {
	if !p.Incoming() {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	defer w.pruneTrustLocked()
	in := w.cfg.Incoming
	for i, s := range in {
		if s.Protocol == p {
			// Move it to the front, keeping the others' order.
			chosen := s
			copy(in[1:i+1], in[:i])
			in[0] = chosen
			w.test.typed[0] = false // the provider's own server
			return
		}
	}
	var cur account.Server
	if len(in) > 0 {
		cur = in[0]
	}
	host := cur.Host
	if h, ok := strings.CutPrefix(host, string(cur.Protocol)+"."); ok && cur.Protocol != "" {
		host = protocolHostPrefix(p) + h
	}
	sec := cur.Security
	if sec == "" {
		sec = account.SSL
	}
	s := account.Server{Protocol: p, Host: host, Port: account.DefaultPort(p, sec), Security: sec,
		Username: cur.Username, Auth: cur.Auth}
	if s.Auth == "" {
		s.Auth = account.AuthPassword
	}
	w.cfg.Incoming = append([]account.Server{s}, in...)
	w.test.typed[0] = true // derived here, not the provider's
}

func protocolHostPrefix(p account.Protocol) string {
	if p == account.POP3 {
		return "pop."
	}
	return string(p) + "."
}

// SetIncoming replaces the chosen incoming server with s as edited.
func (w *Wizard) SetIncoming(s account.Server) { w.setChosen(0, s) }

// SetOutgoing replaces the chosen outgoing server with s as edited.
func (w *Wizard) SetOutgoing(s account.Server) { w.setChosen(1, s) }

// setChosen replaces the chosen server of side 0 (incoming) or 1
// (outgoing). A server typed differently from the found one is tested as
// typed, without the found one's alternatives.
func (w *Wizard) setChosen(side int, s account.Server) {
	w.mu.Lock()
	defer w.mu.Unlock()
	defer w.pruneTrustLocked()
	l := &w.cfg.Incoming
	if side == 1 {
		l = &w.cfg.Outgoing
	}
	if len(*l) == 0 {
		*l = []account.Server{s}
		w.test.typed[side] = true
	} else if s != (*l)[0] {
		(*l)[0] = s
		w.test.typed[side] = true
	}
	w.cfg.Source = editedSource(w.cfg.Source)
}

// editedSource keeps the source of a config the user only adjusted: the
// trust decision is about where the hosts came from. Editing a server does
// not vouch for its host: one nothing vouches for still needs the person's
// confirmation (plan.go).
func editedSource(s account.Source) account.Source {
	if s == "" {
		return account.SourceManual
	}
	return s
}

// SetLeaveOnServer sets POP3's "leave a copy on the server".
func (w *Wizard) SetLeaveOnServer(on bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cfg.LeaveOnServer = on
}

// NeedsSourceConfirmation reports whether the settings came from a source
// nothing vouches for and the user has not yet confirmed them; no password
// is sent until they do.
func (w *Wizard) NeedsSourceConfirmation() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.resolvedLocked().Check() != nil
}

// ConfirmSource records that the user checked the hosts of the chosen
// servers (Hosts) and wants to use them: exactly those hosts, so a server
// changed afterwards to another unverified host is asked about again.
func (w *Wizard) ConfirmSource() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.vouch.Confirm(time.Now(), w.hostsLocked()...)
}

// Hosts returns the distinct host names of the chosen servers, for the
// "check these hosts" warning.
func (w *Wizard) Hosts() []string { return locked(w, w.hostsLocked) }

func (w *Wizard) hostsLocked() []string {
	var out []string
	for _, srv := range w.chosenLocked() {
		if !slices.Contains(out, srv.Host) {
			out = append(out, srv.Host)
		}
	}
	return out
}

// ServerError says which field of a server is wrong and how to fix it. The
// GUI translates by Field and Code.
type ServerError struct {
	Outgoing bool   // false: the incoming server
	Field    string // "host", "port", "security", "username"
	Code     string // "empty", "invalid", "range"
	Problem  string // in English, for logs and the CLI
}

func (e *ServerError) Error() string { return "wizard: " + e.Problem }

// CheckServer validates one server as typed: a host name, a port in
// 1..65535, a known security mode, a username unless auth is none.
func CheckServer(s account.Server, outgoing bool) error {
	bad := func(field, code, format string, args ...any) error {
		return &ServerError{Outgoing: outgoing, Field: field, Code: code, Problem: fmt.Sprintf(format, args...)}
	}
	host := strings.TrimSpace(s.Host)
	switch {
	case host == "":
		return bad("host", "empty", "the server name is empty; type it as mail.example.com")
	case !validHost(host):
		return bad("host", "invalid", "%q is not a server name; type it as mail.example.com", host)
	case s.Port < 1 || s.Port > 65535:
		return bad("port", "range", "port %d is out of range; the standard ports are offered in the list", s.Port)
	case !s.Security.Valid():
		return bad("security", "invalid", "choose SSL/TLS, STARTTLS or none")
	case s.Auth != account.AuthNone && strings.TrimSpace(s.Username) == "":
		return bad("username", "empty", "the username is empty; it is usually your full address")
	}
	return nil
}

// validHost accepts a DNS name (labels of letters, digits and inner
// hyphens; Unicode letters too, which the resolver encodes) or an IP
// address, with or without brackets: no spaces, schemes or paths.
func validHost(h string) bool {
	if ip := strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"); strings.ContainsAny(h, ":[]") {
		return net.ParseIP(ip) != nil
	}
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' ||
				r > 127 && unicode.IsLetter(r) || r > 127 && unicode.IsDigit(r)
			if !ok {
				return false
			}
		}
	}
	return true
}

func (w *Wizard) checkServersLocked() error {
	if len(w.cfg.Incoming) == 0 || len(w.cfg.Outgoing) == 0 {
		return fmt.Errorf("%w: an incoming and an outgoing server are needed", ErrNotReady)
	}
	if err := CheckServer(w.cfg.Incoming[0], false); err != nil {
		return fmt.Errorf("%w: %w", ErrNotReady, err)
	}
	if err := CheckServer(w.cfg.Outgoing[0], true); err != nil {
		return fmt.Errorf("%w: %w", ErrNotReady, err)
	}
	if err := w.resolvedLocked().Check(); err != nil {
		return fmt.Errorf("%w: %w", ErrNotReady, err)
	}
	return nil
}

// ErrUnconfirmedSource is why Servers will not move on before the user
// confirms the hosts of an unverified source.
var ErrUnconfirmedSource = fmt.Errorf("wizard: these settings come from a source nothing vouches for; check the hosts and confirm them")

// StandardPorts lists the standard ports of a protocol, preferred first:
// 993/143 for IMAP, 995/110 for POP3, 465/587/25 for SMTP.
func StandardPorts(p account.Protocol) []int {
	switch p {
	case account.IMAP:
		return []int{993, 143}
	case account.POP3:
		return []int{995, 110}
	case account.SMTP:
		return []int{465, 587, 25}
	}
	return nil
}

// PortChoices lists the ports to offer for protocol p: the standard ones,
// then any other the provider's servers use (2525 where a provider offers
// it for networks that block 25).
func (w *Wizard) PortChoices(p account.Protocol) []int {
	out := StandardPorts(p)
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range [][]account.Server{w.cfg.Incoming, w.cfg.Outgoing} {
		for _, s := range l {
			if s.Protocol == p && s.Port > 0 && !slices.Contains(out, s.Port) {
				out = append(out, s.Port)
			}
		}
	}
	return out
}
