//go:build windows

package winconsole

import (
	"os"

	"golang.org/x/sys/windows"
)

// Attach binds the streams with nowhere to go to the parent's console, for
// a GUI-subsystem program started with a command (see the package comment).
// It does nothing without args, without a parent console, or when every
// stream is already redirected.
func Attach(args []string) {
	have := Streams{In: valid(windows.STD_INPUT_HANDLE), Out: valid(windows.STD_OUTPUT_HANDLE), Err: valid(windows.STD_ERROR_HANDLE)}
	if len(args) == 0 || (have.In && have.Out && have.Err) {
		return
	}
	attached := attachParent()
	b := toBind(args, have, attached)
	if b.Out || b.Err {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			if b.Out {
				os.Stdout = f
			}
			if b.Err {
				os.Stderr = f
			}
		}
	}
	if b.In {
		if f, err := os.OpenFile("CONIN$", os.O_RDONLY, 0); err == nil {
			os.Stdin = f
		}
	}
}

func valid(std uint32) bool {
	h, err := windows.GetStdHandle(std)
	return err == nil && h != 0 && h != windows.InvalidHandle
}

// attachParent is AttachConsole(ATTACH_PARENT_PROCESS): kernel32's, which
// x/sys/windows does not wrap.
func attachParent() bool {
	const attachParentProcess = ^uintptr(0) // (DWORD)-1
	r, _, _ := windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole").Call(attachParentProcess)
	return r != 0
}
