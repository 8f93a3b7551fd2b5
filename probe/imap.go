package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/mailwiz/mailwiz/account"
)

type imapSession struct{ c *imapclient.Client }

// newIMAPClient is imapclient.New with go-imap's empty SASL response
// mended (emptyResponseConn).
func newIMAPClient(conn net.Conn) *imapclient.Client {
	return imapclient.New(emptyResponseConn{conn}, nil)
}

// emptyResponseConn mends one line go-imap writes: an empty SASL response
// to a server challenge goes out as "=" on a line of its own. "=" is how
// an empty *initial* response is spelled inside the AUTHENTICATE command
// (RFC 4959); an empty response to a challenge is an empty line (RFC 9051
// section 6.2.2), and Dovecot refuses the "=" ("Invalid base64 data in
// continued response"). SCRAM always ends with such an empty response,
// after the server's proof. A line that is only "=" is never anything
// else in IMAP (a command starts with its tag), so it is sent empty.
type emptyResponseConn struct{ net.Conn }

func (c emptyResponseConn) Write(p []byte) (int, error) {
	if string(p) == "=\r\n" {
		if _, err := c.Conn.Write(p[1:]); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

func (r *runner) testIMAP(ctx context.Context, keep *session) error {
	var c *imapclient.Client
	encrypted := false
	switch r.srv.Security {
	case account.SSL:
		tc, err := r.handshake(ctx)
		if err != nil {
			return err
		}
		encrypted = true
		err = r.step(ctx, StageGreeting, func(context.Context) error {
			c = newIMAPClient(tc)
			return c.WaitGreeting()
		})
		if err != nil {
			return err
		}
	case account.STARTTLS:
		pre := &imapPre{conn: r.raw, br: bufio.NewReaderSize(r.raw, maxLine)}
		if err := r.step(ctx, StageGreeting, func(context.Context) error { return pre.greeting() }); err != nil {
			return err
		}
		err := r.step(ctx, StageSTARTTLS, func(ctx context.Context) error {
			tc, err := pre.startTLS(ctx, r.tlsConfig())
			if err != nil {
				return err
			}
			// imapclient expects a greeting; after STARTTLS there is none
			// (RFC 9051 section 6.2.1), so hand it a stand-in and let it ask
			// CAPABILITY again, as the RFC requires.
			c = newIMAPClient(&prefixConn{Conn: tc, r: io.MultiReader(strings.NewReader("* OK [mailwiz] TLS is on\r\n"), tc)})
			return c.WaitGreeting()
		})
		if err != nil {
			return err
		}
		encrypted = true
	default:
		err := r.step(ctx, StageGreeting, func(context.Context) error {
			c = newIMAPClient(r.raw)
			return c.WaitGreeting()
		})
		if err != nil {
			return err
		}
	}
	defer func() {
		if keep == nil || keep.imap == nil {
			c.Close()
		}
	}()
	if c.State() == imap.ConnStateAuthenticated && !encrypted {
		return errors.New("probe: the IMAP server logged in before encryption (PREAUTH): refusing it")
	}
	return r.step(ctx, StageAuth, func(ctx context.Context) error {
		if err := r.mayLogin(encrypted); err != nil {
			return err
		}
		caps, err := c.Capability().Wait()
		if err != nil {
			return err
		}
		r.res.Capabilities = capList(caps)
		// Whether the login is done is known from what was sent, not read
		// back from c.State(): go-imap's reader goroutine may update the
		// state after Authenticate has returned, and a password login
		// would then follow the token's on a logged-in connection.
		authed := c.State() == imap.ConnStateAuthenticated // PREAUTH
		if !authed && r.usesToken() {
			sc, err := r.tokenClient("IMAP", imapMechs(caps))
			if err != nil {
				return err
			}
			if err := r.tokenFailed(sc, c.Authenticate(sc)); err != nil {
				return err
			}
			authed = true
		}
		if !authed {
			offered := imapMechs(caps)
			mech := chooseMech(offered, r.req.Password)
			switch {
			case mech != "" && !(mech == mechLogin && !caps.Has(imap.CapLoginDisabled)):
				// IMAP's own LOGIN command does what SASL LOGIN does, and
				// every server has it: only the stronger ones are worth
				// the AUTHENTICATE.
				sc, serr := saslClient(mech, r.srv.Username, r.req.Password)
				if serr != nil {
					return serr
				}
				err = c.Authenticate(sc)
			case !caps.Has(imap.CapLoginDisabled):
				err = c.Login(r.srv.Username, r.req.Password).Wait()
			case !encrypted:
				return ErrServerRefusesPlaintext
			case oauthOnly(offered):
				return &oauthOnlyError{Protocol: "IMAP"}
			default:
				return &NoMechanismError{Protocol: "IMAP", Offered: offered}
			}
			if err != nil {
				return err
			}
		}
		if keep != nil {
			// NetEase (163, 126, yeah.net) refuses SELECT as an "Unsafe Login"
			// from a client that has not introduced itself with ID (RFC 2971).
			if caps.Has(imap.CapID) {
				c.ID(&imap.IDData{Name: "mailwiz", Vendor: "mailwiz"}).Wait() //nolint:errcheck
			}
			keep.imap = &imapSession{c: c}
			return nil
		}
		// A failed LOGOUT after a good login does not make the account bad.
		c.Logout().Wait() //nolint:errcheck
		return nil
	})
}

// imapMechs lists the SASL mechanisms of the AUTH= capabilities.
func imapMechs(caps imap.CapSet) []string {
	var out []string
	for c := range caps {
		if name, ok := strings.CutPrefix(asciiUpper(string(c)), "AUTH="); ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func capList(caps imap.CapSet) []string {
	out := make([]string, 0, len(caps))
	for c := range caps {
		out = append(out, strings.ToUpper(string(c)))
	}
	slices.Sort(out)
	return out
}

// maxLine bounds a line read before TLS.
const maxLine = 8 << 10

// imapPre speaks the little IMAP needed before STARTTLS: read the greeting,
// ask CAPABILITY, send STARTTLS. imapclient has no way to check the
// capability before sending STARTTLS, and we must not send it blind: a
// server without STARTTLS is a failure we report, not a command error.
type imapPre struct {
	conn net.Conn
	br   *bufio.Reader
	caps []string
}

func (p *imapPre) readLine() (string, error) {
	line, err := p.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", errors.New("probe: the IMAP server sent a line longer than 8 KiB")
	}
	if err != nil {
		return "", fmt.Errorf("probe: reading the IMAP server's answer: %w", err)
	}
	return strings.TrimRight(string(line), "\r\n"), nil
}

func (p *imapPre) greeting() error {
	line, err := p.readLine()
	if err != nil {
		return err
	}
	upper := strings.ToUpper(line)
	switch {
	case strings.HasPrefix(upper, "* OK"):
		p.caps = capsFromCode(line)
		return nil
	case strings.HasPrefix(upper, "* PREAUTH"):
		// RFC 9051 section 6.2.1: a client that wants STARTTLS must close a
		// connection greeted with PREAUTH.
		return errors.New("probe: the IMAP server logged in before STARTTLS (PREAUTH): refusing it")
	case strings.HasPrefix(upper, "* BYE"):
		typ, code, text := splitStatus(line[2:])
		return &imap.Error{Type: typ, Code: code, Text: text}
	}
	return fmt.Errorf("probe: the server's greeting %q is not IMAP", cut(line))
}

func (p *imapPre) command(tag, cmd string) (*imap.Error, error) {
	if _, err := io.WriteString(p.conn, tag+" "+cmd+"\r\n"); err != nil {
		return nil, fmt.Errorf("probe: %w", err)
	}
	for {
		line, err := p.readLine()
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(strings.ToUpper(line), "* CAPABILITY ") {
			p.caps = strings.Fields(strings.ToUpper(line[len("* CAPABILITY "):]))
			continue
		}
		if strings.HasPrefix(line, tag+" ") {
			typ, code, text := splitStatus(line[len(tag)+1:])
			if typ == imap.StatusResponseTypeOK {
				return nil, nil
			}
			return &imap.Error{Type: typ, Code: code, Text: text}, nil
		}
	}
}

func (p *imapPre) startTLS(ctx context.Context, cfg *tls.Config) (*tls.Conn, error) {
	if p.caps == nil {
		ierr, err := p.command("m1", "CAPABILITY")
		if err != nil {
			return nil, err
		}
		if ierr != nil {
			return nil, ierr
		}
	}
	if !slices.Contains(p.caps, "STARTTLS") {
		return nil, ErrSTARTTLSUnavailable
	}
	ierr, err := p.command("m2", "STARTTLS")
	if err != nil {
		return nil, err
	}
	if ierr != nil {
		return nil, fmt.Errorf("%w: %w", ErrSTARTTLSUnavailable, ierr)
	}
	return upgrade(ctx, p.conn, p.br, cfg, "IMAP")
}

// upgrade starts TLS on conn once the server has agreed to STARTTLS. Bytes
// already buffered came before the handshake and were not protected by it:
// a man in the middle could have put them there (CVE-2011-0411 and kin), so
// they are refused rather than read as if they were.
func upgrade(ctx context.Context, conn net.Conn, br *bufio.Reader, cfg *tls.Config, proto string) (*tls.Conn, error) {
	if br.Buffered() > 0 {
		return nil, fmt.Errorf("probe: the %s server sent data after STARTTLS before the TLS handshake; refusing it", proto)
	}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	return tc, nil
}

// capsFromCode reads "* OK [CAPABILITY a b c] text".
func capsFromCode(line string) []string {
	i := strings.Index(strings.ToUpper(line), "[CAPABILITY ")
	if i < 0 {
		return nil
	}
	rest := line[i+len("[CAPABILITY "):]
	j := strings.IndexByte(rest, ']')
	if j < 0 {
		return nil
	}
	return strings.Fields(strings.ToUpper(rest[:j]))
}

// splitStatus reads "NO [CODE arg] text".
func splitStatus(s string) (imap.StatusResponseType, imap.ResponseCode, string) {
	typ, rest, _ := strings.Cut(s, " ")
	var code string
	if strings.HasPrefix(rest, "[") {
		if j := strings.IndexByte(rest, ']'); j > 0 {
			code, _, _ = strings.Cut(rest[1:j], " ")
			rest = strings.TrimLeft(rest[j+1:], " ")
		}
	}
	return imap.StatusResponseType(asciiUpper(typ)), imap.ResponseCode(asciiUpper(code)), rest
}

// asciiUpper upper-cases ASCII letters only: IMAP keywords are ASCII, and
// strings.ToUpper would turn stray invalid bytes into U+FFFD.
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

type prefixConn struct {
	net.Conn
	r io.Reader
}

func (c *prefixConn) Read(b []byte) (int, error) { return c.r.Read(b) }

func cut(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
