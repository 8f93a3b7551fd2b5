package probe

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/emersion/go-sasl"
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
		if slices.Contains(caps.SASL(), "PLAIN") {
			err = c.Authenticate(ctx, sasl.NewPlainClient("", r.srv.Username, r.req.Password))
		} else {
			err = c.Login(ctx, r.srv.Username, r.req.Password)
		}
		if err != nil {
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

func popCapList(caps pop3.Capabilities) []string {
	out := make([]string, 0, len(caps))
	for k := range caps {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
