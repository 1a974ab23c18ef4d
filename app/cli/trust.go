package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"ucontact-tray/app/control"
	"ucontact-tray/app/messages"
	"ucontact-tray/internal/settings"
	"ucontact-tray/session"
	"ucontact-tray/session/ucontact"
)

// trust is the extra certificates the server is trusted with: a CA file
// and the pool made from it once, for every client of the process. The
// zero trust is the system's certificates alone.
type trust struct {
	file string         // absolute; "" for none
	pool *x509.CertPool // nil for the system's
}

// caFileFlag adds --ca-file to fs.
func (c *command) caFileFlag(fs *flag.FlagSet) *string {
	return fs.String("ca-file", "", c.msg.T("flag.ca_file"))
}

// loadTrust reads the CA file at path (relative to the working directory).
func loadTrust(path string) (trust, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return trust{}, &ucontact.CAFileError{Path: path, Problem: ucontact.CAFileUnreadable, Err: err}
	}
	pool, err := ucontact.LoadCAFile(abs)
	if err != nil {
		return trust{}, err
	}
	return trust{file: abs, pool: pool}, nil
}

// settingsTrust reads the CA file that the ca_file setting of s names, if
// any; a relative path is taken from dir, the settings' folder.
func settingsTrust(dir string, s settings.Settings) (trust, error) {
	if s.CAFile == "" {
		return trust{}, nil
	}
	path := s.CAFile
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	t, err := loadTrust(path)
	if err != nil {
		return trust{}, &settingError{err}
	}
	return t, nil
}

// residentTrust is what the tray app trusts, given the user's settings s
// in dir. A --ca-file that cannot be used stops it: the user has just
// typed it. A ca_file setting that cannot be used is returned as a problem
// to report, and the app starts with the system's certificates: it may
// have a session to end.
func residentTrust(flagPath, dir string, s settings.Settings) (t trust, settingProblem, err error) {
	if flagPath != "" {
		t, err = loadTrust(flagPath)
		return t, nil, err
	}
	t, err = settingsTrust(dir, s)
	if err != nil {
		return trust{}, err, nil
	}
	return t, nil, nil
}

// settingError is a problem with a file named in the settings rather than
// on the command line: the message says where to fix it.
type settingError struct{ err error }

func (e *settingError) Error() string { return "ca_file setting: " + e.err.Error() }
func (e *settingError) Unwrap() error { return e.err }

// residentTrustError is a --ca-file the running tray app does not use. It
// makes the calls to the server, with the certificates it started with, so
// a command cannot change them: honouring the file for one login would
// leave the logout, at shutdown or at the next start, without it.
type residentTrustError struct {
	asked, running string // the files; running is "" when the tray app has none
}

func (e *residentTrustError) Error() string {
	return fmt.Sprintf("the running tray app trusts %q, not --ca-file %q", e.running, e.asked)
}

// checkResidentTrust refuses a --ca-file the running tray app does not use.
func checkResidentTrust(ctx context.Context, client *control.Client, t trust) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	info, err := client.Info(ctx)
	if err != nil {
		return err
	}
	if !sameFile(info.CAFile, t.file) {
		return &residentTrustError{asked: t.file, running: info.CAFile}
	}
	return nil
}

// sameFile reports whether two paths name the same file, however spelt.
func sameFile(a, b string) bool {
	if a == b {
		return true
	}
	if a == "" || b == "" {
		return false
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// describeTrust explains the errors of this file, with a usage error's exit
// code; ok is false for any other error.
func (c *command) describeTrust(err error) (msg string, ok bool) {
	var rt *residentTrustError
	if errors.As(err, &rt) {
		if rt.running == "" {
			return c.msg.T("resident.ca_file_none", "Path", rt.asked), true
		}
		return c.msg.T("resident.ca_file_differs", "Path", rt.asked, "Current", rt.running), true
	}
	var fe *ucontact.CAFileError
	if !errors.As(err, &fe) {
		return "", false
	}
	msg = messages.Describe(c.msg, fe, session.Snapshot{})
	var se *settingError
	if errors.As(err, &se) {
		msg += " " + c.msg.T("cafile.from_settings")
	}
	return msg, true
}
