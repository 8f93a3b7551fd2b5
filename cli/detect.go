package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/providers"
)

func init() {
	register(&command{
		name:    "detect",
		summary: "find the IMAP, POP3 and SMTP servers for an email address",
		usage:   "detect [--offline] [--json] [--lang en|ru] [--dns HOST:PORT] [--ispdb-url URL] [--timeout D] ADDRESS",
		run:     runDetect,
	})
}

type detectFlags struct {
	offline bool
	json    bool
	lang    string
}

func runDetect(ctx context.Context, env *Env, args []string) int {
	var f detectFlags
	fs := commands["detect"].flags(env, func(fs *flag.FlagSet) {
		fs.BoolVar(&f.offline, "offline", false, "use only the built-in provider database; ask no network")
		fs.BoolVar(&f.json, "json", false, "print one JSON object (the contract in DESIGN.md) instead of a table")
		fs.StringVar(&f.lang, "lang", "", "language of the hints: en or ru (default: from LANG)")
	})
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 1 {
		return fail(env, ExitUsage, "detect takes one email address, e.g. mailwiz detect alice@example.com")
	}
	addr, err := account.ParseAddress(pos[0])
	if err != nil {
		return fail(env, ExitUsage, "%v", err)
	}
	lang := language(env, f.lang)
	cfg, ok := providers.Lookup(addr.Domain)
	if !ok {
		return fail(env, ExitFailed, "%s is not in the built-in database; discovery on the network (without --offline) will look for it", addr.DomainUnicode)
	}
	v := cfg.View(addr, lang)
	if f.json {
		return writeJSON(env, v)
	}
	printConfig(env.Stdout, v, addr)
	return ExitOK
}

func writeJSON(env *Env, v any) int {
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fail(env, ExitFailed, "writing JSON: %v", err)
	}
	return ExitOK
}

// printConfig writes the human-readable table of a detected config.
func printConfig(w io.Writer, v account.View, addr account.Address) {
	name := "unknown provider"
	if v.Provider != nil {
		name = v.Provider.Name
	}
	fmt.Fprintf(w, "%s — %s (source: %s)\n\n", addr.Display(), name, v.Source)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DIRECTION\tPROTOCOL\tHOST\tPORT\tSECURITY\tUSERNAME\tAUTH")
	for _, s := range v.Incoming {
		fmt.Fprintf(tw, "incoming\t%s\t%s\t%d\t%s\t%s\t%s\n", strings.ToUpper(string(s.Protocol)), s.Host, s.Port, s.Security, s.Username, s.Auth)
	}
	for _, s := range v.Outgoing {
		fmt.Fprintf(tw, "outgoing\t%s\t%s\t%d\t%s\t%s\t%s\n", strings.ToUpper(string(s.Protocol)), s.Host, s.Port, s.Security, s.Username, s.Auth)
	}
	tw.Flush()
	if !v.SecureSource {
		fmt.Fprintln(w, "\nThese settings come from a source nothing vouches for: check the hosts before you send a password.")
	}
	if len(v.Hints) > 0 {
		fmt.Fprintln(w, "\nBefore you log in:")
		for _, h := range v.Hints {
			fmt.Fprintf(w, "  • %s\n", h.Text)
			if h.URL != "" {
				fmt.Fprintf(w, "    %s\n", h.URL)
			}
		}
	}
	if l := v.Limits; l != nil {
		fmt.Fprintln(w, "\nLimits:")
		if l.MaxMessageMB > 0 {
			fmt.Fprintf(w, "  message size up to %d MB\n", l.MaxMessageMB)
		}
		if l.MaxRecipients > 0 {
			fmt.Fprintf(w, "  up to %d recipients per message\n", l.MaxRecipients)
		}
		if l.SendPerDay > 0 {
			fmt.Fprintf(w, "  up to %d messages per day\n", l.SendPerDay)
		}
		if l.IMAPConnections > 0 {
			fmt.Fprintf(w, "  up to %d simultaneous IMAP connections\n", l.IMAPConnections)
		}
		if len(l.BlockedAttachments) > 0 {
			fmt.Fprintf(w, "  blocked attachment types: %s\n", strings.Join(l.BlockedAttachments, " "))
		}
	}
}
