package cli

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// commandFlags returns the flags each command takes, read from its own
// help, the way a person would.
func commandFlags(t *testing.T) map[string][]string {
	t.Helper()
	flagLine := regexp.MustCompile(`(?m)^\s+-(\w[\w-]*)`)
	out := map[string][]string{}
	for name := range commands {
		var b bytes.Buffer
		if code := Run(context.Background(), newEnv(t, "", &b, &b), []string{"help", name}); code != ExitOK {
			t.Fatalf("help %s: exit %d", name, code)
		}
		for _, m := range flagLine.FindAllStringSubmatch(b.String(), -1) {
			out[name] = append(out[name], m[1])
		}
		slices.Sort(out[name])
	}
	return out
}

var docFlag = regexp.MustCompile(`(?:^|[\s\[])--?(\w[\w-]*)`)

// flagsIn lists the flags written in one command line of a document.
func flagsIn(s string) []string {
	var out []string
	for _, m := range docFlag.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}

// commandLines finds "mailwiz CMD ..." lines in a document's code (blocks
// and `inline`), joined across shell line continuations.
func commandLines(doc string) [][2]string {
	doc = strings.ReplaceAll(doc, "\\\n", " ")
	re := regexp.MustCompile("(?m)(?:^|`)\\s*mailwiz ([a-z]+)((?: [^`#\n]*)?)")
	var out [][2]string
	for _, m := range re.FindAllStringSubmatch(doc, -1) {
		out = append(out, [2]string{m[1], m[2]})
	}
	return out
}

// TestDocumentedFlags: the CLI contract in DESIGN.md lists exactly the
// flags each command takes, the usage line does too, and no example in
// README.md or DESIGN.md gives a command a flag it does not take.
func TestDocumentedFlags(t *testing.T) {
	have := commandFlags(t)
	for name, c := range commands {
		if got := flagsIn(c.usage); !slices.Equal(got, withoutHelp(have[name])) {
			t.Errorf("mailwiz %s: the usage line names %v; the command takes %v", name, got, have[name])
		}
	}
	design, err := os.ReadFile("../docs/DESIGN.md")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(design, []byte("## CLI contract"))
	j := bytes.Index(design[i:], []byte("```\n"))
	k := bytes.Index(design[i+j+4:], []byte("```"))
	if i < 0 || j < 0 || k < 0 {
		t.Fatal("DESIGN.md has no CLI contract block")
	}
	synopsis := map[string][]string{}
	for _, l := range commandLines(string(design[i+j+4 : i+j+4+k])) {
		synopsis[l[0]] = append(synopsis[l[0]], flagsIn(l[1])...)
	}
	for name := range commands {
		got := synopsis[name]
		slices.Sort(got)
		if !slices.Equal(slices.Compact(got), withoutHelp(have[name])) {
			t.Errorf("DESIGN.md's contract gives mailwiz %s %v; the command takes %v", name, got, have[name])
		}
	}
	for _, doc := range []string{"../README.md", "../docs/DESIGN.md", "../SECURITY.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range commandLines(string(b)) {
			if _, ok := commands[l[0]]; !ok {
				continue
			}
			for _, f := range flagsIn(l[1]) {
				if f != "help" && f != "h" && !slices.Contains(have[l[0]], f) {
					t.Errorf("%s: mailwiz %s%s: %s takes no --%s", doc, l[0], l[1], l[0], f)
				}
			}
		}
	}
}

func withoutHelp(flags []string) []string {
	return slices.DeleteFunc(slices.Clone(flags), func(f string) bool { return f == "h" || f == "help" })
}
