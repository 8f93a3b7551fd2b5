package catalog

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// moduleKeys returns every literal catalog key in the module's non-test
// code, with where it is used: the key of lang.L (the window), of
// catalog.T, of catalog.Key and catalog.All, of cli's env.T, and of a local
// shorthand named T.
func moduleKeys(t *testing.T) map[string]string {
	t.Helper()
	keys := map[string]string{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && d.Name() != "..") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		af, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(af, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			// A local shorthand T := func(key string, ...) { catalog.T(lang, key, ...) }.
			if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "T" && len(c.Args) > 0 {
				if lit, ok := c.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					keys[s] = fset.Position(c.Pos()).String()
				}
				return true
			}
			sel, ok := c.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			arg := -1
			switch {
			case pkg.Name == "lang" && sel.Sel.Name == "L", pkg.Name == "catalog" && (sel.Sel.Name == "Key" || sel.Sel.Name == "All"),
				pkg.Name == "env" && sel.Sel.Name == "T": // cli's Env.T
				arg = 0
			case pkg.Name == "catalog" && sel.Sel.Name == "T":
				arg = 1
			}
			if arg < 0 || len(c.Args) <= arg {
				return true
			}
			if lit, ok := c.Args[arg].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				keys[s] = fset.Position(c.Pos()).String()
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

var placeholder = regexp.MustCompile(`{{\s*\.\w+\s*}}`)

// TestEveryKeyTranslated: every key the code uses is in every language,
// not empty, with the key's own placeholders; and the files hold nothing
// the code no longer uses.
func TestEveryKeyTranslated(t *testing.T) {
	code := moduleKeys(t)
	if len(code) < 100 {
		t.Fatalf("found only %d catalog keys in the source: is the scan broken?", len(code))
	}
	if err := Err(); err != nil { // loads the tables, whichever test runs first
		t.Fatalf("catalog: %v", err)
	}
	for _, l := range Languages {
		tr := tables[l]
		if tr == nil {
			t.Fatalf("catalog: %v", Err())
		}
		for k, pos := range code {
			v, ok := tr[k]
			switch {
			case !ok:
				t.Errorf("%s.json lacks %q (used at %s)", l, k, pos)
				continue
			case strings.TrimSpace(v) == "":
				t.Errorf("%s.json: %q is empty", l, k)
			}
			want := placeholder.FindAllString(k, -1)
			got := placeholder.FindAllString(v, -1)
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(slices.Compact(want), slices.Compact(got)) {
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
