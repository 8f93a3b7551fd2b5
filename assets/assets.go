// Package assets holds mailwiz's embedded resources: the application icon
// (drawn for mailwiz as SVG, rendered to PNG) and the translations of every
// user-visible string of the wizard (translations/en.json, ru.json), in the
// flat JSON that Fyne's lang package loads.
package assets

import "embed"

// IconPNG is the 512×512 application icon.
//
//go:embed icon.png
var IconPNG []byte

// IconSVG is the icon's source drawing, 256×256.
//
//go:embed icon.svg
var IconSVG []byte

// Translations holds translations/<lang>.json, one per language.
//
//go:embed translations/*.json
var Translations embed.FS

// Languages are the languages the wizard ships, English first (the
// fallback).
var Languages = []string{"en", "ru"}
