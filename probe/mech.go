package probe

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/xdg-go/scram"
)

// SASL mechanisms mailwiz logs in with, strongest first: SCRAM proves the
// password without sending it and proves the server knows it too
// (RFC 5802, RFC 7677); CRAM-MD5 (RFC 2195) does not send it either;
// PLAIN and LOGIN send it, protected only by TLS.
const (
	mechSCRAMSHA256 = "SCRAM-SHA-256"
	mechSCRAMSHA1   = "SCRAM-SHA-1"
	mechCRAMMD5     = "CRAM-MD5"
	mechPlain       = "PLAIN"
	mechLogin       = "LOGIN"
)

// Mechanisms lists the SASL mechanisms mailwiz speaks, in the order it
// prefers them.
var Mechanisms = []string{mechSCRAMSHA256, mechSCRAMSHA1, mechCRAMMD5, mechPlain, mechLogin}

// oauthMechs are the mechanisms of a browser sign-in (OAuth2): a server
// offering only these takes no password at all.
var oauthMechs = []string{"XOAUTH2", "OAUTHBEARER"}

// chooseMech picks the strongest mechanism of offered (any case) that
// mailwiz speaks, or "" when there is none. A password SCRAM cannot
// prepare (SASLprep refuses some characters) leaves SCRAM out.
func chooseMech(offered []string, password string) string {
	for _, m := range Mechanisms {
		if !slices.ContainsFunc(offered, func(o string) bool { return strings.EqualFold(o, m) }) {
			continue
		}
		if strings.HasPrefix(m, "SCRAM-") {
			if _, err := scram.SHA256.NewClient("u", password, ""); err != nil {
				continue
			}
		}
		return m
	}
	return ""
}

// saslClient is the client side of mechanism mech.
func saslClient(mech, user, password string) (sasl.Client, error) {
	switch mech {
	case mechSCRAMSHA256, mechSCRAMSHA1:
		gen := scram.SHA256
		if mech == mechSCRAMSHA1 {
			gen = scram.SHA1
		}
		c, err := gen.NewClient(user, password, "")
		if err != nil {
			return nil, fmt.Errorf("probe: %s: %w", mech, err)
		}
		return &scramClient{mech: mech, conv: c.NewConversation()}, nil
	case mechCRAMMD5:
		return &cramMD5Client{user: user, password: password}, nil
	case mechPlain:
		return sasl.NewPlainClient("", user, password), nil
	case mechLogin:
		return sasl.NewLoginClient(user, password), nil
	}
	return nil, fmt.Errorf("probe: mailwiz does not speak the SASL mechanism %q", mech)
}

// cramMD5Client is CRAM-MD5 (RFC 2195): the answer to the server's
// challenge is the user name and the hex HMAC-MD5 of the challenge, keyed
// with the password.
type cramMD5Client struct {
	user, password string
	done           bool
}

func (c *cramMD5Client) Start() (string, []byte, error) { return mechCRAMMD5, nil, nil }

func (c *cramMD5Client) Next(challenge []byte) ([]byte, error) {
	if c.done {
		return nil, errors.New("probe: CRAM-MD5: the server sent a second challenge")
	}
	c.done = true
	m := hmac.New(md5.New, []byte(c.password))
	m.Write(challenge)
	return []byte(c.user + " " + hex.EncodeToString(m.Sum(nil))), nil
}

// maxSCRAMIterations bounds the PBKDF2 work a server may ask for: the
// computation cannot be interrupted, so a hostile server asking for 2^31
// rounds would hold a core for minutes. Servers use 4096 (the RFC's
// minimum, Dovecot's default) to some hundred thousand.
const maxSCRAMIterations = 1 << 20

var scramIterations = regexp.MustCompile(`(?:^|,)i=([0-9]+)(?:,|$)`)

// scramClient adapts xdg-go/scram's conversation to go-sasl's interface.
// The server's final message is checked: a server that does not know the
// password cannot forge it.
type scramClient struct {
	mech string
	conv *scram.ClientConversation
}

func (c *scramClient) Start() (string, []byte, error) {
	first, err := c.conv.Step("")
	if err != nil {
		return "", nil, fmt.Errorf("probe: %s: %w", c.mech, err)
	}
	return c.mech, []byte(first), nil
}

func (c *scramClient) Next(challenge []byte) ([]byte, error) {
	if c.conv.Done() {
		return nil, fmt.Errorf("probe: %s: the server went on after its final message", c.mech)
	}
	if m := scramIterations.FindSubmatch(challenge); m != nil {
		if n, err := strconv.Atoi(string(m[1])); err != nil || n > maxSCRAMIterations {
			return nil, &MisbehavingError{What: cut(string(m[1])) + " SCRAM rounds", Limit: maxSCRAMIterations, Unit: "rounds"}
		}
	}
	resp, err := c.conv.Step(string(challenge))
	if err != nil {
		return nil, fmt.Errorf("probe: %s: %w", c.mech, err)
	}
	// Never nil: go-smtp ends the exchange on a nil answer without
	// sending it, and the server waits for the empty line that
	// acknowledges its final message.
	return []byte(resp), nil
}

// NoMechanismError: the server offers no way to log in that mailwiz
// speaks. Offered are its mechanisms as it named them.
type NoMechanismError struct {
	Protocol string // "IMAP", "POP3", "SMTP"
	Offered  []string
}

func (e *NoMechanismError) Error() string {
	return fmt.Sprintf("probe: the %s server offers only the login mechanisms %s; mailwiz speaks %s",
		e.Protocol, mechNames(e.Offered), strings.Join(Mechanisms, ", "))
}

// mechNames lists a server's mechanism names for a sentence: only what
// looks like a SASL name (RFC 4422: upper case, digits, - and _, at most
// 20), at most 12 of them, so a hostile list cannot fill the screen.
func mechNames(offered []string) string {
	var out []string
	for _, m := range offered {
		if len(out) == 12 {
			out = append(out, "…")
			break
		}
		if saslName.MatchString(m) {
			out = append(out, strings.ToUpper(m))
		}
	}
	if len(out) == 0 {
		return "(none)"
	}
	return strings.Join(out, ", ")
}

var saslName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,20}$`)

// oauthOnly reports whether every mechanism offered is a browser sign-in.
func oauthOnly(offered []string) bool {
	if len(offered) == 0 {
		return false
	}
	for _, o := range offered {
		if !slices.ContainsFunc(oauthMechs, func(m string) bool { return strings.EqualFold(o, m) }) {
			return false
		}
	}
	return true
}

// oauthOnlyError: the server offers only a browser sign-in (XOAUTH2,
// OAUTHBEARER), so no password can work.
type oauthOnlyError struct{ Protocol string }

func (e *oauthOnlyError) Error() string {
	return "probe: the " + e.Protocol + " server offers only a browser sign-in (OAuth2); it takes no password"
}
