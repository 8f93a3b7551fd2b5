package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/store"
)

// gateOutput is the part of test --json the trust gate adds.
type gateOutput struct {
	OK      bool `json:"ok"`
	Results []struct {
		OK bool `json:"ok"`
	} `json:"results"`
	Trust struct {
		VouchedBy       string   `json:"vouched_by"`
		Source          string   `json:"source"`
		ConfirmedHosts  []string `json:"confirmed_hosts"`
		UnverifiedHosts []string `json:"unverified_hosts"`
	} `json:"trust"`
}

// TestTrustGate: for servers nothing vouches for (here: from DNS SRV
// records), `mailwiz test` and `mailwiz save` refuse before any byte
// reaches a server, naming the hosts and the way on; --accept-unverified
// with exactly those hosts lets them through; a save keeps the
// confirmation for exactly those hosts, and a saved file that records no
// vouching is never upgraded. Real Dovecot behind counting proxies.
func TestTrustGate(t *testing.T) {
	testenv.RequireKeyring(t)
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	withRoots(t, ca.Pool())
	dir := filepath.Join(t.TempDir(), "mailwiz", "accounts")
	st := withStore(t, dir)
	var sent atomic.Int64
	count := func(toServer bool, b []byte) []byte {
		if toServer {
			sent.Add(int64(len(b)))
		}
		return b
	}
	imapPort := testenv.StartProxy(t, "127.0.0.1:"+strconv.Itoa(d.IMAPS), 0, count)
	smtpPort := testenv.StartProxy(t, "127.0.0.1:"+strconv.Itoa(d.Submissions), 0, count)
	srv := func(p account.Protocol, port int) account.Server {
		return account.Server{Protocol: p, Host: "127.0.0.1", Port: port, Security: account.SSL, Username: account.PlaceholderAddress, Auth: account.AuthPassword}
	}
	withDetect(t, func(context.Context, account.Address) (account.Config, error) {
		return account.Config{
			Incoming: []account.Server{srv(account.IMAP, imapPort)},
			Outgoing: []account.Server{srv(account.SMTP, smtpPort)},
			Source:   account.SourceSRV,
			Hints: []account.Hint{{Kind: account.HintUnverifiedSource, Text: map[string]string{
				"en": "These servers come from DNS SRV records, which are not signed and could have been altered.",
				"ru": "Эти серверы взяты из записей DNS SRV: они не подписаны, и их могли подменить."}}},
		}, nil
	})
	user := testenv.DovecotUser
	gate := func(t *testing.T, lang string, args ...string) (int, gateOutput, string) {
		t.Helper()
		var out, errb bytes.Buffer
		env := newEnv(t, testenv.DovecotPassword, &out, &errb)
		env.Getenv = func(k string) string {
			if k == "LANG" {
				return lang
			}
			return ""
		}
		code := Run(context.Background(), env, args)
		var o gateOutput
		if strings.Contains(strings.Join(args, " "), "--json") {
			if err := json.Unmarshal(out.Bytes(), &o); err != nil {
				t.Fatalf("exit %d: stdout is not JSON: %v\n%s\n%s", code, err, out.String(), errb.String())
			}
		}
		return code, o, out.String() + errb.String()
	}

	t.Cleanup(func() {
		if code, _, text := gate(t, "", "forget", user); code != ExitOK {
			t.Errorf("forget: exit %d\n%s", code, text)
		}
	})
	t.Run("refused before any byte", func(t *testing.T) {
		sent.Store(0)
		code, o, text := gate(t, "", "test", "--json", "--password-stdin", user)
		if code != ExitFailed || o.OK || len(o.Results) != 0 {
			t.Fatalf("exit %d, ok %v, %d results; want 1 and no test\n%s", code, o.OK, len(o.Results), text)
		}
		if sent.Load() != 0 {
			t.Fatalf("%d bytes reached a server nothing vouches for", sent.Load())
		}
		if len(o.Trust.UnverifiedHosts) != 1 || o.Trust.UnverifiedHosts[0] != "127.0.0.1" {
			t.Errorf("trust.unverified_hosts %v; want [127.0.0.1]", o.Trust.UnverifiedHosts)
		}
		for _, want := range []string{"nothing vouches for 127.0.0.1", "DNS SRV", "--accept-unverified 127.0.0.1"} {
			if !strings.Contains(text, want) {
				t.Errorf("the refusal does not say %q:\n%s", want, text)
			}
		}
	})
	t.Run("refused in Russian", func(t *testing.T) {
		code, _, text := gate(t, "ru_RU.UTF-8", "test", "--password-stdin", user)
		if code != ExitFailed || !strings.Contains(text, "никто не ручается") || !strings.Contains(text, "--accept-unverified 127.0.0.1") {
			t.Fatalf("exit %d:\n%s", code, text)
		}
		if strings.Contains(text, "nothing vouches") || strings.Contains(text, "mailwiz sends a password") {
			t.Errorf("English in the Russian refusal:\n%s", text)
		}
	})
	t.Run("another host named: still refused", func(t *testing.T) {
		sent.Store(0)
		code, _, text := gate(t, "", "test", "--password-stdin", "--accept-unverified", "mail.example.test", user)
		if code != ExitFailed || sent.Load() != 0 || !strings.Contains(text, "no server of this account is on that host") {
			t.Fatalf("exit %d, %d bytes sent:\n%s", code, sent.Load(), text)
		}
	})
	t.Run("accepted by name", func(t *testing.T) {
		code, o, text := gate(t, "", "test", "--json", "--password-stdin", "--accept-unverified", "127.0.0.1", user)
		if code != ExitOK || !o.OK || o.Trust.VouchedBy != store.VouchConfirmed || len(o.Trust.ConfirmedHosts) != 1 {
			t.Fatalf("exit %d, trust %+v\n%s", code, o.Trust, text)
		}
	})
	t.Run("save refuses, then keeps the confirmation", func(t *testing.T) {
		code, _, text := gate(t, "", "save", "--password-stdin", user)
		if code != ExitFailed || !strings.Contains(text, "Not saved") {
			t.Fatalf("save without --accept-unverified: exit %d\n%s", code, text)
		}
		if _, err := st.Load(user); err == nil {
			t.Fatal("a refused save wrote settings")
		}
		code, _, text = gate(t, "", "save", "--password-stdin", "--accept-unverified", "127.0.0.1", user)
		if code != ExitOK {
			t.Fatalf("save: exit %d\n%s", code, text)
		}
		a, err := st.Load(user)
		if err != nil {
			t.Fatal(err)
		}
		if a.Vouched == nil || a.Vouched.By != store.VouchConfirmed || strings.Join(a.Vouched.Hosts, ",") != "127.0.0.1" || a.Vouched.At.IsZero() {
			t.Fatalf("saved vouch %+v; want confirmed for 127.0.0.1 with a date", a.Vouched)
		}
		code, o, text := gate(t, "", "test", "--json", "--password-stdin", user)
		if code != ExitOK || o.Trust.VouchedBy != store.VouchConfirmed {
			t.Fatalf("test of the saved account: exit %d, trust %+v\n%s", code, o.Trust, text)
		}
	})
	t.Run("a saved file without a record is not upgraded", func(t *testing.T) {
		a, err := st.Load(user)
		if err != nil {
			t.Fatal(err)
		}
		a.Vouched = nil
		if err := st.Save(a); err != nil {
			t.Fatal(err)
		}
		raw, _ := os.ReadFile(st.Path(user))
		if strings.Contains(string(raw), "vouched") {
			t.Fatalf("the record is still there:\n%s", raw)
		}
		sent.Store(0)
		code, _, text := gate(t, "", "test", "--password-stdin", user)
		if code != ExitFailed || sent.Load() != 0 || !strings.Contains(text, "--accept-unverified 127.0.0.1") {
			t.Fatalf("exit %d, %d bytes sent:\n%s", code, sent.Load(), text)
		}
	})
}
