package probe

import (
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
)

// TestMessageLanguage: the test letter speaks the person's language, in a
// 7-bit form any server passes: an encoded-word subject and a
// quoted-printable body that decode to the catalog's words.
func TestMessageLanguage(t *testing.T) {
	addr, _ := account.ParseAddress("ivan@mail.example")
	for _, c := range []struct {
		lang          string
		bounce        bool
		subject, body string
	}{
		{"en", false, testSubject, testBody},
		{"ru", false, testSubject, testBody},
		{"", false, testSubject, testBody},
		{"ru", true, bounceSubject, bounceBody},
	} {
		st := &sendTester{req: &Request{Address: addr, Lang: c.lang, BounceTest: c.bounce}, to: addr.String()}
		raw := st.message("<x@mailwiz>")
		for i, line := range strings.Split(raw, "\r\n") {
			if len(line) > 76 || strings.ContainsFunc(line, func(r rune) bool { return r > 127 }) {
				t.Errorf("%s/%v: line %d is not 7-bit within 76 characters: %q", c.lang, c.bounce, i, line)
			}
		}
		m, err := mail.ReadMessage(strings.NewReader(raw))
		if err != nil {
			t.Fatalf("%s/%v: %v", c.lang, c.bounce, err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		lang := c.lang
		if lang == "" {
			lang = "en"
		}
		if want := catalog.T(lang, c.subject); err != nil || subject != want {
			t.Errorf("%s/%v: subject %q (%v); want %q", c.lang, c.bounce, subject, err, want)
		}
		if m.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
			t.Fatalf("%s/%v: Content-Transfer-Encoding %q", c.lang, c.bounce, m.Header.Get("Content-Transfer-Encoding"))
		}
		b, err := io.ReadAll(quotedReader(m.Body))
		if want := catalog.T(lang, c.body); err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s/%v: body %q (%v); want it to hold %q", c.lang, c.bounce, b, err, want)
		}
	}
}

func quotedReader(r io.Reader) io.Reader { return quotedprintable.NewReader(r) }
