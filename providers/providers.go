// Package providers is mailwiz's built-in provider database: one clientConfig
// file per provider in data/, embedded, looked up by email domain or by MX
// host in well under a microsecond and without a network.
//
// # Lookup
//
// [Lookup] takes an email domain as people type it (any case, Unicode or
// punycode, a trailing dot); [LookupMX] takes the host of a domain's MX
// record, so a custom domain hosted by a known provider (Google Workspace,
// Microsoft 365, Yandex 360) is recognised too. A provider that gives every
// customer a subdomain of its own (Microsoft 365's NAME.onmicrosoft.com)
// claims the whole suffix with a <mw:domain>*.suffix</mw:domain> element;
// an exact <domain> always wins over such a pattern, and the longest
// pattern over a shorter one. Both return a template:
// Config.For(addr) expands the username placeholders. [All] and [ByID] list
// the database.
//
// # Loading
//
// The files are parsed once, on first use. A file that does not parse, or
// claims a domain or MX pattern another file already claimed, is left out
// and its error kept in [LoadErrors]; the tests fail on any such error, so a
// broken file never reaches a release, and a broken file never panics a
// running program. providers/README.md says how to add or fix a provider.
package providers

import (
	"bytes"
	"embed"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/net/idna"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/autoconfig"
)

//go:embed data/*.xml
var dataFS embed.FS

// database is the parsed data directory.
type database struct {
	all       []account.Config // ordered by provider ID
	byID      map[string]int   // index into all
	byDomain  map[string]int
	domSuffix map[string]int   // "onmicrosoft.com" for <mw:domain>*.onmicrosoft.com</mw:domain>
	patterns  map[int][]string // index → its "*.suffix" domain patterns, as written
	mxExact   map[string]int
	mxSuffix  map[string]int // "google.com" for the pattern "*.google.com"
	errs      []error
}

var (
	loadOnce sync.Once
	db       *database
)

func get() *database {
	loadOnce.Do(func() { db = load(dataFS, "data") })
	return db
}

// load parses every *.xml file under dir of fsys. It never panics and never
// fails: what cannot be used is recorded in errs.
func load(fsys fs.FS, dir string) *database {
	d := &database{
		byID:      map[string]int{},
		byDomain:  map[string]int{},
		domSuffix: map[string]int{},
		patterns:  map[int][]string{},
		mxExact:   map[string]int{},
		mxSuffix:  map[string]int{},
	}
	names, err := fs.Glob(fsys, path.Join(dir, "*.xml"))
	if err != nil {
		d.errs = append(d.errs, fmt.Errorf("providers: listing %s: %w", dir, err))
		return d
	}
	type file struct {
		name     string
		cfg      account.Config
		patterns []string
	}
	var files []file
	for _, name := range names { // fs.Glob returns them sorted: a stable winner on conflicts
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			d.errs = append(d.errs, fmt.Errorf("providers: %s: %w", name, err))
			continue
		}
		cfg, err := autoconfig.ParseBytes(b)
		if err != nil {
			d.errs = append(d.errs, fmt.Errorf("providers: %s: %w", name, err))
			continue
		}
		if cfg.Provider == nil || cfg.Provider.ID == "" {
			d.errs = append(d.errs, fmt.Errorf("providers: %s: the emailProvider has no id", name))
			continue
		}
		patterns, err := domainPatterns(b)
		if err != nil {
			d.errs = append(d.errs, fmt.Errorf("providers: %s: %w", name, err))
			continue
		}
		cfg.Source = account.SourceBuiltin
		cfg.SecureSource = true
		files = append(files, file{name, cfg, patterns})
	}
	sort.SliceStable(files, func(i, j int) bool { return files[i].cfg.Provider.ID < files[j].cfg.Provider.ID })
	owner := map[int]string{} // index → file name, for conflict messages
	for _, f := range files {
		id := f.cfg.Provider.ID
		if j, dup := d.byID[id]; dup {
			d.errs = append(d.errs, fmt.Errorf("providers: %s: id %q is already used by %s", f.name, id, owner[j]))
			continue
		}
		i := len(d.all)
		if err := d.claim(f.cfg, f.patterns, i, owner, f.name); err != nil {
			d.errs = append(d.errs, err)
			continue
		}
		d.all = append(d.all, f.cfg)
		d.byID[id] = i
		owner[i] = f.name
	}
	return d
}

// claim registers cfg's domains, domain patterns and MX patterns under
// index i, all or none.
func (d *database) claim(cfg account.Config, patterns []string, i int, owner map[int]string, name string) error {
	for _, dom := range cfg.Domains {
		if j, taken := d.byDomain[dom]; taken {
			return fmt.Errorf("providers: %s: domain %q already belongs to %s", name, dom, owner[j])
		}
	}
	for _, p := range patterns {
		if j, taken := d.domSuffix[p[2:]]; taken {
			return fmt.Errorf("providers: %s: domain pattern %q already belongs to %s", name, p, owner[j])
		}
	}
	for _, mx := range cfg.MXHosts {
		m, suffix := d.mxExact, mx
		if s, ok := strings.CutPrefix(mx, "*."); ok {
			m, suffix = d.mxSuffix, s
		}
		if j, taken := m[suffix]; taken {
			return fmt.Errorf("providers: %s: MX %q already belongs to %s", name, mx, owner[j])
		}
	}
	for _, dom := range cfg.Domains {
		d.byDomain[dom] = i
	}
	for _, p := range patterns {
		d.domSuffix[p[2:]] = i
	}
	if len(patterns) > 0 {
		d.patterns[i] = patterns
	}
	for _, mx := range cfg.MXHosts {
		if s, ok := strings.CutPrefix(mx, "*."); ok {
			d.mxSuffix[s] = i
		} else {
			d.mxExact[mx] = i
		}
	}
	return nil
}

// normalize turns a domain or host as typed into the form the maps hold:
// ASCII, lower case, no trailing dot. The common case (already so) does not
// allocate.
func normalize(s string) (string, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if s == "" {
		return "", false
	}
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			a, err := idna.Lookup.ToASCII(s)
			if err != nil {
				return "", false
			}
			return a, true
		}
		if c >= 'A' && c <= 'Z' {
			clean = false
		}
	}
	if !clean {
		s = strings.ToLower(s)
	}
	return s, true
}

// Lookup returns the provider config for an email domain (ASCII or Unicode,
// any case, with or without a trailing dot): the provider that lists the
// domain, else the one whose <mw:domain>*.suffix</mw:domain> pattern has
// the longest suffix under which the domain lies. The config is a
// template: call Config.For(addr) to expand the username. Source is
// builtin and SecureSource true. The caller owns the returned Config.
func Lookup(domain string) (account.Config, bool) { return get().lookup(domain) }

func (d *database) lookup(domain string) (account.Config, bool) {
	key, ok := normalize(domain)
	if !ok {
		return account.Config{}, false
	}
	if i, ok := d.byDomain[key]; ok {
		return clone(d.all[i]), true
	}
	if len(d.domSuffix) == 0 {
		return account.Config{}, false
	}
	// "tenant.onmicrosoft.com" tries "onmicrosoft.com", then "com"; the
	// pattern needs at least one label before its suffix, and an empty
	// label ("a..onmicrosoft.com") is not a domain.
	for s := key; ; {
		dot := strings.IndexByte(s, '.')
		if dot <= 0 {
			return account.Config{}, false
		}
		s = s[dot+1:]
		if i, ok := d.domSuffix[s]; ok {
			return clone(d.all[i]), true
		}
	}
}

// DomainPatterns returns the "*.suffix" domain patterns of the provider
// with the given id, as its file lists them in <mw:domain> elements.
func DomainPatterns(id string) []string {
	d := get()
	i, ok := d.byID[strings.ToLower(strings.TrimSpace(id))]
	if !ok {
		return nil
	}
	return append([]string(nil), d.patterns[i]...)
}

// extDomain is the closing tag every <mw:domain> element ends with,
// whatever prefix the file binds to the namespace; a file without it is
// not parsed a second time.
var extDomain = []byte(":domain>")

// domainPatterns reads the <mw:domain> elements (mailwiz's namespace) of a
// provider file. Each holds "*." and a suffix of at least two labels:
// "*.onmicrosoft.com" claims every NAME.onmicrosoft.com, never
// onmicrosoft.com itself, and "*.com" is refused. Other readers of the
// format ignore the element, so such a file stays a valid clientConfig.
func domainPatterns(b []byte) ([]string, error) {
	if !bytes.Contains(b, extDomain) {
		return nil, nil
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	var out []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading mw:domain: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Space != autoconfig.Namespace || se.Name.Local != "domain" {
			continue
		}
		var text string
		if err := dec.DecodeElement(&text, &se); err != nil {
			return nil, fmt.Errorf("reading mw:domain: %w", err)
		}
		p, err := normalizePattern(text)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
}

// normalizePattern checks a "*.suffix" domain pattern and returns it in
// the form lookups use: ASCII, lower case, no trailing dot.
func normalizePattern(s string) (string, error) {
	raw := strings.TrimSpace(s)
	suffix, ok := strings.CutPrefix(raw, "*.")
	if !ok {
		return "", fmt.Errorf("mw:domain %q: write a domain pattern as *.suffix (an exact domain goes in <domain>)", raw)
	}
	n, ok := normalize(suffix)
	if !ok || strings.ContainsAny(n, "*%/@ ") || strings.HasPrefix(n, ".") || strings.Contains(n, "..") {
		return "", fmt.Errorf("mw:domain %q: %q is not a domain name", raw, suffix)
	}
	if !strings.Contains(n, ".") {
		return "", fmt.Errorf("mw:domain %q: the suffix needs at least two labels; a pattern may not claim a whole top-level domain", raw)
	}
	return "*." + n, nil
}

// LookupMX returns the provider whose mail exchangers include host (an MX
// host name, any case, with or without the trailing dot): an exact host
// first, then the "*.suffix" pattern with the longest suffix.
func LookupMX(host string) (account.Config, bool) { return get().lookupMX(host) }

func (d *database) lookupMX(host string) (account.Config, bool) {
	key, ok := normalize(host)
	if !ok {
		return account.Config{}, false
	}
	if i, ok := d.mxExact[key]; ok {
		return clone(d.all[i]), true
	}
	// Walk the suffixes longest first: "a.b.google.com" tries "b.google.com",
	// then "google.com", then "com".
	for s := key; ; {
		dot := strings.IndexByte(s, '.')
		if dot < 0 {
			return account.Config{}, false
		}
		s = s[dot+1:]
		if i, ok := d.mxSuffix[s]; ok {
			return clone(d.all[i]), true
		}
	}
}

// ByID returns the provider with the given id ("gmail", "yandex").
func ByID(id string) (account.Config, bool) {
	d := get()
	i, ok := d.byID[strings.ToLower(strings.TrimSpace(id))]
	if !ok {
		return account.Config{}, false
	}
	return clone(d.all[i]), true
}

// All returns every provider, ordered by ID.
func All() []account.Config {
	d := get()
	out := make([]account.Config, len(d.all))
	for i, c := range d.all {
		out[i] = clone(c)
	}
	return out
}

// LoadErrors returns why files of the embedded database were left out; it
// is empty in every release (TestAllFilesParse).
func LoadErrors() []error {
	return append([]error(nil), get().errs...)
}

// clone copies c deeply enough that a caller who edits the result (the
// wizard lets people edit servers) cannot change the database.
func clone(c account.Config) account.Config {
	if c.Provider != nil {
		p := *c.Provider
		p.OAuth2 = p.OAuth2.Clone()
		c.Provider = &p
	}
	// One backing array per element type keeps a lookup at a handful of
	// allocations; the capacity limits stop an append to one slice from
	// overwriting the next.
	nd, nm := len(c.Domains), len(c.MXHosts)
	strs := make([]string, 0, nd+nm+len(c.Limits.BlockedAttachments))
	strs = append(append(append(strs, c.Domains...), c.MXHosts...), c.Limits.BlockedAttachments...)
	c.Domains, c.MXHosts = nilIfEmpty(strs[:nd:nd]), nilIfEmpty(strs[nd:nd+nm:nd+nm])
	c.Limits.BlockedAttachments = nilIfEmpty(strs[nd+nm:])
	ni := len(c.Incoming)
	servers := append(append(make([]account.Server, 0, ni+len(c.Outgoing)), c.Incoming...), c.Outgoing...)
	c.Incoming, c.Outgoing = nilIfEmpty(servers[:ni:ni]), nilIfEmpty(servers[ni:])
	if c.Hints != nil {
		hints := make([]account.Hint, len(c.Hints))
		for i, h := range c.Hints {
			if h.Text != nil {
				t := make(map[string]string, len(h.Text))
				for k, v := range h.Text {
					t[k] = v
				}
				h.Text = t
			}
			hints[i] = h
		}
		c.Hints = hints
	}
	return c
}

// nilIfEmpty keeps a clone DeepEqual to its original: the parser leaves
// absent lists nil.
func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}
