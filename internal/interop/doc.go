// Package interop holds only tests: mailwiz's probe against every real
// server implementation the test harness can start (internal/testenv:
// Dovecot, Cyrus, Postfix), each protocol, port and security mode, with
// good and wrong passwords and logins the server refuses before TLS. What
// the servers say differently is in the tests' comments and in the cases'
// expectations.
package interop
