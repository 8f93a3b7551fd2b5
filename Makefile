# mailwiz: `make run` opens the wizard, `make test` passes every test.
# Both install what they need first (`deps`), on Debian or Ubuntu.

GO      ?= go
BIN     ?= bin/mailwiz
# The GUI is built without Fyne's bundled colour-emoji font (4 MB): Fyne
# parses it for every text style at start-up, 13 MB more resident memory
# and ~0.1 s of CPU (scripts/startup-bench), for glyphs the wizard never
# shows; a typed emoji still draws from a system font that has it.
TAGS    ?= no_emoji
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages: the GUI build (Fyne's GLFW driver), the real servers the
# tests start (Dovecot), the Secret Service keyring, the real consumers of our
# exports, and the X server for the GUI smoke test.
DEB_BUILD   = gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
              libxinerama-dev libxi-dev libxxf86vm-dev
DEB_TEST    = openssl dovecot-imapd dovecot-pop3d dovecot-submissiond \
              postfix dovecot-lmtpd opendkim \
              gnome-keyring dbus dbus-x11 libsecret-tools \
              thunderbird zbar-tools libplist-utils libxml2-utils unzip \
              xvfb xdotool imagemagick chromium desktop-file-utils appstream
DEB_WINDOWS = gcc-mingw-w64-x86-64 file nsis p7zip-full imagemagick
# Cyrus IMAP/POP3, the tests' second IMAP and POP3 server: its packages
# conflict with Dovecot's, so scripts/cyrus-fetch unpacks them (and installs
# the libraries they link to); its passwords live in a sasldb. Exim, the
# second SMTP submission server beside Postfix, conflicts with Postfix's
# package the same way: scripts/exim-fetch unpacks it.
DEB_CYRUS   = sasl2-bin libsasl2-modules libsasl2-modules-db
# The mailing programs the sending exports are handed to (export/
# mailer_consumers_test.go); Nodemailer comes from npm at test time and
# needs Node.js 20 or newer with npm.
DEB_SENDING = msmtp python3-django python3-dotenv php-cli php-vlucas-phpdotenv

.PHONY: all deps deps-build deps-windows build run test test-core test-packages bench fuzz vet \
        package-linux package-windows package-darwin smoke clean

all: build

# Installs only the packages that are missing; uses sudo when not root.
# Postfix is only started by the tests (internal/testenv): its package is
# told to write no configuration, so no system mail server is set up.
deps: deps-build
	@echo "postfix postfix/main_mailer_type select No configuration" | $(SUDO) debconf-set-selections
	@./scripts/apt-ensure $(DEB_TEST) $(DEB_SENDING) $(DEB_CYRUS)
	@./scripts/cyrus-fetch
	@./scripts/exim-fetch
deps-build:
	@./scripts/apt-ensure $(DEB_BUILD)
deps-windows:
	@./scripts/apt-ensure $(DEB_WINDOWS)

# make build OAUTH2_CLIENTS=path/to/clients.json: a distributor's OAuth2 client
# registrations, embedded (docs/oauth2.md); the repository's oauth/clients.json
# stays empty, and TestEmbedded refuses a registration committed by accident.
OAUTH2_CLIENTS ?=

build: deps-build
ifneq ($(OAUTH2_CLIENTS),)
	cp oauth/clients.json oauth/clients.json.repo
	cp $(OAUTH2_CLIENTS) oauth/clients.json
	MAILWIZ_OAUTH2_CLIENTS_BUILD=1 $(GO) test ./oauth -run '^TestEmbedded$$' -count=1 \
	  || { mv oauth/clients.json.repo oauth/clients.json; exit 1; }
	$(GO) build -tags $(TAGS) -o $(BIN) . ; status=$$?; \
	  mv oauth/clients.json.repo oauth/clients.json; exit $$status
else
	$(GO) build -tags $(TAGS) -o $(BIN) .
endif

run: build
	./$(BIN)

vet:
	$(GO) vet ./...

# The packages below the GUI: no Fyne, so they build in seconds and run
# under the race detector. The GUI (app) and main run without it: a race
# build of Fyne takes minutes on two cores.
CORE_PKGS = $(shell $(GO) list ./... | grep -v -e '/app$$' -e '/app/' -e '^github.com/mailwiz/mailwiz$$' -e '/packaging$$')

# Every test, with a real Secret Service on a private D-Bus session.
test: deps
	$(GO) mod tidy -diff
	$(GO) vet ./...
	@# Every package below the GUI and the CLI twin, type-checked with their
	@# tests for Windows and macOS (seconds): a platform-only compile error
	@# cannot land. The GUI itself is cross-built for Windows in CI
	@# (package-windows); for macOS it needs a Mac's toolchain.
	GOOS=windows CGO_ENABLED=0 $(GO) vet $(CORE_PKGS) ./cmd/...
	GOOS=darwin CGO_ENABLED=0 $(GO) vet $(CORE_PKGS) ./cmd/...
	./scripts/with-keyring $(GO) test -race -count=1 $(CORE_PKGS)
	./scripts/with-keyring $(GO) test -count=1 ./app/... .
	$(MAKE) smoke
	@# CI (CI=true) also builds both packages; locally they are on request.
	@if [ "$${CI:-}" = true ]; then $(MAKE) package-linux package-windows test-packages; fi

# The built packages read back with dpkg, desktop-file-validate, appstreamcli
# and (Windows) a PE reader; the installed program started under Xvfb.
test-packages:
	$(GO) test -count=1 ./packaging/...

# The packages below the GUI: seconds, no cgo, no services beyond loopback.
test-core:
	$(GO) test ./account/... ./autoconfig/... ./providers/... ./probe/... ./discover/... ./export/... ./cli/...

bench: deps
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

FUZZTIME ?= 20s
fuzz:
	./scripts/fuzz-all $(FUZZTIME)

# The real window under Xvfb: type an address, press Enter, no panic; prints
# cold start and resident memory.
smoke: build
	./scripts/smoke-gui $(BIN)

# Packaging with Fyne's tool (fyne.io/tools), installed into bin/tools. It
# bumps Build in FyneApp.toml on every run; a package build must not dirty
# the tree, so fyne-package puts the file back.
FYNE_TOOL = bin/tools/fyne
VERSION  := $(shell sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)

$(FYNE_TOOL):
	GOBIN=$(CURDIR)/bin/tools $(GO) install fyne.io/tools/cmd/fyne@v1.7.4

# dist/mailwiz-VERSION-linux-amd64.tar.xz (binary, .desktop file, icon; its
# Makefile's user-install puts them in ~/.local without root) and
# dist/mailwiz_VERSION_amd64.deb (scripts/package-deb).
package-linux: deps-build $(FYNE_TOOL)
	@mkdir -p dist
	$(GO) build -tags $(TAGS) -ldflags "-s -w" -o dist/mailwiz .
	cp FyneApp.toml dist/FyneApp.toml.keep
	$(FYNE_TOOL) package --os linux --exe dist/mailwiz --release; s=$$?; mv dist/FyneApp.toml.keep FyneApp.toml; exit $$s
	mv "Mail Setup Wizard.tar.xz" dist/mailwiz-$(VERSION)-linux-amd64.tar.xz
	./scripts/package-deb dist/mailwiz $(VERSION) dist/mailwiz_$(VERSION)_amd64.deb
	@ls -l dist/mailwiz-$(VERSION)-linux-amd64.tar.xz dist/mailwiz_$(VERSION)_amd64.deb

# dist/mailwiz-VERSION-windows-amd64.exe: cross-built with mingw-w64, GUI
# subsystem (no console window), icon and version metadata from FyneApp.toml.
package-windows: deps-build deps-windows $(FYNE_TOOL)
	@mkdir -p dist
	cp FyneApp.toml dist/FyneApp.toml.keep
	CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc $(FYNE_TOOL) package --os windows --release --tags $(TAGS); \
		s=$$?; mv dist/FyneApp.toml.keep FyneApp.toml; exit $$s
	mv "Mail Setup Wizard.exe" dist/mailwiz-$(VERSION)-windows-amd64.exe
	@# The console twin for scripts (cmd/mailwiz-cli): no Fyne, no cgo.
	./scripts/windows-syso $(VERSION) cmd/mailwiz-cli/rsrc_windows_amd64.syso
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -ldflags "-s -w" -o dist/mailwiz-cli-$(VERSION)-windows-amd64.exe ./cmd/mailwiz-cli; \
		s=$$?; rm -f cmd/mailwiz-cli/rsrc_windows_amd64.syso; exit $$s
	@file dist/mailwiz-cli-$(VERSION)-windows-amd64.exe | grep -q 'PE32+ executable (console) x86-64' || \
		{ echo "package-windows: mailwiz-cli is not a PE32+ console binary" >&2; exit 1; }
	@# The per-user installer (packaging/windows/mailwiz.nsi), cross-built
	@# with Debian's makensis.
	convert assets/icon.png -define icon:auto-resize=256,64,48,32,16 dist/mailwiz.ico
	makensis -V2 -DVERSION=$(VERSION) -DDIST=$(CURDIR)/dist \
		-DOUTFILE=$(CURDIR)/dist/mailwiz-$(VERSION)-windows-amd64-setup.exe packaging/windows/mailwiz.nsi
	@# Not `tee /dev/stderr`: reopening stderr truncates a log file it points at.
	@kind=$$(file dist/mailwiz-$(VERSION)-windows-amd64.exe); echo "$$kind"; \
		echo "$$kind" | grep -q 'PE32+ executable (GUI) x86-64' || \
		{ echo "package-windows: not a PE32+ GUI binary" >&2; exit 1; }

# dist/mailwiz-VERSION-macos-universal.zip (the .app, arm64 + amd64) and the
# CLI twin: on a Mac only (scripts/package-darwin says why); the forge's
# macOS runner builds it.
package-darwin: $(FYNE_TOOL)
	GO=$(GO) FYNE=$(FYNE_TOOL) ./scripts/package-darwin

clean:
	rm -rf bin dist
