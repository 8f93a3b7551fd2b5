package app

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/mailwiz/mailwiz/assets"
	"github.com/mailwiz/mailwiz/wizard"
)

func loadTranslation(t *testing.T, code string) map[string]string {
	t.Helper()
	b, err := assets.Translations.ReadFile("translations/" + code + ".json")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", code, err)
	}
	return m
}

// sourceKeys returns every string literal passed to lang.L in the package.
func sourceKeys(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		fs := token.NewFileSet()
		af, err := parser.ParseFile(fs, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := c.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "L" {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "lang" {
				return true
			}
			lit, ok := c.Args[0].(*ast.BasicLit)
			if !ok {
				t.Errorf("%s: lang.L with a non-literal key cannot be checked", fs.Position(c.Pos()))
				return true
			}
			s, _ := strconv.Unquote(lit.Value)
			keys[s] = fs.Position(c.Pos()).String()
			return true
		})
	}
	return keys
}

var placeholder = regexp.MustCompile(`{{\s*\.\w+\s*}}`)

// Every string the code shows is in every language, with the same template
// fields, and the files hold nothing the code no longer uses.
func TestTranslationsComplete(t *testing.T) {
	code := sourceKeys(t)
	if len(code) < 50 {
		t.Fatalf("found only %d translated strings in the source: is the scan broken?", len(code))
	}
	for _, l := range assets.Languages {
		tr := loadTranslation(t, l)
		for k, pos := range code {
			v, ok := tr[k]
			switch {
			case !ok:
				t.Errorf("%s.json lacks %q (used at %s)", l, k, pos)
			case strings.TrimSpace(v) == "":
				t.Errorf("%s.json: %q is empty", l, k)
			}
			want := placeholder.FindAllString(k, -1)
			got := placeholder.FindAllString(v, -1)
			slices.Sort(want)
			slices.Sort(got)
			if ok && !slices.Equal(want, got) {
				t.Errorf("%s.json: %q has fields %v, want %v", l, k, got, want)
			}
		}
		for k := range tr {
			if _, ok := code[k]; !ok {
				t.Errorf("%s.json holds %q, which no code uses", l, k)
			}
		}
	}
}

func TestLanguageSwitch(t *testing.T) {
	h := newHarness(t, wizard.Deps{Lookup: lookupExample})
	test.Type(h.ui.address.address, "alice@example.com")
	h.ui.langs.SetSelected("Русский")
	if got := h.ui.next.Text; got != "Далее" {
		t.Errorf("Next in Russian = %q", got)
	}
	if got := h.ui.heading.Text; got != "Ваш адрес почты" {
		t.Errorf("heading in Russian = %q", got)
	}
	if got := h.w.Title(); got != "Мастер настройки почты" {
		t.Errorf("title in Russian = %q", got)
	}
	// The page was rebuilt: what was typed is still there.
	if got := h.ui.address.address.Text; got != "alice@example.com" {
		t.Errorf("address after the switch = %q", got)
	}
	h.ui.langs.SetSelected("English")
	if got := lang.L("Next"); got != "Next" {
		t.Errorf("Next after switching back = %q", got)
	}
}
