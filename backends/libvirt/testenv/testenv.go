// Package testenv brings up the libvirt daemons the libvirt backend's tests
// run against, through testenv.sh in this directory, and tells the tests
// where they listen.
//
// Start is idempotent and cheap once the daemons run, so every test package
// may call it; the test that calls it has the daemons to itself among the
// test processes until it ends. It needs root (libvirtd, network namespaces, bind mounts):
// without it the calling test is skipped with the reason; CI runs as root.
package testenv

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Env is the running environment, as testenv.sh env prints it.
type Env struct {
	Dir     string // work directory of the daemons
	TestURI string // the test driver through the main daemon's unix socket
	QEMUURI string // QEMU/TCG through the main daemon's unix socket
	TCP     string // the main daemon's loopback TCP listener, host:port
	AURI    string // QEMU on daemon A (network namespace fe-a), from here
	BURI    string // QEMU on daemon B (network namespace fe-b), from here
	APeer   string // daemon A as daemon B reaches it, for migration
	BPeer   string // daemon B as daemon A reaches it
	// GuestKernel and GuestInitrd boot the test guest (see testenv.sh).
	GuestKernel, GuestInitrd string
}

var (
	once   sync.Once
	env    Env
	errOut string
)

// Script returns the path of testenv.sh.
func Script() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testenv.sh")
}

// Start brings the daemons up (installing the packages on first use) and
// returns where they listen. It skips tb when not root and fails it when
// the environment cannot start.
func Start(tb testing.TB) Env {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("needs root to start libvirtd in private namespaces: run as root, or `make testenv` then the tests as root")
	}
	once.Do(func() {
		out, err := exec.Command("bash", Script(), "start").CombinedOutput()
		if err != nil {
			errOut = "testenv.sh start: " + err.Error() + "\n" + string(out)
			return
		}
		out, err = exec.Command("bash", Script(), "env").Output()
		if err != nil {
			errOut = "testenv.sh env: " + err.Error()
			return
		}
		env = parse(out)
	})
	if errOut != "" {
		tb.Fatal(errOut)
	}
	hold(tb, env.Dir)
	if !running(env.Dir) {
		// A daemon died since (libvirtd 9.0 can crash when an event
		// callback is deregistered as its connection closes): start it
		// again, so that one crash fails the tests of that moment only.
		if out, err := exec.Command("bash", Script(), "start").CombinedOutput(); err != nil {
			tb.Fatalf("testenv.sh start after a daemon died: %v\n%s", err, out)
		}
	}
	return env
}

// running reports whether every daemon of the environment in dir is alive.
func running(dir string) bool {
	for _, d := range []string{"main", "a", "b"} {
		b, err := os.ReadFile(filepath.Join(dir, d, "libvirtd.pid"))
		if err != nil {
			return false
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || syscall.Kill(pid, 0) != nil {
			return false
		}
	}
	return true
}

// The daemons are shared by every test process: go test runs packages in
// parallel, and two packages' VMs at once can exhaust the test driver's
// host or race over the migration daemons' switches. So a test holds the
// environment, through an exclusive flock on a file beside the daemons,
// from its first Start to its end; calls from one process nest.
var (
	holdMu    sync.Mutex
	holdCount int
	holdFile  *os.File
)

func hold(tb testing.TB, dir string) {
	tb.Helper()
	holdMu.Lock()
	defer holdMu.Unlock()
	if holdCount == 0 {
		f, err := os.OpenFile(filepath.Join(dir, "in-use.lock"), os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			tb.Fatalf("testenv lock: %v", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			f.Close()
			tb.Fatalf("testenv lock %s: %v", f.Name(), err)
		}
		holdFile = f
	}
	holdCount++
	tb.Cleanup(func() {
		holdMu.Lock()
		defer holdMu.Unlock()
		if holdCount--; holdCount == 0 {
			holdFile.Close() // releases the flock
			holdFile = nil
		}
	})
}

// parse reads NAME='value' lines.
func parse(out []byte) Env {
	vars := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if ok {
			vars[k] = strings.Trim(v, "'")
		}
	}
	return Env{Dir: vars["FERRUM_TESTENV_DIR"], TestURI: vars["FERRUM_LIBVIRT_TEST_URI"],
		QEMUURI: vars["FERRUM_LIBVIRT_QEMU_URI"], TCP: vars["FERRUM_LIBVIRT_TCP"],
		AURI: vars["FERRUM_LIBVIRT_A_URI"], BURI: vars["FERRUM_LIBVIRT_B_URI"],
		APeer: vars["FERRUM_LIBVIRT_A_PEER"], BPeer: vars["FERRUM_LIBVIRT_B_PEER"],
		GuestKernel: vars["FERRUM_GUEST_KERNEL"], GuestInitrd: vars["FERRUM_GUEST_INITRD"]}
}
