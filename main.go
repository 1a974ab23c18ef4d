// Command ucontact-tray keeps a contact-center agent's uContact session from
// being left open: see README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/term"

	"ucontact-tray/app/cli"
	"ucontact-tray/internal/logfile"
	"ucontact-tray/internal/startup"
	"ucontact-tray/session/secrets"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(run())
}

func run() int {
	// The tray app starts with the session and has no terminal: a crash is
	// written to a file in the log folder too, from the very start.
	cache, _ := os.UserCacheDir() // without one, the crash goes to stderr alone
	_, crashErr := logfile.CrashOutput(cache, logfile.TrayAppCrash)
	// One processor is plenty for a tray app that waits all day and for
	// its commands, and each one more costs its caches and threads: 360 kB
	// of private memory with two CPUs (make bench), more on a many-core
	// VDI server.
	runtime.GOMAXPROCS(1)
	startup.AttachConsole()
	startup.NoBusAutolaunch()
	env := cli.Env{
		Stdin:     os.Stdin,
		Stdout:    os.Stdout,
		Stderr:    os.Stderr,
		Getenv:    os.Getenv,
		ConfigDir: os.UserConfigDir,
		CacheDir:  os.UserCacheDir,
		Keyring:   secrets.OSKeyring{},
		Version:   version,
		CrashErr:  crashErr,
	}
	if exe, err := os.Executable(); err == nil {
		env.Executable = exe
	} else {
		env.Executable = os.Args[0]
	}
	if term.IsTerminal(int(os.Stdin.Fd())) {
		env.ReadPassword = readPassword
	}
	return cli.Run(context.Background(), os.Args[1:], env)
}

// readPassword asks on the terminal without echo.
func readPassword(prompt string) (string, error) {
	fmt.Fprint(os.Stderr, prompt)
	pw, err := term.ReadPassword(int(os.Stdin.Fd()))
	fmt.Fprintln(os.Stderr)
	return string(pw), err
}
