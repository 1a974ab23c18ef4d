package cli

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"ucontact-tray/session/ucontact/fake"
)

// `make run` is the first thing the README asks a newcomer to type: it
// installs the Debian packages before it builds, as the README says.
func TestMakeRunInstallsTheDependencies(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^run:(.*)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("the Makefile has no run target")
	}
	prereqs := strings.Fields(string(m[1]))
	if i := slices.Index(prereqs, "deps"); i < 0 || i > slices.Index(prereqs, "build") {
		t.Errorf("run: %v; want deps, before build", prereqs)
	}
}

// `help COMMAND` prints that command's help, the same as its --help: how
// it is used, what it does, and every flag; not the general help.
func TestHelpOfACommand(t *testing.T) {
	w := newWorld(t)
	flags := map[string][]string{
		"login":   {"--user", "--domain", "--server", "--kind", "--password-stdin", "--remember", "--ca-file"},
		"logout":  {"--ca-file"},
		"status":  {"--json"},
		"break":   {"--ca-file"},
		"unbreak": {"--ca-file"},
		"demo":    {"--addr", "--server-only", "--ca-file"},
	}
	for _, lang := range []string{"es_ES.UTF-8", "en_US.UTF-8"} {
		w.lang = lang
		for name, want := range flags {
			r := w.run("", "help", name)
			if r.code != ExitOK || r.stderr != "" {
				t.Errorf("%s: help %s: %d %q", lang, name, r.code, r.output())
				continue
			}
			if !strings.Contains(r.stdout, "ucontact-tray "+name+" ") || strings.Contains(r.stdout, "ucontact-tray logout") != (name == "logout") {
				t.Errorf("%s: help %s is not that command's:\n%s", lang, name, r.stdout)
			}
			for _, f := range want {
				if !strings.Contains(r.stdout, "\n  "+f+"\n") {
					t.Errorf("%s: help %s does not describe %s:\n%s", lang, name, f, r.stdout)
				}
			}
			if own := w.run("", name, "--help"); own.code != ExitOK || own.stdout != r.stdout {
				t.Errorf("%s: %s --help differs from help %s: %d %q", lang, name, name, own.code, own.output())
			}
		}
	}
	w.lang = ""
	if r := w.run("", "help", "demo"); !strings.Contains(r.stdout, "(por omisión: "+demoAddr+")") {
		t.Errorf("help demo does not give --addr's default:\n%s", r.stdout)
	}
}

func TestHelpOfNoCommand(t *testing.T) {
	w := newWorld(t)
	for lang, want := range map[string]string{"": "La orden «nonsense» no existe.", "en_US.UTF-8": "There is no command «nonsense»."} {
		w.lang = lang
		r := w.run("", "help", "nonsense")
		if r.code != ExitUsage || r.stdout != "" || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "ucontact-tray help\n") {
			t.Errorf("%q: help nonsense: %d %q; want %d and %q", lang, r.code, r.output(), ExitUsage, want)
		}
	}
}

// A wrong flag is one line in the user's language that names it and the
// command whose help lists the right ones: not the flag package's English
// followed by every flag.
func TestFlagProblemsAreOneLine(t *testing.T) {
	for _, tc := range []struct {
		lang string
		args []string
		want string
	}{
		{args: []string{"login", "--password", "x"}, want: "La opción «--password» no existe. Vea: ucontact-tray help login"},
		{args: []string{"status", "-verbose"}, want: "La opción «--verbose» no existe. Vea: ucontact-tray help status"},
		{args: []string{"login", "--user"}, want: "Falta el valor de la opción «--user». Vea: ucontact-tray help login"},
		{args: []string{"status", "--json=maybe"}, want: "Valor no válido para la opción «--json». Vea: ucontact-tray help status"},
		{args: []string{"logout", "---ca-file"}, want: "Opción mal escrita: «---ca-file». Vea: ucontact-tray help logout"},
		{args: []string{"--bogus"}, want: "La opción «--bogus» no existe. Vea: ucontact-tray help"},
		{args: []string{"admin", "presets", "--colour", "blue"}, want: "La opción «--colour» no existe. Vea: ucontact-tray admin help"},
		{lang: "en_US.UTF-8", args: []string{"demo", "--port", "1"}, want: "There is no option «--port». See: ucontact-tray help demo"},
		{lang: "en_US.UTF-8", args: []string{"break", "--ca-file"}, want: "The option «--ca-file» needs a value. See: ucontact-tray help break"},
	} {
		w := newWorld(t)
		w.lang = tc.lang
		r := w.run("", tc.args...)
		if r.code != ExitUsage || r.stdout != "" || r.stderr != tc.want+"\n" {
			t.Errorf("%v: %d %q; want %d and the one line %q", tc.args, r.code, r.output(), ExitUsage, tc.want)
		}
	}
}

// The general help shows demo's flags like every other command's.
func TestGeneralHelpListsDemosFlags(t *testing.T) {
	w := newWorld(t)
	for _, lang := range []string{"es_ES.UTF-8", "en_US.UTF-8"} {
		w.lang = lang
		r := w.run("", "--help")
		for _, f := range []string{"--addr", "--server-only"} {
			if !strings.Contains(r.stdout, "ucontact-tray demo [") || !strings.Contains(r.stdout, f) {
				t.Errorf("%s: the general help lacks demo's %s:\n%s", lang, f, r.stdout)
			}
		}
	}
}

// status says whether the tray app is running, and `status --json` has it
// as a boolean that is always there.
func TestStatusSaysWhetherTheTrayAppRuns(t *testing.T) {
	w := newWorld(t)
	for lang, want := range map[string]string{"": "Aplicación de la bandeja: no está en ejecución\n", "en_US.UTF-8": "Tray app: not running\n"} {
		w.lang = lang
		if r := w.run("", "status"); r.code != ExitOK || !strings.Contains(r.stdout, want) {
			t.Errorf("%q: status without a tray app: %d %q; want %q", lang, r.code, r.output(), want)
		}
	}
	if st := w.status(); st["tray_app_running"] != false {
		t.Errorf("status --json without a tray app: tray_app_running %v", st["tray_app_running"])
	}

	w.runtime = serveTrayApp(t, &trayApp{})
	for lang, want := range map[string]string{"": "Aplicación de la bandeja: en ejecución\n", "en_US.UTF-8": "Tray app: running\n"} {
		w.lang = lang
		if r := w.run("", "status"); r.code != ExitOK || !strings.Contains(r.stdout, want) {
			t.Errorf("%q: status with a tray app: %d %q; want %q", lang, r.code, r.output(), want)
		}
	}
	if st := w.status(); st["tray_app_running"] != true {
		t.Errorf("status --json with a tray app: tray_app_running %v", st["tray_app_running"])
	}
}

// A second demo, while one holds the port, says so in one line with the
// exit code of "nothing to do", not the system's "address already in use".
func TestSecondDemoIsToldTheFirstRuns(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	addr := l.Addr().String()
	for lang, want := range map[string]string{
		"":            "El puerto " + addr + " ya está en uso: probablemente ya hay una demostración en marcha.",
		"en_US.UTF-8": "The port " + addr + " is already in use: a demo is probably running already.",
	} {
		var out, errOut bytes.Buffer
		code := Run(context.Background(), []string{"demo", "--addr", addr}, Env{
			Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) string { return map[string]string{"LANG": lang}[k] },
		})
		if code != ExitNothingToDo || out.String() != "" || !strings.HasPrefix(errOut.String(), want) || strings.Count(errOut.String(), "\n") != 1 {
			t.Errorf("%q: second demo: %d %q %q; want %d and %q", lang, code, out.String(), errOut.String(), ExitNothingToDo, want)
		}
	}
}

// The command line the demo suggests runs as typed: it names this program
// by its path (it is often in bin/, not on the PATH), quoted when needed.
func TestDemoHintNamesThisProgram(t *testing.T) {
	for exe, want := range map[string]string{
		"/home/ana/ucontact-tray/bin/ucontact-tray": "printf '" + fake.DemoPassword + "' | /home/ana/ucontact-tray/bin/ucontact-tray login --server http://127.0.0.1:",
		"/home/ana/mis cosas/bin/ucontact-tray":     "printf '" + fake.DemoPassword + "' | '/home/ana/mis cosas/bin/ucontact-tray' login --server http://127.0.0.1:",
		"/tmp/it's/ucontact-tray":                   `| '/tmp/it'\''s/ucontact-tray' login`,
	} {
		var out bytes.Buffer
		// Cancelled already: the demo server starts, prints its hint and
		// stops.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		code := Run(ctx, []string{"demo", "--server-only", "--addr", "127.0.0.1:0"}, Env{
			Stdin: strings.NewReader(""), Stdout: &out, Stderr: os.Stderr,
			Getenv: func(string) string { return "" }, Executable: exe,
		})
		if code != ExitOK || !strings.Contains(out.String(), want) {
			t.Errorf("%s: demo %d, printed %q; want %q", exe, code, out.String(), want)
		}
	}
}
