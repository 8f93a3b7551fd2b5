package store_test

import (
	"bytes"
	"errors"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func sample() store.Account {
	return store.Account{
		Email:    "alice+news@example.com",
		Name:     "Alice Example",
		Provider: &account.Provider{ID: "example", Name: "Example Mail"},
		Source:   account.SourceBuiltin,
		Incoming: account.Server{Protocol: account.POP3, Host: "pop.example.com", Port: 995,
			Security: account.SSL, Username: "alice@example.com", Auth: account.AuthPassword},
		Outgoing: account.Server{Protocol: account.SMTP, Host: "smtp.example.com", Port: 465,
			Security: account.SSL, Username: "alice@example.com", Auth: account.AuthPassword},
		LeaveOnServer: true,
		DaysOnServer:  14,
		KeychainItems: []string{"pop3://alice@example.com@pop.example.com", "smtp://alice@example.com@smtp.example.com"},
		Saved:         time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC),
	}
}

// TestGolden pins the file format: the wizard of a later version reads it.
func TestGolden(t *testing.T) {
	s := &store.Store{Dir: t.TempDir()}
	a := sample()
	if err := s.Save(a); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(s.Path(a.Email))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "account.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./store/ -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the settings file differs from %s (go test ./store/ -update if meant):\n%s", golden, got)
	}
}

func TestSaveLoadListDelete(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mailwiz", "accounts")
	s := &store.Store{Dir: dir}
	if list, err := s.List(); err != nil || len(list) != 0 {
		t.Fatalf("List of a store never written = %v, %v; want nothing", list, err)
	}
	a := sample()
	b := sample()
	b.Email = "bob@example.org"
	b.Saved = time.Time{}
	for _, acc := range []store.Account{b, a} {
		if err := s.Save(acc); err != nil {
			t.Fatalf("Save(%s): %v", acc.Email, err)
		}
	}
	got, err := s.Load(a.Email)
	if err != nil {
		t.Fatal(err)
	}
	a.Version = store.Version
	if !reflect.DeepEqual(got, a) {
		t.Errorf("Load = %+v\nwant %+v", got, a)
	}
	if gotB, _ := s.Load(b.Email); gotB.Saved.IsZero() {
		t.Error("Save did not stamp the time")
	}

	if runtime.GOOS != "windows" {
		for path, want := range map[string]os.FileMode{dir: 0o700, s.Path(a.Email): 0o600} {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != want {
				t.Errorf("%s has mode %v, want %v", path, fi.Mode().Perm(), want)
			}
		}
	}

	// An update replaces the file whole and leaves no temporary file behind.
	a.Name = "Alice Renamed"
	if err := s.Save(a); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Load(a.Email); got.Name != "Alice Renamed" {
		t.Errorf("after the update Name = %q", got.Name)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("the directory holds %d entries, want the 2 account files: %v", len(entries), entries)
	}

	list, err := s.List()
	if err != nil || len(list) != 2 || list[0].Email != a.Email || list[1].Email != b.Email {
		t.Fatalf("List = %+v, %v; want %s then %s", list, err, a.Email, b.Email)
	}

	// Mailboxes ignore case in practice: one account, whatever the case.
	if got, err := s.Load(strings.ToUpper(a.Email)); err != nil || got.Email != a.Email {
		t.Errorf("Load in upper case = %q, %v; want the account", got.Email, err)
	}

	if err := s.Delete(a.Email); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(a.Email); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Load after Delete = %v, want ErrNotFound", err)
	}
	if err := s.Delete(a.Email); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second Delete = %v, want ErrNotFound", err)
	}
}

func TestBadFiles(t *testing.T) {
	s := &store.Store{Dir: t.TempDir()}
	good := sample()
	if err := s.Save(good); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		email, content, wantErr string
	}{
		{"broken@example.com", "{not json", "delete it and save the account again"},
		{"future@example.com", `{"version": 99, "email": "future@example.com"}`, "newer mailwiz"},
	}
	for _, tc := range tests {
		if err := os.WriteFile(s.Path(tc.email), []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := s.Load(tc.email)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "store: ") {
			t.Errorf("Load(%s) = %v, want an error saying %q", tc.email, err, tc.wantErr)
		}
	}
	list, err := s.List()
	if len(list) != 1 || list[0].Email != good.Email || err == nil {
		t.Errorf("List = %v, %v; want the good account and an error for the others", list, err)
	}
	for _, bad := range []store.Account{{Email: "no-at-sign", Incoming: good.Incoming}, {Email: "x@example.com"}} {
		if err := s.Save(bad); err == nil {
			t.Errorf("Save(%+v) succeeded, want a refusal", bad)
		}
	}
}

// TestNoPasswordField: the settings have no place a password could go. A
// field added later whose name suggests a secret fails here first.
func TestNoPasswordField(t *testing.T) {
	var check func(typ reflect.Type, path string)
	seen := map[reflect.Type]bool{}
	check = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.Tag.Get("json") == "-" {
				continue // never written to the settings file
			}
			name := strings.ToLower(f.Name + " " + f.Tag.Get("json"))
			for _, bad := range []string{"pass", "secret", "token", "credential"} {
				if strings.Contains(name, bad) {
					t.Errorf("%s.%s looks like it holds a secret; passwords belong in the keychain", path, f.Name)
				}
			}
			check(f.Type, path+"."+f.Name)
		}
	}
	check(reflect.TypeOf(store.Account{}), "Account")
}

func TestFileName(t *testing.T) {
	tests := []struct{ email, want string }{
		{"alice@example.com", "alice@example.com.json"},
		{"Alice.B+tag_x-y@xn--80a1acny.xn--p1ai", "alice.b+tag_x-y@xn--80a1acny.xn--p1ai.json"},
		{"a/b@example.com", "a%2Fb@example.com.json"},
		{`..\..\x@example.com`, `..%5C..%5Cx@example.com.json`},
		{"a*b?c|d@example.com", "a%2Ab%3Fc%7Cd@example.com.json"},
		{"..", "%2E%2E.json"},
		{"имя@почта.рф", "%D0%B8%D0%BC%D1%8F@%D0%BF%D0%BE%D1%87%D1%82%D0%B0.%D1%80%D1%84.json"},
	}
	for _, tc := range tests {
		if got := store.FileName(tc.email); got != tc.want {
			t.Errorf("FileName(%q) = %q, want %q", tc.email, got, tc.want)
		}
	}
}

// FuzzFileName: whatever the address, the name stays one file inside the
// directory, and distinct addresses get distinct names.
func FuzzFileName(f *testing.F) {
	for _, s := range []string{"alice@example.com", "Alice@Example.COM", "a/b@c.d", `..\..`, "..", ".", "", "имя@почта.рф", "a%2Fb@c", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, email string) {
		name := store.FileName(email)
		base := strings.TrimSuffix(name, ".json")
		if strings.ContainsAny(name, `/\:*?"<>|`) || (email != "" && strings.Trim(base, ".") == "") ||
			filepath.Base(name) != name || filepath.Join("dir", name) == "dir" {
			t.Fatalf("FileName(%q) = %q is not a plain file name", email, name)
		}
		back, err := url.PathUnescape(base)
		if err != nil || back != asciiLower(email) {
			t.Fatalf("FileName(%q) = %q does not map back (%q, %v)", email, name, back, err)
		}
	})
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// FuzzLoad: any bytes in a settings file give an account or an error.
func FuzzLoad(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "account.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"version": 2}`))
	f.Add([]byte(`null`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &store.Store{Dir: dir}
		if err := os.WriteFile(s.Path("x@example.com"), data, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Load("x@example.com"); err != nil && !strings.HasPrefix(err.Error(), "store: ") {
			t.Fatalf("error without the package prefix: %v", err)
		}
	})
}

// BenchmarkSave measures one atomic settings write (temp file, fsync,
// rename): what the wizard's Save step adds after the keychain.
func BenchmarkSave(b *testing.B) {
	s := &store.Store{Dir: b.TempDir()}
	a := sample()
	for b.Loop() {
		if err := s.Save(a); err != nil {
			b.Fatal(err)
		}
	}
}
