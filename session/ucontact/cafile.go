package ucontact

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// maxCAFile bounds what LoadCAFile reads: a bundle of every public CA is
// about 200 KiB, so anything near this is not a certificate file.
const maxCAFile = 4 << 20

// CAFileProblem is why a CA file could not be used.
type CAFileProblem string

const (
	CAFileMissing        CAFileProblem = "missing"
	CAFileUnreadable     CAFileProblem = "unreadable" // a folder, no permission, an I/O error
	CAFileTooLarge       CAFileProblem = "too-large"
	CAFileNoCertificates CAFileProblem = "no-certificates" // not PEM (DER, a key…), or empty
	CAFileBadCertificate CAFileProblem = "bad-certificate" // a PEM certificate that does not parse
)

// CAFileError is a file of extra CA certificates that cannot be used.
type CAFileError struct {
	Path    string
	Problem CAFileProblem
	Err     error // the cause, when there is one
}

func (e *CAFileError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("CA file %s: %s: %v", e.Path, e.Problem, e.Err)
	}
	return fmt.Sprintf("CA file %s: %s", e.Path, e.Problem)
}

func (e *CAFileError) Unwrap() error { return e.Err }

// LoadCAFile returns the system's trusted certificates plus every
// certificate in the PEM file at path: an on-premise server signed by a
// private CA is trusted, and so is every public one still. A file without
// a single usable certificate is an error, not an empty addition: the user
// meant it to change something.
func LoadCAFile(path string) (*x509.CertPool, error) {
	certs, err := readCAFile(path)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		// No system store at all: the file's certificates are all there
		// is to trust.
		pool = x509.NewCertPool()
	}
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

func readCAFile(path string) ([]*x509.Certificate, error) {
	fail := func(p CAFileProblem, err error) error { return &CAFileError{Path: path, Problem: p, Err: err} }
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fail(CAFileMissing, nil)
	case err != nil:
		return nil, fail(CAFileUnreadable, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCAFile+1))
	switch {
	case err != nil:
		return nil, fail(CAFileUnreadable, err)
	case len(b) > maxCAFile:
		return nil, fail(CAFileTooLarge, nil)
	}
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue // a key or parameters next to the certificate
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fail(CAFileBadCertificate, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fail(CAFileNoCertificates, nil)
	}
	return certs, nil
}
