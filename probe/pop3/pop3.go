// Package pop3 is a small POP3 client: enough of RFC 1939 (USER/PASS, STAT,
// LIST, RETR, DELE, QUIT), RFC 2449 (CAPA and extended response codes),
// RFC 2595 (STLS) and RFC 5034 (AUTH with SASL) to log in, prove a mailbox
// works and fetch a test message.
//
// # Shape
//
// It follows emersion's go-imap and go-smtp: [New] wraps any net.Conn and
// does no I/O, so tests hand it a loopback connection; [DialTLS] and
// [DialStartTLS] are the convenient dialers; [Dial] connects without
// encryption and exists for servers the user has explicitly accepted as
// plaintext.
//
// # Safety
//
// [DialStartTLS] and [Client.StartTLS] refuse to go on when the server does
// not offer STLS: a configured STARTTLS never silently becomes plaintext.
// Every line is bounded ([MaxLineLength]) and so is every multi-line response
// ([Options.MaxResponseSize]), so a hostile or broken server cannot make the
// client buffer without end. Every call takes a context: its deadline becomes
// the connection's, and cancelling it unblocks the call at once.
//
// # Errors
//
// A "-ERR" answer is an [*Error] holding the server's own text and its
// RFC 2449/3206 response code ("AUTH", "SYS/TEMP", "IN-USE", ...), so callers
// can tell a wrong password from a locked maildrop with errors.As.
package pop3

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
)

// MaxLineLength bounds one response line, CRLF included. RFC 1939 allows 512
// octets; we accept more because real servers send long greetings and
// capability lists, but not without end.
const MaxLineLength = 8 << 10

// DefaultMaxResponseSize bounds a multi-line response (a retrieved message)
// when [Options.MaxResponseSize] is zero.
const DefaultMaxResponseSize = 64 << 20

// Response codes from RFC 2449 and RFC 3206 that tell callers why a command
// failed.
const (
	CodeAuth       = "AUTH"        // the credentials are wrong (RFC 3206)
	CodeSysTemp    = "SYS/TEMP"    // a temporary server problem (RFC 3206)
	CodeSysPerm    = "SYS/PERM"    // a permanent server problem (RFC 3206)
	CodeInUse      = "IN-USE"      // another session holds the maildrop (RFC 2449)
	CodeLoginDelay = "LOGIN-DELAY" // logged in too soon after the last time (RFC 2449)
)

// Options change how a Client behaves. A nil *Options is the zero value.
type Options struct {
	// TLSConfig is used for implicit TLS and STLS. Nil means the system roots
	// and the dialed host name.
	TLSConfig *tls.Config
	// Dialer dials the TCP connection for the Dial functions. Nil means a
	// zero net.Dialer.
	Dialer *net.Dialer
	// DebugWriter, if set, receives the conversation. Passwords and SASL
	// payloads are replaced by "****" before they are written, but the
	// user name and the mailbox contents are not: treat it as sensitive.
	DebugWriter io.Writer
	// MaxResponseSize bounds a multi-line response; zero means
	// DefaultMaxResponseSize.
	MaxResponseSize int64
}

// Error is a "-ERR" answer from the server.
type Error struct {
	// Command is the command's name ("PASS", "AUTH", "STLS"), never its arguments.
	Command string
	// Code is the RFC 2449 response code without brackets, e.g. "AUTH" or
	// "SYS/TEMP"; empty when the server sent none.
	Code string
	// Text is the rest of the server's line, kept as sent.
	Text string
}

var _ error = (*Error)(nil)

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("pop3: ")
	if e.Command != "" {
		b.WriteString(e.Command)
		b.WriteString(": ")
	}
	b.WriteString("-ERR")
	if e.Code != "" {
		b.WriteString(" [" + e.Code + "]")
	}
	if e.Text != "" {
		b.WriteString(" " + e.Text)
	}
	return b.String()
}

// Errors the client returns itself.
var (
	// ErrSTLSUnavailable: STARTTLS was asked for but the server does not
	// offer STLS. Going on would send the password in plaintext.
	ErrSTLSUnavailable = errors.New("pop3: the server does not offer STLS: refusing to continue without encryption")
	// ErrLineTooLong: the server sent a line longer than MaxLineLength.
	ErrLineTooLong = errors.New("pop3: the server sent a line longer than 8 KiB")
	// ErrResponseTooLarge: a multi-line response passed MaxResponseSize.
	ErrResponseTooLarge = errors.New("pop3: the server's response is larger than the limit")
)

// ProtocolError is an answer that is neither "+OK" nor "-ERR".
type ProtocolError struct {
	Line string // the offending line, cut to 120 bytes
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("pop3: the server's answer %q is not POP3 (+OK or -ERR expected)", e.Line)
}

// Client is a POP3 connection. Its methods must not be called concurrently,
// except Close.
type Client struct {
	conn     net.Conn
	br       *bufio.Reader
	opts     Options
	greeting string
	greeted  bool
	caps     Capabilities
	isTLS    bool
	closeMu  sync.Mutex
	closed   bool
}

// Capabilities is the answer to CAPA: capability name (upper case) to its
// arguments.
type Capabilities map[string][]string

// Has reports whether the capability is present (name in any case).
func (c Capabilities) Has(name string) bool {
	_, ok := c[strings.ToUpper(name)]
	return ok
}

// SASL lists the SASL mechanisms the server offers.
func (c Capabilities) SASL() []string { return c["SASL"] }

// New wraps conn. It does no I/O: the greeting is read by the first call
// that needs it (or by [Client.Greeting]). A nil options pointer is the zero
// value. If conn is a *tls.Conn the client knows it is encrypted.
func New(conn net.Conn, options *Options) *Client {
	c := &Client{conn: conn}
	if options != nil {
		c.opts = *options
	}
	if c.opts.MaxResponseSize <= 0 {
		c.opts.MaxResponseSize = DefaultMaxResponseSize
	}
	_, c.isTLS = conn.(*tls.Conn)
	c.br = bufio.NewReaderSize(conn, MaxLineLength)
	return c
}

// Dial connects without encryption: the password crosses the network
// readable. Use it only for a server the user accepted as plaintext.
func Dial(ctx context.Context, addr string, options *Options) (*Client, error) {
	conn, err := dialer(options).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pop3: %w", err)
	}
	c := New(conn, options)
	if _, err := c.Greeting(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// DialTLS connects with implicit TLS (port 995) and reads the greeting.
func DialTLS(ctx context.Context, addr string, options *Options) (*Client, error) {
	conn, err := dialer(options).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pop3: %w", err)
	}
	tc := tls.Client(conn, tlsConfig(options, addr))
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("pop3: tls: %w", err)
	}
	c := New(tc, options)
	if _, err := c.Greeting(ctx); err != nil {
		tc.Close()
		return nil, err
	}
	return c, nil
}

// DialStartTLS connects in plaintext, reads the greeting and upgrades with
// STLS. It fails with ErrSTLSUnavailable when the server does not offer
// STLS, never falling back to plaintext.
func DialStartTLS(ctx context.Context, addr string, options *Options) (*Client, error) {
	c, err := Dial(ctx, addr, options)
	if err != nil {
		return nil, err
	}
	cfg := tlsConfig(options, addr)
	if err := c.StartTLS(ctx, cfg); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func dialer(o *Options) *net.Dialer {
	if o != nil && o.Dialer != nil {
		return o.Dialer
	}
	return &net.Dialer{}
}

func tlsConfig(o *Options, addr string) *tls.Config {
	var cfg *tls.Config
	if o != nil && o.TLSConfig != nil {
		cfg = o.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		cfg.ServerName = host
	}
	return cfg
}

// Conn returns the underlying connection (a *tls.Conn after STLS).
func (c *Client) Conn() net.Conn { return c.conn }

// IsTLS reports whether the connection is encrypted.
func (c *Client) IsTLS() bool { return c.isTLS }

// Greeting reads the server's greeting once and returns its text.
func (c *Client) Greeting(ctx context.Context) (string, error) {
	if c.greeted {
		return c.greeting, nil
	}
	err := c.do(ctx, func() error {
		text, err := c.readStatus("greeting")
		c.greeting = text
		return err
	})
	if err != nil {
		return "", err
	}
	c.greeted = true
	return c.greeting, nil
}

// Capabilities asks CAPA. A server without CAPA (plain RFC 1939) answers
// -ERR; that is returned as an empty set and no error. The answer is cached
// until STLS or a login changes it.
func (c *Client) Capabilities(ctx context.Context) (Capabilities, error) {
	if c.caps != nil {
		return c.caps, nil
	}
	if _, err := c.Greeting(ctx); err != nil {
		return nil, err
	}
	caps := Capabilities{}
	err := c.do(ctx, func() error {
		if err := c.writeLine("CAPA", "CAPA"); err != nil {
			return err
		}
		if _, err := c.readStatus("CAPA"); err != nil {
			return err
		}
		return c.readMultiline(1<<20, func(line []byte) error {
			f := strings.Fields(string(line))
			if len(f) > 0 {
				caps[strings.ToUpper(f[0])] = f[1:]
			}
			return nil
		})
	})
	var perr *Error
	if errors.As(err, &perr) {
		c.caps = caps
		return caps, nil
	}
	if err != nil {
		return nil, err
	}
	c.caps = caps
	return caps, nil
}

// StartTLS upgrades the connection with STLS (RFC 2595). It returns
// ErrSTLSUnavailable, without sending anything, when CAPA does not list STLS.
func (c *Client) StartTLS(ctx context.Context, config *tls.Config) error {
	if c.isTLS {
		return errors.New("pop3: the connection is already encrypted")
	}
	caps, err := c.Capabilities(ctx)
	if err != nil {
		return err
	}
	if !caps.Has("STLS") {
		return ErrSTLSUnavailable
	}
	err = c.do(ctx, func() error {
		if err := c.writeLine("STLS", "STLS"); err != nil {
			return err
		}
		_, err := c.readStatus("STLS")
		return err
	})
	if err != nil {
		return err
	}
	// Anything already buffered arrived before the handshake and was not
	// protected by it: a man in the middle could have injected it
	// (CVE-2011-0411 and kin). Refuse rather than read it as if it were.
	if c.br.Buffered() > 0 {
		return errors.New("pop3: the server sent data after STLS before the TLS handshake; refusing it")
	}
	tc := tls.Client(c.conn, config)
	if err := tc.HandshakeContext(ctx); err != nil {
		return fmt.Errorf("pop3: tls: %w", err)
	}
	// Close may run on another goroutine: swap the connection under its
	// lock, and do not leave a TLS session open behind a Close that won.
	c.closeMu.Lock()
	if c.closed {
		c.closeMu.Unlock()
		tc.Close()
		return errors.New("pop3: the connection was closed during STLS")
	}
	c.conn = tc
	c.closeMu.Unlock()
	c.br = bufio.NewReaderSize(tc, MaxLineLength)
	c.isTLS = true
	c.caps = nil // RFC 2595 section 4: forget what was learned before TLS
	return nil
}

// Login sends USER and PASS (RFC 1939).
func (c *Client) Login(ctx context.Context, username, password string) error {
	if err := checkArg(username); err != nil {
		return fmt.Errorf("pop3: the user name %w", err)
	}
	if err := checkArg(password); err != nil {
		return fmt.Errorf("pop3: the password %w", err)
	}
	if _, err := c.Greeting(ctx); err != nil {
		return err
	}
	err := c.do(ctx, func() error {
		if err := c.writeLine("USER "+username, "USER "+username); err != nil {
			return err
		}
		if _, err := c.readStatus("USER"); err != nil {
			return err
		}
		if err := c.writeLine("PASS "+password, "PASS ****"); err != nil {
			return err
		}
		_, err := c.readStatus("PASS")
		return err
	})
	if err == nil {
		c.caps = nil
	}
	return err
}

func checkArg(s string) error {
	if strings.ContainsAny(s, "\r\n\x00") {
		return errors.New("contains a line break or NUL, which POP3 cannot carry")
	}
	if s == "" {
		return errors.New("is empty")
	}
	return nil
}

// Authenticate logs in with a SASL mechanism (RFC 5034), sending the initial
// response on the AUTH line when the mechanism has one.
func (c *Client) Authenticate(ctx context.Context, mech sasl.Client) error {
	if _, err := c.Greeting(ctx); err != nil {
		return err
	}
	name, ir, err := mech.Start()
	if err != nil {
		return fmt.Errorf("pop3: sasl: %w", err)
	}
	err = c.do(ctx, func() error {
		cmd := "AUTH " + name
		if ir != nil {
			enc := "="
			if len(ir) > 0 {
				enc = base64.StdEncoding.EncodeToString(ir)
			}
			cmd += " " + enc
		}
		if err := c.writeLine(cmd, "AUTH "+name+" ****"); err != nil {
			return err
		}
		for {
			line, err := c.readLine()
			if err != nil {
				return err
			}
			if bytes.HasPrefix(line, []byte("+ ")) || bytes.Equal(line, []byte("+")) {
				chal, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(bytes.TrimPrefix(line, []byte("+")))))
				if err != nil {
					c.writeLine("*", "*")
					c.readLine()
					return fmt.Errorf("pop3: AUTH: the server's challenge is not base64")
				}
				resp, err := mech.Next(chal)
				if err != nil {
					c.writeLine("*", "*")
					c.readLine()
					return fmt.Errorf("pop3: sasl: %w", err)
				}
				if err := c.writeLine(base64.StdEncoding.EncodeToString(resp), "****"); err != nil {
					return err
				}
				continue
			}
			_, err = parseStatus(line, "AUTH")
			return err
		}
	})
	if err == nil {
		c.caps = nil
	}
	return err
}

// Stat returns the number of messages and their total size in octets.
func (c *Client) Stat(ctx context.Context) (count int, size int64, err error) {
	err = c.cmd(ctx, func() error {
		if err := c.writeLine("STAT", "STAT"); err != nil {
			return err
		}
		text, err := c.readStatus("STAT")
		if err != nil {
			return err
		}
		f := strings.Fields(text)
		if len(f) < 2 {
			return &ProtocolError{Line: cut("+OK " + text)}
		}
		n, err1 := strconv.Atoi(f[0])
		s, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil || n < 0 || s < 0 {
			return &ProtocolError{Line: cut("+OK " + text)}
		}
		count, size = n, s
		return nil
	})
	return count, size, err
}

// MessageInfo is one line of LIST.
type MessageInfo struct {
	Number int
	Size   int64
}

// List returns every message's number and size.
func (c *Client) List(ctx context.Context) ([]MessageInfo, error) {
	var out []MessageInfo
	err := c.cmd(ctx, func() error {
		if err := c.writeLine("LIST", "LIST"); err != nil {
			return err
		}
		if _, err := c.readStatus("LIST"); err != nil {
			return err
		}
		return c.readMultiline(16<<20, func(line []byte) error {
			f := strings.Fields(string(line))
			if len(f) < 2 {
				return &ProtocolError{Line: cut(string(line))}
			}
			n, err1 := strconv.Atoi(f[0])
			s, err2 := strconv.ParseInt(f[1], 10, 64)
			if err1 != nil || err2 != nil {
				return &ProtocolError{Line: cut(string(line))}
			}
			out = append(out, MessageInfo{Number: n, Size: s})
			return nil
		})
	})
	return out, err
}

// Retr returns message n, dot-unstuffed, lines ending in CRLF.
func (c *Client) Retr(ctx context.Context, n int) ([]byte, error) {
	var buf bytes.Buffer
	err := c.cmd(ctx, func() error {
		if err := c.writeLine("RETR "+strconv.Itoa(n), "RETR "+strconv.Itoa(n)); err != nil {
			return err
		}
		if _, err := c.readStatus("RETR"); err != nil {
			return err
		}
		return c.readMultiline(c.opts.MaxResponseSize, func(line []byte) error {
			buf.Write(line)
			buf.WriteString("\r\n")
			return nil
		})
	})
	return buf.Bytes(), err
}

// Dele marks message n for deletion; QUIT commits it.
func (c *Client) Dele(ctx context.Context, n int) error {
	return c.simple(ctx, "DELE", "DELE "+strconv.Itoa(n))
}

// Noop sends NOOP.
func (c *Client) Noop(ctx context.Context) error { return c.simple(ctx, "NOOP", "NOOP") }

// Quit ends the session (committing DELEs) and closes the connection.
func (c *Client) Quit(ctx context.Context) error {
	err := c.simple(ctx, "QUIT", "QUIT")
	c.Close()
	return err
}

// Close closes the connection without QUIT: marked messages stay.
// It is safe to call from another goroutine and more than once.
func (c *Client) Close() error {
	c.closeMu.Lock()
	defer c.closeMu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	return c.conn.Close()
}

func (c *Client) simple(ctx context.Context, name, line string) error {
	return c.cmd(ctx, func() error {
		if err := c.writeLine(line, line); err != nil {
			return err
		}
		_, err := c.readStatus(name)
		return err
	})
}

// cmd is do after the greeting.
func (c *Client) cmd(ctx context.Context, f func() error) error {
	if _, err := c.Greeting(ctx); err != nil {
		return err
	}
	return c.do(ctx, f)
}

// do runs one exchange under ctx: the context's deadline bounds the I/O and
// cancelling it unblocks the exchange at once.
func (c *Client) do(ctx context.Context, f func() error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pop3: %w", err)
	}
	conn := c.conn
	dl, _ := ctx.Deadline()
	conn.SetDeadline(dl)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	err := f()
	stop()
	if err != nil && ctx.Err() == nil && !dl.IsZero() && !time.Now().Before(dl) && errors.Is(err, os.ErrDeadlineExceeded) {
		// The connection's deadline (the context's) fired a moment before
		// the context noticed.
		return fmt.Errorf("pop3: %w (%v)", context.DeadlineExceeded, err)
	}
	if err != nil && ctx.Err() != nil {
		// The context ended the exchange (its deadline, or a cancel that
		// forced the connection's deadline into the past): say so rather
		// than report a bare i/o timeout.
		return fmt.Errorf("pop3: %w (%v)", ctx.Err(), err)
	}
	conn.SetDeadline(time.Time{})
	return err
}

func (c *Client) writeLine(line, debug string) error {
	if c.opts.DebugWriter != nil {
		fmt.Fprintf(c.opts.DebugWriter, "C: %s\n", debug)
	}
	if _, err := io.WriteString(c.conn, line+"\r\n"); err != nil {
		return fmt.Errorf("pop3: %w", err)
	}
	return nil
}

func (c *Client) readLine() ([]byte, error) {
	line, err := readLine(c.br)
	if err == nil && c.opts.DebugWriter != nil {
		fmt.Fprintf(c.opts.DebugWriter, "S: %s\n", line)
	}
	return line, err
}

func (c *Client) readStatus(cmd string) (string, error) {
	line, err := c.readLine()
	if err != nil {
		return "", err
	}
	return parseStatus(line, cmd)
}

func (c *Client) readMultiline(limit int64, each func([]byte) error) error {
	return readMultiline(c.br, limit, each)
}

// readLine reads one line without its CRLF (a bare LF is accepted too).
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, ErrLineTooLong
	case err == io.EOF && len(line) > 0:
		return nil, fmt.Errorf("pop3: the connection closed in the middle of a line: %w", io.ErrUnexpectedEOF)
	case err == io.EOF:
		return nil, fmt.Errorf("pop3: the server closed the connection: %w", io.ErrUnexpectedEOF)
	case err != nil:
		return nil, fmt.Errorf("pop3: %w", err)
	}
	line = line[:len(line)-1]
	line = bytes.TrimSuffix(line, []byte("\r"))
	return line, nil
}

// parseStatus reads "+OK text" or "-ERR [CODE] text".
func parseStatus(line []byte, cmd string) (string, error) {
	s := string(line)
	switch {
	case hasPrefixFold(s, "+OK") && (len(s) == 3 || s[3] == ' '):
		return strings.TrimPrefix(s[3:], " "), nil
	case hasPrefixFold(s, "-ERR") && (len(s) == 4 || s[4] == ' '):
		e := &Error{Command: cmd, Text: strings.TrimPrefix(s[4:], " ")}
		if strings.HasPrefix(e.Text, "[") {
			if i := strings.IndexByte(e.Text, ']'); i > 0 {
				e.Code = strings.ToUpper(e.Text[1:i])
				e.Text = strings.TrimLeft(e.Text[i+1:], " ")
			}
		}
		return "", e
	}
	return "", &ProtocolError{Line: cut(s)}
}

func hasPrefixFold(s, p string) bool {
	return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
}

// readMultiline reads lines up to the terminating ".", unstuffing leading
// dots, and fails once more than limit octets have arrived. When each
// refuses a line the rest is still read (and the first refusal returned),
// so the next command does not take the leftover lines for its answer.
func readMultiline(br *bufio.Reader, limit int64, each func([]byte) error) error {
	var total int64
	var refused error
	for {
		line, err := readLine(br)
		if err != nil {
			return err
		}
		total += int64(len(line)) + 2
		if total > limit {
			return ErrResponseTooLarge
		}
		if len(line) > 0 && line[0] == '.' {
			if len(line) == 1 {
				return refused
			}
			line = line[1:]
		}
		if refused == nil {
			refused = each(line)
		}
	}
}

func cut(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
