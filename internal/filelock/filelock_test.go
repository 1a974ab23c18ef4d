package filelock

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"ucontact-tray/internal/testenv"
)

func TestLockIsExclusiveUntilClosed(t *testing.T) {
	path := filepath.Join(testenv.TempDir(t), "f")
	held, err := Create(path, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Create(path, 0o600); err == nil {
		t.Fatal("Create made a file that exists")
	}
	other, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := TryLock(other); !errors.Is(err, ErrLocked) {
		t.Fatalf("TryLock of a held file = %v, want ErrLocked", err)
	}
	held.Close()
	if err := TryLock(other); err != nil {
		t.Fatalf("TryLock once the holder let go: %v", err)
	}
}

// Its holder removes the file while it holds it, on every system.
func TestHolderCanRemove(t *testing.T) {
	path := filepath.Join(testenv.TempDir(t), "f")
	held, err := Create(path, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatalf("removing a held file: %v", err)
	}
	// Windows keeps the name until the holder closes it.
	held.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("removed file still there once closed: %v", err)
	}
}
