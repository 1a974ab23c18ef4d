//go:build e2e

package e2e

import (
	"bytes"
	byteorder "encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ucontact-tray/internal/settings"
	"ucontact-tray/internal/testenv"
)

// Where the installer puts things, in the prefix's drive C.
const (
	installDir = `C:\Program Files\ucontact-tray`
	presetsDir = `C:\ProgramData\ucontact-tray`
	runKeyHKLM = `HKLM\Software\Microsoft\Windows\CurrentVersion\Run`
	runKeyHKCU = `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`
	arpKey     = `HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall`
)

// msiDesk is a Wine prefix where the installer is tried, the fake server
// the installed app talks to, and the installers.
type msiDesk struct {
	t    *testing.T
	w    *wine
	d    *desk
	dir  string // the test's scratch folder: logs, the second installer
	logs int    // numbers the installer logs
}

// The installer as an IT admin deploys it, under Wine: an unattended
// install with the administrator's presets, the installed app using them,
// an upgrade with no properties, a refused downgrade, an install over an
// administrator's own presets, and uninstalls that remove what the
// installer added and nothing else.
func TestMSI(t *testing.T) {
	msi := distFile(t, "ucontact-tray_*_x64.msi")
	version := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(msi), "ucontact-tray_"), "_x64.msi")
	msiinfo := testenv.Require(t, "msiinfo", "msitools")
	m := &msiDesk{t: t, w: newWine(t), d: newDesk(t, deskOptions{}), dir: t.TempDir()}
	m.d.logDir = m.w.logDir()
	m.d.wantLog = append(m.d.wantLog,
		`msg="login form ready" server=http://`+regexp.QuoteMeta(m.d.addr)+` locked_server=true locked_kind=true locked_autostart=true autostart_for_all_users=true`)
	server := "http://" + m.d.addr

	// A value that is not valid fails the install with the program's words
	// in the installer's log, and leaves nothing behind.
	r, log := m.msiexec("/i", msi, "SERVER="+server, "KIND=supervisor")
	if r.code == 0 || !strings.Contains(log, "«supervisor» no es un tipo de sesión válido para kind: escriba user o agent.") {
		t.Fatalf("install with KIND=supervisor: exit %d; want a failure and the reason in the log:\n%s", r.code, log)
	}
	m.assertNotInstalled()
	m.assertNoFile(filepath.Join(presetsDir, "presets.conf"))

	// The fleet install.
	r, log = m.msiexec("/i", msi, "SERVER="+server, "KIND=agent", "LOCK=server,kind", "AUTOSTART=1")
	if r.code != 0 {
		t.Fatalf("install: exit %d\n%s", r.code, log)
	}
	if want := `Configuración del administrador escrita en ` + presetsDir + `\presets.conf.`; !strings.Contains(log, want) {
		t.Errorf("the log lacks %q", want)
	}
	for _, program := range []string{"ucontact-tray.exe", "ucontact-tray-window.exe"} {
		built, err := os.ReadFile(filepath.Join(filepath.Dir(os.Getenv("UCT_WINDOWS_BINARY")), program))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m.read(filepath.Join(installDir, program)), built) {
			t.Errorf("the installed %s is not the one built", program)
		}
	}
	m.assertShortcut(true)
	m.assertAllUsersRun(true)
	productCode := m.assertProduct(version)
	m.assertProductIcon(productCode)
	presets := m.read(filepath.Join(presetsDir, "presets.conf"))
	p := settings.ParsePresets("presets.conf", presets)
	if !settings.IsRendered(presets) || p.Values.Server != server || p.Values.Kind != "agent" ||
		p.Values.Autostart == nil || !*p.Values.Autostart || p.Locked != (settings.Locks{Server: true, Kind: true}) || len(p.Problems) > 0 {
		t.Errorf("presets.conf reads %+v:\n%s", p, presets)
	}

	m.useInstalledApp()

	// A later version, pushed with no properties (as Intune does): the
	// programs are replaced, the presets and the start for every user kept,
	// and only the later version is registered.
	later, laterMsi := m.buildLater(version)
	out := testenv.Output(t, 0, exec.Command(msiinfo, "export", laterMsi, "Property"))
	laterCode := regexp.MustCompile(`(?m)^ProductCode\t(\{[0-9A-F-]+\})`).FindStringSubmatch(out)
	if laterCode == nil || laterCode[1] == productCode {
		t.Fatalf("the later installer's ProductCode: %v (the first's is %s)", laterCode, productCode)
	}
	if r, log := m.msiexec("/i", laterMsi); r.code != 0 {
		t.Fatalf("upgrade: exit %d\n%s", r.code, log)
	}
	m.assertUpgraded(later)
	if got := m.read(filepath.Join(presetsDir, "presets.conf")); !bytes.Equal(got, presets) {
		t.Errorf("the upgrade changed presets.conf:\n%s", got)
	}
	m.assertAllUsersRun(true)
	m.assertShortcut(true)
	if got := m.assertProduct(later); got != laterCode[1] {
		t.Errorf("the registered product is %s, want %s", got, laterCode[1])
	}

	// The first version again: refused, and the later one stays.
	if r, log := m.msiexec("/i", msi); r.code == 0 {
		t.Errorf("downgrade: exit 0; want it refused\n%s", log)
	}
	m.assertUpgraded(later)
	m.assertProduct(later)

	// The uninstall removes what the install added.
	if r, log := m.msiexec("/x", laterMsi); r.code != 0 {
		t.Fatalf("uninstall: exit %d\n%s", r.code, log)
	}
	m.assertNotInstalled()
	m.assertNoFile(presetsDir)
	m.assertAllUsersRun(false)

	// An administrator's own presets file: an install without properties
	// leaves it alone, and so does the uninstall.
	theirs := []byte("# Acme's desks, by hand\r\nserver = acme\r\nlock = server\r\n")
	m.write(filepath.Join(presetsDir, "presets.conf"), theirs)
	if r, log := m.msiexec("/i", laterMsi); r.code != 0 {
		t.Fatalf("install over the administrator's presets: exit %d\n%s", r.code, log)
	}
	m.assertAllUsersRun(false)
	if got := m.read(filepath.Join(presetsDir, "presets.conf")); !bytes.Equal(got, theirs) {
		t.Errorf("the install changed the administrator's presets.conf:\n%s", got)
	}
	r, log = m.msiexec("/x", laterMsi)
	if r.code != 0 {
		t.Fatalf("uninstall: exit %d\n%s", r.code, log)
	}
	m.assertNotInstalled()
	if got := m.read(filepath.Join(presetsDir, "presets.conf")); !bytes.Equal(got, theirs) {
		t.Errorf("the uninstall changed the administrator's presets.conf:\n%s", got)
	}
	if want := `Se conserva ` + presetsDir + `\presets.conf: no lo escribió el instalador.`; !strings.Contains(log, want) {
		t.Errorf("the uninstall's log lacks %q", want)
	}
}

// useInstalledApp starts the installed app as Windows would at sign-in and
// checks that the presets are in force: the window shows the server and
// kind locked and the start for every user; the command line refuses
// another server; a login with only a user and password goes to the preset
// server as an agent.
func (m *msiDesk) useInstalledApp() {
	t := m.t
	exe := installDir + `\ucontact-tray.exe`
	// The user's own Run value, as an earlier version added it: with the
	// installer's for every user, the app removes it.
	if out, err := m.reg("add", runKeyHKCU, "/v", "ucontact-tray", "/d", `"`+exe+`"`, "/f"); err != nil {
		t.Fatalf("reg add: %v\n%s", err, out)
	}
	// Started as Windows starts it at sign-in; the window it opens shows
	// the form.
	app := m.w.start(exe)
	app.WaitLog(`tray ready`, startTimeout)
	app.WaitLog(`msg="login form ready"`, startTimeout)
	m.w.waitFields()
	m.w.screenshot("1-installed-app-window")

	r := m.app(exe, password, "login", "--server", "http://127.0.0.1:9", "--user", user, "--password-stdin")
	if want := "ha fijado el servidor " + m.d.addr; r.code != 2 || !strings.Contains(r.stderr, want) {
		t.Errorf("login on another server: exit %d %q; want 2 and %q", r.code, r.stdout+r.stderr, want)
	}
	if r := m.app(exe, password, "login", "--user", user, "--password-stdin"); r.code != 0 {
		t.Fatalf("login with the presets: exit %d %s%s", r.code, r.stdout, r.stderr)
	}
	if s := m.d.srv.Sessions(); len(s) != 1 || s[0].Kind != "agent" || s[0].User != user {
		t.Fatalf("server sessions %+v; want one, of the agent %s", s, user)
	}
	// The first login turns on the start with the system; the installer's
	// for every user does that already, and the user has none of their
	// own, which would start the app twice.
	if out, err := m.reg("query", runKeyHKCU, "/v", "ucontact-tray"); err == nil {
		t.Errorf("the user has a Run value of their own:\n%s", out)
	}
	if r := m.app(exe, "", "logout"); r.code != 0 {
		t.Fatalf("logout: exit %d %s%s", r.code, r.stdout, r.stderr)
	}
	m.d.assertEndedOnce()

	// The upgrade replaces the programs: stop them, as signing out would.
	m.w.end()
	app.Exited(stepTimeout)
}

// buildLater makes the installer of a later version than version, with
// programs that say so in their version resource and differ from the
// first's, to see them replaced.
func (m *msiDesk) buildLater(version string) (later, msi string) {
	t := m.t
	testenv.Require(t, "wixl", "wixl")
	testenv.Require(t, "msibuild", "msitools")
	parts := strings.Split(version, ".")
	if len(parts) != 3 {
		t.Fatalf("version %q is not major.minor.patch", version)
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	later = fmt.Sprintf("%d.%d.0", major, minor+1)
	bin := filepath.Join(m.dir, "later")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, program := range []string{"ucontact-tray.exe", "ucontact-tray-window.exe"} {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(os.Getenv("UCT_WINDOWS_BINARY")), program))
		if err != nil {
			t.Fatal(err)
		}
		b = withFileVersion(t, b, uint16(major), uint16(minor+1))
		// Bytes after the last section: Windows loads the program as it was.
		b = append(b, []byte(laterMark(later))...)
		if err := os.WriteFile(filepath.Join(bin, program), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	msi = filepath.Join(m.dir, "ucontact-tray_"+later+"_x64.msi")
	start := time.Now()
	testenv.Output(t, wineTimeout, exec.Command(filepath.Join("..", "scripts", "msi.sh"), later, bin, msi))
	t.Logf("built the %s installer in %v", later, time.Since(start).Round(time.Millisecond))
	return later, msi
}

func laterMark(version string) string { return "ucontact-tray msi e2e " + version }

// withFileVersion returns exe with major.minor.0 in its version resource
// (VS_FIXEDFILEINFO, after the UTF-16 key VS_VERSION_INFO), keeping the
// build number: what Windows Installer compares to replace a program.
func withFileVersion(t *testing.T, exe []byte, major, minor uint16) []byte {
	t.Helper()
	key := utf16le("VS_VERSION_INFO\x00")
	at := bytes.Index(exe, key)
	if at < 0 {
		t.Fatal("no version resource")
	}
	sig := bytes.Index(exe[at:], []byte{0xbd, 0x04, 0xef, 0xfe})
	if sig < 0 || sig > len(key)+4 {
		t.Fatal("no VS_FIXEDFILEINFO after VS_VERSION_INFO")
	}
	b := bytes.Clone(exe)
	info := b[at+sig:]
	build := byteorder.LittleEndian.Uint32(info[12:]) & 0xffff
	for _, off := range []int{8, 16} { // the file's version, then the product's
		byteorder.LittleEndian.PutUint32(info[off:], uint32(major)<<16|uint32(minor))
		byteorder.LittleEndian.PutUint32(info[off+4:], build)
	}
	return b
}

// msiexec runs msiexec quietly with a verbose log, and returns its result
// and the log. Wine reports only the low byte of the exit code (1603, a
// failed install, is 67).
func (m *msiDesk) msiexec(op, msi string, properties ...string) (result, string) {
	m.t.Helper()
	m.logs++
	log := filepath.Join(m.dir, fmt.Sprintf("msiexec-%d.log", m.logs))
	args := append([]string{"msiexec", op, m.windowsPath(msi), "/qn", "/l*v", m.windowsPath(log)}, properties...)
	start := time.Now()
	r := m.w.runWine("", args...)
	m.t.Logf("msiexec %s %s %s: exit %d in %v", op, filepath.Base(msi), strings.Join(properties, " "), r.code, time.Since(start).Round(time.Millisecond))
	b, err := os.ReadFile(log)
	if err != nil {
		m.t.Fatalf("msiexec %s wrote no log: %v\n%s%s", op, err, r.stdout, r.stderr)
	}
	return r, latin1(b)
}

// latin1 decodes the installer's log, written in the Windows code page:
// the letters of the app's Spanish messages are Latin-1 ones.
func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// app runs the installed program's command line.
func (m *msiDesk) app(exe, stdin string, args ...string) result {
	m.t.Helper()
	r := m.w.runWine(stdin, append([]string{exe}, args...)...)
	m.d.assertNoSecret(r.stdout + r.stderr)
	return r
}

// reg runs Wine's reg.exe, and returns its output and an error if it
// failed (a value or key that is not there).
func (m *msiDesk) reg(args ...string) (string, error) {
	m.t.Helper()
	r := m.w.runWine("", append([]string{"reg"}, args...)...)
	if r.code != 0 {
		return r.stdout + r.stderr, fmt.Errorf("reg %s: exit status %d", args[0], r.code)
	}
	return r.stdout + r.stderr, nil
}

func (m *msiDesk) assertAllUsersRun(want bool) {
	m.t.Helper()
	out, err := m.reg("query", runKeyHKLM, "/v", "ucontact-tray")
	value := `"` + installDir + `\ucontact-tray.exe"`
	if got := err == nil && strings.Contains(out, value); got != want {
		m.t.Errorf("%s\\ucontact-tray = %s there: %v, want %v (%v)\n%s", runKeyHKLM, value, got, want, err, out)
	}
}

// assertProduct checks that one product called uContact Tray is in
// Add/Remove Programs, of version, and returns its ProductCode.
func (m *msiDesk) assertProduct(version string) string {
	m.t.Helper()
	out, err := m.reg("query", arpKey, "/s")
	if err != nil {
		m.t.Fatalf("reg query %s: %v\n%s", arpKey, err, out)
	}
	var codes []string
	// One key a paragraph, each headed by its full name.
	for _, entry := range strings.Split(out, "\nHKEY_LOCAL_MACHINE\\") {
		if strings.Contains(entry, "uContact Tray") {
			name, _, _ := strings.Cut(entry, "\n")
			codes = append(codes, strings.TrimSpace(name[strings.LastIndex(name, `\`)+1:]))
			if !regexp.MustCompile(`DisplayVersion\s+REG_SZ\s+` + regexp.QuoteMeta(version) + `\s`).MatchString(entry) {
				m.t.Errorf("the product's entry is not of version %s:\n%s", version, entry)
			}
			if !strings.Contains(entry, `InstallLocation    REG_SZ    `+installDir+`\`) {
				m.t.Errorf("the product's entry does not say where it is installed:\n%s", entry)
			}
		}
	}
	if len(codes) != 1 {
		m.t.Fatalf("%d products called uContact Tray, want one: %v", len(codes), codes)
	}
	return codes[0]
}

// assertProductIcon checks that the app's icon is the product's in
// Add/Remove Programs.
func (m *msiDesk) assertProductIcon(productCode string) {
	m.t.Helper()
	out, err := m.reg("query", `HKLM\Software\Classes\Installer\Products`, "/s")
	icon := regexp.MustCompile(`ProductIcon\s+REG_SZ\s+(C:\\windows\\Installer\\` + regexp.QuoteMeta(productCode) + `\\\S+)`).FindStringSubmatch(out)
	if err != nil || icon == nil {
		m.t.Fatalf("no ProductIcon for %s (%v):\n%s", productCode, err, out)
	}
	want, err := os.ReadFile(filepath.Join("..", "assets", "icons", "app.ico"))
	if err != nil {
		m.t.Fatal(err)
	}
	if !bytes.Equal(m.read(icon[1]), want) {
		m.t.Errorf("%s is not the app's icon", icon[1])
	}
}

// assertShortcut checks the Start menu's "uContact Tray". Windows puts a
// per-machine install's shortcut in the Start menu of all users; Wine 8
// puts it in the installing user's.
func (m *msiDesk) assertShortcut(want bool) {
	m.t.Helper()
	var found []string
	for _, dir := range []string{
		m.unix(`C:\ProgramData\Microsoft\Windows\Start Menu\Programs`),
		filepath.Join(m.w.prefix, "drive_c", "users", "*", "AppData", "Roaming", "Microsoft", "Windows", "Start Menu", "Programs"),
	} {
		matches, _ := filepath.Glob(filepath.Join(dir, "uContact Tray.lnk"))
		found = append(found, matches...)
	}
	if got := len(found) == 1; got != want {
		m.t.Fatalf("Start menu shortcuts %v; want one: %v", found, want)
	}
	if want {
		// The target's name is in the link, in UTF-16 or in the code page.
		b, _ := os.ReadFile(found[0])
		if !bytes.Contains(b, utf16le("ucontact-tray.exe")) && !bytes.Contains(b, []byte("ucontact-tray.exe")) {
			m.t.Errorf("the shortcut does not start ucontact-tray.exe")
		}
	}
}

// assertUpgraded checks that the programs installed are the later
// version's.
func (m *msiDesk) assertUpgraded(later string) {
	m.t.Helper()
	for _, program := range []string{"ucontact-tray.exe", "ucontact-tray-window.exe"} {
		if !bytes.HasSuffix(m.read(filepath.Join(installDir, program)), []byte(laterMark(later))) {
			m.t.Errorf("%s is not the %s one", program, later)
		}
	}
}

func (m *msiDesk) assertNotInstalled() {
	m.t.Helper()
	m.assertNoFile(installDir)
	m.assertShortcut(false)
	out, _ := m.reg("query", arpKey, "/s")
	if strings.Contains(out, "uContact Tray") {
		m.t.Errorf("a product is still registered:\n%s", out)
	}
}

func (m *msiDesk) assertNoFile(windowsPath string) {
	m.t.Helper()
	if _, err := os.Stat(m.unix(windowsPath)); !errors.Is(err, os.ErrNotExist) {
		m.t.Errorf("%s is there: %v", windowsPath, err)
	}
}

func (m *msiDesk) read(windowsPath string) []byte {
	m.t.Helper()
	b, err := os.ReadFile(m.unix(windowsPath))
	if err != nil {
		m.t.Fatal(err)
	}
	return b
}

func (m *msiDesk) write(windowsPath string, data []byte) {
	m.t.Helper()
	path := m.unix(windowsPath)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		m.t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		m.t.Fatal(err)
	}
}

// unix is where a path of the prefix's drive C is on this machine.
func (m *msiDesk) unix(windowsPath string) string {
	rest, ok := strings.CutPrefix(windowsPath, `C:\`)
	if !ok {
		m.t.Fatalf("%s is not on drive C", windowsPath)
	}
	return filepath.Join(m.w.prefix, "drive_c", filepath.FromSlash(strings.ReplaceAll(rest, `\`, "/")))
}

// windowsPath is a file of this machine as Wine's programs see it.
func (m *msiDesk) windowsPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		m.t.Fatal(err)
	}
	return windowsPath(abs)
}
