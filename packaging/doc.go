// Package packaging holds the files of mailwiz's packages (packaging/linux:
// the desktop entry and AppStream metainfo) and the tests that read the
// built packages back with the systems' own tools. The tests run after
// `make package-linux` / `make package-windows` (make test does both under
// CI=true); without the packages they skip, under CI they fail.
package packaging
