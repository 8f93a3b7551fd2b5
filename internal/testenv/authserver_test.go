package testenv

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	testClient   = "test-client"
	testVerifier = "verifier-0123456789-0123456789-0123456789-0123456789"
)

func challenge(v string) string {
	s := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(s[:])
}

// authorizeReq asks /authorize without following the redirect and returns
// the status and the Location's query.
func authorizeReq(t *testing.T, a *AuthServer, hc *http.Client, q url.Values) (int, url.Values) {
	t.Helper()
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(a.AuthURL + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc == nil {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, loc.Query()
}

func authQuery(redirect string) url.Values {
	return url.Values{"response_type": {"code"}, "client_id": {testClient}, "redirect_uri": {redirect},
		"state": {"st"}, "code_challenge": {challenge(testVerifier)}, "code_challenge_method": {"S256"},
		"scope": {"mail"}}
}

func postForm(t *testing.T, hc *http.Client, u string, f url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := hc.PostForm(u, f)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m) //nolint:errcheck
	return resp.StatusCode, m
}

func TestAuthServerCodeGrant(t *testing.T) {
	ca := NewCA(t)
	a := StartAuthServer(t, ca)
	a.AddClient(testClient, "")
	hc := a.Client(ca)
	const redirect = "http://127.0.0.1:5555/"

	for _, tc := range []struct {
		name    string
		change  func(url.Values)
		status  int    // without a redirect
		errCode string // in the redirect
	}{
		{"unknown client", func(q url.Values) { q.Set("client_id", "nobody") }, 400, ""},
		{"https redirect", func(q url.Values) { q.Set("redirect_uri", "https://127.0.0.1:5555/") }, 400, ""},
		{"remote redirect", func(q url.Values) { q.Set("redirect_uri", "http://example.com/") }, 400, ""},
		{"no PKCE", func(q url.Values) { q.Del("code_challenge") }, 302, "invalid_request"},
		{"plain PKCE", func(q url.Values) { q.Set("code_challenge_method", "plain") }, 302, "invalid_request"},
		{"token response", func(q url.Values) { q.Set("response_type", "token") }, 302, "unsupported_response_type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := authQuery(redirect)
			tc.change(q)
			status, back := authorizeReq(t, a, hc, q)
			if status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
			if tc.errCode != "" && (back.Get("error") != tc.errCode || back.Get("state") != "st") {
				t.Fatalf("redirect query %v, want error=%s with the state", back, tc.errCode)
			}
		})
	}

	// Refusal goes back with access_denied and the state.
	a.Set(AuthBehaviour{Refuse: true})
	if _, back := authorizeReq(t, a, hc, authQuery(redirect)); back.Get("error") != "access_denied" || back.Get("state") != "st" {
		t.Fatalf("refusal redirect %v", back)
	}
	a.Set(AuthBehaviour{TokenPrefix: "canary-"})

	// A wrong verifier burns the code; the right one then fails too.
	_, back := authorizeReq(t, a, hc, authQuery("http://[::1]:4444/cb"))
	code := back.Get("code")
	if code == "" || back.Get("state") != "st" {
		t.Fatalf("approval redirect %v", back)
	}
	exch := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {testClient},
		"redirect_uri": {"http://[::1]:4444/cb"}, "code_verifier": {strings.Repeat("a", 43)}}
	if st, m := postForm(t, hc, a.TokenURL, exch); st != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("wrong verifier: %d %v", st, m)
	}
	exch.Set("code_verifier", testVerifier)
	if st, m := postForm(t, hc, a.TokenURL, exch); st != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("second use of a code: %d %v", st, m)
	}

	// The right verifier, the right redirect: tokens, introspection.
	_, back = authorizeReq(t, a, hc, authQuery(redirect))
	exch = url.Values{"grant_type": {"authorization_code"}, "code": {back.Get("code")}, "client_id": {testClient},
		"redirect_uri": {"http://127.0.0.1:9/"}, "code_verifier": {testVerifier}}
	if st, m := postForm(t, hc, a.TokenURL, exch); st != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("another redirect_uri: %d %v", st, m)
	}
	_, back = authorizeReq(t, a, hc, authQuery(redirect))
	exch.Set("code", back.Get("code"))
	exch.Set("redirect_uri", redirect)
	st, tok := postForm(t, hc, a.TokenURL, exch)
	at, _ := tok["access_token"].(string)
	rt, _ := tok["refresh_token"].(string)
	if st != 200 || !strings.HasPrefix(at, "canary-at-") || !strings.HasPrefix(rt, "canary-rt-") || tok["token_type"] != "Bearer" {
		t.Fatalf("exchange: %d %v", st, tok)
	}
	if _, m := postForm(t, hc, a.IntrospectURL, url.Values{"token": {at}}); m["active"] != true || m["username"] != DovecotUser {
		t.Fatalf("introspection of a live token: %v", m)
	}
	if _, m := postForm(t, hc, a.IntrospectURL, url.Values{"token": {rt}}); m["active"] != false {
		t.Fatalf("a refresh token introspected as an access token: %v", m)
	}

	// Refresh, then revoke the refresh token: its access tokens die too.
	st, tok2 := postForm(t, hc, a.TokenURL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {testClient}})
	at2, _ := tok2["access_token"].(string)
	if st != 200 || at2 == "" || at2 == at {
		t.Fatalf("refresh: %d %v", st, tok2)
	}
	if st, _ := postForm(t, hc, a.RevokeURL, url.Values{"token": {rt}, "client_id": {testClient}}); st != 200 {
		t.Fatalf("revoke: %d", st)
	}
	for _, tk := range []string{at, at2} {
		if _, m := postForm(t, hc, a.IntrospectURL, url.Values{"token": {tk}}); m["active"] != false {
			t.Fatalf("an access token of a revoked refresh token is active: %v", m)
		}
	}
	if st, m := postForm(t, hc, a.TokenURL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {testClient}}); st != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("refresh with a revoked token: %d %v", st, m)
	}
}

func TestAuthServerClientSecret(t *testing.T) {
	ca := NewCA(t)
	a := StartAuthServer(t, ca)
	a.AddClient("confidential", "s3cret")
	hc := a.Client(ca)
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}, "client_id": {"confidential"}}
	if st, m := postForm(t, hc, a.TokenURL, f); st != 401 || m["error"] != "invalid_client" {
		t.Fatalf("no secret: %d %v", st, m)
	}
	f.Set("client_secret", "s3cret")
	if st, m := postForm(t, hc, a.TokenURL, f); st != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("with the secret in the body: %d %v", st, m)
	}
}

func TestAuthServerDeviceGrant(t *testing.T) {
	ca := NewCA(t)
	a := StartAuthServer(t, ca)
	a.AddClient(testClient, "")
	a.Set(AuthBehaviour{DeviceInterval: 1})
	hc := a.Client(ca)
	st, d := postForm(t, hc, a.DeviceURL, url.Values{"client_id": {testClient}, "scope": {"mail"}})
	dc, _ := d["device_code"].(string)
	uc, _ := d["user_code"].(string)
	if st != 200 || dc == "" || uc == "" || d["verification_uri"] != a.VerifyURL || d["interval"] != float64(1) {
		t.Fatalf("device authorization: %d %v", st, d)
	}
	poll := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {dc}, "client_id": {testClient}}
	if _, m := postForm(t, hc, a.TokenURL, poll); m["error"] != "authorization_pending" {
		t.Fatalf("first poll: %v", m)
	}
	if _, m := postForm(t, hc, a.TokenURL, poll); m["error"] != "slow_down" {
		t.Fatalf("a poll within the interval: %v", m)
	}
	resp, err := hc.Get(d["verification_uri_complete"].(string))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("verification page: %v %v", resp, err)
	}
	resp.Body.Close()
	time.Sleep(1100 * time.Millisecond)
	if st, m := postForm(t, hc, a.TokenURL, poll); st != 200 || m["access_token"] == nil {
		t.Fatalf("poll after approval: %d %v", st, m)
	}
	time.Sleep(1100 * time.Millisecond)
	if _, m := postForm(t, hc, a.TokenURL, poll); m["error"] != "invalid_grant" {
		t.Fatalf("a used device code: %v", m)
	}

	// Refused, and expired.
	a.Set(AuthBehaviour{Refuse: true, DeviceTTL: time.Second})
	_, d = postForm(t, hc, a.DeviceURL, url.Values{"client_id": {testClient}})
	a.ApproveDevice(d["user_code"].(string))
	poll.Set("device_code", d["device_code"].(string))
	if _, m := postForm(t, hc, a.TokenURL, poll); m["error"] != "access_denied" {
		t.Fatalf("refused device: %v", m)
	}
	_, d = postForm(t, hc, a.DeviceURL, url.Values{"client_id": {testClient}})
	poll.Set("device_code", d["device_code"].(string))
	time.Sleep(1100 * time.Millisecond)
	if _, m := postForm(t, hc, a.TokenURL, poll); m["error"] != "expired_token" {
		t.Fatalf("expired device code: %v", m)
	}
}
