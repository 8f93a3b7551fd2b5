package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/export"
	"github.com/mailwiz/mailwiz/wizard"
)

func init() {
	register(&command{
		name:    "export",
		summary: catalog.Key("write the account's settings for another mail client (no password is ever written)"),
		usage:   "export --format F [--incoming URL] [--outgoing URL] [--name NAME] [--lang en|ru] [--leave-on-server] [--days-on-server N] [--offline] [--allow-redirect HOST] [-o FILE] [--force] ADDRESS",
		run:     runExport,
	})
}

type exportFlags struct {
	format, name, lang, output string
	leave                      optionalBool
	days                       int
	offline, force             bool
	servers                    serverFlags
}

// optionalBool is a bool flag that knows whether it was given, so the
// provider's default stands when it was not.
type optionalBool struct{ set, value bool }

func (b *optionalBool) String() string {
	if !b.set {
		return ""
	}
	return strconv.FormatBool(b.value)
}

func (b *optionalBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("parse error") // the flag package's own words for a bool, said in lang by flagWords
	}
	b.set, b.value = true, v
	return nil
}

func (b *optionalBool) IsBoolFlag() bool { return true }

func runExport(ctx context.Context, env *Env, args []string) int {
	var f exportFlags
	fs := commands["export"].flags(env, func(fs *flag.FlagSet) {
		fs.StringVar(&f.format, "format", "", catalog.Key("the format: one of those listed below"))
		f.servers.define(fs, catalog.Key("incoming server, e.g. imap://imap.example.com:993?security=ssl (default: the saved account's, else the built-in database or detect's)"), catalog.Key("outgoing server, e.g. smtp://smtp.example.com:465?security=ssl (default: the saved account's, else the built-in database or detect's)"))
		fs.StringVar(&f.name, "name", "", catalog.Key("your name, for the From line"))
		fs.StringVar(&f.lang, "lang", "", catalog.Key("language of the steps and warnings: en or ru (default: from LANG)"))
		fs.Var(&f.leave, "leave-on-server", catalog.Key("POP3: keep mail on the server after downloading it (default: the saved account's or the provider's choice, else false)"))
		fs.IntVar(&f.days, "days-on-server", 0, catalog.Key("POP3 with --leave-on-server: delete from the server after this many days (0 keeps it)"))
		fs.BoolVar(&f.offline, "offline", false, catalog.Key("use only the built-in provider database; ask no network"))
		fs.BoolVar(&f.force, "force", false, catalog.Key("with -o: replace a file that is already there (its permissions are kept when stricter)"))
		fs.StringVar(&f.output, "o", "", catalog.Key(`output file, or a directory to get the format's own file name (user.js, ADDRESS.mobileconfig, ...); "-" or none: standard output`))
	})
	usage := fs.Usage
	fs.Usage = func() {
		usage()
		printFormats(fs.Output(), env.lang)
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	addr, lang, code := oneAddress(env, pos, catalog.Key("export takes one email address, e.g. mailwiz export --format thunderbird alice@example.com"), f.lang)
	if code != ExitOK {
		return code
	}
	if f.format == "" {
		return fail(env, ExitUsage, "%s", env.T("export needs --format: one of {{.Formats}} (mailwiz help export describes them)", "Formats", strings.Join(export.Names(), ", ")))
	}
	format, ok := export.Lookup(f.format)
	if !ok {
		return fail(env, ExitUsage, "%s", env.T("no export format {{.Format}}: use one of {{.Formats}}", "Format", strconv.Quote(f.format), "Formats", strings.Join(export.Names(), ", ")))
	}
	acct, from, code, err := exportAccount(ctx, env, addr, &f)
	if err != nil {
		return configFailed(env, lang, addr, code, err)
	}
	if from != "" {
		fmt.Fprintln(env.Stderr, "mailwiz: "+catalog.T(lang, "Servers from your saved account ({{.Path}})", "Path", homeShort(from)))
	}
	acct.Lang = lang
	if err := acct.Validate(); err != nil {
		return fail(env, ExitUsage, "%s", exportMessage(err))
	}

	toStdout := f.output == "" || f.output == "-"
	if format.Binary && f.output == "" {
		return fail(env, ExitUsage, "%s", catalog.T(lang, "{{.Format}} is a binary file: give -o {{.File}} (or -o - to write it to standard output).", "Format", format.Name, "File", format.FileName(acct)))
	}
	// Write to memory first: a failed export leaves no half-written file.
	var buf strings.Builder
	if err := export.Write(&buf, format.Name, acct); err != nil {
		return fail(env, ExitFailed, "%s", exportMessage(err))
	}
	if !acct.Config.SecureSource && acct.Config.Source != account.SourceManual {
		fmt.Fprintln(env.Stderr, "mailwiz: "+catalog.T(lang, "warning: these settings come {{.Source}}, and nothing vouches for them: check the hosts before you use them.", "Source", catalog.T(lang, wizard.SourcePhrase(acct.Config.Source))))
	}
	for _, w := range export.Warnings(format.Name, acct) {
		fmt.Fprintln(env.Stderr, "mailwiz: "+catalog.T(lang, "warning: {{.Text}}", "Text", w))
	}
	if toStdout {
		if _, err := io.WriteString(env.Stdout, buf.String()); err != nil {
			return fail(env, ExitFailed, "%s %v", catalog.T(lang, "writing to standard output failed:"), err)
		}
		return ExitOK
	}
	path := f.output
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, format.FileName(acct))
	}
	if err := writeFileAtomic(path, []byte(buf.String()), f.force, lang); err != nil {
		var ee *existsError
		if errors.As(err, &ee) {
			return fail(env, ExitFailed, "%s", catalog.T(lang, "{{.Path}} is already there: give another -o, or add --force to replace it.", "Path", path))
		}
		return fail(env, ExitFailed, "%v", err)
	}
	fmt.Fprintln(env.Stdout, catalog.T(lang, "wrote {{.Path}} ({{.What}})", "Path", path, "What", catalog.T(lang, format.Description)))
	if format.Name == "thunderbird-profile" {
		fmt.Fprintln(env.Stdout, export.ThunderbirdProfileSteps(lang))
	}
	return ExitOK
}

// detectFailure is resolveConfig's discovery that found nothing; test, save
// and export report it as detect does (detectFailed), with each source's
// reason.
type detectFailure struct{ err error }

func (d *detectFailure) Error() string { return d.err.Error() }

// configFailed reports an error of resolveConfig (or a caller's wrapper of
// it) with exit code code: a discovery that found nothing the way detect
// reports it, anything else as one line.
func configFailed(env *Env, lang string, addr account.Address, code int, err error) int {
	var df *detectFailure
	if errors.As(err, &df) {
		return detectFailed(env, lang, addr, df.err)
	}
	return fail(env, code, "%v", err)
}

// exportAccount builds the account from the servers given on the command
// line and, for what they leave out, the account saved for the address, the
// built-in database or (without --offline) discovery on the network. from
// is the saved account's file when its servers are used. The int is the
// exit code for an error.
func exportAccount(ctx context.Context, env *Env, addr account.Address, f *exportFlags) (acct export.Account, from string, code int, err error) {
	r, from, code, err := resolveConfig(ctx, env, addr, f.servers.choice(env, f.lang, f.offline))
	if err != nil {
		return export.Account{}, "", code, err
	}
	acct, err = export.NewAccount(addr, r.Config)
	var me *export.MissingServerError
	switch {
	case errors.As(err, &me) && me.Outgoing:
		return export.Account{}, "", ExitFailed, errors.New(env.T("no outgoing server is known for {{.Address}}: give one with --outgoing smtp://host:465", "Address", addr.Display()))
	case errors.As(err, &me):
		return export.Account{}, "", ExitFailed, errors.New(env.T("no incoming server is known for {{.Address}}: give one with --incoming imap://host:993", "Address", addr.Display()))
	case err != nil:
		return export.Account{}, "", ExitFailed, errors.New(exportMessage(err))
	}
	acct.Name = f.name
	if acct.Name == "" {
		acct.Name = r.Name
	}
	if f.leave.set {
		acct.LeaveOnServer = f.leave.value
	}
	if f.days != 0 {
		acct.DaysOnServer = f.days
	}
	if r.FromSaved {
		// The exceptions kept with the account are for its servers: the
		// files name them, and msmtp's pins one.
		acct.TrustedCerts = savedExceptions(env, addr, nil)
	}
	return acct, from, ExitOK, nil
}

// warner prints a warning line on env's standard error.
func warner(env *Env) func(string) {
	return func(s string) { fmt.Fprintln(env.Stderr, "mailwiz: warning: "+s) }
}

// homeShort is path with the home directory written ~, as people read it.
func homeShort(path string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || home == "/" {
		return path
	}
	if rel, ok := strings.CutPrefix(path, home+string(filepath.Separator)); ok {
		return "~" + string(filepath.Separator) + rel
	}
	return path
}

// exportMessage is an export error for a person: the package's Msg, or
// the error as it is.
func exportMessage(err error) string {
	var ee *export.Error
	if errors.As(err, &ee) {
		return ee.Msg
	}
	return err.Error()
}

// existsError: the output file is already there and --force was not given.
type existsError struct{ path string }

func (e *existsError) Error() string { return e.path + " is already there" }

// writeFileAtomic writes data to a temporary file beside path and renames it
// into place, so a reader never sees half a file. A file already at path is
// replaced only with force, and keeps its mode when that is stricter than
// 0644 (a 0600 file stays 0600).
func writeFileAtomic(path string, data []byte, force bool, lang string) error {
	failed := func(err error) error {
		return fmt.Errorf("%s %w", catalog.T(lang, "writing {{.Path}} failed:", "Path", path), err)
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Lstat(path); err == nil {
		if !force {
			return &existsError{path}
		}
		if !fi.Mode().IsRegular() {
			return errors.New(catalog.T(lang, "{{.Path}} is not a regular file; give another -o", "Path", path))
		}
		mode = fi.Mode().Perm() & 0o644
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("%s %w", catalog.T(lang, "cannot write {{.Path}}:", "Path", path), err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return failed(err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return failed(err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return failed(err)
	}
	if err := tmp.Close(); err != nil {
		return failed(err)
	}
	if !force {
		// Link fails if a file appeared since the check: never replace
		// one without --force. Where links are not supported, rename.
		if err := os.Link(tmp.Name(), path); err == nil {
			return nil
		} else if errors.Is(err, os.ErrExist) {
			return &existsError{path}
		}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return failed(err)
	}
	return nil
}

func printFormats(w io.Writer, lang string) {
	T := func(key string, args ...any) string { return catalog.T(lang, key, args...) }
	fmt.Fprintln(w, "\n"+T("formats:"))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, f := range export.Formats() {
		kind := T("text")
		if f.Binary {
			kind = T("binary, needs -o")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s (%s)\n", f.Name, f.Ext, T(f.Description), kind)
	}
	tw.Flush()
	fmt.Fprintln(w, "\n"+T("No export contains a password: every client asks for it on first use."))
}
