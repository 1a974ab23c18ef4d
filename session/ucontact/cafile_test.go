package ucontact_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ucontact-tray/internal/testenv"
	"ucontact-tray/session/ucontact"
	"ucontact-tray/session/ucontact/fake"
)

// startTLSFake runs a fake server over TLS with cert.
func startTLSFake(t *testing.T, cert tls.Certificate) (*fake.Server, string) {
	t.Helper()
	srv := fake.New(fake.Variant{})
	srv.AddUser(testUser, testPassword)
	base, err := srv.ListenTLS("127.0.0.1:0", cert)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, base
}

func clientWith(t *testing.T, base string, roots *x509.CertPool) *ucontact.Client {
	t.Helper()
	u, err := ucontact.ParseServer(base)
	if err != nil {
		t.Fatal(err)
	}
	return ucontact.NewClient(u, ucontact.Options{RootCAs: roots, CallTimeout: 5 * time.Second})
}

// An on-premise server with a private CA: refused with the system's
// certificates alone, naming the host and the CA; trusted once the CA's
// file is added, for the login and the logout.
func TestPrivateCA(t *testing.T) {
	ca := testenv.NewCA(t)
	srv, base := startTLSFake(t, ca.ServerCert(t))

	_, err := clientWith(t, base, nil).OpenUserSession(context.Background(), testUser, testPassword, nil)
	var ce *ucontact.CertificateError
	if !errors.As(err, &ce) {
		t.Fatalf("without the CA: error %v, want a CertificateError", err)
	}
	if ce.Host != "127.0.0.1" || ce.Issuer != testenv.CAName || ce.Problem != ucontact.UnknownAuthority {
		t.Errorf("CertificateError host %q, issuer %q, problem %q", ce.Host, ce.Issuer, ce.Problem)
	}
	if msg := err.Error(); !strings.Contains(msg, "127.0.0.1") || !strings.Contains(msg, testenv.CAName) {
		t.Errorf("error text %q names neither the host nor the issuer", msg)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("%d requests reached the server through an untrusted connection", n)
	}

	roots, err := ucontact.LoadCAFile(ca.File)
	if err != nil {
		t.Fatal(err)
	}
	c := clientWith(t, base, roots)
	ses, err := c.OpenUserSession(context.Background(), testUser, testPassword, nil)
	if err != nil {
		t.Fatalf("with the CA: %v", err)
	}
	if err := c.EndUserSession(context.Background(), ses); err != nil {
		t.Fatalf("EndUserSession with the CA: %v", err)
	}
	if s := srv.Sessions(); len(s) != 1 || s[0].Ended != 1 {
		t.Errorf("server sessions %+v", s)
	}
}

// The other ways a certificate is refused say what is wrong with it, and
// who issued it, even when the CA is trusted.
func TestCertificateProblems(t *testing.T) {
	ca := testenv.NewCA(t)
	for _, tc := range []struct {
		name string
		cert tls.Certificate
		want ucontact.CertificateProblem
	}{
		{"for another host", ca.ServerCert(t, "ucontact.example.com"), ucontact.WrongHost},
		{"expired", ca.ExpiredServerCert(t), ucontact.InvalidCertificate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, base := startTLSFake(t, tc.cert)
			_, err := clientWith(t, base, ca.Pool()).OpenUserSession(context.Background(), testUser, testPassword, nil)
			var ce *ucontact.CertificateError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v, want a CertificateError", err)
			}
			if ce.Problem != tc.want || ce.Issuer != testenv.CAName || ce.Host != "127.0.0.1" {
				t.Errorf("problem %q, issuer %q, host %q; want %q, %q, 127.0.0.1", ce.Problem, ce.Issuer, ce.Host, tc.want, testenv.CAName)
			}
		})
	}
}

func TestLoadCAFile(t *testing.T) {
	ca := testenv.NewCA(t)
	caPEM, err := os.ReadFile(ca.File)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(caPEM)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte("not really a key")})
	broken := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not DER")})
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, tc := range []struct {
		name string
		path string
		want ucontact.CAFileProblem // "" for a usable file
	}{
		{"PEM", ca.File, ""},
		{"PEM after a key and text", write("bundle.pem", append(append([]byte("Test CA\n"), keyPEM...), caPEM...)), ""},
		{"missing", filepath.Join(dir, "nope.pem"), ucontact.CAFileMissing},
		{"a folder", dir, ucontact.CAFileUnreadable},
		{"empty", write("empty.pem", nil), ucontact.CAFileNoCertificates},
		{"DER", write("ca.cer", block.Bytes), ucontact.CAFileNoCertificates},
		{"a key only", write("key.pem", keyPEM), ucontact.CAFileNoCertificates},
		{"a broken certificate", write("broken.pem", append(caPEM, broken...)), ucontact.CAFileBadCertificate},
		{"huge", write("huge.pem", make([]byte, 5<<20)), ucontact.CAFileTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool, err := ucontact.LoadCAFile(tc.path)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				assertTrusts(t, pool, ca)
				return
			}
			var fe *ucontact.CAFileError
			if !errors.As(err, &fe) || fe.Problem != tc.want || fe.Path != tc.path {
				t.Fatalf("error %v, want a CAFileError %q for %s", err, tc.want, tc.path)
			}
			if !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

// The file's certificates are added to the system's, not put in their
// place.
func TestLoadCAFileKeepsTheSystemCertificates(t *testing.T) {
	system, err := x509.SystemCertPool()
	if err != nil {
		t.Fatalf("no system certificates to compare with: %v", err)
	}
	ca := testenv.NewCA(t)
	pool, err := ucontact.LoadCAFile(ca.File)
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 the system pool's subjects are listable on Linux, which is what this test needs
	before, after := len(system.Subjects()), len(pool.Subjects()) //nolint:staticcheck
	if after != before+1 {
		t.Errorf("%d certificates, want the system's %d plus 1", after, before)
	}
	assertTrusts(t, pool, ca)
}

func assertTrusts(t *testing.T, pool *x509.CertPool, ca *testenv.CA) {
	t.Helper()
	leaf, err := x509.ParseCertificate(ca.ServerCert(t).Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "localhost"}); err != nil {
		t.Errorf("a certificate of the CA does not verify: %v", err)
	}
}
