//go:build bench

package bench

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// must reads a figure of p, failing the test if it cannot.
func must[T any](t *testing.T, p *proc, read func(pid int) (T, error)) T {
	t.Helper()
	v, err := read(p.PID())
	if err != nil {
		t.Fatalf("measuring %s: %v\n%s", p.Name, err, p.Output())
	}
	return v
}

// memory is a process's private memory, in kB.
type memory struct {
	anon, pss, private int
}

// readMemory reads /proc/PID/smaps_rollup.
func readMemory(pid int) (memory, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return memory{}, err
	}
	kB := map[string]int{}
	for line := range strings.Lines(string(data)) {
		f := strings.Fields(line)
		if len(f) == 3 && f[2] == "kB" {
			n, err := strconv.Atoi(f[1])
			if err != nil {
				return memory{}, fmt.Errorf("smaps_rollup line %q: %w", line, err)
			}
			kB[strings.TrimSuffix(f[0], ":")] = n
		}
	}
	for _, name := range []string{"Anonymous", "Pss", "Private_Clean", "Private_Dirty"} {
		if _, ok := kB[name]; !ok {
			return memory{}, fmt.Errorf("no %s in smaps_rollup", name)
		}
	}
	return memory{anon: kB["Anonymous"], pss: kB["Pss"], private: kB["Private_Clean"] + kB["Private_Dirty"]}, nil
}

// usage is what a process has cost so far: CPU time and wake-ups (context
// switches, voluntary or not, of all its threads).
type usage struct {
	cpu     time.Duration
	wakeups int
}

func (u usage) minus(v usage) usage { return usage{u.cpu - v.cpu, u.wakeups - v.wakeups} }

// readUsage sums, over the threads in /proc/PID/task, the time spent on a
// CPU (schedstat, in nanoseconds: /proc/PID/stat counts 10 ms ticks, too
// coarse for a 5 ms target) and the context switches, voluntary or not. A
// thread that ended between two readings takes its figures with it; Go
// rarely ends threads.
func readUsage(pid int) (usage, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", pid))
	if err != nil || len(tasks) == 0 {
		return usage{}, fmt.Errorf("no threads of %d: %v", pid, err)
	}
	var u usage
	for _, task := range tasks {
		sched, err := os.ReadFile(filepath.Join(task, "schedstat"))
		if errors.Is(err, fs.ErrNotExist) {
			continue // the thread has just ended
		}
		if err != nil {
			return usage{}, err
		}
		fields := strings.Fields(string(sched))
		if len(fields) == 0 {
			return usage{}, fmt.Errorf("%s/schedstat: %q", task, sched)
		}
		ns, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return usage{}, fmt.Errorf("%s/schedstat: %w", task, err)
		}
		u.cpu += time.Duration(ns)
		status, err := os.ReadFile(filepath.Join(task, "status"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return usage{}, err
		}
		for line := range strings.Lines(string(status)) {
			name, value, _ := strings.Cut(line, ":")
			if name == "voluntary_ctxt_switches" || name == "nonvoluntary_ctxt_switches" {
				n, err := strconv.Atoi(strings.TrimSpace(value))
				if err != nil {
					return usage{}, fmt.Errorf("%s/status: %w", task, err)
				}
				u.wakeups += n
			}
		}
	}
	return u, nil
}

// glMapped reports whether a GL driver is mapped into the process.
func glMapped(pid int) (bool, error) {
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return false, err
	}
	return bytes.Contains(maps, []byte("_dri.so")) || bytes.Contains(maps, []byte("libGLX_")), nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Sorted(slices.Values(ds))
	return s[len(s)/2]
}

// spread is "median/min/max" in milliseconds.
func spread(ds []time.Duration) string {
	return ms(median(ds)) + "/" + ms(slices.Min(ds)) + "/" + ms(slices.Max(ds))
}

// ms is d in milliseconds, to a tenth.
func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64)
}

func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}

func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "short"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func itoa(n int) string { return strconv.Itoa(n) }
