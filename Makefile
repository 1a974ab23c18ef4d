# ucontact-tray — see README.md. `make run` and `make test` do all set-up.
GO       ?= go
BIN      := bin/ucontact-tray
WINDOW   := bin/ucontact-tray-window
# FyneApp.toml's version, and the commit it was built from.
VERSION  ?= $(shell scripts/appinfo.sh Version)+$(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
# The version above is all the build says of where it comes from: the same
# commit gives the same binaries whoever builds it, whatever their own go env
# says of stamping VCS details (go's -buildvcs).
BUILDFLAGS := -trimpath -buildvcs=false
FUZZTIME ?= 30s
# The window opts in to Fyne's fyneDo threading model (FyneApp.toml's
# [Migrations]); this is the build tag `fyne build` passes for it, which
# drops Fyne's checks of the calling thread and the locks of some of its
# internal structures, which the fyneDo model makes needless.
WINDOW_TAGS := migrated_fynedo
# The packages that need cgo to build for Windows and FreeBSD (Fyne's OpenGL).
WINDOWS_CGO := ucontact-tray/app/window ucontact-tray/cmd/ucontact-tray-window ucontact-tray/bench/floor/fyne
# What builds for macOS without cgo (systray and Fyne need it there).
DARWIN_NOCGO := ./session/... ./internal/... ./app/control ./app/messages ./app/notify

.PHONY: all build windows windows-resident windows-window package run test deps check unit integration e2e bench fuzz clean

all: build

# Two programs: the resident tray app and command line, pure Go with no
# Fyne linked (it runs all day), and the Fyne login window it starts next to
# it (cgo, for OpenGL).
build:
	CGO_ENABLED=0 $(GO) build $(BUILDFLAGS) -ldflags '$(LDFLAGS)' -o $(BIN) .
	$(GO) build $(BUILDFLAGS) -tags '$(WINDOW_TAGS)' -ldflags '$(LDFLAGS)' -o $(WINDOW) ./cmd/ucontact-tray-window

# The Windows build, cross-compiled with mingw (the first build takes
# minutes), each program with its icon and version information (the .syso
# files, which only a Windows build links).
WINBIN    := bin/ucontact-tray.exe
WINWINDOW := bin/ucontact-tray-window.exe
windows: windows-resident windows-window

windows-resident:
	scripts/winres.sh rsrc_windows_amd64.syso ucontact-tray "uContact Tray" "$(VERSION)"
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 \
	  $(GO) build $(BUILDFLAGS) -ldflags '$(LDFLAGS) -H=windowsgui' -o $(WINBIN) .

windows-window:
	scripts/winres.sh cmd/ucontact-tray-window/rsrc_windows_amd64.syso ucontact-tray-window "uContact Tray (window)" "$(VERSION)"
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
	  $(GO) build $(BUILDFLAGS) -tags '$(WINDOW_TAGS)' -ldflags '$(LDFLAGS) -H=windowsgui' -o $(WINWINDOW) ./cmd/ucontact-tray-window

# dist/: a Linux archive (binaries, desktop entry, icon), a .deb and an
# .rpm (built with nfpm, pinned in linux/go.mod), a Windows zip (both .exe)
# and a Windows installer (.msi, built with wixl); see scripts/package.sh.
# `make package PACKAGE_VERSION=1.2.3` gives the packages another version
# than FyneApp.toml's.
package: deps build windows
	scripts/package.sh "$(VERSION)"

# The app against the built-in demo server on loopback: no account needed.
run: deps build
	./$(BIN) demo

deps:
	./scripts/install-deps.sh

# Every test: formatting, vet and staticcheck (for Linux and Windows), unit
# tests with the race detector (fuzz seeds included), the real-keyring
# integration test, and the end-to-end tests of the built binary.
test: deps check unit integration e2e

check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags integration ./...
	$(GO) vet -tags e2e ./...
	$(GO) tool staticcheck ./...
	$(GO) tool staticcheck -tags integration ./...
	$(GO) tool staticcheck -tags e2e ./...
	$(GO) tool staticcheck -tags bench ./...
	@# The Windows build, as `make windows-resident` makes it (no cgo). The
	@# window program and the Fyne floor of the benchmarks need cgo for
	@# Windows (OpenGL, built with mingw by `make windows-window`), so they
	@# are left out here; they are checked above for Linux. The tool is run
	@# by its path: `go tool` with GOOS=windows would build it for Windows.
	pkgs=$$(GOOS=windows CGO_ENABLED=0 $(GO) list -e ./... | grep -vxF $(addprefix -e ,$(WINDOWS_CGO))) && \
	  sc=$$($(GO) tool -n staticcheck) && \
	  for tags in "" integration e2e bench; do \
	    GOOS=windows CGO_ENABLED=0 $(GO) vet -tags "$$tags" $$pkgs && \
	    GOOS=windows CGO_ENABLED=0 $$sc -tags "$$tags" $$pkgs || exit 1; \
	  done
	@# FreeBSD builds the tray app (systray and notifications speak D-Bus
	@# there too); macOS the packages that need no cgo.
	GOOS=freebsd CGO_ENABLED=0 $(GO) vet $$(GOOS=freebsd CGO_ENABLED=0 $(GO) list -e ./... | grep -vxF $(addprefix -e ,$(WINDOWS_CGO)))
	GOOS=darwin CGO_ENABLED=0 $(GO) vet $(DARWIN_NOCGO)
	@# Fyne's ci tag draws in software, without GLFW or cgo: the window
	@# builds that way too.
	CGO_ENABLED=0 $(GO) vet -tags ci ./...

unit:
	$(GO) test -race -count=1 ./...

integration:
	CI=$${CI:-true} $(GO) test -race -count=1 -tags integration ./session/secrets/

# The built binary on Xvfb with private buses, gnome-keyring, a fake logind
# and the fake server, and the Windows build under Wine; screenshots of each
# step go to test-output/.
e2e: build windows package
	CI=$${CI:-true} UCT_BINARY=$(CURDIR)/$(BIN) UCT_WINDOWS_BINARY=$(CURDIR)/$(WINBIN) \
	  UCT_DIST=$(CURDIR)/dist UCT_TEST_OUTPUT=$(CURDIR)/test-output \
	  $(GO) test -count=1 -timeout 20m -tags e2e ./e2e/

# What an agent feels of the built programs, each figure beside its floor
# (bench/floor: a bare fyne.io/systray tray, a bare Fyne window, a warm
# round trip) on the same private desktop: one table, each figure with "ok"
# or "short" against its target. About 90 s once built; on a fresh machine
# the cgo build of the window takes minutes more, so the Windows window
# (mingw, minutes again) is measured only if `make windows` made it.
bench: deps
	$(MAKE) -j2 build windows-resident
	CI=$${CI:-true} UCT_BINARY=$(CURDIR)/$(BIN) UCT_WINDOWS_BINARY=$(CURDIR)/$(WINBIN) \
	  $(GO) test -tags bench -run TestBench -v -count=1 -timeout 15m ./bench/

# Longer fuzzing than the seeds `make test` runs.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseLoginAnswer -fuzztime $(FUZZTIME) ./session/ucontact/
	$(GO) test -run '^$$' -fuzz FuzzParseServer -fuzztime $(FUZZTIME) ./session/ucontact/
	$(GO) test -run '^$$' -fuzz FuzzParsePresets -fuzztime $(FUZZTIME) ./internal/settings/

clean:
	rm -rf bin dist test-output rsrc_windows_amd64.syso cmd/ucontact-tray-window/rsrc_windows_amd64.syso
