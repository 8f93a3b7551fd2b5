// Command mailwiz-cli is mailwiz's command line without the window: the
// same commands as `mailwiz <command>`, in a console-subsystem program. On
// Windows that is what scripts need: cmd.exe and PowerShell wait for it,
// pipes work, and %ERRORLEVEL% / $LASTEXITCODE get its exit code (the GUI
// mailwiz.exe attaches to the console it was started from, but the shell
// does not wait for a GUI program). It does not link Fyne, so it builds
// without cgo for every platform.
package main

import (
	"os"

	"github.com/mailwiz/mailwiz/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:])) }
