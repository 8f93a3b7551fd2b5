package pop3_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/mailwiz/mailwiz/probe/pop3"
)

func ExampleDialStartTLS() {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := pop3.DialStartTLS(ctx, "pop.example.com:110", nil)
	if errors.Is(err, pop3.ErrSTLSUnavailable) {
		log.Fatal("the server offers no STLS; not sending the password in plaintext")
	}
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, "alice@example.com", "app password"); err != nil {
		var perr *pop3.Error
		if errors.As(err, &perr) && perr.Code == pop3.CodeAuth {
			log.Fatal("wrong user name or password: ", perr.Text)
		}
		log.Fatal(err)
	}
	n, size, err := c.Stat(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d messages, %d bytes\n", n, size)
	c.Quit(ctx)
}
