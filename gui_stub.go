package main

import (
	"fmt"
	"os"
)

// runGUI is replaced by the Fyne composition root.
func runGUI() int {
	fmt.Fprintln(os.Stderr, "mailwiz: the wizard window is not built yet; try 'mailwiz --help'")
	return 2
}
