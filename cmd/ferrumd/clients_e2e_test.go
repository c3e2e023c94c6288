package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// Debian's real clients, sblim-wbemcli and wsl, drive a VM's life on the
// sim backend: define with embedded instances, start, stop, destroy. The
// tests assert on what the clients print and on the server's state, read
// through the protocol-neutral client.

// runClient runs a client program with stdin from /dev/null and returns
// everything it printed; its exit status is asserted by the caller.
func runClient(t *testing.T, dir string, env []string, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), failsafe)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, env
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	cmd.Stdin = devnull
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// startOneHostSim starts ferrumd on one simulated host and returns it, the
// host and a session over CIM-XML for checking the server's state.
func startOneHostSim(t *testing.T) (server, string, *session) {
	t.Helper()
	s := startSimServer(t, 1)
	host := s.waitHosts(t, 1)[0]
	return s, host, newSession(t, s.cimxml())
}

// vmByName returns the path of the one VM named name.
func (s *session) vmByName(name string) cim.ObjectPath {
	s.t.Helper()
	objs, err := s.c.EnumerateInstances(s.ctx, model.Namespace, model.ClassVM)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, o := range objs {
		if o.Instance.Str("ElementName") == name {
			return model.VMPath(o.Instance.Str("Name"))
		}
	}
	s.t.Fatalf("no VM named %s", name)
	return cim.ObjectPath{}
}

// waitJobPath polls the job a client printed until it finishes and
// requires it Completed.
func (s *session) waitJobPath(job cim.ObjectPath) {
	s.t.Helper()
	j := s.pollJob(job, nil)
	if st, _ := prop(j, "JobState"); st != jobCompleted {
		s.t.Fatalf("job %s ended in JobState %d: %s", job, st, j.Str("ErrorDescription"))
	}
}

// wbemcliRef is how wbemcli names an instance: host:port/namespace:path.
func wbemcliRef(addr string, p cim.ObjectPath) string {
	return addr + "/" + strings.TrimPrefix(p.String(), "/")
}

var printedJob = regexp.MustCompile(`Job \(reference\): (\S+)`)

// wbemcliCall runs `wbemcli cm` on target and returns its output; a
// printed job is waited for.
func wbemcliCall(t *testing.T, sess *session, cli, base string, target cim.ObjectPath, call string, wantCode string) string {
	t.Helper()
	out, err := runClient(t, t.TempDir(), os.Environ(), cli, "-noverify", "cm", base+"/"+strings.TrimPrefix(target.Local().String(), "/"), call)
	method, _, _ := strings.Cut(call, ".")
	if err != nil || !strings.Contains(out, method+": "+wantCode) {
		t.Fatalf("wbemcli cm %s: %v, want %s: %s\n%s", method, err, wantCode, "", out)
	}
	if m := printedJob.FindStringSubmatch(out); m != nil {
		job, err := cim.ParseObjectPath(strings.TrimSuffix(m[1], ","))
		if err != nil {
			t.Fatalf("wbemcli printed job %q: %v", m[1], err)
		}
		sess.waitJobPath(job)
	}
	return out
}

// TestWbemcliDefinesStartsStopsAndDestroysAVM drives a VM's life with
// `wbemcli cm`: DefineSystem with embedded instances as MOF text (wbemcli
// neither escapes XML nor keeps backslashes, so the values go unquoted),
// RequestStateChange and DestroySystem.
func TestWbemcliDefinesStartsStopsAndDestroysAVM(t *testing.T) {
	cli := wbemcli(t)
	s, host, sess := startOneHostSim(t)
	base := "http://admin:" + scenarioPassword + "@" + s.httpAddr
	vsms := model.VSMSPath(host)

	out := wbemcliCall(t, sess, cli, base, vsms, "DefineSystem.SystemSettings=instance of Ferrum_VirtualSystemSettingData { ElementName = \"wbemcli-vm\"; };,"+
		"ResourceSettings=instance of Ferrum_MemoryResourceAllocationSettingData { ResourceType = 4; VirtualQuantity = 512; AllocationUnits = \"byte*2^20\"; };", "4096")
	if !strings.Contains(out, "ResultingSystem (reference): ") || !strings.Contains(out, "Ferrum_ComputerSystem") {
		t.Fatalf("DefineSystem printed no ResultingSystem:\n%s", out)
	}
	vm := sess.vmByName("wbemcli-vm")
	sess.requireState(vm, 3)
	if mem := memoryOf(sess, vm); mem != 512 {
		t.Fatalf("memory %d MiB, want 512", mem)
	}
	for _, st := range []struct {
		state, code string
		want        uint64
	}{{"2", "0", 2}, {"3", "0", 3}} {
		wbemcliCall(t, sess, cli, base, vm, "RequestStateChange.RequestedState="+st.state, st.code)
		sess.requireState(vm, st.want)
	}
	ref := wbemcliRef(s.httpAddr, vm)
	wbemcliCall(t, sess, cli, base, vsms, "DestroySystem.AffectedSystem="+ref, "4096")
	sess.gone(vm)
	wbemcliCall(t, sess, cli, base, vsms, "DestroySystem.AffectedSystem="+ref, "4") // gone: Invalid Parameter
}

// memoryOf returns a VM's memory in MiB, from its memory RASD.
func memoryOf(s *session, vm cim.ObjectPath) uint64 {
	s.t.Helper()
	id, _ := model.VMOf(vm)
	for _, r := range s.assocInstances(model.VSSDPath(id), model.AssocVSSDComponent, model.ClassMemRASD) {
		n, _ := prop(r, "VirtualQuantity")
		if u := r.Str("AllocationUnits"); u != "byte*2^20" && u != "byte * 2^20" {
			s.t.Fatalf("memory AllocationUnits %q", u)
		}
		return n
	}
	s.t.Fatalf("no memory setting for %s", vm)
	return 0
}

// wslEnv is wsl's environment for ferrumd at addr: credentials and
// endpoint in WS* variables, its files in dir.
func wslEnv(addr, dir string) []string {
	return []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "SHELL=/bin/bash",
		"WSENDPOINT=" + addr, "WSUSER=admin", "WSPASS=" + scenarioPassword, "WSNOSSL=true",
		"WSDEFAULTSCHEMA=schemas.ferrum.dev", "OUTPREFIX=" + dir, "OUTLEVEL=1", "KEEPHISTORY=0"}
}

// requireWSLTools skips outside CI when wsl or a tool its scripts run is
// missing (make deps installs them; CI must have them).
func requireWSLTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"wsl", "xmllint", "curl", "uuidgen"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed on CI: run 'make deps'", tool)
			}
			t.Skipf("%s is not installed: make deps installs wsl and its tools", tool)
		}
	}
}

const ferrumURI = "http://schemas.ferrum.dev/wbem/wscim/1/cim-schema/2/"

// wslDefineInput is DefineSystem's input with the VSSD and a memory RASD
// embedded as WS-CIM elements.
func wslDefineInput(name string) string {
	vsms, vssd, mem := ferrumURI+model.ClassVSMS, ferrumURI+model.ClassVSSD, ferrumURI+model.ClassMemRASD
	return fmt.Sprintf(`<p:DefineSystem_INPUT xmlns:p="%s" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <p:SystemSettings><v:%s xmlns:v="%s" xsi:type="v:%s_Type"><v:ElementName>%s</v:ElementName></v:%s></p:SystemSettings>
 <p:ResourceSettings><m:%s xmlns:m="%s" xsi:type="m:%s_Type"><m:ResourceType>4</m:ResourceType><m:VirtualQuantity>512</m:VirtualQuantity><m:AllocationUnits>byte*2^20</m:AllocationUnits></m:%s></p:ResourceSettings>
</p:DefineSystem_INPUT>`, vsms, model.ClassVSSD, vssd, model.ClassVSSD, name, model.ClassVSSD,
		model.ClassMemRASD, mem, model.ClassMemRASD, model.ClassMemRASD)
}

// wslDestroyInput is DestroySystem's input naming vm by its EPR.
func wslDestroyInput(vm string) string {
	return fmt.Sprintf(`<p:DestroySystem_INPUT xmlns:p="%s" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">
 <p:AffectedSystem><wsa:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:Address>
  <wsa:ReferenceParameters><wsman:ResourceURI>%s</wsman:ResourceURI><wsman:SelectorSet>
   <wsman:Selector Name="__cimnamespace">root/virt</wsman:Selector>
   <wsman:Selector Name="CreationClassName">%s</wsman:Selector><wsman:Selector Name="Name">%s</wsman:Selector>
  </wsman:SelectorSet></wsa:ReferenceParameters></p:AffectedSystem>
</p:DestroySystem_INPUT>`, ferrumURI+model.ClassVSMS, ferrumURI+model.ClassVM, model.ClassVM, vm)
}

var (
	wslReturn = regexp.MustCompile(`<p:ReturnValue>(\d+)</p:ReturnValue>`)
	wslJobID  = regexp.MustCompile(`<wsman:Selector Name="InstanceID">(Ferrum:Job:[^<]+)</wsman:Selector>`)
)

// wslInvoke runs `wsl invoke class method args...` in dir, requires the
// return code want in what it prints, and waits for a printed job.
func wslInvoke(t *testing.T, sess *session, env []string, dir, want, class, method string, args ...string) string {
	t.Helper()
	out, _ := runClient(t, dir, env, "wsl", append([]string{"invoke", class, method}, args...)...) // wsl's exit status is unreliable
	m := wslReturn.FindStringSubmatch(out)
	if m == nil || m[1] != want || !strings.Contains(out, method+"_OUTPUT") {
		t.Fatalf("wsl invoke %s %s: want ReturnValue %s:\n%s", class, method, want, out)
	}
	if j := wslJobID.FindStringSubmatch(out); j != nil {
		sess.waitJobPath(cim.NewInstancePath(model.Namespace, classJob, cim.KeyBinding{Name: "InstanceID", Value: cim.String(j[1])}))
	}
	return out
}

// writeInput writes a method's input XML for wsl's -raw.
func writeInput(t *testing.T, dir, name, xml string) string {
	t.Helper()
	path := dir + "/" + name
	if err := os.WriteFile(path, []byte(xml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWSLDefinesStartsStopsAndDestroysAVM drives a VM's life with `wsl
// invoke`: DefineSystem and DestroySystem with input XML files (-raw),
// RequestStateChange with a parameter, each target found by a CQL filter.
func TestWSLDefinesStartsStopsAndDestroysAVM(t *testing.T) {
	requireWSLTools(t)
	s, host, sess := startOneHostSim(t)
	dir := t.TempDir()
	env := wslEnv(s.httpAddr, dir)
	onHost := "SELECT * FROM " + model.ClassVSMS + " WHERE SystemName = '" + host + "'"

	out := wslInvoke(t, sess, env, dir, "4096", model.ClassVSMS, "DefineSystem",
		"-raw", writeInput(t, dir, "define.xml", wslDefineInput("wsl-vm")), "-filter", onHost)
	if !strings.Contains(out, "ResultingSystem") {
		t.Fatalf("DefineSystem printed no ResultingSystem:\n%s", out)
	}
	vm := sess.vmByName("wsl-vm")
	id, _ := model.VMOf(vm)
	sess.requireState(vm, 3)
	if mem := memoryOf(sess, vm); mem != 512 {
		t.Fatalf("memory %d MiB, want 512", mem)
	}
	thisVM := "SELECT * FROM " + model.ClassVM + " WHERE Name = '" + id + "'"
	for _, st := range []struct {
		state string
		want  uint64
	}{{"2", 2}, {"3", 3}} {
		wslInvoke(t, sess, env, dir, "0", model.ClassVM, "RequestStateChange", "RequestedState="+st.state, "-filter", thisVM)
		sess.requireState(vm, st.want)
	}
	destroy := writeInput(t, dir, "destroy.xml", wslDestroyInput(id))
	wslInvoke(t, sess, env, dir, "4096", model.ClassVSMS, "DestroySystem", "-raw", destroy, "-filter", onHost)
	sess.gone(vm)
	wslInvoke(t, sess, env, dir, "4", model.ClassVSMS, "DestroySystem", "-raw", destroy, "-filter", onHost) // gone: Invalid Parameter
}
