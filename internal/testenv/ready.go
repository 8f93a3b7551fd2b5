package testenv

import "time"

// pollReady calls try every interval until it succeeds (nil), the server
// exits first (exited closes: gone says why), or timeout passes (try's last
// error). A server's first answers can be "not yet" for a while after it
// starts: Dovecot's login before its auth process, Postfix's AUTH before
// its SASL socket, Cyrus's listeners one by one.
func pollReady(timeout, interval time.Duration, exited <-chan struct{}, gone func() error, try func() error) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return gone()
		default:
		}
		if last = try(); last == nil {
			return nil
		}
		time.Sleep(interval) // bounded by the deadline
	}
	return last
}
