//go:build bench

// Package bench measures the built resident beside a floor program (the
// least any tray costs: fyne.io/systray alone, see floor/systray) on the
// same private desktop, and prints one table. It is run by `make bench`.
// Nothing here is a timed pass/fail test: the figures are printed with a
// verdict per target, and the test fails only when something could not be
// measured.
package bench

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"

	"ucontact-tray/internal/testenv"
	"ucontact-tray/session/ucontact/fake"
)

const (
	user     = "ana"
	password = "pw-bench"

	startRuns    = 5                // start measurements per program
	settle       = 10 * time.Second // from ready to the memory sample
	idleWindow   = 60 * time.Second // the idle CPU and wake-up window
	startTimeout = 30 * time.Second // a first start can wait on a cold disk
	stepTimeout  = 15 * time.Second
)

// Targets for the resident, against the floor where relative.
const (
	maxStartRatio = 1.5
	maxAnonRatio  = 1.5
	maxIdleCPU    = 5 * time.Millisecond // per idle minute
)

// TestIdleTable starts the resident (logged in) and the floor, measures
// both and prints the table.
func TestIdleTable(t *testing.T) {
	resident := residentBinary(t)
	floor := buildFloor(t)
	b := newBed(t)

	// Start times first, one program at a time, so neither slows the other.
	// Each resident starts logged out, in a fresh home, so it also starts
	// its login window, as at the start of a shift.
	var resStarts, floorStarts []time.Duration
	for i := range startRuns {
		p := b.start(resident)
		_, d := b.waitItem(p)
		p.stop()
		resStarts = append(resStarts, d)

		p = b.start(floor)
		_, d = b.waitItem(p)
		p.stop()
		floorStarts = append(floorStarts, d)
		t.Logf("start %d/%d: resident %v, floor %v", i+1, startRuns, resStarts[i].Round(time.Millisecond), floorStarts[i].Round(time.Millisecond))
	}

	// Then both running side by side: the resident logged in, its window
	// closed (as after a login typed in it), and the floor.
	res := b.start(resident)
	item, _ := b.waitItem(res)
	b.login(res, item)
	flo := b.start(floor)
	b.waitItem(flo)
	t.Logf("both ready; settling %v, then idle for %v", settle, idleWindow)
	time.Sleep(settle)

	resMem, floorMem := must(t, res, readMemory), must(t, flo, readMemory)
	resBefore, floorBefore := must(t, res, readUsage), must(t, flo, readUsage)
	time.Sleep(idleWindow)
	resIdle := must(t, res, readUsage).minus(resBefore)
	floorIdle := must(t, flo, readUsage).minus(floorBefore)
	resGL, floorGL := must(t, res, glMapped), must(t, flo, glMapped)
	for _, p := range []*proc{res, flo} {
		if !p.running() {
			t.Fatalf("%s ended during the idle window:\n%s", p.name, p.out.String())
		}
	}

	resStart, floorStart := median(resStarts), median(floorStarts)
	rows := [][]string{
		{"measure", "resident", "floor", "ratio", "target", "verdict"},
		{"start → tray registered (ms)", spread(resStarts), spread(floorStarts),
			ratio(float64(resStart), float64(floorStart)), fmt.Sprintf("≤%.1f×", maxStartRatio),
			verdict(float64(resStart) <= maxStartRatio*float64(floorStart))},
		{"Anonymous after 10 s (kB)", itoa(resMem.anon), itoa(floorMem.anon),
			ratio(float64(resMem.anon), float64(floorMem.anon)), fmt.Sprintf("≤%.1f×", maxAnonRatio),
			verdict(float64(resMem.anon) <= maxAnonRatio*float64(floorMem.anon))},
		{"Pss after 10 s (kB)", itoa(resMem.pss), itoa(floorMem.pss),
			ratio(float64(resMem.pss), float64(floorMem.pss)), "", ""},
		{"Private_Clean+Dirty after 10 s (kB)", itoa(resMem.private), itoa(floorMem.private),
			ratio(float64(resMem.private), float64(floorMem.private)), "", ""},
		{"CPU over 60 s idle (ms)", fmt.Sprintf("%.1f", resIdle.cpu.Seconds()*1000), fmt.Sprintf("%.1f", floorIdle.cpu.Seconds()*1000),
			"", fmt.Sprintf("≤%d ms", maxIdleCPU.Milliseconds()), verdict(resIdle.cpu <= maxIdleCPU)},
		{"wake-ups over 60 s idle", itoa(resIdle.wakeups), itoa(floorIdle.wakeups),
			ratio(float64(resIdle.wakeups), float64(floorIdle.wakeups)), "≤ floor",
			verdict(resIdle.wakeups <= floorIdle.wakeups)},
		{"GL driver mapped", yesNo(resGL), yesNo(floorGL), "", "", ""},
	}
	fmt.Print("\n" + table(rows) + "\n")
}

// table aligns rows in columns.
func table(rows [][]string) string {
	var buf strings.Builder
	w := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(w, strings.Join(r, "\t")+"\t") // every cell ends a column
	}
	w.Flush()
	var out strings.Builder
	for line := range strings.Lines(buf.String()) {
		out.WriteString(strings.TrimRight(line, " \n") + "\n")
	}
	return out.String()
}

// residentBinary is $UCT_BINARY, or the resident built here as `make
// build` builds it.
func residentBinary(t *testing.T) string {
	if bin := os.Getenv("UCT_BINARY"); bin != "" {
		return bin
	}
	return goBuild(t, "ucontact-tray", "ucontact-tray")
}

// buildFloor builds the floor program with the resident's build flags, so
// that only the code differs.
func buildFloor(t *testing.T) string {
	return goBuild(t, "ucontact-tray/bench/floor/systray", "floor-systray")
}

func goBuild(t *testing.T, pkg, name string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, pkg)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", pkg, err, msg)
	}
	return out
}

// bed is the desktop both programs run on: a display, a session bus with a
// keyring, a notification server and a tray host, and the fake server.
type bed struct {
	t       *testing.T
	bus     string
	display string
	watcher *testenv.Watcher
	server  string // the fake server's URL
}

func newBed(t *testing.T) *bed {
	b := &bed{t: t, bus: testenv.StartBus(t)}
	testenv.StartNotifications(t, b.bus)
	testenv.StartKeyring(t, b.bus)
	b.watcher = testenv.StartWatcher(t, b.bus)
	b.display = testenv.StartXvfb(t)
	srv := fake.New(fake.Variant{})
	srv.AddUser(user, password)
	url, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	b.server = url
	return b
}

// env is a fresh home for one process: each resident starts logged out,
// with no record or socket left by an earlier one.
func (b *bed) env() []string {
	home := b.t.TempDir()
	runtime, err := os.MkdirTemp("", "ucb") // short enough for a socket path
	if err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() { os.RemoveAll(runtime) })
	if err := os.Chmod(runtime, 0o700); err != nil {
		b.t.Fatal(err)
	}
	return []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_RUNTIME_DIR=" + runtime,
		"DBUS_SESSION_BUS_ADDRESS=" + b.bus,
		"DISPLAY=" + b.display,
		"PATH=" + os.Getenv("PATH"),
		"LANG=es_ES.UTF-8",
		"NO_AT_BRIDGE=1",
	}
}

// proc is one running program.
type proc struct {
	t       *testing.T
	name    string
	cmd     *exec.Cmd
	out     *testenv.Buffer
	started time.Time
	done    chan struct{}
}

// start starts the program at path with a fresh home; it is killed, with
// anything it started, when the test ends.
func (b *bed) start(path string) *proc {
	b.t.Helper()
	p := &proc{t: b.t, name: filepath.Base(path), out: &testenv.Buffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(path)
	p.cmd.Env = b.env()
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.WaitDelay = 2 * time.Second // the window shares its output
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	go func() {
		p.cmd.Wait() //nolint:errcheck // how it ended does not matter here
		close(p.done)
	}()
	b.t.Cleanup(func() {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL) //nolint:errcheck
		<-p.done
		if b.t.Failed() {
			b.t.Logf("output of %s (pid %d):\n%s", p.name, p.pid(), p.out.String())
		}
	})
	return p
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// stop ends the program the way a session logout does (SIGTERM), and
// whatever it left behind after that.
func (p *proc) stop() {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // it may be gone
	select {
	case <-p.done:
	case <-time.After(stepTimeout):
		p.t.Fatalf("%s still running %v after SIGTERM:\n%s", p.name, stepTimeout, p.out.String())
	}
	syscall.Kill(-p.pid(), syscall.SIGKILL) //nolint:errcheck // a window, if any
}

// waitItem waits for the next tray item to register with the watcher,
// checks that p serves it, and returns it with the time from p's start.
func (b *bed) waitItem(p *proc) (*testenv.Item, time.Duration) {
	b.t.Helper()
	item := b.watcher.WaitItem(b.t, startTimeout)
	took := time.Since(p.started)
	var pid uint32
	err := item.Conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, item.Dest).Store(&pid)
	if err != nil {
		b.t.Fatalf("who serves %s: %v", item, err)
	}
	if int(pid) != p.pid() {
		b.t.Fatalf("%s is served by pid %d, not by %s (pid %d)", item, pid, p.name, p.pid())
	}
	return item, took
}

// login logs the resident in from the command line, waits for its tray to
// say so, and closes the window it opened at start: after a login typed in
// the window, the window closes itself.
func (b *bed) login(res *proc, item *testenv.Item) {
	b.t.Helper()
	cmd := exec.Command(res.cmd.Path, "login", "--server", b.server, "--user", user, "--password-stdin")
	cmd.Env = res.cmd.Env
	cmd.Stdin = strings.NewReader(password)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.t.Fatalf("login: %v\n%s", err, out)
	}
	testenv.WaitFor(b.t, stepTimeout, "the tray to show the session", func() bool {
		p, err := item.Props()
		return err == nil && strings.HasPrefix(p.Title, "Conectado")
	})
	window := waitLog(res, `window started" pid=(\d+)`)
	pid, err := strconv.Atoi(window[1])
	if err != nil {
		b.t.Fatal(err)
	}
	// Killed: a window still starting up can miss SIGTERM, and how it
	// ends does not matter to the resident.
	syscall.Kill(pid, syscall.SIGKILL) //nolint:errcheck // it may have ended
	waitLog(res, `window closed|window process ended`)
}

func waitLog(p *proc, re string) []string {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	var m []string
	testenv.WaitFor(p.t, startTimeout, p.name+" to log "+re, func() bool {
		m = rx.FindStringSubmatch(p.out.String())
		return m != nil
	})
	return m
}

// must reads a figure of p, failing the test if it cannot.
func must[T any](t *testing.T, p *proc, read func(pid int) (T, error)) T {
	t.Helper()
	v, err := read(p.pid())
	if err != nil {
		t.Fatalf("measuring %s: %v\n%s", p.name, err, p.out.String())
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
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Round(time.Millisecond).Milliseconds(), 10) }
	return ms(median(ds)) + "/" + ms(slices.Min(ds)) + "/" + ms(slices.Max(ds))
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
