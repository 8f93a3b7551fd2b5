package probe

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
)

// echoBackend is an SMTP server that takes any PLAIN login and refuses
// every sender with a reply quoting the password, plainly and in base64,
// and an escape sequence: what a hostile or careless server might send.
type echoBackend struct{ from chan string }

type echoSession struct {
	be       *echoBackend
	password string
}

func (b *echoBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &echoSession{be: b}, nil }

func (s *echoSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *echoSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, _, password string) error {
		s.password = password
		return nil
	}), nil
}
func (s *echoSession) Mail(from string, _ *smtp.MailOptions) error {
	s.be.from <- from
	return &smtp.SMTPError{Code: 553, EnhancedCode: smtp.EnhancedCode{5, 7, 1},
		Message: "<" + from + "> not owned by user " + s.password + " " + base64.StdEncoding.EncodeToString([]byte(s.password)) + " \x1b[2J"}
}
func (s *echoSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *echoSession) Data(io.Reader) error                 { return nil }
func (s *echoSession) Reset()                               {}
func (s *echoSession) Logout() error                        { return nil }

// TestSendFromRefusalScrubbed: the send test with SendFrom uses that
// sender in MAIL FROM, and the server's refusal comes back in Reply with
// its code, enhanced code and words, the password cut out in every
// encoding and the escape sequence made visible.
func TestSendFromRefusalScrubbed(t *testing.T) {
	ca := testenv.NewCA(t)
	d := testenv.StartDovecot(t, ca)
	leaf := ca.Issue(t, "127.0.0.1")
	be := &echoBackend{from: make(chan string, 4)}
	srv := smtp.NewServer(be)
	srv.Domain = "127.0.0.1"
	l, err := tls.Listen("tcp", "127.0.0.1:0", leaf.ServerTLS())
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l) //nolint:errcheck
	t.Cleanup(func() { srv.Close() })
	port := l.Addr().(*net.TCPAddr).Port

	addr, _ := account.ParseAddress(testenv.DovecotUser)
	servers := []account.Server{
		{Protocol: account.IMAP, Host: "127.0.0.1", Port: d.IMAPS, Security: account.SSL, Username: testenv.DovecotUser, Auth: account.AuthPassword},
		{Protocol: account.SMTP, Host: "127.0.0.1", Port: port, Security: account.SSL, Username: testenv.DovecotUser, Auth: account.AuthPassword},
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep := Run(ctx, Request{Address: addr, Servers: servers, Password: testenv.DovecotPassword, RootCAs: ca.Pool(),
		Timeout: 5 * time.Second, DeliveryTimeout: 5 * time.Second, SendTest: true, SendFrom: "news@corp.test", ReadBack: true})
	st := rep.SendTest
	if st == nil || st.OK || st.Stage != StageSend || st.Reply == nil {
		t.Fatalf("send test %+v; want refused at send with a reply", st)
	}
	select {
	case from := <-be.from:
		if from != "news@corp.test" {
			t.Errorf("MAIL FROM %q; want the SendFrom address", from)
		}
	default:
		t.Error("the server saw no MAIL FROM")
	}
	if st.Reply.Code != 553 || st.Reply.Enhanced != "5.7.1" || !strings.Contains(st.Reply.Words, "not owned by user") || strings.ContainsRune(st.Reply.Words, 0x1b) {
		t.Errorf("Reply %+v; want 553 5.7.1 with the words, the escape made visible", st.Reply)
	}
	j, _ := json.Marshal(rep)
	all := string(j) + st.Reply.Words + st.Error
	for _, form := range []string{testenv.DovecotPassword, base64.StdEncoding.EncodeToString([]byte(testenv.DovecotPassword))} {
		if strings.Contains(all, form) {
			t.Errorf("the password (as %q) is in the result: %s", form, all)
		}
	}
	if st.Header != nil {
		t.Errorf("a refused letter has a read-back header: %q", st.Header)
	}
}
