package packaging

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"fmt"
	"unicode/utf16"
)

// Resource types (winuser.h).
const (
	rtIcon      = 3
	rtGroupIcon = 14
	rtVersion   = 16
)

// peFacts is what a Windows package's executable is, as Windows reads it.
type peFacts struct {
	PE32Plus  bool
	AMD64     bool
	Subsystem uint16 // 2 GUI, 3 console
	Types     map[uint32]bool
	// Version is the StringFileInfo ProductVersion, "" without one.
	Version string
	// Manifest holds the embedded application manifest's text, if any.
	Manifest string
}

const (
	subsystemGUI     = pe.IMAGE_SUBSYSTEM_WINDOWS_GUI
	subsystemConsole = pe.IMAGE_SUBSYSTEM_WINDOWS_CUI
)

// readPE reads path with Go's debug/pe: the header, the subsystem, the
// resource types in .rsrc and the product version in the version resource.
func readPE(path string) (peFacts, error) {
	f, err := pe.Open(path)
	if err != nil {
		return peFacts{}, err
	}
	defer f.Close()
	var p peFacts
	p.AMD64 = f.Machine == pe.IMAGE_FILE_MACHINE_AMD64
	if oh, ok := f.OptionalHeader.(*pe.OptionalHeader64); ok {
		p.PE32Plus, p.Subsystem = true, oh.Subsystem
	}
	p.Types = map[uint32]bool{}
	sec := f.Section(".rsrc")
	if sec == nil {
		return p, nil
	}
	data, err := sec.Data()
	if err != nil {
		return p, err
	}
	entries, err := resourceDir(data, 0)
	if err != nil {
		return p, err
	}
	for _, e := range entries {
		p.Types[e.id] = true
	}
	if i := bytes.Index(data, []byte("<assembly")); i >= 0 {
		if j := bytes.Index(data[i:], []byte("</assembly>")); j >= 0 {
			p.Manifest = string(data[i : i+j])
		}
	}
	if i := bytes.Index(data, utf16z("ProductVersion")); i >= 0 {
		p.Version = readUTF16z(data[i+len(utf16z("ProductVersion")):])
	}
	return p, nil
}

type resEntry struct{ id, offset uint32 }

// resourceDir reads the entries of the IMAGE_RESOURCE_DIRECTORY at off.
func resourceDir(data []byte, off uint32) ([]resEntry, error) {
	if int(off)+16 > len(data) {
		return nil, fmt.Errorf("resource directory at %d is outside .rsrc", off)
	}
	named := binary.LittleEndian.Uint16(data[off+12:])
	ids := binary.LittleEndian.Uint16(data[off+14:])
	var out []resEntry
	for i := uint32(0); i < uint32(named)+uint32(ids); i++ {
		at := off + 16 + 8*i
		if int(at)+8 > len(data) {
			return nil, fmt.Errorf("resource entry %d is outside .rsrc", i)
		}
		out = append(out, resEntry{id: binary.LittleEndian.Uint32(data[at:]), offset: binary.LittleEndian.Uint32(data[at+4:])})
	}
	return out, nil
}

// utf16z is s in UTF-16LE with its terminating zero.
func utf16z(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return append(b, 0, 0)
}

// readUTF16z reads the UTF-16LE string that follows a key in a version
// resource: zero padding to a 32-bit boundary first, then the value.
func readUTF16z(b []byte) string {
	for len(b) >= 2 && b[0] == 0 && b[1] == 0 {
		b = b[2:]
	}
	var u []uint16
	for len(b) >= 2 {
		c := binary.LittleEndian.Uint16(b)
		if c == 0 {
			break
		}
		u = append(u, c)
		b = b[2:]
	}
	return string(utf16.Decode(u))
}
