//go:build unix

package resident

import (
	"os"
	"syscall"
)

// stopProcess asks a process to end; Fyne turns SIGTERM into a clean quit.
func stopProcess(p *os.Process) error { return p.Signal(syscall.SIGTERM) }
