//go:build e2e

package e2e

import (
	"archive/zip"
	"bytes"
	"debug/pe"
	byteorder "encoding/binary"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"ucontact-tray/internal/testenv"
)

// distFile is the one file of dist/ (made by `make package`, found through
// $UCT_DIST) whose name matches pattern.
func distFile(t *testing.T, pattern string) string {
	t.Helper()
	dir := os.Getenv("UCT_DIST")
	if dir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("UCT_DIST is not set: run `make e2e`, which makes the packages first")
		}
		t.Skip("UCT_DIST is not set: run `make e2e`")
	}
	matches, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil || len(matches) != 1 {
		t.Fatalf("want one %s in %s, got %v (%v)", pattern, dir, matches, err)
	}
	return matches[0]
}

// The Linux archive, extracted into a temporary root as an admin would at
// /, holds both programs, a valid desktop entry and its icon; the installed
// program shows the tray and opens its window.
func TestLinuxPackage(t *testing.T) {
	archive := distFile(t, "ucontact-tray_*_linux_amd64.tar.gz")
	root := t.TempDir()
	testenv.Output(t, 0, exec.Command("tar", "-xzf", archive, "-C", root))
	usr := filepath.Join(root, "usr", "local")
	for _, program := range []string{"ucontact-tray", "ucontact-tray-window"} {
		if fi, err := os.Stat(filepath.Join(usr, "bin", program)); err != nil || fi.Mode().Perm() != 0o755 {
			t.Fatalf("%s: %v, %v", program, fi, err)
		}
	}
	entries, _ := filepath.Glob(filepath.Join(usr, "share", "applications", "*.desktop"))
	if len(entries) != 1 {
		t.Fatalf("desktop entries %v, want one", entries)
	}
	testenv.Output(t, 0, exec.Command(testenv.Require(t, "desktop-file-validate", "desktop-file-utils"), entries[0]))
	entry, err := os.ReadFile(entries[0])
	if err != nil {
		t.Fatal(err)
	}
	key := func(k string) string {
		m := regexp.MustCompile(`(?m)^` + k + `=(.*)$`).FindSubmatch(entry)
		if m == nil {
			t.Fatalf("no %s in %s:\n%s", k, entries[0], entry)
		}
		return string(m[1])
	}
	if exe := key("Exec"); exe != "ucontact-tray" {
		t.Errorf("Exec=%s, want the installed ucontact-tray", exe)
	}
	icon := filepath.Join(usr, "share", "icons", "hicolor", "256x256", "apps", key("Icon")+".png")
	if _, err := os.Stat(icon); err != nil {
		t.Errorf("the entry's icon: %v", err)
	}

	d := newDesk(t, deskOptions{display: true, tray: true})
	d.bin = filepath.Join(usr, "bin", "ucontact-tray")
	d.wantLog = []string{`msg="tray app started"`, `msg="window started"`}
	if r := d.run("", "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "ucontact-tray 1.") {
		t.Fatalf("version: %d %q %q", r.code, r.stdout, r.stderr)
	}
	res := d.start()
	d.trayOf("Sin sesión")
	res.WaitLog(`window started`, startTimeout)
	d.waitWindow()
	d.screenshot("1-installed-login-window")
	if !res.Running() {
		t.Fatalf("the installed app is gone:\n%s", res.Output())
	}
}

// Both Windows programs carry the app's icon and version information.
func TestWindowsPackage(t *testing.T) {
	archive := distFile(t, "ucontact-tray_*_windows_amd64.zip")
	z, err := zip.OpenReader(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
		t.Run(f.Name, func(t *testing.T) {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			exe, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			types, rsrc := resourceTypes(t, exe)
			for _, want := range []uint32{rtIcon, rtGroupIcon, rtVersion} {
				if !slices.Contains(types, want) {
					t.Errorf("no resource of type %d among %v", want, types)
				}
			}
			for _, text := range []string{"uContact Tray", "ProductVersion", "1.0.0+", strings.TrimSuffix(f.Name, ".exe")} {
				if !bytes.Contains(rsrc, utf16le(text)) {
					t.Errorf("the version information lacks %q", text)
				}
			}
		})
	}
	if !slices.Equal(names, []string{"ucontact-tray.exe", "ucontact-tray-window.exe"}) {
		t.Errorf("the zip holds %v", names)
	}
}

// Resource types (winuser.h).
const (
	rtIcon      = 3
	rtGroupIcon = 14
	rtVersion   = 16
)

// resourceTypes reads the top level of a PE file's resource directory: the
// types of resource it holds, and the section's bytes.
func resourceTypes(t *testing.T, exe []byte) ([]uint32, []byte) {
	t.Helper()
	f, err := pe.NewFile(bytes.NewReader(exe))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Section(".rsrc")
	if s == nil {
		t.Fatal("no resource section")
	}
	data, err := s.Data()
	if err != nil || len(data) < 16 {
		t.Fatalf("resource section: %d bytes, %v", len(data), err)
	}
	// IMAGE_RESOURCE_DIRECTORY: 12 bytes, then the counts of named and of
	// numbered entries, then 8-byte entries, named first.
	named := int(byteorder.LittleEndian.Uint16(data[12:]))
	numbered := int(byteorder.LittleEndian.Uint16(data[14:]))
	var types []uint32
	for i := named; i < named+numbered; i++ {
		at := 16 + 8*i
		if at+8 > len(data) {
			t.Fatalf("resource directory entry %d past the section's end", i)
		}
		types = append(types, byteorder.LittleEndian.Uint32(data[at:]))
	}
	return types, data
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = byteorder.LittleEndian.AppendUint16(b, u)
	}
	return b
}
