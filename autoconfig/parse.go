package autoconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"encoding/xml"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/internal/safetext"
)

// legacyCharsets are the single-byte encodings a mail server's
// config-v1.1.xml is still seen in. The format says UTF-8, but Thunderbird
// reads what the XML declaration names, so mailwiz does too.
var legacyCharsets = map[string]encoding.Encoding{
	"iso-8859-1": charmap.ISO8859_1, "latin1": charmap.ISO8859_1, "windows-1252": charmap.Windows1252,
	"iso-8859-2": charmap.ISO8859_2, "windows-1250": charmap.Windows1250,
	"iso-8859-5": charmap.ISO8859_5, "windows-1251": charmap.Windows1251, "cp1251": charmap.Windows1251,
	"koi8-r": charmap.KOI8R, "koi8-u": charmap.KOI8U,
	"iso-8859-15": charmap.ISO8859_15,
}

// charsetReader decodes a declared legacy charset to UTF-8, or names the
// charset it cannot read.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	l := strings.ToLower(strings.TrimSpace(label))
	if l == "us-ascii" || l == "ascii" {
		return r, nil // a subset of UTF-8
	}
	if e, ok := legacyCharsets[l]; ok {
		return e.NewDecoder().Reader(r), nil
	}
	return nil, fmt.Errorf("the document declares encoding %q, which mailwiz cannot read; clientConfig files are UTF-8", label)
}

// node is one element of the bounded tree Parse builds before it reads the
// format: small enough to hold a whole document, and free of the namespace
// quirks of encoding/xml's struct decoding.
type node struct {
	name  xml.Name
	attrs []xml.Attr
	kids  []*node
	text  strings.Builder
}

// isExt reports whether the name is one of mailwiz's extension names. A file
// that uses the mw: prefix without declaring it still means our extension.
func isExt(n xml.Name) bool { return n.Space == Namespace || n.Space == "mw" }

// is reports whether n is the clientConfig element local (in no namespace or
// another reader's, never ours).
func (n *node) is(local string) bool { return n.name.Local == local && !isExt(n.name) }

// isExt reports whether n is our extension element local.
func (n *node) isExt(local string) bool { return n.name.Local == local && isExt(n.name) }

// attr returns the value of the attribute local (in no namespace), or "".
func (n *node) attr(local string) string {
	for _, a := range n.attrs {
		if a.Name.Local == local && !isExt(a.Name) {
			return a.Value
		}
	}
	return ""
}

// extAttr returns the value of our extension attribute mw:local, or "".
func (n *node) extAttr(local string) string {
	for _, a := range n.attrs {
		if a.Name.Local == local && isExt(a.Name) {
			return a.Value
		}
	}
	return ""
}

// child returns the first child element local, or nil.
func (n *node) child(local string) *node {
	for _, k := range n.kids {
		if k.is(local) {
			return k
		}
	}
	return nil
}

// childText returns the trimmed text of the first child element local.
func (n *node) childText(local string) string {
	if c := n.child(local); c != nil {
		return strings.TrimSpace(c.text.String())
	}
	return ""
}

// Parse reads a clientConfig v1.1 document (see the package documentation
// for what it accepts and refuses). The Config's Source and SecureSource are
// left for the caller, who knows where the document came from.
func Parse(r io.Reader) (account.Config, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return account.Config{}, fmt.Errorf("autoconfig: reading: %w", err)
	}
	return ParseBytes(b)
}

// ParseBytes is Parse for a document in memory.
func ParseBytes(b []byte) (account.Config, error) {
	if len(b) > MaxSize {
		return account.Config{}, fmt.Errorf("%w; a clientConfig file is a few kilobytes, so this is not one", ErrTooLarge)
	}
	root, err := readTree(b)
	if err != nil {
		return account.Config{}, err
	}
	return interpret(root)
}

// readTree builds the element tree with every bound enforced as it goes.
func readTree(b []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	d.CharsetReader = charsetReader
	var (
		root     *node
		stack    []*node
		elements int
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("autoconfig: not well-formed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			// A DTD could define entities that expand a small file into
			// gigabytes, or reference external files; the format needs none.
			return nil, errors.New("autoconfig: the document has a <!DOCTYPE> or other declaration; clientConfig files have none, so it is refused")
		case xml.StartElement:
			elements++
			if elements > MaxElements {
				return nil, fmt.Errorf("autoconfig: more than %d elements; a clientConfig file has a few dozen", MaxElements)
			}
			if len(stack) >= MaxDepth {
				return nil, fmt.Errorf("autoconfig: elements nested more than %d deep; a clientConfig file nests four", MaxDepth)
			}
			n := &node{name: t.Name, attrs: t.Attr}
			if len(stack) == 0 {
				if root != nil {
					return nil, errors.New("autoconfig: more than one root element")
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
	if root == nil {
		return nil, errors.New("autoconfig: the document is empty; want a <clientConfig> element")
	}
	return root, nil
}

// interpret reads the format from the tree.
func interpret(root *node) (account.Config, error) {
	var c account.Config
	if !root.is("clientConfig") {
		return c, fmt.Errorf("autoconfig: the root element is <%s>, not <clientConfig>", root.name.Local)
	}
	p := root.child("emailProvider")
	if p == nil {
		return c, errors.New("autoconfig: no <emailProvider> inside <clientConfig>")
	}
	prov := &account.Provider{
		ID:        strings.TrimSpace(p.attr("id")),
		Name:      safetext.Show(p.childText("displayName")),
		ShortName: safetext.Show(p.childText("displayShortName")),
	}
	c.Provider = prov
	var (
		nIn, nOut, nHint int
		popSeen          bool
	)
	for _, k := range p.kids {
		switch {
		case k.is("domain"):
			d, err := normalizeDomain(k.text.String())
			if err != nil {
				return c, fmt.Errorf("autoconfig: %w", err)
			}
			if !contains(c.Domains, d) {
				c.Domains = append(c.Domains, d)
			}
		case k.is("incomingServer"):
			nIn++
			s, ok, err := readServer(k, true)
			if err != nil {
				return c, fmt.Errorf("autoconfig: incomingServer %d: %w", nIn, err)
			}
			if !ok {
				continue
			}
			if s.Protocol == account.POP3 && !popSeen {
				popSeen = true
				if err := readPOP3(k.child("pop3"), &c); err != nil {
					return c, fmt.Errorf("autoconfig: incomingServer %d: %w", nIn, err)
				}
			}
			c.Incoming = append(c.Incoming, s)
		case k.is("outgoingServer"):
			nOut++
			s, ok, err := readServer(k, false)
			if err != nil {
				return c, fmt.Errorf("autoconfig: outgoingServer %d: %w", nOut, err)
			}
			if ok {
				c.Outgoing = append(c.Outgoing, s)
			}
		case k.is("enable"), k.is("documentation"), k.isExt("hint"):
			nHint++
			h, err := readHint(k)
			if err != nil {
				return c, fmt.Errorf("autoconfig: hint %d (<%s>): %w", nHint, k.name.Local, err)
			}
			c.Hints = append(c.Hints, h)
		case k.isExt("limits"):
			if err := readLimits(k, &c.Limits); err != nil {
				return c, fmt.Errorf("autoconfig: mw:limits: %w", err)
			}
		case k.isExt("mx"):
			mx, err := normalizeMX(k.text.String())
			if err != nil {
				return c, fmt.Errorf("autoconfig: mw:mx: %w", err)
			}
			if !contains(c.MXHosts, mx) {
				c.MXHosts = append(c.MXHosts, mx)
			}
		}
	}
	if prov.ID == "" && len(c.Domains) > 0 {
		prov.ID = c.Domains[0]
	}
	if prov.Name == "" {
		prov.Name = prov.ShortName
	}
	if prov.Name == "" {
		prov.Name = prov.ID
	}
	if n := root.child("oAuth2"); n != nil {
		o, err := readOAuth2(n)
		if err != nil {
			return c, fmt.Errorf("autoconfig: oAuth2: %w", err)
		}
		prov.OAuth2 = o
	}
	oauth2Only(&c)
	if len(c.Incoming) == 0 && !c.HasHint(account.HintNoIMAP) {
		return c, errors.New("autoconfig: no usable incoming server: the file needs an imap or pop3 incomingServer with an authentication mailwiz supports (or a mw:hint kind=\"no-imap\" saying the provider offers none)")
	}
	return c, nil
}

// readServer reads an incomingServer or outgoingServer. ok is false for a
// server mailwiz does not speak (another type, or no authentication it
// supports): the file is still good, that server is just not for us.
func readServer(n *node, incoming bool) (s account.Server, ok bool, err error) {
	typ := strings.ToLower(strings.TrimSpace(n.attr("type")))
	switch {
	case incoming && typ == "imap":
		s.Protocol = account.IMAP
	case incoming && typ == "pop3":
		s.Protocol = account.POP3
	case !incoming && typ == "smtp":
		s.Protocol = account.SMTP
	default:
		return s, false, nil
	}
	host := n.child("hostname")
	if host == nil {
		return s, false, fmt.Errorf("%s server has no <hostname>", s.Protocol)
	}
	if s.Host, err = normalizeHost(host.text.String()); err != nil {
		return s, false, err
	}
	// Several socketType elements: the first one we know, as Thunderbird does.
	for _, k := range n.kids {
		if !k.is("socketType") {
			continue
		}
		v := strings.TrimSpace(k.text.String())
		if sec, known := socketTypes[strings.ToLower(v)]; known {
			s.Security = sec
			break
		}
	}
	if s.Security == "" {
		if v := n.childText("socketType"); v != "" {
			return s, false, fmt.Errorf("socketType %q is not SSL, STARTTLS or plain", v)
		}
		return s, false, errors.New("no <socketType>; add <socketType>SSL</socketType> (or STARTTLS, or plain)")
	}
	if p := n.child("port"); p != nil {
		if s.Port, err = checkPort(strings.TrimSpace(p.text.String())); err != nil {
			return s, false, err
		}
	} else {
		s.Port = account.DefaultPort(s.Protocol, s.Security)
	}
	s.Username = n.childText("username")
	// Several authentication elements are in the provider's preference
	// order: take the first mailwiz supports, except that a password method
	// listed after OAuth2 (the ISPDB's usual "OAuth2, then
	// password-cleartext") wins, since mailwiz cannot sign in with OAuth2
	// and the provider has said a password works too. OAuth2 alone stays
	// OAuth2, so the oauth2-required advice still shows.
	sawAuth := false
	var password account.Auth
	for _, k := range n.kids {
		if !k.is("authentication") {
			continue
		}
		sawAuth = true
		a, known := authMethods[strings.ToLower(strings.TrimSpace(k.text.String()))]
		if !known {
			continue
		}
		if s.Auth == "" {
			s.Auth = a
		}
		if a == account.AuthPassword || a == account.AuthPasswordEncrypted {
			password = a
			break
		}
		if s.Auth != account.AuthOAuth2 {
			break
		}
	}
	if s.Auth == account.AuthOAuth2 && password != "" {
		s.Auth = password
	}
	if s.Auth == "" {
		if sawAuth {
			return s, false, nil // GSSAPI, NTLM, smtp-after-pop only
		}
		s.Auth = account.AuthPassword // the format's default
	}
	return s, true, nil
}

// readPOP3 reads a pop3 server's <pop3> block into the config.
func readPOP3(n *node, c *account.Config) error {
	if n == nil {
		return nil
	}
	var err error
	if v := n.childText("leaveMessagesOnServer"); v != "" {
		if c.LeaveOnServer, err = parseBool("leaveMessagesOnServer", v); err != nil {
			return err
		}
	}
	if v := n.childText("downloadOnBiff"); v != "" {
		if c.DownloadOnBiff, err = parseBool("downloadOnBiff", v); err != nil {
			return err
		}
	}
	if v := n.childText("daysToLeaveMessagesOnServer"); v != "" {
		if c.DaysOnServer, err = parseCount("daysToLeaveMessagesOnServer", v); err != nil {
			return err
		}
	}
	return nil
}

func parseBool(name, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true", "1", "yes":
		return true, nil
	case "false", "0", "no":
		return false, nil
	}
	return false, fmt.Errorf("%s %q is not true or false", name, v)
}

// parseCount reads a non-negative number of modest size.
func parseCount(name, v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > 1_000_000_000 {
		return 0, fmt.Errorf("%s %q is not a whole number from 0 to 1000000000", name, v)
	}
	return n, nil
}

// readHint reads enable, documentation or mw:hint.
func readHint(n *node) (account.Hint, error) {
	var h account.Hint
	textElem, url, kind := "", "", ""
	switch {
	case n.is("enable"):
		textElem, url, kind = "instruction", n.attr("visiturl"), n.extAttr("kind")
		if kind == "" {
			kind = string(account.HintEnableIMAP)
		}
	case n.is("documentation"):
		textElem, url, kind = "descr", n.attr("url"), n.extAttr("kind")
		if kind == "" {
			kind = string(account.HintInfo)
		}
	default: // mw:hint
		textElem, url, kind = "text", n.attr("url"), n.attr("kind")
		if kind == "" {
			kind = n.extAttr("kind")
		}
		if kind == "" {
			return h, errors.New(`no kind; write <mw:hint kind="...">`)
		}
	}
	h.Kind = account.HintKind(strings.TrimSpace(kind))
	if !h.Kind.Valid() {
		return h, fmt.Errorf("kind %q is not one of %s", h.Kind, kindList())
	}
	h.URL = strings.TrimSpace(url)
	if h.URL != "" && !strings.HasPrefix(h.URL, "https://") && !strings.HasPrefix(h.URL, "http://") {
		return h, fmt.Errorf("url %q is not an http(s) address", h.URL)
	}
	for _, k := range n.kids {
		if k.name.Local != textElem || (textElem == "text") != isExt(k.name) {
			continue
		}
		lang := strings.ToLower(strings.TrimSpace(k.attr("lang")))
		if lang == "" {
			lang = "en"
		}
		t := safetext.Show(collapse(k.text.String()))
		if t == "" {
			continue
		}
		if h.Text == nil {
			h.Text = map[string]string{}
		}
		if _, dup := h.Text[lang]; !dup { // the first text per language wins
			h.Text[lang] = t
		}
	}
	if len(h.Text) == 0 && h.URL != "" {
		h.Text = ourWords(h.Kind)
	}
	return h, nil
}

// ourWords is what a hint says when the file gave a link but no text (an
// empty <instruction> or <descr>): a sentence of ours, so the link is never
// shown bare.
func ourWords(k account.HintKind) map[string]string {
	switch k {
	case account.HintEnableIMAP, account.HintEnablePOP:
		return catalog.All("Before a mail program can sign in, access for it must be turned on in the account's settings on the provider's website:")
	case account.HintOAuth2Required:
		return oauth2Words()
	}
	return catalog.All("The provider explains how to set up a mail program on this page:")
}

func oauth2Words() map[string]string {
	return catalog.All("This provider accepts only a sign-in through its own web page (OAuth2), not a password; a password typed here will not work.")
}

// oauth2Only adds an oauth2-required hint when every incoming server
// offers OAuth2 and no password method, so the person learns a password
// will not work; the link is the provider's documentation, when the file
// has one.
func oauth2Only(c *account.Config) {
	if len(c.Incoming) == 0 || c.HasHint(account.HintOAuth2Required) {
		return
	}
	for _, s := range c.Incoming {
		if s.Auth != account.AuthOAuth2 {
			return
		}
	}
	h := account.Hint{Kind: account.HintOAuth2Required, Text: oauth2Words()}
	for _, o := range c.Hints {
		if o.URL != "" && o.Kind == account.HintInfo {
			h.URL = o.URL
			break
		}
	}
	c.Hints = append(c.Hints, h)
}

func kindList() string {
	s := make([]string, len(account.HintKinds))
	for i, k := range account.HintKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// readLimits reads mw:limits' attributes.
func readLimits(n *node, l *account.Limits) error {
	ints := []struct {
		name string
		dst  *int
	}{
		{"maxMessageMB", &l.MaxMessageMB},
		{"maxRecipients", &l.MaxRecipients},
		{"sendPerDay", &l.SendPerDay},
		{"imapConnections", &l.IMAPConnections},
		{"imapDownloadMBPerDay", &l.IMAPDownloadMBDay},
		{"imapUploadMBPerDay", &l.IMAPUploadMBDay},
	}
	for _, f := range ints {
		if v := n.attr(f.name); v != "" {
			var err error
			if *f.dst, err = parseCount(f.name, v); err != nil {
				return err
			}
		}
	}
	for _, ext := range strings.Fields(strings.ToLower(n.attr("blockedAttachments"))) {
		ext = strings.TrimPrefix(ext, ".")
		if ext != "" && !contains(l.BlockedAttachments, ext) {
			l.BlockedAttachments = append(l.BlockedAttachments, ext)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
