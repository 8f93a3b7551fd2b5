package probe

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/probe/pop3"
)

type pop3Session struct{ c *pop3.Client }

func (r *runner) testPOP3(ctx context.Context, keep *session) error {
	var c *pop3.Client
	switch r.srv.Security {
	case account.SSL:
		tc, err := r.handshake(ctx)
		if err != nil {
			return err
		}
		c = pop3.New(tc, nil)
	default:
		c = pop3.New(r.raw, nil)
	}
	if err := r.step(ctx, StageGreeting, func(ctx context.Context) error {
		_, err := c.Greeting(ctx)
		return err
	}); err != nil {
		return err
	}
	if r.srv.Security == account.STARTTLS {
		if err := r.step(ctx, StageSTARTTLS, func(ctx context.Context) error {
			err := c.StartTLS(ctx, r.tlsConfig())
			var perr *pop3.Error
			if errors.As(err, &perr) {
				// Offered in CAPA but refused when asked: still no TLS.
				return fmt.Errorf("%w: %w", ErrSTARTTLSUnavailable, err)
			}
			return err
		}); err != nil {
			return err
		}
	}
	return r.step(ctx, StageAuth, func(ctx context.Context) error {
		if err := r.mayLogin(c.IsTLS()); err != nil {
			return err
		}
		caps, err := c.Capabilities(ctx)
		if err != nil {
			return err
		}
		r.res.Capabilities = popCapList(caps)
		if err := r.pop3Login(ctx, c, caps); err != nil {
			return err
		}
		// STAT proves the maildrop opened (a locked one fails here).
		if _, _, err := c.Stat(ctx); err != nil {
			return err
		}
		if keep != nil {
			keep.pop3 = &pop3Session{c: c}
			return nil
		}
		c.Quit(ctx) //nolint:errcheck
		return nil
	})
}

// pop3Login logs in as CAPA allows (RFC 2449): the strongest SASL
// mechanism offered, else USER/PASS where USER is offered or CAPA is not
// (a plain RFC 1939 server). A server whose CAPA offers neither before
// TLS will not take a password there, and is not sent one.
func (r *runner) pop3Login(ctx context.Context, c *pop3.Client, caps pop3.Capabilities) error {
	offered := caps.SASL()
	if r.usesToken() {
		sc, err := r.tokenClient("POP3", offered)
		if err != nil {
			return err
		}
		return r.tokenFailed(sc, c.Authenticate(ctx, sc))
	}
	mech := chooseMech(offered, r.req.Password)
	switch {
	case mech != "" && !(mech == mechLogin && caps.Has("USER")):
		sc, err := saslClient(mech, r.srv.Username, r.req.Password)
		if err != nil {
			return err
		}
		return c.Authenticate(ctx, sc)
	case len(caps) == 0 || caps.Has("USER"):
		return c.Login(ctx, r.srv.Username, r.req.Password)
	case !c.IsTLS():
		return ErrServerRefusesPlaintext
	case oauthOnly(offered):
		return &oauthOnlyError{Protocol: "POP3"}
	case len(offered) > 0:
		return &NoMechanismError{Protocol: "POP3", Offered: offered}
	}
	// Encrypted, CAPA without USER or SASL: some servers do not list
	// USER at all; try it.
	return c.Login(ctx, r.srv.Username, r.req.Password)
}

func popCapList(caps pop3.Capabilities) []string {
	out := make([]string, 0, len(caps))
	for k, v := range caps {
		// LOGIN-DELAY's value (seconds) matters to the send test
		// (loginDelay); other values are the server's prose.
		if k == "LOGIN-DELAY" && len(v) > 0 && isDigits(v[0]) && len(v[0]) <= 6 {
			k += " " + v[0]
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
