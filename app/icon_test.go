package app

import (
	"bytes"
	"image/png"
	"testing"
)

// The window icon is a PNG small enough to be cheap to hand to the window
// manager, and square.
func TestWindowIcon(t *testing.T) {
	cfg, err := png.DecodeConfig(bytes.NewReader(Icon.Content()))
	if err != nil {
		t.Fatalf("the window icon is not a PNG: %v", err)
	}
	if cfg.Width != 128 || cfg.Height != 128 {
		t.Errorf("the window icon is %d×%d, want 128×128 (see iconPNG)", cfg.Width, cfg.Height)
	}
}
