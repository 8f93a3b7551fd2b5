# mailwiz: `make run` opens the wizard, `make test` passes every test.
# Both install what they need first (`deps`), on Debian or Ubuntu.

GO      ?= go
BIN     ?= bin/mailwiz
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages: the GUI build (Fyne's GLFW driver), the real servers the
# tests start (Dovecot), the Secret Service keyring, the real consumers of our
# exports, and the X server for the GUI smoke test.
DEB_BUILD   = gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
              libxinerama-dev libxi-dev libxxf86vm-dev
DEB_TEST    = openssl dovecot-imapd dovecot-pop3d dovecot-submissiond \
              gnome-keyring dbus dbus-x11 libsecret-tools \
              thunderbird zbar-tools libplist-utils libxml2-utils unzip \
              xvfb xdotool imagemagick
DEB_WINDOWS = gcc-mingw-w64-x86-64

.PHONY: all deps deps-build deps-windows build run test test-core bench fuzz vet \
        package-linux package-windows clean

all: build

# Installs only the packages that are missing; uses sudo when not root.
deps: deps-build
	@./scripts/apt-ensure $(DEB_TEST)
deps-build:
	@./scripts/apt-ensure $(DEB_BUILD)
deps-windows:
	@./scripts/apt-ensure $(DEB_WINDOWS)

build: deps-build
	$(GO) build -o $(BIN) .

run: build
	./$(BIN)

vet:
	$(GO) vet ./...

# Every test, with a real Secret Service on a private D-Bus session.
test: deps
	$(GO) vet ./...
	GOOS=darwin $(GO) vet ./keychain/...
	GOOS=windows $(GO) vet ./keychain/...
	./scripts/with-keyring $(GO) test -count=1 ./...

# The packages below the GUI: seconds, no cgo, no services beyond loopback.
test-core:
	$(GO) test ./account/... ./autoconfig/... ./providers/... ./probe/... ./discover/... ./export/... ./cli/...

bench: deps
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

FUZZTIME ?= 20s
fuzz:
	./scripts/fuzz-all $(FUZZTIME)

clean:
	rm -rf bin dist
