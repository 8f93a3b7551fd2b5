package export

import (
	"embed"
	"html/template"
)

// The printable pages (the sheet and the CRM settings card) are
// html/template files: every value is escaped, and a link that is not
// http(s) is refused. page.html holds what they share (the head with the
// common style, the warnings box); each page is executed by its file name.
//
//go:embed templates/*.html
var pageFS embed.FS

var pages = template.Must(template.ParseFS(pageFS, "templates/*.html"))
