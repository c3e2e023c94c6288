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
// client that does not trust it is refused; one that does runs ecn, ec,
// gc, gi, ei, ein, ai, ain, ri, rin and cm on the virtualization classes,
// and ci, gp, sp, mi, gi and di on a store-backed class; an unknown class
// is CIM_ERR_INVALID_CLASS.
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
	mustRun := func(what string, want string, args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil || !strings.Contains(out, want) {
			t.Fatalf("wbemcli %s over HTTPS: %v, want %q in:\n%s", what, err, want, out)
		}
		return out
	}
	vm := base + "/root/virt:" + path
	mustRun("ecn", "Ferrum_VirtualSystemManagementService", "ecn", base+"/root/virt:CIM_VirtualSystemManagementService")
	mustRun("ec", "Ferrum_HostedDependency", "ec", base+"/root/virt:CIM_HostedDependency")
	mustRun("gc", "EnabledState", "gc", base+"/root/virt:Ferrum_ComputerSystem")
	mustRun("ei", "-EnabledState=", "-nl", "ei", base+"/root/virt:Ferrum_ComputerSystem")
	mustRun("rin", "Ferrum_HostedDependency", "rin", vm)
	mustRun("ri", "Antecedent=", "-nl", "ri", "-ar", "Dependent", vm)
	mustRun("ai", "Ferrum_HostSystem", "-nl", "ai", "-ac", "CIM_HostedDependency", vm)
	if out := mustRun("cm", "RequestStateChange: ", "cm", vm, "RequestStateChange.RequestedState=2"); !strings.Contains(out, "RequestStateChange: 0") &&
		!strings.Contains(out, "RequestStateChange: 4096") {
		t.Fatalf("wbemcli cm RequestStateChange: %s", out)
	}
	// A class no provider serves keeps its instances in the store: the
	// whole create, read, change and delete cycle on one.
	role := base + `/root/interop:Ferrum_Role.CreationClassName="Ferrum_Role",Name="operators"`
	mustRun("ci", `Name="operators"`, "ci", role, `CreationClassName="Ferrum_Role",Name="operators",CommonName="ops",ElementName="Operators"`)
	mustRun("gp", "Operators", "gp", role, "ElementName")
	mustRun("sp", "", "sp", role, "ElementName=Ops")
	mustRun("gp after sp", "Ops", "gp", role, "ElementName")
	mustRun("mi", "", "mi", role, `ElementName="Night ops"`)
	mustRun("gi after mi", `-ElementName="Night ops"`, "-nl", "gi", role)
	mustRun("di", "", "di", role)
	if out, err := run("gi", role); err == nil || !strings.Contains(out, "CIM_ERR_NOT_FOUND") {
		t.Fatalf("wbemcli gi after di: %v\n%s", err, out)
	}
}
