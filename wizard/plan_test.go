package wizard

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/store"
)

func planServer(p account.Protocol, host string, port int, sec account.Security) account.Server {
	return account.Server{Protocol: p, Host: host, Port: port, Security: sec, Username: "%EMAILADDRESS%", Auth: account.AuthPassword}
}

// unverifiedConfig is what discovery gives for a domain over plain HTTP or
// SRV: servers nothing vouches for, one of them outside the domain.
func unverifiedConfig() account.Config {
	return account.Config{
		Incoming: []account.Server{planServer(account.IMAP, "mail.evil.test", 993, account.SSL),
			planServer(account.IMAP, "imap.shop.test", 143, account.STARTTLS)},
		Outgoing: []account.Server{planServer(account.SMTP, "mail.evil.test", 465, account.SSL),
			planServer(account.SMTP, "mail.evil.test", 587, account.STARTTLS)},
		Source: account.SourceSRV,
	}
}

func builtinConfig() account.Config {
	return account.Config{
		Incoming: []account.Server{planServer(account.IMAP, "imap.known.test", 993, account.SSL),
			planServer(account.POP3, "pop.known.test", 995, account.SSL)},
		Outgoing: []account.Server{planServer(account.SMTP, "smtp.known.test", 465, account.SSL),
			planServer(account.SMTP, "smtp.known.test", 587, account.STARTTLS)},
		Provider: &account.Provider{ID: "known", Name: "Known"},
	}
}

func knownLookup(domain string) (account.Config, bool) {
	if domain == "known.test" {
		return builtinConfig(), true
	}
	return account.Config{}, false
}

func discovering(cfg account.Config) func(context.Context, account.Address) (account.Config, error) {
	return func(context.Context, account.Address) (account.Config, error) { return cfg, nil }
}

func mustAddr(t *testing.T, s string) account.Address {
	t.Helper()
	a, err := account.ParseAddress(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestGate: a password goes only to hosts something vouches for, or that
// the person confirmed; a saved account keeps how it was vouched for and
// is never upgraded.
func TestGate(t *testing.T) {
	named := planServer(account.IMAP, "imap.mine.test", 993, account.SSL)
	namedOut := planServer(account.SMTP, "smtp.mine.test", 465, account.SSL)
	for _, tc := range []struct {
		name      string
		addr      string
		choice    Choice
		confirm   []string
		unvouched []string
	}{
		{name: "built-in", addr: "a@known.test", choice: Choice{Lookup: knownLookup}},
		{name: "discovered over https", addr: "a@shop.test", choice: Choice{Lookup: knownLookup,
			Discover: discovering(func() account.Config { c := unverifiedConfig(); c.SecureSource = true; return c }())}},
		{name: "discovered, nothing vouches", addr: "a@shop.test", choice: Choice{Lookup: knownLookup, Discover: discovering(unverifiedConfig())},
			unvouched: []string{"mail.evil.test"}},
		{name: "discovered, confirmed", addr: "a@shop.test", choice: Choice{Lookup: knownLookup, Discover: discovering(unverifiedConfig())},
			confirm: []string{"MAIL.evil.test"}},
		{name: "discovered, another host confirmed", addr: "a@shop.test", choice: Choice{Lookup: knownLookup, Discover: discovering(unverifiedConfig())},
			confirm: []string{"imap.shop.test"}, unvouched: []string{"mail.evil.test"}},
		{name: "both named", addr: "a@shop.test", choice: Choice{Incoming: &named, Outgoing: &namedOut}},
		{name: "incoming named, outgoing discovered", addr: "a@shop.test", choice: Choice{Incoming: &named, Discover: discovering(unverifiedConfig())},
			unvouched: []string{"mail.evil.test"}},
		{name: "saved and confirmed", addr: "a@shop.test", choice: Choice{Saved: &store.Account{Email: "a@shop.test",
			Incoming: planServer(account.IMAP, "mail.evil.test", 993, account.SSL), Outgoing: planServer(account.SMTP, "mail.evil.test", 465, account.SSL),
			Source: account.SourceSRV, Vouched: &store.Vouch{By: store.VouchConfirmed, Hosts: []string{"mail.evil.test"}}}}},
		{name: "saved, confirmed for another host", addr: "a@shop.test", choice: Choice{Saved: &store.Account{Email: "a@shop.test",
			Incoming: planServer(account.IMAP, "mail.evil.test", 993, account.SSL), Outgoing: planServer(account.SMTP, "smtp.other.test", 465, account.SSL),
			Source: account.SourceSRV, Vouched: &store.Vouch{By: store.VouchConfirmed, Hosts: []string{"mail.evil.test"}}}},
			unvouched: []string{"smtp.other.test"}},
		{name: "saved before records existed, from SRV", addr: "a@shop.test", choice: Choice{Saved: &store.Account{Email: "a@shop.test",
			Incoming: planServer(account.IMAP, "mail.evil.test", 993, account.SSL), Outgoing: planServer(account.SMTP, "mail.evil.test", 465, account.SSL),
			Source: account.SourceSRV}},
			unvouched: []string{"mail.evil.test"}},
		{name: "saved before records existed, typed", addr: "a@shop.test", choice: Choice{Saved: &store.Account{Email: "a@shop.test",
			Incoming: planServer(account.IMAP, "mail.mine.test", 993, account.SSL), Source: account.SourceManual}}},
		{name: "saved server of a known provider", addr: "a@known.test", choice: Choice{Lookup: knownLookup, Saved: &store.Account{Email: "a@known.test",
			Incoming: planServer(account.IMAP, "imap.known.test", 993, account.SSL), Source: account.SourceISPDB}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.choice.Address = mustAddr(t, tc.addr)
			r, err := Resolve(context.Background(), tc.choice)
			if err != nil {
				t.Fatal(err)
			}
			r.Vouching.Confirm(time.Now(), tc.confirm...)
			err = r.Check()
			var ue *UnverifiedError
			if len(tc.unvouched) == 0 {
				if err != nil {
					t.Fatalf("Check: %v, want nil", err)
				}
				if _, err := r.PlanTest(TestOptions{}); err != nil {
					t.Fatalf("PlanTest: %v", err)
				}
				return
			}
			if !errors.As(err, &ue) || !reflect.DeepEqual(ue.Hosts, tc.unvouched) {
				t.Fatalf("Check: %v, want an UnverifiedError for %v", err, tc.unvouched)
			}
			if !errors.Is(err, ErrUnconfirmedSource) {
				t.Errorf("the refusal does not match ErrUnconfirmedSource")
			}
			if _, err := r.PlanTest(TestOptions{}); !errors.As(err, &ue) {
				t.Errorf("PlanTest went past the gate: %v", err)
			}
		})
	}
}

// TestPlanAlternatives: fallback candidates are the config's other servers
// on vouched hosts; none for a named side or with NoFallback.
func TestPlanAlternatives(t *testing.T) {
	addr := mustAddr(t, "a@shop.test")
	r, err := Resolve(context.Background(), Choice{Address: addr, Discover: discovering(unverifiedConfig())})
	if err != nil {
		t.Fatal(err)
	}
	r.Vouching.Confirm(time.Now(), "mail.evil.test")
	p, err := r.PlanTest(TestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Alternatives[0]) != 0 {
		t.Errorf("incoming alternative on the unconfirmed imap.shop.test offered: %v", p.Alternatives[0])
	}
	if len(p.Alternatives[1]) != 1 || p.Alternatives[1][0].Port != 587 {
		t.Errorf("outgoing alternatives %v, want mail.evil.test:587", p.Alternatives[1])
	}
	p, _ = r.PlanTest(TestOptions{NoFallback: true})
	if len(p.Alternatives[0])+len(p.Alternatives[1]) != 0 {
		t.Errorf("NoFallback still offers %v", p.Alternatives)
	}

	named := planServer(account.SMTP, "smtp.known.test", 587, account.STARTTLS)
	r, _ = Resolve(context.Background(), Choice{Address: mustAddr(t, "a@known.test"), Lookup: knownLookup, Outgoing: &named})
	p, _ = r.PlanTest(TestOptions{Username: "login"})
	if len(p.Alternatives[1]) != 0 {
		t.Errorf("a named server falls back to %v", p.Alternatives[1])
	}
	if p.Servers[0].Username != "login" || p.Servers[1].Username != "login" {
		t.Errorf("username not applied: %+v", p.Servers)
	}
	if len(p.Alternatives[0]) != 0 {
		t.Errorf("IMAP falls back to another protocol: %v", p.Alternatives[0])
	}
}

func TestPlanOAuth2(t *testing.T) {
	lookup := func(string) (account.Config, bool) {
		c := builtinConfig()
		c.Incoming[0].Auth = account.AuthOAuth2
		return c, true
	}
	r, _ := Resolve(context.Background(), Choice{Address: mustAddr(t, "a@known.test"), Lookup: lookup})
	var oe *OAuth2Error
	if _, err := r.PlanTest(TestOptions{}); !errors.As(err, &oe) || oe.Outgoing {
		t.Fatalf("PlanTest of an OAuth2 server: %v", err)
	}
	if p, err := r.PlanTest(TestOptions{PasswordForOAuth2: true}); err != nil || p.Servers[0].Auth != account.AuthOAuth2 {
		t.Fatalf("PasswordForOAuth2: %v %+v", err, p.Servers)
	}
	in := planServer(account.IMAP, "imap.known.test", 993, account.SSL)
	r, _ = Resolve(context.Background(), Choice{Address: mustAddr(t, "a@known.test"), Lookup: lookup, Incoming: &in})
	if p, err := r.PlanTest(TestOptions{}); err != nil || p.Servers[0].Auth != account.AuthPassword {
		t.Fatalf("a named OAuth2 host is tested with the password: %v %+v", err, p.Servers)
	}
}

// TestRecord: a save keeps how the servers were vouched for.
func TestRecord(t *testing.T) {
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	r, _ := Resolve(context.Background(), Choice{Address: mustAddr(t, "a@shop.test"), Discover: discovering(unverifiedConfig())})
	r.Vouching.Confirm(at, "mail.evil.test")
	if got, want := r.Record(), (store.Vouch{By: store.VouchConfirmed, Source: account.SourceSRV, Hosts: []string{"mail.evil.test"}, At: at}); !reflect.DeepEqual(got, want) {
		t.Errorf("confirmed: %+v, want %+v", got, want)
	}
	r, _ = Resolve(context.Background(), Choice{Address: mustAddr(t, "a@known.test"), Lookup: knownLookup})
	if got := r.Record(); got.By != store.VouchSource || got.Source != account.SourceBuiltin {
		t.Errorf("built-in: %+v", got)
	}
	in, out := planServer(account.IMAP, "h.test", 993, account.SSL), planServer(account.SMTP, "h.test", 465, account.SSL)
	r, _ = Resolve(context.Background(), Choice{Address: mustAddr(t, "a@shop.test"), Incoming: &in, Outgoing: &out})
	if got := r.Record(); got.By != store.VouchNamed {
		t.Errorf("named: %+v", got)
	}
	// Saved confirmed, resolved again: the record stays a confirmation.
	saved := &store.Account{Email: "a@shop.test", Incoming: planServer(account.IMAP, "mail.evil.test", 993, account.SSL),
		Source: account.SourceSRV, Vouched: &store.Vouch{By: store.VouchConfirmed, Hosts: []string{"mail.evil.test"}, At: at}}
	r, _ = Resolve(context.Background(), Choice{Address: mustAddr(t, "a@shop.test"), Saved: saved})
	if got := r.Record(); got.By != store.VouchConfirmed || !slices.Equal(got.Hosts, []string{"mail.evil.test"}) || !got.At.Equal(at) {
		t.Errorf("saved confirmation resolved again: %+v", got)
	}
}

// TestResolveOrder: named > saved > built-in > discovery, and offline
// without a known domain is a NotKnownError.
func TestResolveOrder(t *testing.T) {
	ctx := context.Background()
	if _, err := Resolve(ctx, Choice{Address: mustAddr(t, "a@shop.test"), Lookup: knownLookup}); !errors.As(err, new(*NotKnownError)) {
		t.Errorf("offline unknown: %v", err)
	}
	failing := func(context.Context, account.Address) (account.Config, error) {
		return account.Config{}, errors.New("nothing")
	}
	if _, err := Resolve(ctx, Choice{Address: mustAddr(t, "a@shop.test"), Discover: failing}); !errors.As(err, new(*DiscoveryError)) {
		t.Errorf("discovery failed: %v", err)
	}
	saved := &store.Account{Email: "a@known.test", Name: "Ann", Incoming: planServer(account.POP3, "pop.known.test", 995, account.SSL), Source: account.SourceBuiltin}
	r, err := Resolve(ctx, Choice{Address: mustAddr(t, "a@known.test"), Lookup: knownLookup, Saved: saved, Discover: failing})
	if err != nil {
		t.Fatal(err)
	}
	if !r.FromSaved || r.Name != "Ann" || r.Config.Incoming[0].Protocol != account.POP3 || len(r.Config.Incoming) != 2 || r.Config.Outgoing[0].Port != 465 {
		t.Errorf("saved over built-in: %+v", r)
	}
	named := planServer(account.IMAP, "imap.known.test", 143, account.STARTTLS)
	named.Username = ""
	r, _ = Resolve(ctx, Choice{Address: mustAddr(t, "a@known.test"), Lookup: knownLookup, Saved: saved, Incoming: &named})
	if r.Config.Incoming[0].Port != 143 || !r.Named[0] || r.Named[1] {
		t.Errorf("named over saved: %+v named %v", r.Config.Incoming[0], r.Named)
	}
	if r.Config.Incoming[0].Username != "a@known.test" {
		t.Errorf("a named server's login is %q, want the address", r.Config.Incoming[0].Username)
	}
}

// TestFollowRedirect: a redirect to another domain that discovery did not
// follow is reported; FollowRedirect agrees to exactly that host and finds
// the servers again, with the host allowed.
func TestFollowRedirect(t *testing.T) {
	var calls [][]string
	discoverFn := func(ctx context.Context, addr account.Address, allow []string, progress func(Event)) (account.Config, error) {
		calls = append(calls, allow)
		if !slices.Contains(allow, "collector.test") {
			progress(RedirectRefused{From: "shop.test", To: "collector.test"})
			c := unverifiedConfig()
			c.Source = account.SourceGuess
			return c, nil
		}
		c := unverifiedConfig()
		c.Source = account.SourceAutodiscover
		return c, nil
	}
	r := newRecorder()
	w := New(Deps{Discover: discoverFn}, r.listen)
	defer w.Close()
	toServers(t, w, r, "a@shop.test")
	st := w.Finding()
	if len(st.Redirects) != 1 || st.Redirects[0].To != "collector.test" {
		t.Fatalf("redirects %+v", st.Redirects)
	}
	if err := w.FollowRedirect("elsewhere.test"); err == nil {
		t.Error("a host no redirect named was accepted")
	}
	if err := w.FollowRedirect("collector.test"); err != nil {
		t.Fatal(err)
	}
	w.Wait()
	if w.Config().Source != account.SourceAutodiscover || len(calls) != 2 || !slices.Equal(calls[1], []string{"collector.test"}) {
		t.Fatalf("after FollowRedirect: source %s, calls %v", w.Config().Source, calls)
	}
}
