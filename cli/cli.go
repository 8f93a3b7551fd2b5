// Package cli is mailwiz's headless face: `mailwiz detect`, `test`, `save`,
// `forget` and `export`, for scripts and for our own end-to-end tests. The
// commands, flags, JSON and exit codes are a contract (DESIGN.md, "CLI
// contract").
//
// # Exit codes
//
// 0 success; 1 the operation ran and failed (nothing found, a test failed);
// 2 bad input or usage, with one clear line on stderr.
package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/discover"
	"github.com/mailwiz/mailwiz/oauth"
	"github.com/mailwiz/mailwiz/store"
	"github.com/mailwiz/mailwiz/wizard"
)

// Exit codes.
const (
	ExitOK     = 0
	ExitFailed = 1
	ExitUsage  = 2
)

// Env is what a command may touch: its streams, the environment, the
// settings store and the network's trust anchors. Tests run commands
// in-process with buffers, a store of their own and loopback servers, so
// they can run in parallel; Main fills in the real ones.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment (LANG, for the hint language).
	Getenv func(string) string

	// Store keeps the saved accounts; nil means the user's configuration
	// directory (store.Default).
	Store *store.Store
	// RootCAs and Resolver replace the system's CA pool and resolver for
	// connection tests; nil means the system's.
	RootCAs  *x509.CertPool
	Resolver *net.Resolver
	// DiscoverOptions, if set, adjusts discovery's options (a test CA, a
	// port map to loopback servers).
	DiscoverOptions func(*discover.Options)
	// Detect, if set, replaces discovery on the network for test, save and
	// export.
	Detect func(ctx context.Context, addr account.Address) (account.Config, error)
	// OAuth2, if set, prepares the browser sign-in for a config instead
	// of the built-in providers and this build's registrations (tests
	// point it at a loopback authorization server and play the browser).
	OAuth2 func(cfg account.Config, kind oauth.RedirectKind) (*oauth.Flow, error)

	// lang is the language of help and usage errors: --lang when the
	// arguments hold it (read before the flags are parsed), else the
	// locale's. Run sets it.
	lang string
}

// T is key in the language of help and usage errors (Env.lang).
func (e *Env) T(key string, args ...any) string { return catalog.T(e.lang, key, args...) }

// argsLanguage is the language help and usage errors are in: a valid
// --lang among args (a command's flags are not parsed yet when they are
// needed), else the locale's.
func argsLanguage(env *Env, args []string) string {
	for i, a := range args {
		v, ok := "", false
		switch {
		case a == "--lang" || a == "-lang":
			if i+1 < len(args) {
				v, ok = args[i+1], true
			}
		case strings.HasPrefix(a, "--lang="), strings.HasPrefix(a, "-lang="):
			_, v, ok = strings.Cut(a, "=")
		}
		if ok && (v == "en" || v == "ru") {
			return v
		}
	}
	return localeLanguage(env)
}

// store is the settings store: Env.Store, else the user's.
func (e *Env) store() (*store.Store, error) {
	if e.Store != nil {
		return e.Store, nil
	}
	return store.Default()
}

type command struct {
	name    string
	summary string
	usage   string // the synopsis line after "mailwiz "
	run     func(ctx context.Context, env *Env, args []string) int
}

// commands is filled by each command's file, so each stays self-contained.
var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// Main runs the command line args (without the program name) and returns the
// process exit code. Ctrl-C cancels the command's context.
func Main(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return Run(ctx, &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}, args)
}

// Run is Main with the streams and context given, for tests.
func Run(ctx context.Context, env *Env, args []string) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	env.lang = argsLanguage(env, args)
	if len(args) == 0 {
		usage(env.Stderr, env.lang)
		return ExitUsage
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		if len(args) > 1 && args[0] == "help" {
			c, ok := commands[args[1]]
			if !ok {
				return fail(env, ExitUsage, "%s", env.T("no command {{.Name}}; run 'mailwiz --help' for the list", "Name", strconv.Quote(args[1])))
			}
			// The command prints its own flags; help goes to stdout.
			helpEnv := *env
			helpEnv.Stderr = env.Stdout
			c.run(ctx, &helpEnv, []string{"--help"})
			return ExitOK
		}
		usage(env.Stdout, env.lang)
		return ExitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		return fail(env, ExitUsage, "%s", env.T("no command {{.Name}}; run 'mailwiz --help' for the list", "Name", strconv.Quote(args[0])))
	}
	return c.run(ctx, env, args[1:])
}

func usage(w io.Writer, lang string) {
	T := func(key string, args ...any) string { return catalog.T(lang, key, args...) }
	fmt.Fprintln(w, T("mailwiz sets up an email account: it finds the servers for an address, tests the login for real, keeps the password in the OS keychain and exports the settings."))
	fmt.Fprintln(w, "\n"+T("Without arguments it opens the wizard. Commands:"))
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, T(commands[n].summary))
	}
	fmt.Fprintln(w, "\n"+T("Run 'mailwiz help COMMAND' for a command's flags."))
	fmt.Fprintln(w, T("Exit codes: 0 success, 1 the operation ran and failed, 2 bad input or usage."))
}

// flags makes the command's FlagSet with its usage text; define adds the
// command's own flags.
func (c *command) flags(env *Env, define func(fs *flag.FlagSet)) *flag.FlagSet {
	fs := flag.NewFlagSet("mailwiz "+c.name, flag.ContinueOnError)
	fs.SetOutput(flagWords{w: env.Stderr, lang: env.lang, fs: fs})
	if define != nil {
		define(fs)
	}
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "%s mailwiz %s\n\n%s\n", env.T("usage:"), c.usage, env.T(c.summary))
		if hasFlags(fs) {
			fmt.Fprintln(out, "\n"+env.T("flags:"))
			printFlags(out, fs, env.lang)
		}
	}
	return fs
}

// printFlags is flag.PrintDefaults in lang, in the same layout: the
// flags' texts are catalog keys (catalog.Key where they are defined), and
// the flag package's own words (its type names, "(default …)") come from
// the catalog too.
func printFlags(w io.Writer, fs *flag.FlagSet, lang string) {
	T := func(key string, args ...any) string { return catalog.T(lang, key, args...) }
	types := map[string]string{"string": catalog.Key("string"), "duration": catalog.Key("duration"),
		"int": catalog.Key("int"), "value": catalog.Key("value")}
	fs.VisitAll(func(f *flag.Flag) {
		var b strings.Builder
		fmt.Fprintf(&b, "  -%s", f.Name)
		name, usage := flag.UnquoteUsage(&flag.Flag{Name: f.Name, Usage: T(f.Usage), Value: f.Value, DefValue: f.DefValue})
		if key, ok := types[name]; ok {
			name = T(key)
		}
		if name != "" {
			b.WriteString(" " + name)
		}
		if b.Len() <= 4 { // a one-letter flag without a value fits on its line
			b.WriteString("\t")
		} else {
			b.WriteString("\n    \t")
		}
		b.WriteString(strings.ReplaceAll(usage, "\n", "\n    \t"))
		if !zeroDefault(f) {
			v := f.DefValue
			if g, ok := f.Value.(flag.Getter); ok {
				if _, isString := g.Get().(string); isString {
					v = strconv.Quote(v)
				}
			}
			b.WriteString(" " + T("(default {{.Value}})", "Value", v))
		}
		fmt.Fprintln(w, b.String())
	})
}

// zeroDefault reports whether f's default is its type's zero value, which
// the help does not mention (as the flag package decides it).
func zeroDefault(f *flag.Flag) bool {
	typ := reflect.TypeOf(f.Value)
	var z reflect.Value
	if typ.Kind() == reflect.Pointer {
		z = reflect.New(typ.Elem())
	} else {
		z = reflect.Zero(typ)
	}
	v, ok := z.Interface().(flag.Value)
	return ok && v.String() == f.DefValue
}

// flagWords is the output of a command's flags: the flag package writes its
// parse errors there ("flag provided but not defined: -x"), each with one
// Write, and they are said in lang; everything else passes as it is.
type flagWords struct {
	w    io.Writer
	lang string
	fs   *flag.FlagSet // to say what its flags take
}

// flagErrors are the flag package's parse errors, as catalog keys with
// the part they quote.
var flagErrors = []struct {
	prefix, key string
}{
	{"flag provided but not defined: ", catalog.Key("flag provided but not defined: {{.Flag}}")},
	{"flag needs an argument: ", catalog.Key("flag needs an argument: {{.Flag}}")},
	{"bad flag syntax: ", catalog.Key("bad flag syntax: {{.Flag}}")},
}

// invalidValue is the flag package's error for a value its flag refuses.
var invalidValue = regexp.MustCompile(`^invalid (?:boolean )?value ("(?:[^"\\]|\\.)*") for (?:flag )?(-\S+): (.*)$`)

func (f flagWords) Write(p []byte) (int, error) {
	line := strings.TrimSuffix(string(p), "\n")
	if m := invalidValue.FindStringSubmatch(line); m != nil {
		if _, err := io.WriteString(f.w, catalog.T(f.lang, "invalid value {{.Value}} for flag {{.Flag}}: {{.Err}}", "Value", m[1], "Flag", m[2], "Err", f.valueError(m[2], m[3]))+"\n"); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	for _, e := range flagErrors {
		if rest, ok := strings.CutPrefix(line, e.prefix); ok && !strings.Contains(rest, "\n") {
			if _, err := io.WriteString(f.w, catalog.T(f.lang, e.key, "Flag", rest)+"\n"); err != nil {
				return 0, err
			}
			return len(p), nil
		}
	}
	return f.w.Write(p)
}

// valueError says in lang what the flag package's own words for a value
// name refused mean ("parse error", "value out of range"): what to write
// instead, by what the flag takes. Other words (a flag's own) pass as
// they are.
func (f flagWords) valueError(name, words string) string {
	var fl *flag.Flag
	if f.fs != nil {
		fl = f.fs.Lookup(strings.TrimLeft(name, "-"))
	}
	if fl == nil {
		return words
	}
	kind, _ := flag.UnquoteUsage(fl)
	switch {
	case words == "value out of range":
		return catalog.T(f.lang, "the number is too large")
	case words != "parse error":
		return words
	case kind == "duration":
		return catalog.T(f.lang, "write a duration such as 30s, 2m or 1h30m")
	case kind == "int" || kind == "uint":
		return catalog.T(f.lang, "write a whole number such as 7")
	case kind == "":
		return catalog.T(f.lang, "write true or false")
	}
	return words
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// errUsage marks an error that is the caller's: exit code 2.
var errUsage = errors.New("usage")

// parseArgs parses flags that may stand before or after the positional
// arguments ("mailwiz detect a@b.c --json" works too) and returns the
// positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// flagExit is the exit code for a flag parse error: 0 for -h/--help (the
// usage was printed as asked), 2 otherwise (the flag package said why).
func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	return ExitUsage
}

// fail prints one line to stderr and returns code.
func fail(env *Env, code int, format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	msg = strings.TrimRight(strings.ReplaceAll(msg, "\n", " "), " ")
	fmt.Fprintln(env.Stderr, "mailwiz: "+msg)
	return code
}

// language picks the hint language: an explicit --lang (en or ru, else a
// usage error), else LC_ALL/LC_MESSAGES/LANG, else English.
func language(env *Env, flagValue string) (string, error) {
	switch flagValue {
	case "en", "ru":
		return flagValue, nil
	case "":
		return localeLanguage(env), nil
	}
	return "", errors.New(env.T("--lang {{.Value}}: use en or ru", "Value", strconv.Quote(flagValue)))
}

// localeLanguage reads the language from the environment: Russian for a
// ru locale, English for any other.
func localeLanguage(env *Env) string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := env.Getenv(k); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "ru") {
				return "ru"
			}
			return "en"
		}
	}
	return "en"
}

// addressMessage is a refused address in the person's language (--lang,
// else the locale): the input quoted, then the window's sentence for the
// parser's verdict.
func addressMessage(env *Env, flagLang, input string, err error) string {
	lang, lerr := language(env, flagLang)
	if lerr != nil {
		lang = "en"
	}
	if key, ok := wizard.AddressProblem(err); ok {
		return fmt.Sprintf("%q: %s", input, catalog.T(lang, key))
	}
	return err.Error()
}

// positive is a duration flag that must be above zero, and an example
// value for the error that says so.
type positive struct {
	name    string
	value   time.Duration
	example string
}

// oneAddress checks what every command taking one address checks, in the
// order a person fixes them: one positional argument (else usage, which
// shows a whole command line), each duration above zero, --lang, and the
// address itself. It returns the address and the report language, or
// the exit code of the one line it printed.
func oneAddress(env *Env, pos []string, usage, flagLang string, durations ...positive) (account.Address, string, int) {
	if len(pos) != 1 {
		return account.Address{}, "", fail(env, ExitUsage, "%s", env.T(usage))
	}
	for _, d := range durations {
		if d.value <= 0 {
			return account.Address{}, "", fail(env, ExitUsage, "%s", env.T("--{{.Flag}} {{.Value}}: give a positive duration such as {{.Example}}", "Flag", d.name, "Value", d.value, "Example", d.example))
		}
	}
	lang, err := language(env, flagLang)
	if err != nil {
		return account.Address{}, "", fail(env, ExitUsage, "%v", err)
	}
	addr, err := account.ParseAddress(pos[0])
	if err != nil {
		return account.Address{}, "", fail(env, ExitUsage, "%s", addressMessage(env, flagLang, pos[0], err))
	}
	return addr, lang, ExitOK
}
