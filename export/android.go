package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/catalog"
	"rsc.io/qr/coding"
)

// The Android export is the QR code Thunderbird for Android scans under
// Settings › Import settings › Scan QR code: format version 1 of
// thunderbird-android's qr-code-format.md, as Thunderbird desktop's "Export
// for Mobile" writes it. The content is compact UTF-8 JSON in one byte-mode
// segment at error correction L:
//
//	[1, [seq, seqEnd], incoming, [[outgoing, [email, name]]], ...]
//	incoming = [protocol 0 IMAP|1 POP3, host, port, security, auth, username, accountName, ""]
//	outgoing = [0 SMTP, host, port, security, auth, username, ""]
//
// Security is Thunderbird's socketType (0 plain, 2 STARTTLS, 3 TLS); auth is
// 0 none, 1 cleartext, 2 encrypted, 5 client certificate, 6 OAuth2. The
// password fields are always "" (no password). No JSON null appears: the
// Android reader fails on one despite the spec.

func init() {
	register(Format{
		Name: "android", Ext: ".png", Binary: true,
		Description: catalog.Key("QR code for Thunderbird for Android: Settings › Import settings › Scan QR code"),
		file:        func(a Account) string { return safeFileName(a.Address.String()) + "-android.png" },
		write:       writeAndroid,
	})
}

// AccountsPerQR is how many accounts one code holds at most, as Thunderbird
// desktop writes them: more makes the code too dense for phone cameras.
const AccountsPerQR = 3

func qrAuth(a account.Auth) int {
	switch a {
	case account.AuthPasswordEncrypted:
		return 2
	case account.AuthOAuth2:
		return 6
	case account.AuthNone, account.AuthClientIP:
		return 0
	case account.AuthClientCert:
		return 5
	default:
		return 1
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// AndroidPayloads returns the QR contents for accts, AccountsPerQR accounts
// per code, numbered [i, n]. Each account is checked as [Write] checks it.
func AndroidPayloads(accts []Account) ([]string, error) {
	if len(accts) == 0 {
		return nil, problem("no account to put in a QR code")
	}
	var chunks [][]any
	for i, a := range accts {
		a, err := a.normalized()
		if err != nil {
			return nil, err
		}
		if !isASCII(a.Address.String()) {
			return nil, problem("Thunderbird for Android imports only ASCII addresses, and %s is not one: add it in the app by hand", a.Address.String())
		}
		if i%AccountsPerQR == 0 {
			chunks = append(chunks, nil)
		}
		in, out := a.Incoming, a.Outgoing
		proto := 0
		if in.Protocol == account.POP3 {
			proto = 1
		}
		incoming := []any{proto, in.Host, in.Port, socketType(in.Security), qrAuth(in.Auth), in.Username, a.Address.String(), ""}
		outgoing := []any{0, out.Host, out.Port, socketType(out.Security), qrAuth(out.Auth), out.Username, ""}
		identity := []any{a.Address.String(), a.displayName()}
		c := &chunks[len(chunks)-1]
		*c = append(*c, incoming, []any{[]any{outgoing, identity}})
	}
	out := make([]string, len(chunks))
	for i, c := range chunks {
		root := append([]any{1, []any{i + 1, len(chunks)}}, c...)
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false) // JSON.stringify does not escape <, > or &
		if err := enc.Encode(root); err != nil {
			return nil, fmt.Errorf("export: encoding the QR payload: %w", err)
		}
		out[i] = string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	}
	return out, nil
}

func writeAndroid(w io.Writer, a Account) error {
	p, err := AndroidPayloads([]Account{a})
	if err != nil {
		return err
	}
	return WriteQRPNG(w, p[0], 8)
}

// WriteQRPNG draws text as a QR code in one byte-mode segment at error
// correction level L, scale pixels per module, with the standard four-module
// quiet zone, as a 1-bit black-and-white PNG.
func WriteQRPNG(w io.Writer, text string, scale int) error {
	c, err := encodeQR(text)
	if err != nil {
		return err
	}
	if scale < 1 {
		scale = 1
	}
	const quiet = 4
	side := (c.Size + 2*quiet) * scale
	// Two colours make a 1-bit PNG: an eighth of the pixels to compress.
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; x++ {
			if !c.Black(x, y) {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				row := ((y+quiet)*scale + dy) * img.Stride
				for dx := 0; dx < scale; dx++ {
					img.Pix[row+(x+quiet)*scale+dx] = 1
				}
			}
		}
	}
	return png.Encode(w, img)
}

// encodeQR picks the smallest version that holds text as bytes at level L,
// and the mask with the lowest penalty (ISO/IEC 18004 §7.8.3), which is what
// keeps a code easy to scan.
func encodeQR(text string) (*coding.Code, error) {
	enc := coding.String(text)
	v := coding.Version(coding.MinVersion)
	for ; v <= coding.MaxVersion; v++ {
		if enc.Bits(v) <= v.DataBytes(coding.L)*8 {
			break
		}
	}
	if v > coding.MaxVersion {
		return nil, problem("%d bytes do not fit in one QR code (the limit is 2953)", len(text))
	}
	var best *coding.Code
	bestScore := -1
	for m := coding.Mask(0); m < 8; m++ {
		p, err := coding.NewPlan(v, coding.L, m)
		if err != nil {
			return nil, fmt.Errorf("export: QR plan: %w", err)
		}
		c, err := p.Encode(enc)
		if err != nil {
			return nil, fmt.Errorf("export: QR encoding: %w", err)
		}
		if s := qrPenalty(c); bestScore < 0 || s < bestScore {
			best, bestScore = c, s
		}
	}
	return best, nil
}

// qrPenalty scores a code by the four rules of ISO/IEC 18004 §7.8.3: runs of
// one colour, 2×2 blocks, finder-like patterns, and the dark/light balance.
func qrPenalty(c *coding.Code) int {
	n := c.Size
	at := func(x, y int) bool { return c.Black(x, y) }
	score := 0
	// Rule 1: runs of five or more in a row or column.
	for i := 0; i < n; i++ {
		for _, horiz := range []bool{true, false} {
			run := 1
			for j := 1; j <= n; j++ {
				same := false
				if j < n {
					if horiz {
						same = at(j, i) == at(j-1, i)
					} else {
						same = at(i, j) == at(i, j-1)
					}
				}
				if same {
					run++
					continue
				}
				if run >= 5 {
					score += 3 + run - 5
				}
				run = 1
			}
		}
	}
	// Rule 2: 2×2 blocks of one colour.
	for y := 0; y < n-1; y++ {
		for x := 0; x < n-1; x++ {
			b := at(x, y)
			if at(x+1, y) == b && at(x, y+1) == b && at(x+1, y+1) == b {
				score += 3
			}
		}
	}
	// Rule 3: 1:1:3:1:1 finder-like patterns with four light modules beside.
	pattern := []bool{true, false, true, true, true, false, true, false, false, false, false}
	for i := 0; i < n; i++ {
		for j := 0; j+len(pattern) <= n; j++ {
			for _, horiz := range []bool{true, false} {
				fwd, rev := true, true
				for k, want := range pattern {
					var got, gotRev bool
					if horiz {
						got, gotRev = at(j+k, i), at(j+len(pattern)-1-k, i)
					} else {
						got, gotRev = at(i, j+k), at(i, j+len(pattern)-1-k)
					}
					fwd = fwd && got == want
					rev = rev && gotRev == want
				}
				if fwd {
					score += 40
				}
				if rev {
					score += 40
				}
			}
		}
	}
	// Rule 4: distance of the dark share from 50%, in 5% steps.
	dark := 0
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if at(x, y) {
				dark++
			}
		}
	}
	pct := dark * 100 / (n * n)
	d := pct - 50
	if d < 0 {
		d = -d
	}
	score += d / 5 * 10
	return score
}
