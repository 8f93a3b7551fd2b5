package providers

import (
	"strings"
	"sync"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// LookAlike returns the known provider's domain that domain only looks
// like (gmaіl.com with a Cyrillic і, rnail.ru, gmai1.com), so a person
// who typed, or was sent, such an address can be warned before a
// password goes anywhere. A domain the database knows is itself, not a
// look-alike. domain may be in ASCII (punycode) or Unicode form.
func LookAlike(domain string) (known string, ok bool) {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	if _, isKnown := Lookup(domain); isKnown {
		return "", false
	}
	u, err := idna.ToUnicode(domain)
	if err != nil {
		u = domain
	}
	if _, isKnown := Lookup(u); isKnown {
		return "", false
	}
	known, ok = skeletons()[skeleton(u)]
	return known, ok && known != domain && known != u
}

// skeletons maps the skeleton of every domain of the database to the
// domain, built once.
var skeletons = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for _, c := range All() {
		for _, d := range c.Domains {
			if strings.ContainsAny(d, "*") {
				continue
			}
			if _, taken := out[skeleton(d)]; !taken {
				out[skeleton(d)] = d
			}
		}
	}
	return out
})

// skeleton is what a domain looks like, after Unicode's confusable
// mappings (UTS #39 "skeleton"), restricted to what can pass for the
// letters, digits, dots and hyphens of a domain: compatibility forms
// folded (NFKC: fullwidth letters), then each character that can pass for
// a Latin letter replaced by it, then the letter pairs that read as one
// (rn → m, vv → w, cl → d).
func skeleton(s string) string {
	s = norm.NFKC.String(strings.ToLower(s))
	var b strings.Builder
	for _, r := range s {
		if l, ok := confusable[r]; ok {
			b.WriteRune(l)
			continue
		}
		b.WriteRune(r)
	}
	return strings.NewReplacer("rn", "m", "vv", "w", "cl", "d").Replace(b.String())
}

// confusable: characters that Unicode's confusables.txt (UTS #39, the
// "MA" table) maps to a lower-case Latin letter or digit-like letter,
// for the scripts an address is typed or forged in here (Cyrillic, Greek,
// Latin extensions), and the digits that pass for letters in a domain.
// A subset chosen by hand from that file; what it lacks is not warned of.
var confusable = map[rune]rune{
	// Cyrillic.
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x',
	'ѕ': 's', 'і': 'i', 'ј': 'j', 'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w',
	'ӏ': 'l', 'ɡ': 'g', 'ѵ': 'v', 'ү': 'y', 'ԍ': 'g',
	// Greek.
	'ο': 'o', 'α': 'a', 'ν': 'v', 'ι': 'i', 'ρ': 'p', 'ϲ': 'c', 'ϳ': 'j',
	// Latin extensions.
	'ı': 'i', 'ɑ': 'a', 'ɩ': 'i', 'ʟ': 'l', 'ǀ': 'l', 'ɒ': 'a',
	// Digits read as letters.
	'0': 'o', '1': 'l',
}
