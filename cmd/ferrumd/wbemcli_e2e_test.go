package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// wbemcli returns the path of Debian's sblim-wbemcli, skipping the test
// outside CI when it is missing (make deps installs it; CI must have it).
func wbemcli(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("wbemcli")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("wbemcli is not installed on CI: run 'make deps' (package sblim-wbemcli)")
		}
		t.Skip("wbemcli is not installed: apt-get install sblim-wbemcli (make deps does)")
	}
	return p
}

// TestWbemcliOnTheRunningDaemon drives a real ferrumd with a real
// third-party CIM-XML client: profile discovery in root/interop.
func TestWbemcliOnTheRunningDaemon(t *testing.T) {
	cli := wbemcli(t)
	data := filepath.Join(t.TempDir(), "data")
	p := startFerrumd(t, data)
	httpAddr, _ := p.waitReady()
	defer p.stop(syscall.SIGTERM)
	password := strings.TrimSpace(readFile(t, filepath.Join(data, "admin-password")))
	base := "http://admin:" + password + "@" + httpAddr

	out, err := exec.Command(cli, "-noverify", "ei", "-nl", base+"/root/interop:CIM_RegisteredProfile").CombinedOutput()
	if err != nil || !strings.Contains(string(out), `RegisteredName="Profile Registration"`) {
		t.Fatalf("wbemcli ei: %v\n%s", err, out)
	}
	out, err = exec.Command(cli, "-noverify", "ecn", base+"/root/virt:CIM_ComputerSystem").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Ferrum_ComputerSystem") {
		t.Fatalf("wbemcli ecn: %v\n%s", err, out)
	}
	out, err = exec.Command(cli, "-noverify", "ei", "http://admin:wrong-password@"+httpAddr+"/root/interop:CIM_RegisteredProfile").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Invalid username/password") {
		t.Fatalf("wbemcli with a wrong password: %v %s", err, out)
	}
}
