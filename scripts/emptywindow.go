//go:build ignore

// emptywindow is the yardstick for mailwiz's start-up: the smallest Fyne
// program with a window of the same size showing one line of text, so
// scripts/startup-bench can tell what Fyne, GLFW and Mesa cost on their own
// from what mailwiz adds. Build it as mailwiz is built:
//
//	go build -tags no_emoji -o /tmp/emptywindow scripts/emptywindow.go
//	scripts/startup-bench /tmp/emptywindow
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("io.github.mailwiz.emptywindow")
	w := a.NewWindow("Mail Setup Wizard") // the title startup-bench's helpers look for
	w.SetContent(widget.NewLabel("Your email address"))
	w.Resize(fyne.NewSize(720, 560))
	w.ShowAndRun()
}
