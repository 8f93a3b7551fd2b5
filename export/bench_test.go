package export

import (
	"io"
	"testing"
)

// BenchmarkWrite measures each format for one account: exports run when a
// person clicks Save, so they should take well under a frame (16 ms).
func BenchmarkWrite(b *testing.B) {
	a := fixtures(b)["imap"]
	for _, f := range Formats() {
		b.Run(f.Name, func(b *testing.B) {
			for b.Loop() {
				if err := Write(io.Discard, f.Name, a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
