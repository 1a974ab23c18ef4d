package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ucontact-tray/internal/testenv"
	"ucontact-tray/session/secrets"
	"ucontact-tray/session/secrets/secretstest"
	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

const (
	user     = "ana"
	password = "clave-secreta-1"
)

type world struct {
	t       *testing.T
	srv     *fake.Server
	config  string
	cache   string // the log files go to its ucontact-tray folder
	keyring *secretstest.Memory
	lang    string
	runtime string // XDG_RUNTIME_DIR: where a resident's socket would be
	system  string // the administrator's presets, never the machine's own
}

func newWorld(t *testing.T) *world {
	t.Helper()
	srv := fake.New(fake.Variant{})
	srv.AddUser(user, password)
	srv.AddAgent(user, password)
	if _, err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &world{t: t, srv: srv, config: t.TempDir(), cache: t.TempDir(), keyring: &secretstest.Memory{}, runtime: t.TempDir(), system: t.TempDir()}
}

type result struct {
	code           int
	stdout, stderr string
}

func (r result) output() string { return r.stdout + r.stderr }

func (w *world) run(stdin string, args ...string) result {
	w.t.Helper()
	var out, errOut bytes.Buffer
	vars := map[string]string{"LANG": w.lang, "XDG_RUNTIME_DIR": w.runtime, systemDirEnv: w.system}
	env := Env{
		Stdin:       strings.NewReader(stdin),
		Stdout:      &out,
		Stderr:      &errOut,
		Getenv:      func(k string) string { return vars[k] },
		ConfigDir:   func() (string, error) { return w.config, nil },
		CacheDir:    func() (string, error) { return w.cache, nil },
		Keyring:     w.keyring,
		Version:     "1.2.3-test",
		CallTimeout: 500 * time.Millisecond,
	}
	start := time.Now()
	code := Run(context.Background(), args, env)
	if d := time.Since(start); d > 3*time.Second {
		w.t.Errorf("%v took %v: past the deadline", args, d)
	}
	r := result{code, out.String(), errOut.String()}
	w.assertNoSecrets(r)
	return r
}

// assertNoSecrets fails if a password or a token the server issued appears
// in what a command printed or logged.
func (w *world) assertNoSecrets(r result) {
	w.t.Helper()
	log := w.log()
	for _, secret := range append(w.srv.Tokens(), password, "sip-"+user) {
		if strings.Contains(r.output(), secret) {
			w.t.Errorf("output reveals a secret:\n%s", r.output())
		}
		if strings.Contains(log, secret) {
			w.t.Errorf("the log reveals a secret:\n%s", log)
		}
	}
}

// log is what the commands logged so far.
func (w *world) log() string {
	b, err := os.ReadFile(filepath.Join(w.cache, "ucontact-tray", "ucontact-tray-cli.log"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		w.t.Fatal(err)
	}
	return string(b)
}

func (w *world) login(kind string) result {
	return w.run(password+"\n", "login", "--server", w.srv.URL(), "--user", user, "--kind", kind, "--password-stdin")
}

// presets writes the administrator's presets file.
func (w *world) presets(text string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.system, "presets.conf"), []byte(text), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) status() map[string]any {
	w.t.Helper()
	r := w.run("", "status", "--json")
	if r.code != ExitOK {
		w.t.Fatalf("status --json: %d %s", r.code, r.output())
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		w.t.Fatalf("status --json printed %q: %v", r.stdout, err)
	}
	return m
}

func TestLoginStatusLogout(t *testing.T) {
	for _, kind := range []string{"user", "agent"} {
		t.Run(kind, func(t *testing.T) {
			w := newWorld(t)
			r := w.login(kind)
			if r.code != ExitOK || !strings.Contains(r.stdout, "Sesión") {
				t.Fatalf("login: %d %q", r.code, r.output())
			}
			st := w.status()
			if st["state"] != "logged-in" || st["user"] != user || st["kind"] != kind || st["server"] != w.srv.URL() || st["secret_store"] != "keyring" {
				t.Fatalf("status %v", st)
			}
			if r := w.run("", "status"); r.code != ExitOK || !strings.Contains(r.stdout, "Conectado: "+user) {
				t.Errorf("status: %q", r.output())
			}

			r = w.run("", "logout")
			if r.code != ExitOK || !strings.Contains(r.stdout, "Sesión finalizada") {
				t.Fatalf("logout: %d %q", r.code, r.output())
			}
			sessions := w.srv.Sessions()
			if len(sessions) != 1 || sessions[0].Ended != 1 {
				t.Fatalf("server sessions %+v", sessions)
			}
			endPath := ucontact.PathEndSession
			if kind == "agent" {
				endPath = ucontact.PathAgentLogoff
			}
			ends := w.srv.RequestsTo(endPath)
			if len(ends) != 1 || ends[0].Header.Get("Authorization") != "Basic "+sessions[0].Token {
				t.Fatalf("end requests %+v", ends)
			}
			if kind == "user" && (ends[0].Form.Get("user") != user || ends[0].Form.Get("token") != sessions[0].Token) {
				t.Errorf("EndSession form %v", ends[0].Form)
			}
			if st := w.status(); st["state"] != "logged-out" {
				t.Errorf("status after logout %v", st)
			}
			if r := w.run("", "logout"); r.code != ExitNothingToDo {
				t.Errorf("second logout: %d %q", r.code, r.output())
			}
		})
	}
}

func TestLogoutWithServerDownStaysPending(t *testing.T) {
	for _, kind := range []string{"user", "agent"} {
		t.Run(kind, func(t *testing.T) {
			w := newWorld(t)
			if r := w.login(kind); r.code != ExitOK {
				t.Fatalf("login: %q", r.output())
			}
			path := ucontact.PathEndSession
			if kind == "agent" {
				path = ucontact.PathAgentLogoff
			}
			w.srv.Inject(path, fake.Fault{Drop: true, Times: 1})
			r := w.run("", "logout")
			if r.code != ExitServer || !strings.Contains(r.stderr, "pendiente") {
				t.Fatalf("logout against a dead server: %d %q", r.code, r.output())
			}
			st := w.status()
			if st["state"] != "logout-pending" || st["logout_pending"] != true || st["last_error"] == "" {
				t.Fatalf("status %v", st)
			}
			if r := w.run("", "status"); !strings.Contains(r.stdout, "No se pudo conectar") {
				t.Errorf("status does not explain the failure in Spanish: %q", r.stdout)
			}
			if r := w.login(kind); r.code != ExitServer {
				t.Errorf("login while pending: %d %q", r.code, r.output())
			}
			if r := w.run("", "logout"); r.code != ExitOK {
				t.Fatalf("logout with the server back: %d %q", r.code, r.output())
			}
			if s := w.srv.Sessions(); len(s) != 1 || s[0].Ended != 1 {
				t.Errorf("server sessions %+v", s)
			}
		})
	}
}

// A keyring that does not answer keeps the logout pending, and is named
// as the cause: not the network, and with its own exit code.
func TestLogoutWithKeyringDownBlamesTheKeyring(t *testing.T) {
	w := newWorld(t)
	if r := w.login("agent"); r.code != ExitOK {
		t.Fatalf("login: %q", r.output())
	}
	w.keyring.SetAvailable(false)
	r := w.run("", "logout")
	if r.code != ExitUnexpected || !strings.Contains(r.stderr, "llavero") || strings.Contains(r.stderr, "conexión") {
		t.Fatalf("logout with the keyring down: %d %q", r.code, r.output())
	}
	if st := w.status(); st["state"] != "logout-pending" {
		t.Fatalf("status %v", st)
	}
	w.keyring.SetAvailable(true)
	if r := w.run("", "logout"); r.code != ExitOK {
		t.Fatalf("logout with the keyring back: %d %q", r.code, r.output())
	}
	if n := len(w.srv.OpenSessions()); n != 0 {
		t.Errorf("%d sessions left open", n)
	}
}

// A session that cannot be ended from here is said once, not as a warning
// and again as the logout's error.
func TestTokenLostIsSaidOnce(t *testing.T) {
	w := newWorld(t)
	if r := w.login("user"); r.code != ExitOK {
		t.Fatalf("login: %q", r.output())
	}
	for k := range w.keyring.Items() {
		w.keyring.Delete(secrets.Service, strings.TrimPrefix(k, secrets.Service+"/")) //nolint:errcheck
	}
	r := w.run("", "logout")
	if n := strings.Count(r.stderr, "web de uContact"); n != 1 {
		t.Errorf("said %d times:\n%s", n, r.stderr)
	}
}

// A session whose record was damaged is ended by the next logout, from
// what the keyring keeps.
func TestLogoutWithDamagedRecord(t *testing.T) {
	w := newWorld(t)
	if r := w.login("agent"); r.code != ExitOK {
		t.Fatalf("login: %q", r.output())
	}
	if err := os.WriteFile(filepath.Join(w.config, "ucontact-tray", "session.json"), []byte("{\x00"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := w.run("", "logout")
	if r.code != ExitOK || !strings.Contains(r.stderr, "dañado") {
		t.Fatalf("logout: %d %q", r.code, r.output())
	}
	if n := len(w.srv.OpenSessions()); n != 0 {
		t.Errorf("%d sessions left open", n)
	}
}

func TestErrorsAreOneClearLine(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string // after login --user ana --password-stdin
		stdin  string
		fault  *fake.Fault
		code   int
		inText string
		lang   string
	}{
		{name: "wrong password", stdin: "nope\n", code: ExitCredentials, inText: "Usuario o contraseña incorrectos."},
		{name: "wrong password in English", stdin: "nope\n", code: ExitCredentials, inText: "Wrong user or password.", lang: "en_US.UTF-8"},
		{name: "5xx", fault: &fake.Fault{Status: 503}, code: ExitServer, inText: "HTTP 503"},
		{name: "10 MB answer", fault: &fake.Fault{Oversize: 10 << 20}, code: ExitServer, inText: "no es de uContact"},
		{name: "redirect to another host", fault: &fake.Fault{Redirect: "https://evil.example/x"}, code: ExitServer, inText: "https://evil.example"},
		{name: "slow server", fault: &fake.Fault{Latency: 5 * time.Second}, code: ExitServer, inText: "no respondió a tiempo"},
		{name: "dropped connection", fault: &fake.Fault{Drop: true}, code: ExitServer, inText: "No se pudo conectar con el servidor 127.0.0.1:"},
		{name: "domain with a path", args: []string{"--domain", "evil.com/x"}, code: ExitUsage, inText: "Servidor no válido"},
		{name: "domain that is a host", args: []string{"--domain", "evil.com"}, code: ExitUsage, inText: "Servidor no válido"},
		{name: "domain that is a URL", args: []string{"--domain", "https://evil.com"}, code: ExitUsage, inText: "Servidor no válido"},
		{name: "plain http elsewhere", args: []string{"--server", "http://example.com"}, code: ExitUsage, inText: "Servidor no válido"},
		{name: "server and domain", args: []string{"--server", "https://a.example", "--domain", "acme"}, code: ExitUsage, inText: "no con ambos"},
		{name: "bad kind", args: []string{"--kind", "admin"}, code: ExitUsage, inText: "Tipo de sesión no válido"},
		{name: "empty password", stdin: "\n", code: ExitUsage, inText: "Falta la contraseña"},
		{name: "password too long", stdin: strings.Repeat("x", 5000), code: ExitUsage, inText: "demasiado larga"},
		{name: "unknown flag", args: []string{"--password", "x"}, code: ExitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.lang = tc.lang
			if tc.fault != nil {
				w.srv.Inject(ucontact.PathGetUserToken, *tc.fault)
			}
			args := []string{"login", "--user", user, "--password-stdin"}
			if !hasServerFlag(tc.args) {
				args = append(args, "--server", w.srv.URL())
			}
			args = append(args, tc.args...)
			stdin := tc.stdin
			if stdin == "" {
				stdin = password + "\n"
			}
			r := w.run(stdin, args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d: %q", r.code, tc.code, r.output())
			}
			if !strings.Contains(r.stderr, tc.inText) {
				t.Errorf("stderr %q lacks %q", r.stderr, tc.inText)
			}
			if tc.name != "unknown flag" && strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("more than one line: %q", r.stderr)
			}
			if strings.Contains(r.output(), "panic") || strings.Contains(r.output(), "goroutine") {
				t.Errorf("crash: %s", r.output())
			}
			if st := w.status(); st["state"] != "logged-out" {
				t.Errorf("state %v after a failed login", st["state"])
			}
		})
	}
}

func hasServerFlag(args []string) bool {
	for _, a := range args {
		if a == "--server" || a == "--domain" {
			return true
		}
	}
	return false
}

func TestPasswordFromTerminal(t *testing.T) {
	w := newWorld(t)
	var prompt string
	var out, errOut bytes.Buffer
	env := Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
		Getenv:    func(k string) string { return map[string]string{"XDG_RUNTIME_DIR": w.runtime}[k] },
		ConfigDir: func() (string, error) { return w.config, nil },
		Keyring:   w.keyring,
		ReadPassword: func(p string) (string, error) {
			prompt = p
			return password, nil
		},
	}
	if code := Run(context.Background(), []string{"login", "--server", w.srv.URL(), "--user", user}, env); code != ExitOK {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	if prompt != "Contraseña de ana: " {
		t.Errorf("prompt %q", prompt)
	}
}

func TestNoTerminalNoPasswordStdin(t *testing.T) {
	w := newWorld(t)
	r := w.run("", "login", "--server", w.srv.URL(), "--user", user)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "--password-stdin") {
		t.Fatalf("%d %q", r.code, r.output())
	}
	if len(w.srv.Requests()) != 0 {
		t.Error("a request went out without a password")
	}
}

func TestWithoutKeyringTheTokenFileIsAnnounced(t *testing.T) {
	w := newWorld(t)
	w.keyring.SetAvailable(false)
	r := w.run(password+"\n", "login", "--server", w.srv.URL(), "--user", user, "--password-stdin", "--remember")
	if r.code != ExitOK {
		t.Fatalf("login: %d %q", r.code, r.output())
	}
	if !strings.Contains(r.stderr, "no hay llavero") || !strings.Contains(r.stderr, filepath.Join(w.config, "ucontact-tray")) {
		t.Errorf("token file not announced with its path: %q", r.stderr)
	}
	if !strings.Contains(r.stderr, "la contraseña no se ha recordado") {
		t.Errorf("password not remembered is not said: %q", r.stderr)
	}
	st := w.status()
	if st["secret_store"] != "file" || st["token_file"] == "" {
		t.Fatalf("status %v", st)
	}
	if r := w.run("", "logout"); r.code != ExitOK {
		t.Fatalf("logout: %q", r.output())
	}
}

func TestUsageVersionAndUnknownCommand(t *testing.T) {
	w := newWorld(t)
	if r := w.run("", "--help"); r.code != ExitOK || !strings.Contains(r.stdout, "Códigos de salida") {
		t.Errorf("help: %d %q", r.code, r.output())
	}
	w.lang = "en_GB.UTF-8"
	if r := w.run("", "help"); !strings.Contains(r.stdout, "Exit codes") {
		t.Errorf("English help: %q", r.stdout)
	}
	if r := w.run("", "version"); r.code != ExitOK || r.stdout != "ucontact-tray 1.2.3-test\n" {
		t.Errorf("version: %d %q", r.code, r.stdout)
	}
	if r := w.run("", "frobnicate"); r.code != ExitUsage || !strings.Contains(r.stderr, "frobnicate") {
		t.Errorf("unknown command: %d %q", r.code, r.output())
	}
	if r := w.run("", "logout", "extra"); r.code != ExitUsage {
		t.Errorf("extra argument: %d %q", r.code, r.output())
	}
}

func TestNoConfigDir(t *testing.T) {
	var out, errOut bytes.Buffer
	runtime := t.TempDir()
	code := Run(context.Background(), []string{"status"}, Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
		Getenv:    func(k string) string { return map[string]string{"XDG_RUNTIME_DIR": runtime}[k] },
		ConfigDir: func() (string, error) { return "", errors.New("$HOME is not defined") },
		Keyring:   &secretstest.Memory{},
	})
	if code != ExitUnexpected || !strings.Contains(errOut.String(), "HOME") {
		t.Fatalf("%d %q", code, errOut.String())
	}
}

func TestDemoServesTheDemoAccount(t *testing.T) {
	var out testenv.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"demo", "--server-only", "--addr", "127.0.0.1:0"}, Env{
			Stdin: strings.NewReader(""), Stdout: &out, Stderr: os.Stderr,
			Getenv: func(string) string { return "" },
		})
	}()
	var url string
	for deadline := time.Now().Add(5 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, f := range strings.Fields(out.String()) {
			if strings.HasPrefix(f, "http://127.0.0.1:") {
				url = f
				break
			}
		}
	}
	if url == "" {
		t.Fatalf("demo printed no address: %q", out.String())
	}
	w := newWorld(t)
	r := w.run(fake.DemoPassword+"\n", "login", "--server", url, "--user", fake.DemoUser, "--password-stdin")
	if r.code != ExitOK {
		t.Fatalf("login to the demo: %q", r.output())
	}
	if r := w.run("", "logout"); r.code != ExitOK {
		t.Fatalf("logout from the demo: %q", r.output())
	}
	cancel()
	if code := <-done; code != ExitOK {
		t.Errorf("demo exit %d", code)
	}
}

// The administrator's presets stand in for --server and --kind; what they
// lock cannot be asked for otherwise.
func TestLoginHonoursPresets(t *testing.T) {
	tests := []struct {
		name     string
		presets  string // {{server}} is the fake's address
		args     []string
		code     int
		wantKind string
		inText   string
	}{
		{
			name:    "preset",
			presets: "server = {{server}}\nkind = agent\n",
			code:    ExitOK, wantKind: "agent",
		},
		{
			name:    "kind given",
			presets: "server = {{server}}\nkind = agent\n",
			args:    []string{"--kind", "user"},
			code:    ExitOK, wantKind: "user",
		},
		{
			name:    "locked given",
			presets: "server = {{server}}\nlock = server\n",
			args:    []string{"--server", "{{server}}/"},
			code:    ExitOK, wantKind: "user",
		},
		{
			name:    "other server",
			presets: "server = {{server}}\nlock = server\n",
			args:    []string{"--domain", "acme"},
			code:    ExitUsage,
			inText:  "El administrador de este equipo ha fijado el servidor {{host}}; no se puede usar otro.",
		},
		{
			name:    "other kind",
			presets: "server = {{server}}\nkind = agent\nlock = kind\n",
			args:    []string{"--kind", "user"},
			code:    ExitUsage,
			inText:  "El administrador de este equipo ha fijado el tipo de sesión (agente); no se puede usar otro.",
		},
		{
			name:    "malformed",
			presets: "server {{server}}\nserver = {{server}}\ncolour = blue\n",
			code:    ExitOK, wantKind: "user",
			inText: "Configuración del administrador ({{file}}, línea 1): «server {{server}}» no tiene la forma «clave = valor»; se ignora la línea.",
		},
	}
	for _, tt := range tests {
		// Short names: the socket's path, which has a length limit, has them.
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			expand := strings.NewReplacer("{{server}}", w.srv.URL(), "{{host}}", strings.TrimPrefix(w.srv.URL(), "http://"),
				"{{file}}", filepath.Join(w.system, "presets.conf")).Replace
			w.presets(expand(tt.presets))
			args := []string{"login", "--user", user, "--password-stdin"}
			for _, a := range tt.args {
				args = append(args, expand(a))
			}
			r := w.run(password+"\n", args...)
			if r.code != tt.code {
				t.Fatalf("login: %d, want %d: %s", r.code, tt.code, r.output())
			}
			if tt.inText != "" && !strings.Contains(r.stderr, expand(tt.inText)) {
				t.Errorf("stderr %q does not say %q", r.stderr, expand(tt.inText))
			}
			sessions := w.srv.Sessions()
			if tt.code != ExitOK {
				if len(sessions) != 0 {
					t.Errorf("the server was asked: %+v", sessions)
				}
				return
			}
			if st := w.status(); st["server"] != w.srv.URL() || st["kind"] != tt.wantKind {
				t.Errorf("status %v, want a %s session on %s", st, tt.wantKind, w.srv.URL())
			}
		})
	}
}

// status shows the version and the tray app's log file, for support.
func TestStatusShowsVersionAndLog(t *testing.T) {
	w := newWorld(t)
	logFile := filepath.Join(w.cache, "ucontact-tray", "ucontact-tray.log")
	for _, lang := range []string{"es_ES.UTF-8", "en_US.UTF-8"} {
		w.lang = lang
		r := w.run("", "status")
		if r.code != ExitOK || !strings.Contains(r.stdout, "1.2.3-test") || !strings.Contains(r.stdout, logFile) {
			t.Errorf("%s: status %d %q: want the version and %s", lang, r.code, r.output(), logFile)
		}
	}
	if st := w.status(); st["version"] != "1.2.3-test" || st["log_file"] != logFile {
		t.Errorf("status --json: version %v, log_file %v", st["version"], st["log_file"])
	}
}

// A login and a logout acting on their own log what they did to the
// commands' file: the calls and the states, never a secret (run checks);
// a status logs nothing, scripts may ask for it every minute.
func TestCommandsAreLogged(t *testing.T) {
	w := newWorld(t)
	if r := w.login("agent"); r.code != ExitOK {
		t.Fatalf("login: %q", r.output())
	}
	if r := w.run("", "logout"); r.code != ExitOK {
		t.Fatalf("logout: %q", r.output())
	}
	before := w.log()
	for _, re := range []string{
		`msg=command op=login version=1.2.3-test`,
		`msg="uContact request" method=POST host=\S+ path=/Integra/resources/auth/AgentLogin duration=\S+ status=200`,
		`msg="session state" state=logged-in was=logging-in user=ana`,
		`msg=command op=logout`,
		`msg="uContact request" method=POST host=\S+ path=/Integra/resources/api/AgentLogoff duration=\S+ status=200`,
		`msg="session state" state=logged-out was=logging-out`,
	} {
		if !regexp.MustCompile(re).MatchString(before) {
			t.Errorf("the log lacks %s:\n%s", re, before)
		}
	}
	w.status()
	if after := w.log(); after != before {
		t.Errorf("status logged:\n%s", strings.TrimPrefix(after, before))
	}
}

// settingsFile is the user's settings file.
func (w *world) settingsFile() string {
	return filepath.Join(w.config, "ucontact-tray", "settings.json")
}

// Settings that cannot be read never keep a session open: with a damaged
// settings.json, status shows the session and logout ends it, each saying
// on stderr, once, that the defaults are used; the file is set aside.
func TestDamagedSettingsNeverBlockALogout(t *testing.T) {
	for name, data := range map[string][]byte{
		"truncated": []byte("{"),
		"binary":    {0x00, 0x9f, 0xff, 0x1b, 0x80, 0x7b},
	} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			if r := w.login("agent"); r.code != ExitOK {
				t.Fatalf("login: %d %q", r.code, r.output())
			}
			if err := os.WriteFile(w.settingsFile(), data, 0o600); err != nil {
				t.Fatal(err)
			}
			aside := w.settingsFile() + ".damaged"
			want := "El archivo de configuración " + w.settingsFile() + " estaba dañado: se ha apartado como " + aside + " y se usan los valores predeterminados.\n"

			r := w.run("", "status")
			if r.code != ExitOK || !strings.Contains(r.stdout, "Conectado: "+user) || r.stderr != want {
				t.Fatalf("status: %d, stdout %q, stderr %q; want the session and %q", r.code, r.stdout, r.stderr, want)
			}
			if b, err := os.ReadFile(aside); err != nil || !bytes.Equal(b, data) {
				t.Fatalf("set aside: %q, %v", b, err)
			}

			// Damaged again: the logout still ends the session.
			if err := os.WriteFile(w.settingsFile(), data, 0o600); err != nil {
				t.Fatal(err)
			}
			r = w.run("", "logout")
			if r.code != ExitOK || !strings.Contains(r.stdout, "Sesión finalizada") || r.stderr != want {
				t.Fatalf("logout: %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
			if s := w.srv.OpenSessions(); len(s) != 0 {
				t.Fatalf("open server sessions %+v", s)
			}
			if !strings.Contains(w.log(), `msg="settings not read; using the defaults"`) {
				t.Errorf("the commands' log does not say so:\n%s", w.log())
			}
			// Reported once: the file is out of the way now.
			if r := w.run("", "status"); r.code != ExitOK || r.stderr != "" {
				t.Errorf("status after: %d %q", r.code, r.output())
			}
		})
	}
}

// Settings that cannot be read (here a folder in the file's place) are
// reported in English for an English user, and the command goes on.
func TestUnreadableSettingsInEnglish(t *testing.T) {
	w := newWorld(t)
	w.lang = "en_GB.UTF-8"
	if r := w.login("user"); r.code != ExitOK {
		t.Fatalf("login: %d %q", r.code, r.output())
	}
	if err := os.Mkdir(w.settingsFile(), 0o700); err != nil {
		t.Fatal(err)
	}
	r := w.run("", "logout")
	want := "The settings file " + w.settingsFile() + " cannot be read ("
	if r.code != ExitOK || !strings.HasPrefix(r.stderr, want) || !strings.Contains(r.stderr, "the defaults are used") {
		t.Fatalf("logout: %d, stdout %q, stderr %q; want %q…", r.code, r.stdout, r.stderr, want)
	}
	if s := w.srv.OpenSessions(); len(s) != 0 {
		t.Fatalf("open server sessions %+v", s)
	}
}
