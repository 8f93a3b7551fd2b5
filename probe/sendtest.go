package probe

import (
	"context"
	"errors"

	"github.com/mailwiz/mailwiz/account"
)

func sendTest(ctx context.Context, req *Request, results []Result, em *emitter) SendTestResult {
	return SendTestResult{Stage: StageSend, Err: errors.New("probe: not yet"), Error: "not yet"}
}

var _ = account.IMAP
