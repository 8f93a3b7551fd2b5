package delivery

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/probe"
)

// RunRequest is a whole sending check: the account as tested, the
// sender and bounce mailbox the mailing program will use, and the
// person's consent to one test letter.
type RunRequest struct {
	Address account.Address
	// Config holds the chosen servers first (the ones the login test
	// proved) and what the database knows of the provider.
	Config account.Config
	// Servers are the servers to use, usernames filled in (a
	// wizard.TestPlan's); nil means Config's first incoming and outgoing.
	Servers      []account.Server
	Alternatives [][]account.Server
	Password     string
	OAuth2       *probe.OAuth2Login
	From, Bounce string
	// Send is the person's consent to one letter to Address itself.
	// Without it only the checks that need no letter run and no
	// password is used.
	Send bool
	// TrustedCerts are the certificate exceptions the person accepted;
	// RootCAs nil means the system's.
	TrustedCerts []string
	RootCAs      *x509.CertPool
	// Resolver asks DNS (the servers' names, SPF, DMARC); nil means the
	// system's.
	Resolver *net.Resolver
	// DeliveryTimeout bounds the wait for the letter; zero means
	// probe.DefaultDeliveryTimeout.
	DeliveryTimeout time.Duration
	Lang            string
}

// LoginError: a login failed, so no letter was sent; Report says why
// (probe's words, as `mailwiz test` shows them).
type LoginError struct{ Report probe.Report }

func (e *LoginError) Error() string {
	for _, r := range e.Report.Results {
		if !r.OK {
			return fmt.Sprintf("delivery: logging in to %s:%d failed: %s", r.Server.Host, r.Server.Port, r.Error)
		}
	}
	return "delivery: a login failed"
}

// Run sends the test letter (with req.Send), reads it back and checks
// everything Check does. The caller has applied the trust gate to
// req's servers (wizard.Resolved.PlanTest): Run sends the password to
// them.
func Run(ctx context.Context, req RunRequest) (Report, error) {
	servers := req.Servers
	if servers == nil {
		cfg := req.Config.For(req.Address)
		if len(cfg.Incoming) > 0 {
			servers = append(servers, cfg.Incoming[0])
		}
		if len(cfg.Outgoing) > 0 {
			servers = append(servers, cfg.Outgoing[0])
		}
	}
	var in, out *account.Server
	for i := range servers {
		s := servers[i]
		if s.Protocol == account.SMTP && out == nil {
			out = &s
		} else if s.Protocol.Incoming() && in == nil {
			in = &s
		}
	}
	if in == nil || out == nil {
		return Report{}, fmt.Errorf("delivery: the sending check needs an incoming and an outgoing server for %s", req.Address)
	}
	from := req.From
	if from == "" {
		from = req.Address.String()
	}
	var sent *Sent
	if req.Send {
		var provider *account.Config
		if req.Config.Provider != nil {
			provider = &req.Config
		}
		rep := probe.Run(ctx, probe.Request{
			Address: req.Address, Servers: servers, Alternatives: req.Alternatives,
			Password: req.Password, OAuth2: req.OAuth2, Provider: provider,
			SendTest: true, SendFrom: from, ReadBack: in.Protocol == account.IMAP,
			DeliveryTimeout: req.DeliveryTimeout, RootCAs: req.RootCAs, TrustedCerts: req.TrustedCerts, Resolver: req.Resolver,
		})
		for _, r := range rep.Results {
			if !r.OK {
				return Report{}, &LoginError{Report: rep}
			}
		}
		if rep.SendTest == nil {
			return Report{}, &LoginError{Report: rep}
		}
		sent = SentFrom(rep.SendTest)
	}
	var res Resolver = net.DefaultResolver
	if req.Resolver != nil {
		res = req.Resolver
	}
	cfg := req.Config
	return Check(ctx, res, Request{Account: req.Address.String(), From: from, Bounce: req.Bounce,
		SMTP: *out, IncomingHost: in.Host, Config: &cfg, Sent: sent, Lang: req.Lang}), nil
}
