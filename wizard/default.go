package wizard

import "github.com/mailwiz/mailwiz/providers"

// Default returns the Deps wired to mailwiz's core packages. Until a
// package lands, its field stays nil and the wizard says the feature is not
// available rather than pretending.
func Default() Deps {
	return Deps{
		Lookup: providers.Lookup,
	}
}
