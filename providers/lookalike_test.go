package providers

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

func TestLookAlike(t *testing.T) {
	for _, tc := range []struct {
		domain, want string
	}{
		{"gmaіl.com", "gmail.com"},        // Cyrillic і
		{"xn--gmal-n9d.com", "gmail.com"}, // the same, in punycode
		{"GMAІL.COM.", "gmail.com"},       // upper case, trailing dot
		{"ya.ru", ""},                     // known itself
		{"gmail.com", ""},                 // known itself
		{"rnail.ru", "mail.ru"},           // confusables.txt: m → rn
		{"gmai1.com", "gmail.com"},        // confusables.txt: 1 → l
		{"уаndех.ru", "yandex.ru"},        // Cyrillic у, а, е, х
		{"xn--nd-6kcw0eq.ru", "yandex.ru"},
		{"gmαil.com", "gmail.com"}, // Greek α
		{"ｇｍａｉｌ.com", ""},          // fullwidth folds to gmail.com itself: known
		{"g00gle.com", ""},         // 0 → O, not o: UTS #39 does not confuse them
		{"gmaíl.com", ""},          // an accent stays visible
		{"example.org", ""},        // looks like nothing known
		{"mycompany.ru", ""},
		{"xn--80ak6aa92e.com", ""}, // Cyrillic "apple" is not a mail provider here
	} {
		got, ok := LookAlike(tc.domain)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("LookAlike(%q) = %q, %v; want %q", tc.domain, got, ok, tc.want)
		}
	}
}

var confusablesFile = flag.String("confusables", "", "path of Unicode's confusables.txt: check the confusable table against it and print the table's Go source (-v)")

// TestConfusableTable is the generator of the confusable table: given
// Unicode's confusables.txt, it computes the table's entries (a Latin,
// Cyrillic, Greek or ASCII source whose prototype is ASCII), logs them as
// Go source, and fails when lookalike.go's table differs.
func TestConfusableTable(t *testing.T) {
	if *confusablesFile == "" {
		t.Skip("no -confusables=FILE")
	}
	f, err := os.Open(*confusablesFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[rune]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Split(line, ";")
		if len(fields) < 3 {
			continue
		}
		src, err := strconv.ParseUint(strings.TrimSpace(fields[0]), 16, 32)
		if err != nil {
			t.Fatalf("%q: %v", sc.Text(), err)
		}
		var proto strings.Builder
		ascii := true
		for _, h := range strings.Fields(fields[1]) {
			r, err := strconv.ParseUint(h, 16, 32)
			if err != nil {
				t.Fatalf("%q: %v", sc.Text(), err)
			}
			ascii = ascii && r > 0x20 && r < 0x7f
			proto.WriteRune(rune(r))
		}
		r := rune(src)
		if ascii && (r < 0x80 || unicode.In(r, unicode.Latin, unicode.Cyrillic, unicode.Greek)) {
			want[r] = proto.String()
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	keys := make([]rune, 0, len(want))
	for r := range want {
		keys = append(keys, r)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var src strings.Builder
	for i, r := range keys {
		fmt.Fprintf(&src, "0x%04X: %q,", r, want[r])
		if i%4 == 3 {
			src.WriteString("\n")
		} else {
			src.WriteString(" ")
		}
	}
	t.Logf("%d entries:\n%s", len(want), src.String())
	for r, p := range want {
		if confusable[r] != p {
			t.Errorf("%U: table has %q, confusables.txt %q", r, confusable[r], p)
		}
	}
	for r := range confusable {
		if _, ok := want[r]; !ok {
			t.Errorf("%U: in the table, not in confusables.txt's selection", r)
		}
	}
}
