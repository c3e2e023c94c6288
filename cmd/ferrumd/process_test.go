package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests run the real ferrumd binary, built once by TestMain.

var ferrumdBin string

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.list"); f != nil && f.Value.String() != "" {
		os.Exit(m.Run()) // only listing tests (make fuzz): nothing to build
	}
	dir, err := os.MkdirTemp("", "ferrumd-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ferrumdBin = filepath.Join(dir, "ferrumd")
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	if out, err := exec.Command(gobin, "build", "-o", ferrumdBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ferrumd: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// failsafe bounds every wait so a broken daemon fails the test instead of
// hanging it; it is not a performance limit.
const failsafe = 2 * time.Minute

// proc is a running ferrumd.
type proc struct {
	t      testing.TB
	cmd    *exec.Cmd
	ready  chan map[string]any // the "ferrumd ready" log record
	exited chan struct{}

	mu       sync.Mutex
	logs     bytes.Buffer
	exitCode int
}

// startFerrumd starts ferrumd on dataDir with JSON debug logs, listeners on
// free loopback ports, no inherited FERRUM_* settings and an empty working
// directory, plus env.
func startFerrumd(t testing.TB, dataDir string, env ...string) *proc {
	t.Helper()
	cmd := exec.Command(ferrumdBin)
	cmd.Dir = t.TempDir()
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FERRUM_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "FERRUM_DATA_DIR="+dataDir, "FERRUM_HTTP_ADDR=127.0.0.1:0", "FERRUM_HTTPS_ADDR=127.0.0.1:0",
		"FERRUM_LOG_FORMAT=json", "FERRUM_LOG_LEVEL=debug")
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, ready: make(chan map[string]any, 1), exited: make(chan struct{})}
	go p.read(stderr)
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("ferrumd (pid %d) log:\n%s", cmd.Process.Pid, p.log())
		}
	})
	return p
}

func (p *proc) read(stderr interface{ Read([]byte) (int, error) }) {
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		line := sc.Bytes()
		p.mu.Lock()
		p.logs.Write(line)
		p.logs.WriteByte('\n')
		p.mu.Unlock()
		var rec map[string]any
		if json.Unmarshal(line, &rec) == nil && rec["msg"] == "ferrumd ready" {
			p.ready <- rec
		}
	}
	err := p.cmd.Wait()
	var ee *exec.ExitError
	p.mu.Lock()
	switch {
	case errors.As(err, &ee):
		p.exitCode = ee.ExitCode()
	case err != nil:
		p.exitCode = -1
	}
	p.mu.Unlock()
	close(p.exited)
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// waitReady waits for the ready line and returns the HTTP and HTTPS addresses.
func (p *proc) waitReady() (httpAddr, httpsAddr string) {
	p.t.Helper()
	select {
	case rec := <-p.ready:
		h, _ := rec["http"].(string)
		s, _ := rec["https"].(string)
		return h, s
	case <-p.exited:
		p.t.Fatalf("ferrumd exited with %d before it was ready:\n%s", p.exitCode, p.log())
	case <-time.After(failsafe):
		p.t.Fatalf("ferrumd not ready after %v:\n%s", failsafe, p.log())
	}
	return "", ""
}

// wait waits for ferrumd to exit and returns its exit code.
func (p *proc) wait() int {
	p.t.Helper()
	select {
	case <-p.exited:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.exitCode
	case <-time.After(failsafe):
		p.t.Fatalf("ferrumd still running after %v", failsafe)
		return -1
	}
}

// stop sends sig and returns the exit code.
func (p *proc) stop(sig syscall.Signal) int {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
	return p.wait()
}

// runFerrumd runs ferrumd to completion with a fresh data dir and env.
func runFerrumd(t *testing.T, env ...string) (code int, log string) {
	t.Helper()
	p := startFerrumd(t, filepath.Join(t.TempDir(), "data"), env...)
	code = p.wait()
	return code, p.log()
}
