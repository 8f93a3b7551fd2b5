package testenv

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// webClient dials every host at the test server's ports and trusts ca.
func webClient(w *Web, ca *CA) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: ca.Pool()},
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				_, port, _ := net.SplitHostPort(addr)
				switch port {
				case "443":
					port = strconv.Itoa(w.HTTPSPort)
				case "80":
					port = strconv.Itoa(w.HTTPPort)
				}
				var d net.Dialer
				return d.DialContext(ctx, network, "127.0.0.1:"+port)
			},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func TestWeb(t *testing.T) {
	ca := NewCA(t)
	w := StartWeb(t, ca)
	w.Handle("https", "secure.example.test", "/a", XML("<a/>"))
	w.Handle("http", "plain.example.test", "/b", XML("<b/>"))
	w.Handle("https", "127.0.0.1", "/ip", XML("<ip/>"))
	w.Handle("https", "loop.example.test", "/", RedirectLoop())
	w.Handle("https", "huge.example.test", "/", Huge(3<<20))
	c := webClient(w, ca)

	get := func(u string) (int, string, error) {
		resp, err := c.Get(u)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}
	if code, body, err := get("https://secure.example.test/a"); err != nil || code != 200 || body != "<a/>" {
		t.Errorf("https vhost: %d %q %v", code, body, err)
	}
	if code, body, err := get("http://plain.example.test/b"); err != nil || code != 200 || body != "<b/>" {
		t.Errorf("http vhost: %d %q %v", code, body, err)
	}
	if code, _, _ := get("http://secure.example.test/a"); code != http.StatusNotFound {
		t.Errorf("an https-only host over http: %d, want 404", code)
	}
	if _, _, err := get("https://plain.example.test/b"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("an unregistered https host must present an untrusted name: %v", err)
	}
	ipURL := "https://127.0.0.1:" + strconv.Itoa(w.HTTPSPort) + "/ip"
	if code, body, err := get(ipURL); err != nil || code != 200 || body != "<ip/>" {
		t.Errorf("https by IP (no SNI): %d %q %v", code, body, err)
	}
	if code, _, err := get("https://loop.example.test/x"); err != nil || code != http.StatusFound {
		t.Errorf("redirect loop: %d %v", code, err)
	}
	if code, body, err := get("https://huge.example.test/"); err != nil || code != 200 || len(body) != 3<<20 {
		t.Errorf("huge: %d, %d bytes, %v", code, len(body), err)
	}
}

func TestWebHangAndLatency(t *testing.T) {
	ca := NewCA(t)
	w := StartWeb(t, ca)
	w.Handle("https", "hang.example.test", "/", w.Hang())
	w.Handle("https", "ok.example.test", "/", XML("ok"))
	c := webClient(w, ca)
	c.Timeout = 200 * time.Millisecond
	if resp, err := c.Get("https://hang.example.test/"); err == nil {
		t.Errorf("the hanging handler answered: %s %v", resp.Status, resp.Header)
	}
	w.SetLatency(time.Minute)
	if resp, err := c.Get("https://ok.example.test/"); err == nil {
		t.Errorf("an answer arrived before the latency: %s %v", resp.Status, resp.Header)
	}
	w.SetLatency(0)
	c.Timeout = 5 * time.Second
	if _, err := c.Get("https://ok.example.test/"); err != nil {
		t.Error(err)
	}
}

func TestSilent(t *testing.T) {
	port := StartSilent(t)
	c, err := net.Dial("tcp", Addr(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	n, err := c.Read(make([]byte, 1))
	if n != 0 || err == nil {
		t.Errorf("the silent server sent %d bytes (%v)", n, err)
	}
}
