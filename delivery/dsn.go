package delivery

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"

	"github.com/mailwiz/mailwiz/catalog"
	"github.com/mailwiz/mailwiz/internal/safetext"
)

// DSNRecipient is one recipient of a delivery status notification
// (RFC 3464 §2.3).
type DSNRecipient struct {
	Recipient string `json:"recipient"` // Final-Recipient's address
	Action    string `json:"action"`    // failed, delayed, delivered, relayed, expanded
	Status    string `json:"status"`    // "5.1.1"
	// Diagnostic is the remote server's words (Diagnostic-Code), made safe.
	Diagnostic string `json:"diagnostic,omitempty"`
	RemoteMTA  string `json:"remote_mta,omitempty"`
}

// DSN is a delivery status notification: the "Mail Delivery System"
// letter a mailing program's bounce mailbox receives.
type DSN struct {
	ReportingMTA string         `json:"reporting_mta,omitempty"`
	Recipients   []DSNRecipient `json:"recipients"`
	// OriginalMessageID is the Message-ID of the returned message, when
	// the report includes its header.
	OriginalMessageID string `json:"original_message_id,omitempty"`
}

// ErrNotDSN: the message is not a delivery status notification.
var ErrNotDSN = errors.New("delivery: the message is not a delivery status notification (RFC 3464 multipart/report)")

// ParseDSN reads a delivery status notification (at most MaxMessage
// bytes of r): a multipart/report; report-type=delivery-status message.
func ParseDSN(r io.Reader) (*DSN, error) {
	e, err := message.Read(io.LimitReader(r, MaxMessage))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return nil, fmt.Errorf("delivery: the report cannot be read: %w", err)
	}
	mt, params, _ := e.Header.ContentType()
	if mt != "multipart/report" || !strings.EqualFold(params["report-type"], "delivery-status") {
		return nil, ErrNotDSN
	}
	mr := e.MultipartReader()
	if mr == nil {
		return nil, ErrNotDSN
	}
	dsn := &DSN{}
	found := false
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if found {
				break // what was read is good; a broken tail is ignored
			}
			return nil, fmt.Errorf("delivery: the report cannot be read: %w", err)
		}
		pt, _, _ := p.Header.ContentType()
		switch pt {
		case "message/delivery-status", "message/global-delivery-status":
			if err := parseStatus(p.Body, dsn); err != nil {
				return nil, err
			}
			found = true
		case "message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers":
			h, err := textproto.ReadHeader(bufio.NewReader(p.Body))
			if err == nil {
				dsn.OriginalMessageID = safetext.Show(strings.TrimSpace(h.Get("Message-Id")))
			}
		}
	}
	if !found {
		return nil, ErrNotDSN
	}
	return dsn, nil
}

// parseStatus reads the delivery-status body: one block of per-message
// fields, then one block per recipient, blocks separated by empty lines.
func parseStatus(body io.Reader, dsn *DSN) error {
	br := bufio.NewReader(body)
	first := true
	for {
		// Skip blank lines between blocks.
		for {
			b, err := br.Peek(1)
			if err != nil {
				return nil
			}
			if b[0] != '\r' && b[0] != '\n' {
				break
			}
			br.ReadByte() //nolint:errcheck // peeked
		}
		h, err := textproto.ReadHeader(br)
		if err != nil {
			if first {
				return fmt.Errorf("delivery: the report's delivery-status part cannot be read: %w", err)
			}
			return nil
		}
		if first {
			first = false
			dsn.ReportingMTA = safetext.Show(afterType(h.Get("Reporting-MTA")))
			if h.Get("Final-Recipient") == "" {
				continue
			}
		}
		rcpt := DSNRecipient{
			Recipient:  safetext.Show(afterType(h.Get("Final-Recipient"))),
			Action:     safetext.Show(strings.ToLower(strings.TrimSpace(h.Get("Action")))),
			Status:     safetext.Show(statusCode(h.Get("Status"))),
			Diagnostic: safetext.Show(afterType(h.Get("Diagnostic-Code"))),
			RemoteMTA:  safetext.Show(afterType(h.Get("Remote-MTA"))),
		}
		if rcpt.Recipient == "" {
			rcpt.Recipient = safetext.Show(afterType(h.Get("Original-Recipient")))
		}
		if rcpt.Recipient != "" || rcpt.Status != "" {
			dsn.Recipients = append(dsn.Recipients, rcpt)
		}
	}
}

// afterType drops the "rfc822;" / "smtp;" / "dns;" type of a DSN field.
func afterType(v string) string {
	v = strings.Join(strings.Fields(v), " ")
	if _, rest, ok := strings.Cut(v, ";"); ok {
		return strings.TrimSpace(rest)
	}
	return v
}

// statusCode keeps the status code of a Status field ("5.1.1 (bad
// destination mailbox)" has a comment sometimes).
func statusCode(v string) string {
	f := strings.Fields(v)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// Explain says in lang what a DSN status code (RFC 3463) means for the
// person running a mailing program, and what to do.
func Explain(lang, status string) string {
	switch status {
	case "5.1.1", "5.1.10":
		return catalog.T(lang, "The address does not exist at the recipient's provider. Remove it from the mailing list.")
	case "5.1.2":
		return catalog.T(lang, "The recipient's domain does not exist or receives no mail. Check the address for typos; otherwise remove it.")
	case "5.2.1":
		return catalog.T(lang, "The recipient's mailbox is disabled. Remove the address or ask the recipient for another.")
	case "5.2.2", "4.2.2":
		return catalog.T(lang, "The recipient's mailbox is full. Try again in a few days.")
	case "5.3.4", "5.2.3":
		return catalog.T(lang, "The letter is too big for the recipient's server. Send smaller attachments or a link.")
	case "5.7.1":
		return catalog.T(lang, "The recipient's server refused the letter by its policy, often as spam or for the sender's reputation. Read the server's words below.")
	case "5.7.23":
		return catalog.T(lang, "The sender domain's SPF record does not allow this server: the domain's owner must add it (see the SPF check).")
	case "5.7.25", "5.7.26", "5.7.27":
		return catalog.T(lang, "The letter failed the recipient's sender checks (SPF, DKIM, DMARC) for the sender domain: see the SPF and DMARC checks.")
	case "5.4.4", "5.4.1", "5.4.0":
		return catalog.T(lang, "The recipient's server could not be found or did not answer. Check the domain; it may be misspelled or not receive mail.")
	}
	switch {
	case strings.HasPrefix(status, "4."):
		return catalog.T(lang, "Delivery is delayed; the server keeps trying. Nothing to do yet.")
	case strings.HasPrefix(status, "5."):
		return catalog.T(lang, "Delivery failed for good. Read the server's words below.")
	case strings.HasPrefix(status, "2."):
		return catalog.T(lang, "The letter was delivered.")
	}
	return catalog.T(lang, "The report gives no status the wizard knows. Read the server's words below.")
}
