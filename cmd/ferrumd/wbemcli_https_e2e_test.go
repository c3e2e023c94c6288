package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestWbemcliOverHTTPS drives the running daemon's HTTPS listener with
// wbemcli trusting the certificate ferrumd generated on first start: a
// client that does not trust it is refused, one that does can enumerate,
// get and traverse, and an unknown class is CIM_ERR_INVALID_CLASS.
func TestWbemcliOverHTTPS(t *testing.T) {
	cli := wbemcli(t)
	data := filepath.Join(t.TempDir(), "data")
	p := startFerrumd(t, data)
	_, httpsAddr := p.waitReady()
	defer p.stop(syscall.SIGTERM)
	password := strings.TrimSpace(readFile(t, filepath.Join(data, "admin-password")))
	base := "https://admin:" + password + "@" + httpsAddr
	run := func(args ...string) (string, error) {
		out, err := exec.Command(cli, append([]string{"-cacert", filepath.Join(data, "tls.crt")}, args...)...).CombinedOutput()
		return string(out), err
	}

	out, err := exec.Command(cli, "ein", base+"/root/virt:Ferrum_ComputerSystem").CombinedOutput()
	if err == nil {
		t.Fatalf("wbemcli without the certificate trusted reached the server:\n%s", out)
	}
	names, err := run("ein", base+"/root/virt:Ferrum_ComputerSystem")
	if err != nil || !strings.Contains(names, "Ferrum_ComputerSystem.") || !strings.Contains(names, "CreationClassName=") {
		t.Fatalf("wbemcli ein over HTTPS: %v\n%s", err, names)
	}
	first := strings.TrimSpace(strings.SplitN(names, "\n", 2)[0])
	_, path, ok := strings.Cut(first, "/root/virt:")
	if !ok {
		t.Fatalf("ein printed %q, no instance path", first)
	}
	got, err := run("-nl", "gi", base+"/root/virt:"+path, "Name,EnabledState")
	if err != nil || !strings.Contains(got, "-EnabledState=") {
		t.Fatalf("wbemcli gi over HTTPS: %v\n%s", err, got)
	}
	hosts, err := run("ain", "-ac", "CIM_HostedDependency", base+"/root/virt:"+path)
	if err != nil || !strings.Contains(hosts, "Ferrum_HostSystem") {
		t.Fatalf("wbemcli ain over HTTPS (VM → its host): %v\n%s", err, hosts)
	}
	bad, err := run("ei", base+"/root/virt:Ferrum_NoSuchClass")
	if err == nil || !strings.Contains(bad, "CIM_ERR_INVALID_CLASS") {
		t.Fatalf("wbemcli ei of an unknown class: %v\n%s", err, bad)
	}
}
