package app

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/cli"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/providers"
	"github.com/mailwiz/mailwiz/store"
	"github.com/mailwiz/mailwiz/wizard"
)

// savedFile reads a settings file as JSON, without the time it was saved
// (the one field two saves cannot share).
func savedFile(t *testing.T, st *store.Store, email string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(st.Path(email))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "saved")
	return m
}

// TestBothFacesSaveAlike: the same account saved from the window and with
// `mailwiz save` gives the same settings file: servers, name, provider,
// source and how the servers were vouched for (one decision, wizard).
// Then the window, opened again on that address, takes the saved servers
// and name and says so.
func TestBothFacesSaveAlike(t *testing.T) {
	testenv.RequireKeyring(t)
	const addr, name, pw = "ann.faces@gmail.com", "Ann Faces", "right"
	gui := &store.Store{Dir: filepath.Join(t.TempDir(), "mailwiz", "accounts")}
	cmd := &store.Store{Dir: filepath.Join(t.TempDir(), "mailwiz", "accounts")}
	ctx := context.Background()
	t.Cleanup(func() {
		for _, st := range []*store.Store{gui, cmd} {
			st.Forget(ctx, addr, account.Config{}) //nolint:errcheck
		}
	})

	// The window, with the built-in database.
	save := func(ctx context.Context, req wizard.SaveRequest) error {
		_, err := wizard.SaveAccount(ctx, gui, req)
		return err
	}
	h := newHarness(t, wizard.Deps{Lookup: providers.Lookup, Test: fakeProbe, Save: save})
	test.Type(h.ui.address.name, name)
	walkToDone(h, addr, pw)
	h.tap(h.ui.done.save)
	h.waitFor("the save", func() bool { return h.ui.wiz.Saving().Done })
	if err := h.ui.wiz.Saving().Err; err != nil {
		t.Fatalf("window save: %v", err)
	}

	// The CLI, with the same address, name and password.
	var out, errb bytes.Buffer
	env := &cli.Env{Stdin: strings.NewReader(pw), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Store: cmd}
	if code := cli.Run(ctx, env, []string{"save", "--offline", "--name", name, "--password-stdin", addr}); code != cli.ExitOK {
		t.Fatalf("mailwiz save: exit %d\n%s%s", code, out.String(), errb.String())
	}

	g, c := savedFile(t, gui, addr), savedFile(t, cmd, addr)
	gj, _ := json.MarshalIndent(g, "", " ")
	cj, _ := json.MarshalIndent(c, "", " ")
	if !bytes.Equal(gj, cj) {
		t.Errorf("the window saved\n%s\nthe CLI saved\n%s", gj, cj)
	}
	if g["name"] != name || g["vouched"] == nil {
		t.Errorf("the saved file lacks the name or the vouch record:\n%s", gj)
	}

	// The window again, on the same address, with the saved account
	// chosen over the built-in database's first server.
	a, err := gui.Load(addr)
	if err != nil {
		t.Fatal(err)
	}
	a.Incoming = account.Server{Protocol: account.POP3, Host: "pop.gmail.com", Port: 995, Security: account.SSL, Username: addr, Auth: account.AuthPassword}
	a.Name = "Ann From File"
	if err := gui.Save(a); err != nil {
		t.Fatal(err)
	}
	loaded := func(account.Address) (*store.Account, error) {
		a, err := gui.Load(addr)
		return &a, err
	}
	h2 := newHarness(t, wizard.Deps{Lookup: providers.Lookup, Saved: loaded})
	test.Type(h2.ui.address.address, addr)
	enter(h2.ui.address.address)
	h2.atStep(wizard.StepServers)
	if in := h2.ui.wiz.Incoming(); in.Protocol != account.POP3 || in.Host != "pop.gmail.com" {
		t.Errorf("the window chose %s, not the saved POP3 server", in)
	}
	if got := h2.ui.wiz.Name(); got != "Ann From File" {
		t.Errorf("the name is %q, not the saved one", got)
	}
	if !strings.Contains(h2.ui.servers.source.Text, "you saved") {
		t.Errorf("the Servers page does not say the servers are the saved ones: %q", h2.ui.servers.source.Text)
	}
}

// TestTestPageShowsTried: when the chosen server did not answer and
// another stood in, the test page lists the other servers tried, as the
// CLI's report does.
func TestTestPageShowsTried(t *testing.T) {
	fallback := func(ctx context.Context, req wizard.TestRequest, progress func(wizard.StageProgress)) wizard.TestReport {
		rep := fakeProbe(ctx, req, progress)
		blocked := req.Outgoing
		blocked.Port = 465
		rep.Results[1].Tried = []wizard.ServerResult{{Server: blocked, Stage: wizard.StageConnect, Diagnosis: wizard.Diagnosis{Kind: "timeout"}}}
		return rep
	}
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Test: fallback})
	walkToTest(h, "alice@example.com")
	test.Type(h.ui.testing.password, "right")
	enter(h.ui.testing.password)
	h.waitFor("a passing test", func() bool { r := h.ui.wiz.Testing().Report; return r != nil && r.OK })
	var texts []string
	for _, o := range test.LaidOutObjects(h.ui.testing.rows) {
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
		}
	}
	joined := strings.Join(texts, "\n")
	if !strings.Contains(joined, "also tried smtp.example.com:465 (SSL/TLS): no answer") {
		t.Errorf("the test page's rows do not list the server tried:\n%s", joined)
	}
}

// TestServerWordsShownSafely: a server's refusal with escape sequences,
// a bell, a bidi override and invalid UTF-8 reaches the window's labels
// only as visible escapes, in the status and in the details.
func TestServerWordsShownSafely(t *testing.T) {
	const hostile = "NO \x1b[2J\x1b]0;pwned\x07 fake \u202egnp.exe \xff"
	refuse := func(ctx context.Context, req wizard.TestRequest, progress func(wizard.StageProgress)) wizard.TestReport {
		rep := fakeProbe(ctx, req, progress)
		rep.OK = false
		rep.Results[0].OK, rep.Results[0].Stage = false, wizard.StageAuth
		rep.Results[0].Error = hostile
		rep.Results[0].Diagnosis = wizard.Diagnosis{Kind: "server-error", Text: map[string]string{"en": "The server said " + hostile}}
		return rep
	}
	h := newHarness(t, wizard.Deps{Lookup: lookupExample, Test: refuse})
	walkToTest(h, "alice@example.com")
	test.Type(h.ui.testing.password, "right")
	enter(h.ui.testing.password)
	h.waitFor("the failed test", func() bool { r := h.ui.wiz.Testing().Report; return r != nil && !r.OK })
	var texts []string
	texts = append(texts, h.ui.testing.status.Text)
	for _, item := range h.ui.testing.details.Items {
		for _, o := range test.LaidOutObjects(item.Detail) {
			if l, ok := o.(*widget.Label); ok {
				texts = append(texts, l.Text)
			}
		}
	}
	all := strings.Join(texts, "\n")
	if !strings.Contains(all, `\x1b[2J`) || !strings.Contains(all, `\u202e`) {
		t.Fatalf("the server's words are not shown as escapes:\n%q", all)
	}
	for _, r := range all {
		if r == 0x1b || r == 0x07 || r == 0x202e || r == utf8.RuneError {
			t.Fatalf("a control character %U reached a label:\n%q", r, all)
		}
	}
}

// TestFollowRedirectInWindow: the Servers page names a redirect to another
// domain that was not followed; its button follows it and the servers it
// leads to replace the guessed ones.
func TestFollowRedirectInWindow(t *testing.T) {
	discoverFn := func(ctx context.Context, addr account.Address, allow []string, progress func(wizard.Event)) (account.Config, error) {
		srv := func(host string) account.Config {
			return account.Config{Source: account.SourceGuess,
				Incoming: []account.Server{{Protocol: account.IMAP, Host: host, Port: 993, Security: account.SSL, Username: addr.String(), Auth: account.AuthPassword}},
				Outgoing: []account.Server{{Protocol: account.SMTP, Host: host, Port: 465, Security: account.SSL, Username: addr.String(), Auth: account.AuthPassword}}}
		}
		if len(allow) == 0 {
			progress(wizard.RedirectRefused{From: "shop.test", To: "collector.test"})
			return srv("mail.shop.test"), nil
		}
		c := srv("mail.collector.test")
		c.Source = account.SourceAutodiscover
		return c, nil
	}
	h := newHarness(t, wizard.Deps{Discover: discoverFn})
	test.Type(h.ui.address.address, "ann@shop.test")
	enter(h.ui.address.address)
	h.atStep(wizard.StepServers)
	var follow *button
	for _, o := range test.LaidOutObjects(h.ui.servers.redirectBox) {
		if b, ok := o.(*button); ok && strings.Contains(b.Text, "collector.test") {
			follow = b
		}
	}
	if follow == nil {
		t.Fatal("no button to follow the redirect to collector.test")
	}
	h.tap(follow)
	h.waitFor("the servers behind the redirect", func() bool {
		return h.ui.wiz.Step() == wizard.StepServers && h.ui.wiz.Incoming().Host == "mail.collector.test"
	})
}
