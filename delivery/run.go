package delivery

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
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
	// BounceTest is the person's consent to the bounce test: one letter
	// to a made-up address at a reserved .invalid domain (nobody receives
	// it), then a wait for the provider's delivery report in Address's
	// inbox (IMAP), which is read and deleted. It runs when the bounce
	// mailbox is Address itself.
	BounceTest bool
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

// ErrNeedsBothServers: the sending check reads the letter back, so it
// needs an incoming server as well as the outgoing one.
var ErrNeedsBothServers = errors.New("delivery: the sending check needs an incoming and an outgoing server")

// servers are req.Servers, else Config's chosen incoming and outgoing
// server, usernames filled in.
func (req RunRequest) servers() []account.Server {
	if req.Servers != nil {
		return req.Servers
	}
	var servers []account.Server
	cfg := req.Config.For(req.Address)
	if len(cfg.Incoming) > 0 {
		servers = append(servers, cfg.Incoming[0])
	}
	if len(cfg.Outgoing) > 0 {
		servers = append(servers, cfg.Outgoing[0])
	}
	return servers
}

// Pair is the incoming server the letter is read back from and the
// outgoing one it goes through, the first of each among req's servers;
// ErrNeedsBothServers when one is missing.
func (req RunRequest) Pair() (in, out account.Server, err error) {
	var hasIn, hasOut bool
	for _, s := range req.servers() {
		switch {
		case s.Protocol == account.SMTP && !hasOut:
			out, hasOut = s, true
		case s.Protocol.Incoming() && !hasIn:
			in, hasIn = s, true
		}
	}
	if !hasIn || !hasOut {
		return account.Server{}, account.Server{}, ErrNeedsBothServers
	}
	return in, out, nil
}

// Run sends the test letter (with req.Send), reads it back and checks
// everything Check does. The caller has applied the trust gate to
// req's servers (wizard.Resolved.PlanTest): Run sends the password to
// them.
func Run(ctx context.Context, req RunRequest) (Report, error) {
	servers := req.servers()
	in, out, err := req.Pair()
	if err != nil {
		return Report{}, err
	}
	from := req.From
	if from == "" {
		from = req.Address.String()
	}
	var provider *account.Config
	if req.Config.Provider != nil {
		provider = &req.Config
	}
	// send logs in and runs probe's send test, as set by mode.
	send := func(mode func(*probe.Request)) (*probe.SendTestResult, error) {
		preq := probe.Request{
			Address: req.Address, Servers: servers, Alternatives: req.Alternatives,
			Password: req.Password, OAuth2: req.OAuth2, Provider: provider, SendTest: true, Lang: req.Lang,
			DeliveryTimeout: req.DeliveryTimeout, RootCAs: req.RootCAs, TrustedCerts: req.TrustedCerts, Resolver: req.Resolver,
		}
		mode(&preq)
		rep := probe.Run(ctx, preq)
		for _, r := range rep.Results {
			if !r.OK {
				return nil, &LoginError{Report: rep}
			}
		}
		if rep.SendTest == nil {
			return nil, &LoginError{Report: rep}
		}
		return rep.SendTest, nil
	}
	var sent *Sent
	if req.Send {
		st, err := send(func(p *probe.Request) { p.SendFrom, p.ReadBack = from, in.Protocol == account.IMAP })
		if err != nil {
			return Report{}, err
		}
		sent = SentFrom(st)
	}
	var bounced *Bounced
	switch {
	case !req.BounceTest:
	case req.Bounce != "" && !strings.EqualFold(req.Bounce, req.Address.String()):
		bounced = &Bounced{OtherMailbox: true}
	default:
		// The envelope sender is the account, so the report comes back to
		// its inbox, whatever From the mailing program will use.
		st, err := send(func(p *probe.Request) { p.BounceTest = true })
		if err != nil {
			return Report{}, err
		}
		wait := req.DeliveryTimeout
		if wait == 0 {
			wait = probe.DefaultDeliveryTimeout
		}
		bounced = BouncedFrom(st, wait)
	}
	var res Resolver = net.DefaultResolver
	if req.Resolver != nil {
		res = req.Resolver
	}
	cfg := req.Config
	return Check(ctx, res, Request{Account: req.Address.String(), From: from, Bounce: req.Bounce,
		SMTP: out, IncomingHost: in.Host, Config: &cfg, Sent: sent, Bounced: bounced, Lang: req.Lang}), nil
}
