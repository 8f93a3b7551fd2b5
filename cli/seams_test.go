package cli

import (
	"context"
	"crypto/x509"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mailwiz/mailwiz/account"
	"github.com/mailwiz/mailwiz/discover"
	"github.com/mailwiz/mailwiz/store"
)

// seams are what a test gives the commands it runs through Env: the CA
// pool to trust, a store of its own, discovery replaced or redirected to
// loopback. They belong to one top-level test (its subtests share them),
// so tests that set different ones can run in parallel.
type seams struct {
	mu       sync.Mutex
	roots    *x509.CertPool
	store    *store.Store
	detect   func(context.Context, account.Address) (account.Config, error)
	discover func(*discover.Options)
}

var seamsByTest sync.Map // top-level test name → *seams

func seamsFor(t testing.TB) *seams {
	root, _, _ := strings.Cut(t.Name(), "/")
	v, _ := seamsByTest.LoadOrStore(root, &seams{})
	return v.(*seams)
}

// set changes the test's seams for the rest of t and puts them back after.
func (s *seams) set(t testing.TB, change func(*seams)) {
	s.mu.Lock()
	old := seams{roots: s.roots, store: s.store, detect: s.detect, discover: s.discover}
	change(s)
	s.mu.Unlock()
	t.Cleanup(func() {
		s.mu.Lock()
		s.roots, s.store, s.detect, s.discover = old.roots, old.store, old.detect, old.discover
		s.mu.Unlock()
	})
}

// withRoots makes the commands of t trust pool.
func withRoots(t testing.TB, pool *x509.CertPool) {
	seamsFor(t).set(t, func(s *seams) { s.roots = pool })
}

// withStore gives the commands of t the settings store in dir.
func withStore(t testing.TB, dir string) *store.Store {
	st := &store.Store{Dir: dir}
	seamsFor(t).set(t, func(s *seams) { s.store = st })
	return st
}

// withDetect replaces discovery for the commands of t.
func withDetect(t testing.TB, f func(context.Context, account.Address) (account.Config, error)) {
	seamsFor(t).set(t, func(s *seams) { s.detect = f })
}

// withDiscover adjusts discovery's options for the commands of t.
func withDiscover(t testing.TB, f func(*discover.Options)) {
	seamsFor(t).set(t, func(s *seams) { s.discover = f })
}

// newEnv is an Env with t's seams, stdin and the streams, an empty
// environment, and (unless withStore said otherwise) an empty store of
// the test's own, so an account saved on the machine changes nothing.
func newEnv(t testing.TB, stdin string, stdout, stderr io.Writer) *Env {
	s := seamsFor(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.store
	if st == nil {
		st = &store.Store{Dir: filepath.Join(t.TempDir(), "mailwiz", "accounts")}
	}
	return &Env{Stdin: strings.NewReader(stdin), Stdout: stdout, Stderr: stderr, Getenv: func(string) string { return "" },
		Store: st, RootCAs: s.roots, Detect: s.detect, DiscoverOptions: s.discover}
}
