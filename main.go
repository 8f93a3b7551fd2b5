// Command mailwiz sets up an email account. Without arguments it opens the
// wizard window; with a subcommand it runs headless (see package cli).
package main

import (
	"os"
	"os/signal"
	"syscall"

	// First of all: keeps Fyne's locale parsing quiet under C.UTF-8.
	_ "github.com/mailwiz/mailwiz/internal/cleanlocale"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/mailwiz/mailwiz/app"
	"github.com/mailwiz/mailwiz/cli"
	"github.com/mailwiz/mailwiz/internal/winconsole"
	"github.com/mailwiz/mailwiz/wizard"
)

// appID is FyneApp.toml's ID: preferences and the keychain's app name hang on it.
const appID = "io.github.mailwiz.mailwiz"

func main() {
	if len(os.Args) > 1 {
		// The Windows GUI build has no streams of its own: borrow the
		// console it was started from.
		winconsole.Attach(os.Args[1:])
		os.Exit(cli.Main(os.Args[1:]))
	}
	// Before the window exists, so an early SIGTERM is not lost either.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)

	a := fyneapp.NewWithID(appID)
	a.SetIcon(app.Icon)
	// Open, not NewWindow and New: it orders the start-up for speed.
	w, ui := app.Open(a, "Mail Setup Wizard", wizard.Default())
	closed := make(chan struct{})
	w.SetOnClosed(func() {
		ui.Close()
		close(closed)
	})
	go exitOnQuit(closed, stop)
	w.CenterOnScreen()
	w.ShowAndRun()
}

// exitOnQuit ends the process once the window has closed (its network work
// cancelled and waited for by ui.Close) or a SIGINT/SIGTERM came, without
// waiting for Fyne's own teardown. That teardown can deadlock in Fyne 2.7.1:
// on quit the GLFW loop queues the OnStopped hook to the lifecycle goroutine,
// drains only what already sits in its function queue's output, and closes
// the queue; when the lifecycle goroutine hands the hook to that queue just
// then, it waits for a run that never comes, and Run's WaitForEvents waits
// on it for ever (seen about once in 60 runs under Xvfb). mailwiz keeps
// nothing in Fyne's preferences, so the teardown has nothing to save.
func exitOnQuit(closed <-chan struct{}, stop <-chan os.Signal) {
	select {
	case <-closed:
	case <-stop:
	}
	os.Exit(0)
}
