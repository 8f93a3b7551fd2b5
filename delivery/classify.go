package delivery

import (
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-smtp"

	"github.com/mailwiz/mailwiz/internal/safetext"
)

// Refusal names what an SMTP server's refusal means for a mailing program.
type Refusal string

// The kinds of refusal.
const (
	// RefusedSender: the server does not let this login send as this
	// sender ("553 5.7.1 ... not owned by user").
	RefusedSender Refusal = "sender"
	// RefusedLimit: a sending limit is reached (rate, daily quota,
	// recipients per message).
	RefusedLimit Refusal = "limit"
	// RefusedSpam: the content or the sending IP was taken for spam.
	RefusedSpam Refusal = "spam"
	// RefusedAuth: the server wants a login first.
	RefusedAuth Refusal = "auth"
	// RefusedOther: anything else.
	RefusedOther Refusal = "other"
)

// ServerReply is an SMTP server's answer, the words made safe to show.
type ServerReply struct {
	Code     int    `json:"code"`
	Enhanced string `json:"enhanced,omitempty"`
	Words    string `json:"words"`
}

func (r ServerReply) String() string {
	if r.Enhanced != "" {
		return fmt.Sprintf("%d %s %s", r.Code, r.Enhanced, r.Words)
	}
	return fmt.Sprintf("%d %s", r.Code, r.Words)
}

// ReplyOf extracts the server's reply from an error of go-smtp's client
// (wrapped or not); ok is false when err holds no reply.
func ReplyOf(err error) (ServerReply, bool) {
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return ServerReply{}, false
	}
	r := ServerReply{Code: se.Code, Words: safetext.Show(se.Message)}
	if se.EnhancedCode != smtp.NoEnhancedCode && se.EnhancedCode != (smtp.EnhancedCode{}) {
		r.Enhanced = fmt.Sprintf("%d.%d.%d", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2])
	}
	return r, true
}

// The wordings of sender refusals, lower case: Postfix's
// reject_sender_login_mismatch ("Sender address rejected: not owned by
// user"), Yandex ("not owned by auth user"), Exchange/Outlook.com
// ("SendAsDenied", "not allowed to send as"), and generic ones.
var senderWords = []string{
	"not owned by", "sender address rejected", "sendasdenied", "send as denied",
	"not allowed to send as", "does not have permissions to send as", "sender is not allowed",
	"from address", "sender mismatch", "login mismatch",
}

var limitWords = []string{
	"limit", "quota", "too many", "rate", "exceeded", "try again later", "throttl",
}

var spamWords = []string{"spam", "blocked", "blacklist", "block list", "blocklist", "reputation"}

// Classify says what a refusal means: by the words first (they are the
// most specific), then by the enhanced status code (RFC 3463), then by
// what is known of the provider (limits' Replies and the users' guide's
// observations, e.g. Mail.ru's bare 553 after many letters).
func Classify(r ServerReply, provider string) Refusal {
	w := strings.ToLower(r.Words)
	has := func(list []string) bool {
		for _, s := range list {
			if strings.Contains(w, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has(senderWords):
		return RefusedSender
	case has(spamWords):
		return RefusedSpam
	case has(limitWords):
		return RefusedLimit
	}
	switch r.Enhanced {
	case "5.7.60": // Exchange's SendAsDenied
		return RefusedSender
	case "5.7.8", "5.7.0", "5.7.57": // authentication required or failed
		if r.Code == 530 || r.Code == 535 || r.Enhanced == "5.7.57" {
			return RefusedAuth
		}
	case "4.5.3", "5.5.3", "5.4.5", "4.7.0", "4.4.5": // too many recipients, quota, rate
		return RefusedLimit
	}
	if r.Code == 530 {
		return RefusedAuth
	}
	if l, ok := LimitsFor(provider); ok {
		for _, known := range l.Replies {
			// A bare code the provider is known to give at its limit.
			if known.Code == r.Code && known.Words == "" {
				return RefusedLimit
			}
		}
	}
	if r.Code == 421 || r.Code == 450 || r.Code == 451 || r.Code == 452 {
		return RefusedLimit
	}
	return RefusedOther
}
