// Command mailwiz sets up an email account. Without arguments it opens the
// wizard; with a subcommand it runs headless (see package cli).
package main

import (
	"os"

	"github.com/mailwiz/mailwiz/cli"
)

func main() {
	if len(os.Args) > 1 {
		os.Exit(cli.Main(os.Args[1:]))
	}
	os.Exit(runGUI())
}
