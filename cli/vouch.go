package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/probe"
	"github.com/mailwiz/mailwiz/store"
	"github.com/mailwiz/mailwiz/wizard"
)

// acceptUsage explains --accept-unverified (test and save).
var acceptUsage = catalog.Key("send the password to these servers although nothing vouches for them (they came over plain HTTP, from DNS SRV records, from guessing, or lie outside your domain): `HOST[,HOST]`, exactly the host names the refusal lists; repeatable. Only after your provider or administrator confirmed them")

// hostList is --accept-unverified: host names, comma-separated or
// repeated. Naming hosts, not a blanket yes, means a changed answer (a
// forged one) is refused again.
type hostList struct{ hosts []string }

func (l *hostList) String() string { return strings.Join(l.hosts, ",") }

func (l *hostList) Set(s string) error {
	for _, h := range strings.Split(s, ",") {
		h = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h), "."))
		if h != "" && !slices.Contains(l.hosts, h) {
			l.hosts = append(l.hosts, h)
		}
	}
	return nil
}

// confirm records the hosts the person named as confirmed, and warns of a
// named host that no chosen server uses (a typo, or an answer that
// changed since).
func (l *hostList) confirm(env *Env, r *wizard.Resolved) {
	if len(l.hosts) == 0 {
		return
	}
	var chosen []string
	for _, s := range r.Chosen() {
		chosen = append(chosen, strings.ToLower(s.Host))
	}
	var use []string
	for _, h := range l.hosts {
		if slices.Contains(chosen, h) {
			use = append(use, h)
		} else {
			fmt.Fprintf(env.Stderr, "mailwiz: warning: --accept-unverified %s: no server of this account is on that host (they are %s)\n", h, strings.Join(chosen, ", "))
		}
	}
	r.Vouching.Confirm(time.Now(), use...)
}

// trustView is how the servers tested or saved were vouched for, in the
// JSON of test (an addition to the contract).
type trustView struct {
	// VouchedBy: "source" (a source that vouches: the built-in database,
	// the domain's own autoconfig over https, the ISPDB, the MX match),
	// "named" (you named or typed the servers) or "confirmed" (nothing
	// vouches; you confirmed ConfirmedHosts).
	VouchedBy      string         `json:"vouched_by"`
	Source         account.Source `json:"source,omitempty"`
	ConfirmedHosts []string       `json:"confirmed_hosts,omitempty"`
	// UnverifiedHosts are the hosts the trust gate refused: no password
	// was sent (the test did not run).
	UnverifiedHosts []string `json:"unverified_hosts,omitempty"`
}

func newTrustView(r wizard.Resolved) trustView {
	v := r.Record()
	t := trustView{VouchedBy: v.By, Source: v.Source, ConfirmedHosts: v.Hosts}
	if v.By == store.VouchConfirmed {
		t.ConfirmedHosts = v.Hosts
	}
	return t
}

// testJSON is test --json: the probe's report and the trust mark.
type testJSON struct {
	probe.ReportView
	Trust trustView `json:"trust"`
}

// printTrust says in one line what vouches for the servers.
func printTrust(w io.Writer, t trustView, lang string) {
	switch t.VouchedBy {
	case store.VouchSource:
		fmt.Fprintln(w, catalog.T(lang, "Servers vouched for by {{.Source}}.", "Source", catalog.T(lang, wizard.SourceName(t.Source))))
	case store.VouchNamed:
		fmt.Fprintln(w, catalog.T(lang, "Servers you named yourself."))
	case store.VouchConfirmed:
		fmt.Fprintln(w, catalog.T(lang, "Nothing vouches for {{.Hosts}}; you confirmed them.", "Hosts", strings.Join(t.ConfirmedHosts, ", ")))
	}
}

// planFailed reports a test or save that the shared decisions refused:
// the trust gate (exit 1, a paragraph naming the hosts, why nothing
// vouches for them and how to go on), an OAuth2 server (exit 2), no
// servers (exit 1).
func planFailed(env *Env, lang, cmd string, addr account.Address, r wizard.Resolved, err error, jsonOut bool) int {
	var ue *wizard.UnverifiedError
	var oe *wizard.OAuth2Error
	switch {
	case errors.As(err, &ue):
		hosts := strings.Join(ue.Hosts, ",")
		head := catalog.Key("Not tested: nothing vouches for {{.Hosts}}, so mailwiz sent no password there.")
		if cmd == "save" {
			head = catalog.Key("Not saved: nothing vouches for {{.Hosts}}, so mailwiz keeps no password for them.")
		}
		why := ""
		for _, h := range r.Config.Hints {
			if h.Kind == account.HintUnverifiedSource {
				why = h.In(lang)
			}
		}
		if why == "" {
			why = catalog.T(lang, "These servers came from {{.Source}}, and nothing that mailwiz trusts confirms them.",
				"Source", catalog.T(lang, wizard.SourceName(ue.Source)))
		}
		fmt.Fprintln(env.Stderr, "mailwiz: "+catalog.T(lang, head, "Hosts", strings.Join(ue.Hosts, ", ")))
		fmt.Fprintln(env.Stderr, "  "+why)
		fmt.Fprintln(env.Stderr, "  "+catalog.T(lang, "mailwiz sends a password only to servers that a trusted source names or that you name yourself. If your provider or administrator confirms these are its servers, run the command again with --accept-unverified {{.Hosts}}.", "Hosts", hosts))
		if jsonOut {
			t := newTrustView(r)
			t.UnverifiedHosts = ue.Hosts
			if c := writeJSON(env, testJSON{probe.ReportView{Results: []probe.ResultView{}}, t}); c != ExitOK {
				return c
			}
		}
		return ExitFailed
	case errors.As(err, &oe):
		flag := "--incoming"
		if oe.Outgoing {
			flag = "--outgoing"
		}
		return fail(env, ExitUsage, "%s", catalog.T(lang, "{{.Server}} signs in through the provider's page (OAuth2): run mailwiz signin {{.Address}} first, then mailwiz {{.Command}} {{.Address}} uses that sign-in. To test an app password instead, if the provider offers them, name the server: {{.Flag}} '{{.Server}}'",
			"Server", oe.Server.String(), "Command", cmd, "Flag", flag, "Address", addr.Display()))
	case errors.Is(err, wizard.ErrNoServers):
		return fail(env, ExitFailed, "%s", catalog.T(lang, "No servers are known for {{.Domain}}: give them with --incoming and --outgoing.", "Domain", addr.DomainUnicode))
	}
	return fail(env, ExitFailed, "%v", err)
}
