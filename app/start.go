package app

import (
	"runtime/debug"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/mailwiz/mailwiz/wizard"
)

// Start-up (issue 7: first frame under 1 s, under 100 MB resident). What
// runs before the first frame, measured with scripts/startup-bench under
// Xvfb and Mesa's llvmpipe on two cores, in order:
//
//   - exec, dynamic linking, the Go runtime and package initialisers
//     (Fyne parses its own translations; mailwiz's take under 1 ms):
//     ~0.1 s;
//   - GLFW's set-up of the X connection (in NewWindow);
//   - the first text measurement, which makes Fyne parse its fonts and
//     find the system's fallback font for the language (fontscan's index,
//     then one more face per style): ~0.2 s of CPU, the largest part that
//     runs in our code's call path;
//   - Show: GLX loads Mesa's driver and LLVM (~0.25 s of dynamic linking),
//     makes the context and compiles Fyne's shaders, then the first frame
//     is drawn (llvmpipe compiles its rasterisers on first use).
//
// Open overlaps the font work with GLFW's set-up on another core. The
// window's content cannot be set before the fonts are ready (Fyne measures
// text in SetContent), and showing the window before its content would
// draw an empty frame first: tried, it made the complete page later, not
// sooner (the empty frame costs a paint of its own).
//
// Two more cuts live elsewhere: the Makefile builds with Fyne's no_emoji
// tag (its 4 MB colour-emoji font was parsed for every text style: 13 MB
// resident), and the window icon is 128 px (see iconPNG).
//
// Nothing here asks the network or the keychain: the provider database
// loads on the first lookup (after Enter), the keychain on Save.

// Open makes the wizard's window in a and builds the first page into it;
// then show the window (ShowAndRun). It is New with the start-up ordered
// for speed: Fyne's font loading runs on another goroutine while the
// window system is set up.
func Open(a fyne.App, title string, deps wizard.Deps) (fyne.Window, *UI) {
	fonts := warmFonts()
	w := a.NewWindow(title)
	<-fonts
	u := New(a, w, deps)
	a.Lifecycle().SetOnStarted(trimAfterStart)
	return w, u
}

// warmFonts measures a word in each text style the first page uses, on
// its own goroutine, so Fyne loads and caches the fonts; the channel is
// closed when it is done. Measuring touches no window: it is safe off the
// UI goroutine, and the cache it fills is the one widgets read.
func warmFonts() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		size := theme.TextSize()
		for _, st := range []fyne.TextStyle{{}, {Bold: true}} {
			fyne.MeasureText("Mail", size, st)
		}
	}()
	return done
}

// trimOnce guards trimAfterStart: OnStarted could run again on a platform
// that restarts the app.
var trimOnce sync.Once

// trimAfterStart hands back to the system the memory start-up used and
// dropped: parsing fonts leaves several MB of garbage, which Go would keep
// mapped (its heap goal is twice the live heap) long after. One collection
// and a scavenge, once, off the UI goroutine, when the first frame has
// been drawn (Fyne calls OnStarted from its loop after Show's paint).
func trimAfterStart() {
	trimOnce.Do(func() { go debug.FreeOSMemory() })
}
