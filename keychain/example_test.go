package keychain_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/keychain"
)

// A user interface saves off its UI goroutine and gives a person time to
// answer the keyring's unlock prompt; it shows its own words for each kind
// of failure.
func ExampleSaveAll() {
	addr, _ := account.ParseAddress("alice@example.com")
	cfg := account.Config{
		Incoming: []account.Server{{Protocol: account.IMAP, Host: "imap.example.com", Port: 993,
			Security: account.SSL, Username: "%EMAILADDRESS%", Auth: account.AuthPassword}},
		Outgoing: []account.Server{{Protocol: account.SMTP, Host: "smtp.example.com", Port: 465,
			Security: account.SSL, Username: "%EMAILADDRESS%", Auth: account.AuthPassword}},
	}.For(addr)
	password := "from the password field"

	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		err := keychain.SaveAll(ctx, cfg, password)
		switch {
		case err == nil:
			fmt.Println("saved in the keychain")
		case errors.Is(err, keychain.ErrUnavailable):
			fmt.Println("no keychain: install or unlock one, then save again")
		default:
			fmt.Println(err)
		}
	}()
}
