//go:build e2e

package e2e

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ucontact-tray/internal/settings"
	"ucontact-tray/internal/testenv"
)

// The .deb, installed with dpkg into a scratch root (as a normal user or as
// root), holds both programs, the desktop entry and icon, the docs and the
// administrator's presets file, commented out, where the app reads it; its
// Depends name the package of every library the window needs. The
// installed program logs in with what an administrator then presets in
// that file, which an upgrade to a later version keeps; removing the
// package leaves only the edited file, and purging it nothing.
func TestDebPackage(t *testing.T) {
	deb := distFile(t, "ucontact-tray_*_amd64.deb")
	testenv.Require(t, "dpkg", "dpkg")
	version := debField(t, deb, "Version")
	libs := windowLibraries(t)
	depends := strings.Split(debField(t, deb, "Depends"), ", ")
	for _, lib := range libs.sonames {
		pkg := debianPackageOf(t, lib)
		if pkg == "libc6" {
			if want := "libc6 (>= " + libs.glibc + ")"; !slices.Contains(depends, want) {
				t.Errorf("Depends %v lacks %s (for %s)", depends, want, lib)
			}
			continue
		}
		if !slices.Contains(depends, pkg) {
			t.Errorf("Depends %v lacks %s (for %s)", depends, pkg, lib)
		}
	}

	root := newDpkgRoot(t)
	root.dpkg("-i", "--force-depends", deb)
	if got := root.status(); got != "ii "+version {
		t.Fatalf("installed: %q, want ii %s", got, version)
	}
	shipped, err := os.ReadFile(filepath.Join("..", "linux", settings.PresetsFile))
	if err != nil {
		t.Fatal(err)
	}
	checkInstalledFiles(t, root.dir, shipped)
	etc := filepath.Join(root.dir, settings.SystemDir(os.Getenv))
	presets := filepath.Join(etc, settings.PresetsFile)
	if conffiles := root.query("${Conffiles}"); !strings.Contains(conffiles, " /etc/ucontact-tray/presets.conf ") {
		t.Errorf("the presets file is not a conffile: %q", conffiles)
	}
	if p := settings.LoadPresets(etc); !reflect.DeepEqual(p, settings.Presets{}) {
		t.Errorf("the installed presets file presets %+v", p)
	}

	d := newDesk(t, deskOptions{})
	d.bin = filepath.Join(root.dir, "usr", "bin", "ucontact-tray")
	if r := d.run("", "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "ucontact-tray 1.") {
		t.Fatalf("version: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// The administrator presets the server, and locks it, in the installed
	// file; the app reads the file there.
	edited := strings.Replace(string(shipped), "\n#server = acme\n", "\nserver = "+d.srv.URL()+"\n", 1)
	edited = strings.Replace(edited, "\n#lock = server, kind\n", "\nlock = server\n", 1)
	if edited == string(shipped) || strings.Count(edited, "\nserver = ") != 1 || !strings.Contains(edited, "\nlock = server\n") {
		t.Fatalf("could not uncomment server and lock in:\n%s", shipped)
	}
	if err := os.WriteFile(presets, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	runPreset := func(stdin string, args ...string) result {
		t.Helper()
		cmd := exec.Command(d.bin, args...)
		cmd.Env = append(d.env(), "UCONTACT_TRAY_SYSTEM_DIR="+etc)
		r := runToEnd(t, cmd, stdin)
		d.assertNoSecret(r.stdout + r.stderr)
		return r
	}
	locked := func(when string) {
		t.Helper()
		// Another server on loopback: were the lock not in force, the
		// login would fail there and reach nothing outside.
		r := runPreset(password, "login", "--server", "http://127.0.0.1:9", "--user", user, "--password-stdin")
		if want := "ha fijado el servidor " + d.addr; r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("%s, login on another server: %d %q; want 2 and %q", when, r.code, r.stderr, want)
		}
	}
	locked("installed")
	if r := runPreset(password, "login", "--user", user, "--password-stdin"); r.code != 0 {
		t.Fatalf("login on the preset server: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if s := d.srv.Sessions(); len(s) != 1 || s[0].User != user {
		t.Fatalf("server sessions %+v, want one of %s", s, user)
	}
	if r := runPreset("", "logout"); r.code != 0 {
		t.Fatalf("logout: %d %q %q", r.code, r.stdout, r.stderr)
	}

	// The upgrade: the same programs, as a later version. The package's
	// presets file is the same as before, so dpkg keeps the edited one and
	// puts nothing beside it.
	later, laterDeb := buildLaterDeb(t, version)
	root.dpkg("-i", "--force-depends", laterDeb)
	if got := root.status(); got != "ii "+later {
		t.Fatalf("upgraded: %q, want ii %s", got, later)
	}
	if got, err := os.ReadFile(presets); err != nil || string(got) != edited {
		t.Errorf("the upgrade changed the edited presets file (%v):\n%s", err, got)
	}
	if entries, err := os.ReadDir(etc); err != nil || len(entries) != 1 {
		t.Errorf("beside the presets file: %v (%v)", entries, err)
	}
	checkInstalledFiles(t, root.dir, []byte(edited))
	locked("upgraded")

	// Removed, the package leaves the edited presets file, as dpkg does
	// every conffile; purged, nothing.
	root.dpkg("--remove", "ucontact-tray")
	if got := root.status(); got != "rc "+later {
		t.Errorf("removed: %q, want rc %s", got, later)
	}
	if got := root.files(); !slices.Equal(got, []string{"etc/ucontact-tray/presets.conf"}) {
		t.Errorf("after dpkg --remove: %v, want only the edited presets file", got)
	}
	root.dpkg("--purge", "ucontact-tray")
	if got := root.files(); len(got) != 0 {
		t.Errorf("after dpkg --purge: %v, want nothing", got)
	}
	if got := root.status(); got != "" {
		t.Errorf("purged: %q, want no package", got)
	}
}

// The .rpm holds the .deb's files, byte for byte, the presets file as
// %config(noreplace), and requires every library the window needs, by
// soname.
func TestRpmPackage(t *testing.T) {
	rpmFile := distFile(t, "ucontact-tray-*.x86_64.rpm")
	deb := distFile(t, "ucontact-tray_*_amd64.deb")
	rpm := testenv.Require(t, "rpm", "rpm")
	query := func(args ...string) string {
		t.Helper()
		return testenv.Output(t, 0, exec.Command(rpm, append([]string{"-qp", "--nosignature"}, append(args, rpmFile)...)...))
	}
	if got, want := query("--qf", "%{VERSION}-%{RELEASE} %{ARCH}"), debField(t, deb, "Version")+" x86_64"; got != want {
		t.Errorf("version %q, want the .deb's: %q", got, want)
	}

	fromDeb := t.TempDir()
	testenv.Output(t, 0, exec.Command("dpkg-deb", "-x", deb, fromDeb))
	type file struct{ mode, flags string }
	files := map[string]file{}
	if algo := query("--qf", "%{FILEDIGESTALGO}"); algo != "8" {
		t.Fatalf("digest algorithm %s, want 8 (SHA-256)", algo)
	}
	for line := range strings.Lines(query("--qf", `[%{FILEMODES:perms} %{FILEFLAGS:fflags}: %{FILEDIGESTS} %{FILENAMES}\n]`)) {
		// mode flags: [digest] path; directories have no digest.
		f := strings.Fields(line)
		if len(f) != 4 && !(len(f) == 3 && strings.HasPrefix(f[0], "d")) {
			t.Fatalf("rpm -qp line %q", line)
		}
		path := f[len(f)-1]
		files[path] = file{mode: f[0], flags: strings.TrimSuffix(f[1], ":")}
		if len(f) == 3 {
			continue
		}
		b, err := os.ReadFile(filepath.Join(fromDeb, path))
		if err != nil {
			t.Errorf("%s is in the .rpm, not in the .deb: %v", path, err)
			continue
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != f[2] {
			t.Errorf("%s differs from the .deb's", path)
		}
	}
	var want []string
	for path, mode := range wantedFiles(t) {
		want = append(want, path)
		if got := files[path].mode; got != mode.String() {
			t.Errorf("%s: mode %s, want %s", path, got, mode)
		}
	}
	// Directories the package owns, so that removing it removes them.
	for _, dir := range []string{"/etc/ucontact-tray", "/usr/share/doc/ucontact-tray", "/usr/share/doc/ucontact-tray/docs"} {
		want = append(want, dir)
		if got := files[dir].mode; !strings.HasPrefix(got, "d") {
			t.Errorf("%s: %q, want a directory", dir, got)
		}
	}
	if got := slices.Sorted(maps.Keys(files)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Errorf("the .rpm holds %v, want %v", got, slices.Sorted(slices.Values(want)))
	}
	presets := filepath.Join(settings.SystemDir(os.Getenv), settings.PresetsFile)
	if got := files[presets].flags; got != "cn" {
		t.Errorf("%s: flags %q, want cn: %%config(noreplace)", presets, got)
	}
	if got := strings.TrimSpace(query("--configfiles")); got != presets {
		t.Errorf("config files %q, want %s", got, presets)
	}

	libs := windowLibraries(t)
	requires := strings.Split(strings.TrimSpace(query("--requires")), "\n")
	for _, lib := range libs.sonames {
		if want := lib + "()(64bit)"; lib != "libc.so.6" && !slices.Contains(requires, want) {
			t.Errorf("requires %v lack %s", requires, want)
		}
	}
	if want := "libc.so.6(GLIBC_" + libs.glibc + ")(64bit)"; !slices.Contains(requires, want) {
		t.Errorf("requires %v lack %s", requires, want)
	}
}

// wantedFiles are the files both packages install, by absolute path, with
// their modes.
func wantedFiles(t *testing.T) map[string]fs.FileMode {
	t.Helper()
	id := strings.TrimSpace(testenv.Output(t, 0, exec.Command(filepath.Join("..", "scripts", "appinfo.sh"), "ID")))
	files := map[string]fs.FileMode{
		"/usr/bin/ucontact-tray":                               0o755,
		"/usr/bin/ucontact-tray-window":                        0o755,
		"/usr/share/applications/" + id + ".desktop":           0o644,
		"/usr/share/icons/hicolor/256x256/apps/" + id + ".png": 0o644,
		"/etc/ucontact-tray/presets.conf":                      0o644,
		"/usr/share/doc/ucontact-tray/README.md":               0o644,
		"/usr/share/doc/ucontact-tray/docs/admin.md":           0o644,
	}
	// The rest of docs/ too, laid out as in the repository so that the
	// links between the pages work.
	docs, err := filepath.Glob(filepath.Join("..", "docs", "*.md"))
	if err != nil || len(docs) == 0 {
		t.Fatalf("docs/*.md: %v %v", docs, err)
	}
	for _, doc := range docs {
		files["/usr/share/doc/ucontact-tray/docs/"+filepath.Base(doc)] = 0o644
	}
	return files
}

// checkInstalledFiles checks what the .deb installed under root: every
// wanted file with its mode, the same bytes as the repository's (the
// programs as built), the presets file as given, and a valid desktop entry
// that runs the installed program with its icon.
func checkInstalledFiles(t *testing.T, root string, presets []byte) {
	t.Helper()
	sources := map[string]string{
		"/usr/bin/ucontact-tray":                 binary,
		"/usr/bin/ucontact-tray-window":          binary + "-window",
		"/usr/share/doc/ucontact-tray/README.md": filepath.Join("..", "README.md"),
	}
	var entry string
	for path, mode := range wantedFiles(t) {
		fi, err := os.Stat(filepath.Join(root, path))
		if err != nil {
			t.Errorf("not installed: %v", err)
			continue
		}
		if fi.Mode() != mode {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode(), mode)
		}
		src := sources[path]
		if strings.HasPrefix(path, "/usr/share/doc/ucontact-tray/docs/") {
			src = filepath.Join("..", "docs", filepath.Base(path))
		}
		if strings.HasPrefix(path, "/usr/share/icons/") {
			src = filepath.Join("..", "assets", "icons", "app.png")
		}
		if strings.HasSuffix(path, ".desktop") {
			entry = filepath.Join(root, path)
		}
		if src != "" && !sameBytes(t, src, filepath.Join(root, path)) {
			t.Errorf("%s differs from %s", path, src)
		}
	}
	presetsFile := filepath.Join(root, settings.SystemDir(os.Getenv), settings.PresetsFile)
	if got, err := os.ReadFile(presetsFile); err != nil || !bytes.Equal(got, presets) {
		t.Errorf("the installed presets file (%v):\n%s\nwant:\n%s", err, got, presets)
	}
	if entry == "" {
		return
	}
	testenv.Output(t, 0, exec.Command(testenv.Require(t, "desktop-file-validate", "desktop-file-utils"), entry))
	b, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	// The window's X11 class is the app's ID, the entry's name: docks
	// match the window to the entry by StartupWMClass.
	id := strings.TrimSuffix(filepath.Base(entry), ".desktop")
	for _, want := range []string{"Exec=ucontact-tray", "TryExec=ucontact-tray", "Icon=" + id, "StartupWMClass=" + id, "Comment=Cierra su sesión de uContact, aunque usted lo olvide"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(want) + `$`).Match(b) {
			t.Errorf("the desktop entry lacks %s:\n%s", want, b)
		}
	}
}

func sameBytes(t *testing.T, a, b string) bool {
	t.Helper()
	x, err1 := os.ReadFile(a)
	y, err2 := os.ReadFile(b)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x, y)
}

// buildLaterDeb makes the .deb of the same programs as a later version than
// version (upstream-release), as `make package` does, and returns its
// version and path.
func buildLaterDeb(t *testing.T, version string) (string, string) {
	t.Helper()
	upstream, release, ok := strings.Cut(version, "-")
	parts := strings.Split(upstream, ".")
	if !ok || len(parts) != 3 {
		t.Fatalf("version %q is not major.minor.patch-release", version)
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	laterUpstream := fmt.Sprintf("%d.%d.0", major, minor+1)
	out := t.TempDir()
	testenv.Output(t, buildTimeout, exec.Command(filepath.Join("..", "scripts", "linux-packages.sh"),
		laterUpstream, filepath.Dir(binary), out))
	deb := filepath.Join(out, "ucontact-tray_"+laterUpstream+"-"+release+"_amd64.deb")
	if _, err := os.Stat(deb); err != nil {
		t.Fatal(err)
	}
	return laterUpstream + "-" + release, deb
}

// debField is a field of a .deb's control file.
func debField(t *testing.T, deb, field string) string {
	t.Helper()
	return strings.TrimSpace(testenv.Output(t, 0, exec.Command("dpkg-deb", "--field", deb, field)))
}

// dpkgRoot is a scratch root with its own dpkg database. dpkg works there
// as a normal user too (--force-not-root): the package has no maintainer
// scripts, which dpkg would run in a chroot.
type dpkgRoot struct {
	t   *testing.T
	dir string
}

func newDpkgRoot(t *testing.T) *dpkgRoot {
	t.Helper()
	dir := t.TempDir()
	admin := filepath.Join(dir, "var", "lib", "dpkg")
	for _, sub := range []string{"info", "updates"} {
		if err := os.MkdirAll(filepath.Join(admin, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(admin, "status"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return &dpkgRoot{t: t, dir: dir}
}

// dpkg runs dpkg on the scratch root, and fails the test if it fails. The
// root has none of the libraries the package depends on, hence the
// --force-depends of the installs.
func (r *dpkgRoot) dpkg(args ...string) {
	r.t.Helper()
	cmd := exec.Command("dpkg", append([]string{"--force-not-root", "--root=" + r.dir,
		"--log=" + filepath.Join(r.dir, "var", "lib", "dpkg", "log")}, args...)...)
	// dpkg checks that ldconfig and start-stop-daemon are on the PATH,
	// which a normal user's may lack; HOME: not the user's ~/.dpkg.cfg.
	cmd.Env = append(os.Environ(), "PATH="+os.Getenv("PATH")+":/usr/sbin:/sbin", "HOME="+r.dir)
	testenv.Output(r.t, 0, cmd)
}

// query is dpkg-query's format of the package in the scratch root, "" if
// it has none.
func (r *dpkgRoot) query(format string) string {
	r.t.Helper()
	res := testenv.Run(r.t, 0, exec.Command("dpkg-query", "--admindir="+filepath.Join(r.dir, "var", "lib", "dpkg"),
		"--show", "--showformat="+format, "ucontact-tray"), "")
	if res.Code != 0 && !strings.Contains(res.Stderr, "no packages found") {
		r.t.Fatalf("dpkg-query: %d %s", res.Code, res.Stderr)
	}
	return res.Stdout
}

// status is the package's status (ii: installed; rc: removed, its
// conffiles left) and version.
func (r *dpkgRoot) status() string { return r.query("${db:Status-Abbrev}${Version}") }

// files are the files and symbolic links in the scratch root, outside
// dpkg's database, relative to it.
func (r *dpkgRoot) files() []string {
	r.t.Helper()
	var files []string
	err := filepath.WalkDir(r.dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(r.dir, path)
		if rel == filepath.Join("var", "lib", "dpkg") {
			return filepath.SkipDir
		}
		if !e.IsDir() {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return files
}

// libraries are what the window program needs of the system.
type libraries struct {
	// sonames are the libraries it links and those GLFW opens at run time.
	sonames []string
	// glibc is the latest version of the C library's symbols it uses.
	glibc string
}

// glfwOpens are the X11 libraries GLFW opens when it starts (cursors,
// monitors and their DPI, input), not linked but needed all the same.
var glfwOpens = []string{"libXcursor.so.1", "libXrandr.so.2", "libXinerama.so.1", "libXi.so.6", "libXxf86vm.so.1"}

func windowLibraries(t *testing.T) libraries {
	t.Helper()
	window := binary + "-window"
	f, err := elf.Open(window)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	needed, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(window)
	if err != nil {
		t.Fatal(err)
	}
	for _, lib := range glfwOpens {
		if !bytes.Contains(b, append([]byte(lib), 0)) {
			t.Errorf("%s does not name %s: is it still opened at run time?", window, lib)
		}
	}
	symbols, err := f.ImportedSymbols()
	if err != nil {
		t.Fatal(err)
	}
	var glibc []int
	var latest string
	for _, s := range symbols {
		v, ok := strings.CutPrefix(s.Version, "GLIBC_")
		if !ok {
			continue
		}
		var parts []int
		for p := range strings.SplitSeq(v, ".") {
			n, err := strconv.Atoi(p)
			if err != nil {
				t.Fatalf("symbol %s version %s", s.Name, s.Version)
			}
			parts = append(parts, n)
		}
		if slices.Compare(parts, glibc) > 0 {
			glibc, latest = parts, v
		}
	}
	if latest == "" {
		t.Fatalf("%s uses no versioned C library symbol", window)
	}
	return libraries{sonames: append(needed, glfwOpens...), glibc: latest}
}

// debianPackageOf is the Debian package that installs lib on this system.
func debianPackageOf(t *testing.T, lib string) string {
	t.Helper()
	out := testenv.Output(t, 0, exec.Command("dpkg-query", "--search", "*/x86_64-linux-gnu/"+lib))
	for line := range strings.Lines(out) {
		if pkgs, _, ok := strings.Cut(line, ": /"); ok && !strings.HasPrefix(line, "diversion") {
			pkg, _, _ := strings.Cut(strings.Split(pkgs, ", ")[0], ":")
			return pkg
		}
	}
	t.Fatalf("no package installs %s:\n%s", lib, out)
	return ""
}
