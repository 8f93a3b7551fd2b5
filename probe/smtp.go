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
	"strconv"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/oauth"
)

type smtpSession struct{ c *smtp.Client }

func (r *runner) testSMTP(ctx context.Context, keep *session) error {
	var c *smtp.Client
	var guard *smtpAuthGuard
	encrypted := false
	switch r.srv.Security {
	case account.SSL:
		tc, err := r.handshake(ctx)
		if err != nil {
			return err
		}
		guard = &smtpAuthGuard{Conn: tc}
		encrypted = true
	case account.STARTTLS:
		// go-smtp can only STARTTLS together with the greeting, and
		// reports a missing STARTTLS as a plain string; speak the few
		// plaintext lines ourselves so each stage is seen and classified.
		pre := &smtpPre{conn: r.raw, br: bufio.NewReaderSize(r.raw, maxLine)}
		if err := r.step(ctx, StageGreeting, func(context.Context) error { return pre.greetAndEHLO() }); err != nil {
			return err
		}
		var tc *tls.Conn
		if err := r.step(ctx, StageSTARTTLS, func(ctx context.Context) error {
			var err error
			tc, err = pre.startTLS(ctx, r.tlsConfig())
			return err
		}); err != nil {
			return err
		}
		// After STARTTLS the server sends no new greeting (RFC 3207);
		// go-smtp waits for one, so it gets a stand-in, then says EHLO
		// again as the RFC requires.
		guard = &smtpAuthGuard{Conn: &prefixConn{Conn: tc, r: io.MultiReader(strings.NewReader("220 mailwiz TLS is on\r\n"), tc)}}
		encrypted = true
	default:
		guard = &smtpAuthGuard{Conn: r.raw}
	}
	c = smtp.NewClient(guard)
	// Our stage timeout cuts the connection first; go-smtp's own limits
	// only back it up.
	c.CommandTimeout = r.req.Timeout * 2
	c.SubmissionTimeout = r.req.Timeout * 2
	defer func() {
		if keep == nil || keep.smtp == nil {
			c.Close()
		}
	}()
	if r.srv.Security != account.STARTTLS {
		// go-smtp reads the greeting together with the EHLO answer.
		if err := r.step(ctx, StageGreeting, func(context.Context) error { return c.Hello("localhost") }); err != nil {
			return err
		}
	}
	return r.step(ctx, StageAuth, func(context.Context) error {
		if err := r.mayLogin(encrypted); err != nil {
			return err
		}
		if r.srv.Security == account.STARTTLS {
			if err := c.Hello("localhost"); err != nil {
				return err
			}
		}
		ok, mechs := c.Extension("AUTH")
		if ok {
			r.res.Capabilities = []string{"AUTH " + strings.ToUpper(mechs)}
		}
		if st, _ := c.Extension("STARTTLS"); st {
			r.res.Capabilities = append(r.res.Capabilities, "STARTTLS")
		}
		offered := strings.Fields(mechs)
		mech := chooseMech(offered, r.req.Password)
		switch {
		case (!ok || len(offered) == 0) && !encrypted:
			// Servers commonly hide AUTH until STARTTLS, or announce it
			// with no mechanisms (Dovecot Submission: "250-AUTH ").
			return ErrServerRefusesPlaintext
		case !ok:
			return errNoAuth
		case r.usesToken():
		case mech == "" && oauthOnly(offered):
			return &oauthOnlyError{Protocol: "SMTP"}
		case mech == "":
			return &NoMechanismError{Protocol: "SMTP", Offered: offered}
		}
		var sc sasl.Client
		var tc *oauth.SASLClient
		var err error
		if r.usesToken() {
			tc, err = r.tokenClient("SMTP", offered)
			sc = tc
		} else {
			sc, err = saslClient(mech, r.srv.Username, r.req.Password)
		}
		if err != nil {
			return err
		}
		guard.arm(true)
		err = c.Auth(sc)
		guard.arm(false)
		if tc != nil {
			err = r.tokenFailed(tc, err)
		}
		if err != nil {
			if answerOf(err).ok {
				// The server is still there: end politely.
				c.Quit() //nolint:errcheck
			}
			return err
		}
		if keep != nil {
			keep.smtp = &smtpSession{c: c}
			return nil
		}
		c.Quit() //nolint:errcheck
		return nil
	})
}

var errNoAuth = smtpErr("probe: the SMTP server offers no login (no AUTH after EHLO); it may accept mail only from its own network")

type smtpErr string

func (e smtpErr) Error() string { return string(e) }

// smtpPre speaks SMTP up to STARTTLS.
type smtpPre struct {
	conn net.Conn
	br   *bufio.Reader
	ext  []string
}

// reply reads one (possibly multi-line) reply and returns its code, the
// text of its lines, and an *smtp.SMTPError unless the code is want.
func (p *smtpPre) reply(want int) ([]string, error) {
	var lines []string
	for {
		line, err := p.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, errors.New("probe: the SMTP server sent a line longer than 8 KiB")
		}
		if err != nil {
			return nil, fmt.Errorf("probe: reading the SMTP server's answer: %w", err)
		}
		l := strings.TrimRight(string(line), "\r\n")
		if len(l) < 3 {
			return nil, fmt.Errorf("probe: the server's answer %q is not SMTP", cut(l))
		}
		code, err := strconv.Atoi(l[:3])
		if err != nil {
			return nil, fmt.Errorf("probe: the server's answer %q is not SMTP", cut(l))
		}
		lines = append(lines, strings.TrimLeft(l[3:], " -"))
		if len(l) == 3 || l[3] == ' ' {
			if code != want {
				return nil, toSMTPError(code, lines)
			}
			return lines, nil
		}
		if len(lines) > 1000 {
			return nil, errors.New("probe: the SMTP server's answer has too many lines")
		}
	}
}

func toSMTPError(code int, lines []string) *smtp.SMTPError {
	e := &smtp.SMTPError{Code: code, EnhancedCode: smtp.NoEnhancedCode, Message: strings.Join(lines, " ")}
	if f := strings.Fields(lines[0]); len(f) > 0 {
		parts := strings.Split(f[0], ".")
		if len(parts) == 3 {
			var ec smtp.EnhancedCode
			ok := true
			for i, s := range parts {
				n, err := strconv.Atoi(s)
				if err != nil {
					ok = false
					break
				}
				ec[i] = n
			}
			if ok {
				e.EnhancedCode = ec
				e.Message = strings.TrimSpace(strings.TrimPrefix(e.Message, f[0]))
			}
		}
	}
	return e
}

func (p *smtpPre) greetAndEHLO() error {
	if _, err := p.reply(220); err != nil {
		return err
	}
	if _, err := io.WriteString(p.conn, "EHLO localhost\r\n"); err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	lines, err := p.reply(250)
	if err != nil {
		return err
	}
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) > 0 {
			p.ext = append(p.ext, strings.ToUpper(f[0]))
		}
	}
	return nil
}

func (p *smtpPre) startTLS(ctx context.Context, cfg *tls.Config) (*tls.Conn, error) {
	if !slices.Contains(p.ext, "STARTTLS") {
		return nil, ErrSTARTTLSUnavailable
	}
	if _, err := io.WriteString(p.conn, "STARTTLS\r\n"); err != nil {
		return nil, fmt.Errorf("probe: %w", err)
	}
	if _, err := p.reply(220); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSTARTTLSUnavailable, err)
	}
	return upgrade(ctx, p.conn, p.br, cfg, "SMTP")
}
