package oauth

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
)

// The repository's built-in file holds no registration: mailwiz ships no
// client ID it does not own. A distributor's build replaces the file; this
// test then checks it parses (make build runs it).
func TestEmbedded(t *testing.T) {
	regs, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("MAILWIZ_OAUTH2_CLIENTS_BUILD") == "" && len(regs) != 0 {
		t.Fatalf("the repository's clients.json holds %d registrations; it must be empty", len(regs))
	}
}

func TestParseRegistrations(t *testing.T) {
	for _, tc := range []struct {
		name, data, errWant string
		n                   int
	}{
		{"empty file", "", "", 0},
		{"empty list", `{"version":1,"clients":[]}`, "", 0},
		{"microsoft public", `{"version":1,"clients":[{"provider":"microsoft","client_id":"abc","tenant":"consumers"}]}`, "", 1},
		{"both kinds", `{"version":1,"clients":[{"provider":"microsoft","client_id":"abc","redirect":"device"},{"provider":"google","client_id":"g","client_secret":"s"}]}`, "", 2},
		{"future version", `{"version":2,"clients":[]}`, "version 2", 0},
		{"unknown field", `{"version":1,"clients":[{"provider":"google","client_id":"g","client_secret":"s","scopes":"x"}]}`, "unknown field", 0},
		{"unknown provider", `{"version":1,"clients":[{"provider":"gmx","client_id":"x"}]}`, "unknown provider", 0},
		{"no id", `{"version":1,"clients":[{"provider":"microsoft","client_id":" "}]}`, "client_id", 0},
		{"google without secret", `{"version":1,"clients":[{"provider":"google","client_id":"g"}]}`, "client_secret", 0},
		{"google device", `{"version":1,"clients":[{"provider":"google","client_id":"g","client_secret":"s","redirect":"device"}]}`, "no device sign-in", 0},
		{"bad redirect", `{"version":1,"clients":[{"provider":"microsoft","client_id":"a","redirect":"oob"}]}`, "neither", 0},
		{"tenant elsewhere", `{"version":1,"clients":[{"provider":"yahoo","client_id":"a","client_secret":"s","tenant":"x"}]}`, "Microsoft only", 0},
		{"bad port", `{"version":1,"clients":[{"provider":"microsoft","client_id":"a","port":70000}]}`, "port", 0},
		{"not json", `clients: []`, "not a registrations file", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			regs, err := ParseRegistrations([]byte(tc.data), "test.json")
			if tc.errWant != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errWant) || !strings.Contains(err.Error(), "test.json") {
					t.Fatalf("err = %v, want one naming test.json and %q", err, tc.errWant)
				}
				return
			}
			if err != nil || len(regs) != tc.n {
				t.Fatalf("%d registrations, %v; want %d", len(regs), err, tc.n)
			}
			for _, r := range regs {
				if r.Redirect == "" || r.Source != "test.json" {
					t.Errorf("registration %+v", r)
				}
			}
		})
	}
}

func TestRegistrationHidesSecret(t *testing.T) {
	r := Registration{Provider: "google", ClientID: "id", ClientSecret: "SECRET-" + canary, Redirect: RedirectLoopback}
	for _, s := range []string{r.String(), fmt.Sprintf("%v %+v %#v %s", r, r, r, r)} {
		if strings.Contains(s, canary) {
			t.Errorf("the secret shows in %q", s)
		}
	}
}

func TestLoadRegistrationsAndNoClient(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", dir)
	path, err := ClientsPath()
	if err != nil || !strings.HasSuffix(path, filepath.Join("mailwiz", "oauth2-clients.json")) {
		t.Fatalf("ClientsPath = %q, %v", path, err)
	}
	regs, err := LoadRegistrations("")
	if err != nil || len(regs) != 0 {
		t.Fatalf("without a file: %v, %v", regs, err)
	}
	cfg := account.Config{Incoming: []account.Server{{Protocol: account.IMAP, Host: "outlook.office365.com",
		Port: 993, Username: "a@outlook.com", Auth: account.AuthOAuth2}}}
	_, err = Prepare(cfg, regs, "")
	var nc *NoClientError
	if !errors.As(err, &nc) || nc.Provider != "microsoft" || nc.Name != "Microsoft" {
		t.Fatalf("Prepare without a registration = %v", err)
	}
	for _, lang := range []string{"en", "ru"} {
		m := nc.Message(lang)
		if !strings.Contains(m, "Thunderbird") || !strings.Contains(m, "oauth2-clients.json") || !strings.Contains(m, "Microsoft") {
			t.Errorf("%s: %q does not name what works", lang, m)
		}
	}

	mine := `{"version":1,"clients":[{"provider":"microsoft","client_id":"mine","tenant":"contoso.onmicrosoft.com"}]}`
	os.MkdirAll(filepath.Dir(path), 0o700)  //nolint:errcheck
	os.WriteFile(path, []byte(mine), 0o600) //nolint:errcheck
	regs, err = LoadRegistrations("")
	if err != nil || len(regs) != 1 || regs[0].Source != path {
		t.Fatalf("with a file: %v, %v", regs, err)
	}
	f, err := Prepare(cfg, regs, RedirectLoopback)
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := url.Parse(f.Provider.AuthURL); u.Path != "/contoso.onmicrosoft.com/oauth2/v2.0/authorize" || len(f.Provider.Hosts) == 0 {
		t.Errorf("the tenant's endpoints: %q, hosts %v", f.Provider.AuthURL, f.Provider.Hosts)
	}
	if _, err := Prepare(cfg, regs, RedirectDevice); !errors.As(err, &nc) || nc.Flow != RedirectDevice ||
		!strings.Contains(nc.Message("ru"), "--device") {
		t.Errorf("Prepare for a device sign-in with a loopback registration = %v", err)
	}
	os.WriteFile(path, make([]byte, maxClientsFile+1), 0o600) //nolint:errcheck
	if _, err := LoadRegistrations(""); err == nil || !strings.Contains(err.Error(), "larger") {
		t.Errorf("a huge file: %v", err)
	}
}
