package probe

import (
	"context"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/mailwiz/mailwiz/account"
)

// TestVerdictAtTheDeadline: a stage whose answer is read just as its clock
// runs out reports the answer, not a timeout. Under load (CI, -race) a
// refused password arriving at the 1 s limit read as "timeout", the
// certificate's refusal as "no answer", and TestFallback's "an
// alternative answers with a refused password" failed. Each stage here
// returns its answer only once its own deadline has passed, which is the
// race made certain. A cancel by the caller still reads as cancelled.
func TestVerdictAtTheDeadline(t *testing.T) {
	refused := &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication failed."}
	certErr := &CertificateError{SHA256: strings.Repeat("AB:", 31) + "AB", Err: x509.UnknownAuthorityError{}}
	tests := []struct {
		name   string
		err    error
		cancel bool // the caller cancels the run instead
		want   Kind
	}{
		{name: "a refused password", err: refused, want: KindBadCredentials},
		{name: "a refused certificate", err: certErr, want: KindTLSUntrusted},
		{name: "no STARTTLS", err: ErrSTARTTLSUnavailable, want: KindSTARTTLSUnavailable},
		{name: "the connection cut by the clock", err: errors.New("read tcp: use of closed network connection"), want: KindTimeout},
		{name: "a refused password, but the run was cancelled", err: refused, cancel: true, want: KindTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := account.Server{Protocol: account.SMTP, Host: "127.0.0.1", Port: 465, Security: account.SSL, Username: "u"}
			r := &runner{req: &Request{Timeout: 20 * time.Millisecond}, srv: srv, em: &emitter{}}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				r.req.Timeout = time.Hour
			}
			err := r.step(ctx, StageAuth, func(sctx context.Context) error {
				if tt.cancel {
					cancel()
				}
				<-sctx.Done()
				return tt.err
			})
			var te *StageTimeoutError
			if isTimeout := errors.As(err, &te); isTimeout != (tt.want == KindTimeout) {
				t.Errorf("step error %v (a stage timeout: %v)", err, isTimeout)
			}
			if tt.cancel && (te == nil || !te.Cancelled) {
				t.Errorf("step error %v; want it marked cancelled", err)
			}
			if d := diagnose(err, srv, StageAuth, nil); d.Kind != tt.want {
				t.Errorf("diagnosis %q (%v); want %q", d.Kind, err, tt.want)
			}
		})
	}
}
