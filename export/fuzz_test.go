package export

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/autoconfig"
)

var prefLine = regexp.MustCompile(`^user_pref\("[A-Za-z0-9_.\-]+", ("(?:[^"\\]|\\.)*"|-?\d+|true|false)\);$`)

// FuzzWrite feeds hostile names, usernames and hosts to every writer. Each
// export is either refused with an "export: " error or well-formed for its
// reader: pref lines that parse and round-trip the name, XML that decodes,
// cmd lines with balanced quotes, a QR payload that is JSON holding the name,
// an HTML sheet with no markup from the input.
func FuzzWrite(f *testing.F) {
	for _, a := range fixtures(f) {
		f.Add(a.Name, a.Incoming.Username, a.Outgoing.Host)
	}
	f.Add("</string><key>x</key>", `a"b`, "xn--80a1acny.xn--p1ai")
	f.Add("x\"); user_pref(\"a\", 1); //", "u\\", "почта.рф")
	f.Add("--><!--", "%PATH%", "127.0.0.1")
	f.Add("<script>alert(1)</script>", "^&|<>()", "[::1]")
	base := fixtures(f)["imap"]
	f.Fuzz(func(t *testing.T, name, user, host string) {
		a := base
		a.Name, a.Incoming.Username, a.Outgoing.Host = name, user, host
		for _, fm := range Formats() {
			var b bytes.Buffer
			err := Write(&b, fm.Name, a)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "export: ") {
					t.Fatalf("%s: error without the package prefix: %v", fm.Name, err)
				}
				continue
			}
			checkWellFormed(t, fm.Name, a, b.Bytes())
		}
	})
}

func checkWellFormed(t *testing.T, format string, a Account, out []byte) {
	t.Helper()
	name := strings.TrimSpace(a.Name)
	switch format {
	case "thunderbird":
		for _, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
			if l == "" || strings.HasPrefix(l, "// ") {
				continue
			}
			m := prefLine.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("not a pref line: %q", l)
			}
			if strings.HasPrefix(l, `user_pref("mail.identity.id1.fullName"`) {
				var got string
				if err := json.Unmarshal([]byte(m[1]), &got); err != nil || got != name {
					t.Fatalf("fullName %s reads back as %q (%v); want %q", m[1], got, err, name)
				}
			}
		}
	case "apple":
		decodeXML(t, format, out)
	case "thunderbird-autoconfig":
		decodeXML(t, format, out)
		if _, err := autoconfig.Parse(bytes.NewReader(out)); err != nil {
			t.Fatalf("autoconfig export does not parse back: %v", err)
		}
	case "outlook":
		var pox bytes.Buffer
		if err := WriteAutodiscoverPOX(&pox, a); err != nil {
			t.Fatal(err)
		}
		decodeXML(t, "autodiscover", pox.Bytes())
	case "thebat":
		s := string(out)
		if strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") || strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\r") {
			t.Fatal("a bare line break in the .cmd")
		}
		for _, l := range strings.Split(s, "\r\n") {
			if strings.Count(l, `"`)%2 != 0 {
				t.Fatalf("unbalanced quotes in %q", l)
			}
		}
	case "android":
		p, err := AndroidPayloads([]Account{a})
		if err != nil {
			t.Fatal(err)
		}
		var root []any
		if err := json.Unmarshal([]byte(p[0]), &root); err != nil {
			t.Fatalf("payload is not JSON: %v", err)
		}
		id := root[3].([]any)[0].([]any)[1].([]any)
		if id[1] != name {
			t.Fatalf("identity name %q; want %q", id[1], name)
		}
	case "sheet":
		if strings.Contains(name, "<") && strings.Contains(string(out), name) {
			t.Fatalf("the sheet holds the name %q unescaped", name)
		}
	}
}

func decodeXML(t *testing.T, what string, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v\n%s", what, err, b)
		}
	}
}
