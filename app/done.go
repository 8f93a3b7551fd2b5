package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/mailwiz/mailwiz/wizard"
)

// donePage is step 5: keep the password in the keychain, export the
// settings for other programs, the QR code for the phone, the printable
// sheet, and "Set up another account" (the Next button).
type donePage struct {
	ui      *UI
	save    *button
	saved   *widget.Label
	exports []*button
	mailer  *widget.Select
	// checkSending opens the sending check; sending is it, once opened.
	checkSending *button
	sending      *sendingDialog
	mailers      []wizard.Format // mailer's formats, in its order
	status       *widget.Label
	print        *button
	qr           *canvas.Image
}

func newDonePage(u *UI) *donePage { return &donePage{ui: u} }

func (p *donePage) title() string { return lang.L("Done") }

// Formats with a place of their own on the page rather than in the list.
const (
	formatQR    = "android"
	formatSheet = "sheet"
)

func (p *donePage) build() fyne.CanvasObject {
	addr, _ := p.ui.wiz.Address()
	saveLabel := lang.L("Save the password in the keychain")
	if p.ui.wiz.SignedInWith() != "" {
		saveLabel = lang.L("Save the sign-in in the keychain")
	}
	p.save = newButton(p.ui, saveLabel, theme.DocumentSaveIcon(), p.onSave)
	p.save.Importance = widget.HighImportance
	p.saved = wrapped("")
	p.status = wrapped("")
	p.status.Hide()

	var box *fyne.Container
	if p.ui.wiz.TestSkipped() {
		// No password was tested, so none is kept: the program the settings
		// go to signs in through the provider's page itself.
		p.save = nil
		box = container.NewVBox(wrapped(lang.L("{{.Address}} was not tested: your provider lets mail programs in only through its own sign-in page. Export the settings to a program that can sign in that way; it will open the provider's page.", map[string]any{"Address": addr.Display()})))
	} else {
		box = container.NewVBox(
			wrapped(lang.L("{{.Address}} is ready: the servers answer and the password works.", map[string]any{"Address": addr.Display()})),
			heading(keepHeading(p.ui.wiz.SignedInWith())),
			container.NewHBox(p.save), p.saved,
		)
		p.renderSave()
	}

	formats := p.ui.wiz.Formats()
	grid := container.NewGridWithColumns(2)
	p.exports = nil
	var hasQR, hasSheet bool
	var mailers []wizard.Format
	for _, f := range formats {
		switch f.ID {
		case formatQR:
			hasQR = true
		case formatSheet:
			hasSheet = true
		}
		if f.Mailer {
			mailers = append(mailers, f)
			continue
		}
		b := newButton(p.ui, formatLabel(f), theme.DownloadIcon(), p.exporter(f))
		p.exports = append(p.exports, b)
		grid.Add(b)
	}
	if len(p.exports) > 0 {
		box.Add(heading(lang.L("Use these settings in another program")))
		box.Add(wrapped(lang.L("Each file holds the servers and your username, never the password.")))
		box.Add(grid)
	}
	if len(mailers) > 0 {
		box.Add(heading(lang.L("For a mailing program")))
		box.Add(wrapped(lang.L("A CRM, newsletter tool or website form that sends through this mailbox: choose it, and save its settings (without the password).")))
		box.Add(p.mailerChooser(mailers))
		if p.ui.wiz.CanCheckSending() && !p.ui.wiz.TestSkipped() {
			p.checkSending = newButton(p.ui, lang.L("Check sending for a mailing program…"), theme.MailSendIcon(), p.onCheckSending)
			box.Add(container.NewHBox(p.checkSending))
		}
	}
	if hasSheet {
		p.print = newButton(p.ui, lang.L("Open the sheet to print"), theme.DocumentPrintIcon(), p.onPrint)
		box.Add(wrapped(lang.L("The printable sheet lists every setting on one page, for paper or for someone helping you.")))
		box.Add(container.NewHBox(p.print))
	}
	if hasQR {
		box.Add(heading(lang.L("On your phone")))
		box.Add(wrapped(lang.L("Scan this code in Thunderbird for Android (Add account › Import settings) to set up the same account.")))
		p.qr = p.qrImage()
		if p.qr != nil {
			box.Add(container.NewCenter(p.qr))
		}
	}
	box.Add(p.status)
	return box
}

func (p *donePage) focus() {
	if p.save == nil {
		if len(p.exports) > 0 {
			p.ui.win.Canvas().Focus(p.exports[0])
		}
		return
	}
	p.ui.win.Canvas().Focus(p.save)
}

func (p *donePage) event(e wizard.Event) {
	switch e.(type) {
	case wizard.Saved:
		if p.save != nil {
			p.renderSave()
		}
	case wizard.SendingFinished:
		if p.sending != nil {
			p.sending.render()
		}
	}
}

func (p *donePage) onSave() {
	p.ui.wiz.Save()
	p.renderSave()
	p.ui.updateButtons()
}

func (p *donePage) renderSave() {
	st := p.ui.wiz.Saving()
	p.saved.Importance = widget.MediumImportance
	switch {
	case st.Running:
		p.saved.SetText(lang.L("Saving… (your system may ask you to unlock the keychain)"))
		p.save.Disable()
		return
	case !st.Done:
		p.saved.SetText(lang.L("It is kept there as “mailwiz”, one entry per server, and nowhere else; your mail program will still ask for it once."))
	case st.Err == nil:
		p.saved.Importance = widget.SuccessImportance
		p.saved.SetText(lang.L("Saved in the keychain."))
	case errors.Is(st.Err, context.Canceled):
		p.saved.Importance = widget.WarningImportance
		p.saved.SetText(lang.L("Saving was stopped; the password is not in the keychain. You can try again."))
	case errors.Is(st.Err, wizard.ErrNoKeychain):
		p.saved.Importance = widget.WarningImportance
		p.saved.SetText(lang.L("No keychain is available on this computer, so the password was not saved. Nothing else is lost: type the password in your mail program, and use the exports below."))
	default:
		p.saved.Importance = widget.DangerImportance
		p.saved.SetText(withDetails(lang.L("The keychain refused to save the password. Nothing else is lost; you can try again."), st.Err))
	}
	p.save.Enable()
	p.saved.Refresh()
	p.ui.relayout()
}

// exporter returns the callback of an export button.
func (p *donePage) exporter(f wizard.Format) func() {
	return func() { p.onExport(f) }
}

// onExport asks where to save, then writes the file.
func (p *donePage) onExport(f wizard.Format) {
	addr, _ := p.ui.wiz.Address()
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) { p.write(f, w, err) }, p.ui.win)
	d.SetFileName(exportFileName(addr.LoginLocal()+"-"+addr.Domain, f))
	// Fyne's own words for these stay English after the in-window switch
	// to Russian (and under ru_RU, where our strings take the locale's tag).
	d.SetTitleText(lang.L("Save as"))
	d.SetConfirmText(lang.L("Save"))
	if f.Ext != "" {
		d.SetFilter(storage.NewExtensionFileFilter([]string{f.Ext}))
	}
	// Not at once: Space pressed on the button taps it on the key event,
	// and the space character that follows would land in the dialog's
	// newly focused file name (" alice-….js").
	p.ui.do(d.Show)
}

func exportFileName(base string, f wizard.Format) string {
	return strings.NewReplacer("/", "-", "\\", "-").Replace(base) + "-" + f.ID + f.Ext
}

// write writes format f to the place the save dialog chose.
func (p *donePage) write(f wizard.Format, w fyne.URIWriteCloser, err error) {
	if err != nil {
		p.showStatus(withDetails(lang.L("Could not save the file."), err), widget.DangerImportance)
		return
	}
	if w == nil {
		return // the dialog was cancelled
	}
	err = p.ui.wiz.Export(w, f.ID, p.ui.language)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		p.showStatus(withDetails(lang.L("Could not save the file."), err), widget.DangerImportance)
		return
	}
	p.showStatus(lang.L("Saved {{.File}}.", map[string]any{"File": w.URI().Path()}), widget.SuccessImportance)
}

func (p *donePage) showStatus(text string, imp widget.Importance) {
	p.status.SetText(text)
	p.status.Importance = imp
	p.status.Show()
	p.status.Refresh()
	p.ui.relayout()
	// The status is the page's last line, below the QR code: out of sight
	// at the default window size, so the export seemed to do nothing.
	p.ui.scroll.ScrollToBottom()
}

// onPrint writes the printable sheet (it holds no password) to a file of
// its own and opens it in the browser, whose Print does the rest.
func (p *donePage) onPrint() {
	path, err := p.writeSheet()
	if err == nil {
		err = p.ui.app.OpenURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(path)})
	}
	if err != nil {
		p.showStatus(withDetails(lang.L("Could not open the sheet."), err), widget.DangerImportance)
		return
	}
	p.showStatus(lang.L("The sheet is open in your browser: {{.File}}", map[string]any{"File": path}), widget.SuccessImportance)
}

// writeSheet writes the sheet into the user's cache directory.
func (p *donePage) writeSheet() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "mailwiz")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	addr, _ := p.ui.wiz.Address()
	f, err := os.CreateTemp(dir, exportFileName(addr.LoginLocal()+"-"+addr.Domain+"-*", wizard.Format{ID: formatSheet, Ext: ".html"}))
	if err != nil {
		return "", err
	}
	err = p.ui.wiz.Export(f, formatSheet, p.ui.language)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// qrImage renders the phone export (a PNG) for the screen.
func (p *donePage) qrImage() *canvas.Image {
	var buf bytes.Buffer
	if err := p.ui.wiz.Export(&buf, formatQR, p.ui.language); err != nil {
		p.showStatus(withDetails(lang.L("Could not make the QR code."), err), widget.WarningImportance)
		return nil
	}
	img := canvas.NewImageFromReader(io.Reader(&buf), "account-qr.png")
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScalePixels // a QR code must stay sharp
	img.SetMinSize(fyne.NewSize(220, 220))
	return img
}

// mailerChooser is a list of the mailing programs' formats and one
// button that exports the chosen one: nine more buttons would push the
// rest of the page out of sight.
func (p *donePage) mailerChooser(formats []wizard.Format) fyne.CanvasObject {
	labels := make([]string, len(formats))
	for i, f := range formats {
		labels[i] = formatLabel(f)
	}
	p.mailers = formats
	p.mailer = widget.NewSelect(labels, nil)
	p.mailer.SetSelectedIndex(0)
	b := newButton(p.ui, lang.L("Save the settings"), theme.DownloadIcon(), func() {
		if f, ok := p.chosenMailer(); ok {
			p.onExport(f)
		}
	})
	p.exports = append(p.exports, b)
	return container.NewBorder(nil, nil, nil, b, p.mailer)
}

// chosenMailer is the mailing program's format chosen in the list.
func (p *donePage) chosenMailer() (wizard.Format, bool) {
	i := p.mailer.SelectedIndex()
	if i < 0 || i >= len(p.mailers) {
		return wizard.Format{}, false
	}
	return p.mailers[i], true
}

// formatLabel names an export format on its button.
func formatLabel(f wizard.Format) string {
	switch f.ID {
	case "thunderbird":
		return lang.L("Thunderbird, new profile")
	case "thunderbird-profile":
		return lang.L("Thunderbird, existing profile")
	case "thunderbird-autoconfig":
		return lang.L("Autoconfig file for a domain")
	case "thebat":
		return lang.L("The Bat!")
	case "apple":
		return lang.L("Apple Mail (Mac, iPhone, iPad)")
	case "outlook":
		return lang.L("Outlook for Windows")
	case "android":
		return lang.L("QR code for Android")
	case "sheet":
		return lang.L("Printable sheet")
	case "json":
		return lang.L("JSON (for scripts)")
	case "crm-card":
		return lang.L("Settings card for a CRM or mailing program (HTML)")
	case "crm-card-text":
		return lang.L("Settings card, plain text")
	case "smtp-url":
		return lang.L("SMTP URL")
	case "env-laravel":
		return lang.L("Laravel (.env)")
	case "env-django":
		return lang.L("Django (.env)")
	case "wp-mail-smtp":
		return lang.L("WordPress: WP Mail SMTP")
	case "listmonk":
		return lang.L("listmonk")
	case "nodemailer":
		return lang.L("Nodemailer (Node.js)")
	case "msmtp":
		return lang.L("msmtp (command line, scripts)")
	}
	return f.Name
}

// keepHeading heads the keychain part of the page: the password, or the
// sign-in with the provider when the account signed in that way.
func keepHeading(signedInWith string) string {
	if signedInWith != "" {
		return lang.L("Keep the sign-in with {{.Provider}}", map[string]any{"Provider": signedInWith})
	}
	return lang.L("Keep the password")
}
