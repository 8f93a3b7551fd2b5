// Command mailwiz sets up an email account. Without arguments it opens the
// wizard window; with a subcommand it runs headless (see package cli).
package main

import (
	"os"

	// First of all: keeps Fyne's locale parsing quiet under C.UTF-8.
	_ "github.com/mailwiz/mailwiz/internal/cleanlocale"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/mailwiz/mailwiz/app"
	"github.com/mailwiz/mailwiz/cli"
	"github.com/mailwiz/mailwiz/wizard"
)

// appID is FyneApp.toml's ID: preferences and the keychain's app name hang on it.
const appID = "io.github.mailwiz.mailwiz"

func main() {
	if len(os.Args) > 1 {
		os.Exit(cli.Main(os.Args[1:]))
	}
	a := fyneapp.NewWithID(appID)
	a.SetIcon(app.Icon)
	w := a.NewWindow("Mail Setup Wizard")
	ui := app.New(a, w, wizard.Default())
	w.SetOnClosed(ui.Close)
	w.CenterOnScreen()
	w.ShowAndRun()
}
