//go:build !windows

package winconsole

// Attach does nothing outside Windows: programs there always have the
// streams they were started with.
func Attach([]string) {}
