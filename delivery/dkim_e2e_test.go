package delivery

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/internal/testenv"
	"github.com/mailwiz/mailwiz/probe"
)

// startOpenDKIM runs OpenDKIM (Debian's opendkim) in the foreground
// with conf's lines plus a loopback milter socket, and returns the
// socket's port.
func startOpenDKIM(t *testing.T, dir string, conf []string) int {
	t.Helper()
	bin := testenv.RequireCommand(t, "opendkim", "opendkim")
	port := testenv.FreePort(t)
	conf = append(conf, fmt.Sprintf("Socket inet:%d@127.0.0.1", port), "Syslog no", "Background no", "RequireSafeKeys false")
	path := filepath.Join(dir, "opendkim.conf")
	if err := os.WriteFile(path, []byte(strings.Join(conf, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-f", "-x", path)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() //nolint:errcheck
		cmd.Wait()         //nolint:errcheck
	})
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return port
		}
		if time.Now().After(deadline) {
			t.Fatalf("opendkim did not listen on %d: %v\n%s", port, err, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDKIMVerdictsThroughPostfix: real verdicts. A letter from
// news@good.test leaves through a submission Postfix whose OpenDKIM signs
// it with good.test's key, is relayed to a second Postfix (the
// "receiving provider") whose OpenDKIM verifies it and adds
// Authentication-Results with authserv-id mx.example.test, and is read
// back from that side's Dovecot. Check must find the receiver's own
// dkim=pass for good.test, and DMARC aligned through DKIM although the
// sender's SPF does not list the server.
func TestDKIMVerdictsThroughPostfix(t *testing.T) {
	dir := t.TempDir()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "good.test.key")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	dnsData := filepath.Join(dir, "dnsdata")
	if err := os.WriteFile(dnsData, []byte("mw._domainkey.good.test v=DKIM1;k=rsa;p="+base64.StdEncoding.EncodeToString(pub)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	signDir, verifyDir := filepath.Join(dir, "sign"), filepath.Join(dir, "verify")
	for _, d := range []string{signDir, verifyDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	signer := startOpenDKIM(t, signDir, []string{"Mode s", "Domain good.test", "Selector mw", "KeyFile " + keyFile, "Canonicalization relaxed/relaxed"})
	verifier := startOpenDKIM(t, verifyDir, []string{"Mode v", "AuthservID mx.example.test", "AlwaysAddARHeader yes", "TestDNSData file:" + dnsData})

	ca := testenv.NewCA(t)
	const relayUser, relayPass = "relay@example.test", "relay-pass"
	receiver := testenv.StartPostfix(t, ca, testenv.PostfixOptions{
		Users:  []string{relayUser + ":" + relayPass},
		MainCF: []string{fmt.Sprintf("smtpd_milters = inet:127.0.0.1:%d", verifier), "milter_default_action = tempfail"},
	})
	next := fmt.Sprintf("[127.0.0.1]:%d", receiver.Submission)
	sender := testenv.StartPostfix(t, ca, testenv.PostfixOptions{
		SenderLogins: map[string]string{"news@good.test": testenv.DovecotUser},
		MainCF: []string{
			fmt.Sprintf("smtpd_milters = inet:127.0.0.1:%d", signer), "milter_default_action = tempfail",
			"virtual_transport = smtp:" + next,
			"smtp_tls_security_level = encrypt",
			"smtp_sasl_auth_enable = yes",
			"smtp_sasl_security_options = noanonymous",
			"smtp_sasl_password_maps = inline:{{" + next + "=" + relayUser + ":" + relayPass + "}}",
		},
	})
	dns := testenv.StartDNS(t, zone())
	addr, _ := account.ParseAddress(testenv.DovecotUser)
	in := account.Server{Protocol: account.IMAP, Host: "127.0.0.1", Port: receiver.Dovecot.IMAPS, Security: account.SSL, Username: testenv.DovecotUser, Auth: account.AuthPassword}
	out := account.Server{Protocol: account.SMTP, Host: "127.0.0.1", Port: sender.Submissions, Security: account.SSL, Username: testenv.DovecotUser, Auth: account.AuthPassword}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep := probe.Run(ctx, probe.Request{Address: addr, Servers: []account.Server{in, out}, Password: testenv.DovecotPassword,
		RootCAs: ca.Pool(), Timeout: 5 * time.Second, DeliveryTimeout: 30 * time.Second, SendTest: true, SendFrom: "news@good.test", ReadBack: true})
	if rep.SendTest == nil || !rep.SendTest.OK {
		t.Fatalf("send test %+v\nsender:\n%s\nreceiver:\n%s", rep.SendTest, sender.LogText(), receiver.LogText())
	}
	header := rep.SendTest.Header
	sc := bufio.NewScanner(bytes.NewReader(header))
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "Authentication-Results") || strings.HasPrefix(l, "DKIM-Signature") {
			t.Log(l)
		}
	}
	// good.test's SPF now leaves the server out: only the DKIM
	// signature can align the message with good.test for DMARC.
	dns.Set("good.test", testenv.Records{TXT: []string{"v=spf1 ip4:192.0.2.1 -all"}})
	r := Check(ctx, dns.Resolver(), Request{Account: addr.String(), From: "news@good.test", SMTP: out, IncomingHost: "127.0.0.1",
		Sent: SentFrom(rep.SendTest), Lang: "en"})
	d := r.Delivered
	if d == nil || d.Verdicts == nil || d.Verdicts.AuthservID != "mx.example.test" || d.Verdicts.DKIM != "pass" ||
		len(d.Verdicts.DKIMDomains) != 1 || d.Verdicts.DKIMDomains[0] != "good.test" || len(d.Signers) != 1 || d.Signers[0] != "good.test" {
		t.Fatalf("read back %+v; want the receiver's dkim=pass for good.test\n%s", d, header)
	}
	if r.SPF == nil || r.SPF.Result != "fail" || r.DMARC == nil || !r.DMARC.Aligned || r.DMARC.Refused {
		t.Errorf("SPF %+v DMARC %+v; want SPF fail but DMARC aligned through DKIM, not refused", r.SPF, r.DMARC)
	}
}
