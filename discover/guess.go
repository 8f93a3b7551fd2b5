package discover

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
)

// guessHosts are the name prefixes tried per protocol, in order of
// preference; "" is the bare domain. As in Thunderbird, a host named for
// one protocol is asked only about that one.
var guessHosts = map[account.Protocol][]string{
	account.IMAP: {"imap.", "mail.", ""},
	account.POP3: {"pop3.", "pop.", "mail.", ""},
	account.SMTP: {"smtp.", "mail.", ""},
}

// guessPorts per protocol, preferred first (RFC 8314: implicit TLS first;
// port 25 last, as many networks block it).
var guessPorts = map[account.Protocol][]struct {
	port int
	tls  bool
}{
	account.IMAP: {{993, true}, {143, false}},
	account.POP3: {{995, true}, {110, false}},
	account.SMTP: {{465, true}, {587, false}, {25, false}},
}

type probe struct {
	host    string
	hostIdx int
	proto   account.Protocol
	port    int
	tls     bool
}

type probeResult struct {
	probe
	security account.Security
	err      error
}

// guess connects to the usual server names on the usual ports, all at
// once, and keeps what answers with a mail greeting: over TLS (verified),
// or in the clear offering STARTTLS, or, only when nothing better answers,
// in the clear without it. It reads greetings and capabilities and never
// logs in.
func (r *runner) guess(ctx context.Context) (account.Config, error) {
	var probes []probe
	for _, proto := range []account.Protocol{account.IMAP, account.POP3, account.SMTP} {
		for i, prefix := range guessHosts[proto] {
			for _, pp := range guessPorts[proto] {
				probes = append(probes, probe{host: prefix + r.addr.Domain, hostIdx: i, proto: proto, port: pp.port, tls: pp.tls})
			}
		}
	}
	// Every probe starts at once; the probes of one host share its DNS
	// question (runner.lookupIP), so each name is asked once.
	results := make([]probeResult, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Go(func() {
			results[i] = probeResult{probe: p}
			results[i].security, results[i].err = r.probeOne(ctx, p)
		})
	}
	wg.Wait()
	return guessConfig(results, r.addr.Domain)
}

// guessConfig keeps, per protocol and security, the first host that
// answered, ordered: encrypted before clear, IMAP before POP3, implicit TLS
// before STARTTLS, then host preference; outgoing likewise with port 25
// after 587.
func guessConfig(results []probeResult, domain string) (account.Config, error) {
	var ok []probeResult
	var firstErr error
	for _, res := range results {
		if res.err == nil {
			ok = append(ok, res)
		} else if firstErr == nil || errors.Is(firstErr, context.Canceled) {
			firstErr = res.err
		}
	}
	protoRank := map[account.Protocol]int{account.IMAP: 0, account.POP3: 1, account.SMTP: 2}
	sort.SliceStable(ok, func(i, j int) bool {
		a, b := ok[i], ok[j]
		if ca, cb := a.security == account.None, b.security == account.None; ca != cb {
			return cb
		}
		if a.proto != b.proto {
			return protoRank[a.proto] < protoRank[b.proto]
		}
		if a.security != b.security {
			return a.security.Rank() < b.security.Rank()
		}
		if (a.port == 25) != (b.port == 25) {
			return b.port == 25
		}
		return a.hostIdx < b.hostIdx
	})
	var cfg account.Config
	seen := map[string]bool{}
	for _, res := range ok {
		key := fmt.Sprintf("%s/%s/%d", res.proto, res.security, res.port)
		if seen[key] {
			continue
		}
		seen[key] = true
		s := account.Server{Protocol: res.proto, Host: res.host, Port: res.port, Security: res.security,
			Username: account.PlaceholderAddress, Auth: account.AuthPassword}
		if s.Protocol.Incoming() {
			cfg.Incoming = append(cfg.Incoming, s)
		} else {
			cfg.Outgoing = append(cfg.Outgoing, s)
		}
	}
	cfg.Incoming = dropClearIfEncrypted(cfg.Incoming)
	cfg.Outgoing = dropClearIfEncrypted(cfg.Outgoing)
	if len(cfg.Incoming) == 0 {
		if firstErr == nil {
			firstErr = errors.New("no server answered")
		}
		return account.Config{}, fmt.Errorf("no IMAP or POP3 server answered at the usual names of %s (first failure: %w)", domain, firstErr)
	}
	for _, s := range append(append([]account.Server(nil), cfg.Incoming...), cfg.Outgoing...) {
		if s.Security == account.None {
			cfg.Hints = append(cfg.Hints, plaintextHint())
			break
		}
	}
	cfg.Source = account.SourceGuess
	return cfg, nil
}

// dropClearIfEncrypted removes unencrypted servers when an encrypted one
// answered: a password must not be offered the readable route.
func dropClearIfEncrypted(servers []account.Server) []account.Server {
	enc := false
	for _, s := range servers {
		if s.Security != account.None {
			enc = true
		}
	}
	if !enc {
		return servers
	}
	out := servers[:0]
	for _, s := range servers {
		if s.Security != account.None {
			out = append(out, s)
		}
	}
	return out
}

func plaintextHint() account.Hint {
	return account.Hint{Kind: account.HintPlaintext, Text: catalog.All("This server offers no encryption: your password would cross the network readable. Use it only if your provider has nothing else, on a network you trust.")}
}

// maxLine and maxLines bound what a probe reads from a server.
const (
	maxLine  = 4096
	maxLines = 100
)

// probeOne connects to one host and port and reads the greeting (after a
// verified TLS handshake on implicit-TLS ports); on a clear port it asks
// for the capabilities and reports STARTTLS when offered, else None.
func (r *runner) probeOne(ctx context.Context, p probe) (account.Security, error) {
	// The same dial as HTTP's: the shared lookup, every address in turn,
	// the Ports seam. Its errors name the host and port already.
	conn, err := r.dial(ctx, "tcp", net.JoinHostPort(p.host, strconv.Itoa(p.port)))
	if err != nil {
		return "", err
	}
	defer conn.Close()
	// A server that accepts and then says nothing is cut off at the
	// source's deadline.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	if p.tls {
		tc := tls.Client(conn, &tls.Config{ServerName: p.host, RootCAs: r.opts.RootCAs, MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(ctx); err != nil {
			return "", fmt.Errorf("%s:%d: TLS: %w", p.host, p.port, err)
		}
		conn = tc
	}
	c := &lineConn{r: bufio.NewReaderSize(conn, maxLine), w: conn}
	starttls, err := c.converse(p.proto, !p.tls)
	if err != nil {
		return "", fmt.Errorf("%s:%d: %w", p.host, p.port, err)
	}
	switch {
	case p.tls:
		return account.SSL, nil
	case starttls:
		return account.STARTTLS, nil
	}
	return account.None, nil
}

type lineConn struct {
	r     *bufio.Reader
	w     net.Conn
	lines int
}

func (c *lineConn) line() (string, error) {
	c.lines++
	if c.lines > maxLines {
		return "", errors.New("the server sent too many lines")
	}
	b, isPrefix, err := c.r.ReadLine()
	if err != nil {
		return "", err
	}
	if isPrefix {
		return "", errors.New("the server sent a line longer than 4 KiB")
	}
	return string(b), nil
}

func (c *lineConn) send(s string) error {
	_, err := c.w.Write([]byte(s + "\r\n"))
	return err
}

// converse reads the greeting of proto and, when askCaps, whether STARTTLS
// (STLS for POP3) is offered, then says goodbye.
func (c *lineConn) converse(proto account.Protocol, askCaps bool) (starttls bool, err error) {
	switch proto {
	case account.IMAP:
		g, err := c.line()
		if err != nil {
			return false, fmt.Errorf("reading the IMAP greeting: %w", err)
		}
		if !strings.HasPrefix(g, "* OK") && !strings.HasPrefix(g, "* PREAUTH") {
			return false, fmt.Errorf("not an IMAP greeting: %q", clip(g, 80))
		}
		if !askCaps {
			c.send("a2 LOGOUT")
			return false, nil
		}
		if hasWord(g, "STARTTLS") {
			c.send("a2 LOGOUT")
			return true, nil
		}
		if err := c.send("a1 CAPABILITY"); err != nil {
			return false, err
		}
		for {
			l, err := c.line()
			if err != nil {
				return false, fmt.Errorf("reading the IMAP capabilities: %w", err)
			}
			if strings.HasPrefix(l, "* CAPABILITY") && hasWord(l, "STARTTLS") {
				starttls = true
			}
			if strings.HasPrefix(l, "a1 ") {
				c.send("a2 LOGOUT")
				return starttls, nil
			}
		}
	case account.POP3:
		g, err := c.line()
		if err != nil {
			return false, fmt.Errorf("reading the POP3 greeting: %w", err)
		}
		if !strings.HasPrefix(g, "+OK") {
			return false, fmt.Errorf("not a POP3 greeting: %q", clip(g, 80))
		}
		if !askCaps {
			c.send("QUIT")
			return false, nil
		}
		if err := c.send("CAPA"); err != nil {
			return false, err
		}
		first, err := c.line()
		if err != nil {
			return false, fmt.Errorf("reading the POP3 capabilities: %w", err)
		}
		if strings.HasPrefix(first, "+OK") {
			for {
				l, err := c.line()
				if err != nil {
					return false, fmt.Errorf("reading the POP3 capabilities: %w", err)
				}
				if l == "." {
					break
				}
				if strings.EqualFold(strings.Fields(l + " x")[0], "STLS") {
					starttls = true
				}
			}
		}
		c.send("QUIT")
		return starttls, nil
	default:
		if err := c.smtpReply("220", func(string) {}); err != nil {
			return false, fmt.Errorf("reading the SMTP greeting: %w", err)
		}
		if !askCaps {
			c.send("QUIT")
			return false, nil
		}
		if err := c.send("EHLO mailwiz.invalid"); err != nil {
			return false, err
		}
		err := c.smtpReply("250", func(text string) {
			if f := strings.Fields(text); len(f) > 0 && strings.EqualFold(f[0], "STARTTLS") {
				starttls = true
			}
		})
		if err != nil {
			return false, fmt.Errorf("reading the SMTP EHLO answer: %w", err)
		}
		c.send("QUIT")
		return starttls, nil
	}
}

// smtpReply reads one (possibly multi-line) SMTP reply and requires code.
func (c *lineConn) smtpReply(code string, each func(text string)) error {
	for {
		l, err := c.line()
		if err != nil {
			return err
		}
		if len(l) < 3 || l[:3] != code {
			return fmt.Errorf("the server answered %q, not %s", clip(l, 80), code)
		}
		text := ""
		if len(l) > 4 {
			text = l[4:]
		}
		each(text)
		if len(l) == 3 || l[3] == ' ' {
			return nil
		}
		if l[3] != '-' {
			return fmt.Errorf("malformed SMTP reply %q", clip(l, 80))
		}
	}
}

// hasWord reports whether word appears in line as a whole,
// space-or-bracket separated capability name.
func hasWord(line, word string) bool {
	for _, f := range strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '[' || r == ']' }) {
		if strings.EqualFold(f, word) {
			return true
		}
	}
	return false
}
