package main

import (
	"context"
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/backends/libvirt/testenv"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// TestScenarioOnTheSimulator runs the virtualization scenario over CIM-XML
// and over WS-Man against one ferrumd on the sim backend (four hosts, so
// the migration check has a compatible destination).
func TestScenarioOnTheSimulator(t *testing.T) {
	s := startSimServer(t, 4)
	s.waitHosts(t, 4)
	host, same, other := hostsByVendor(t, s)
	runScenarioOverBothProtocols(t, s, host, same, other)
}

// hostsByVendor returns a host, another whose processors come from the
// same vendor (the first word of the host's Description), between which a
// VM can migrate, and one of another vendor, to which it cannot.
func hostsByVendor(t *testing.T, s server) (host, same, other string) {
	t.Helper()
	objs, err := s.cimxml().EnumerateInstances(context.Background(), model.Namespace, model.ClassHost)
	if err != nil {
		t.Fatal(err)
	}
	byVendor := map[string][]string{}
	for _, o := range objs {
		vendor, _, _ := strings.Cut(o.Instance.Str("Description"), " ")
		byVendor[vendor] = append(byVendor[vendor], o.Instance.Str("Name"))
	}
	for _, hs := range byVendor {
		if len(hs) >= 2 && host == "" {
			host, same = hs[0], hs[1]
		}
	}
	for _, hs := range byVendor {
		if len(hs) > 0 && hs[0] != host {
			other = hs[0]
		}
	}
	if host == "" || other == "" {
		t.Fatalf("simulated hosts by processor vendor: %v; want two of one vendor and one of another", byVendor)
	}
	return host, same, other
}

// TestScenarioOnTheLibvirtTestDriver runs the same scenario against
// ferrumd with FERRUM_BACKEND=agents and one ferrum-agent serving libvirt's
// test driver through a real libvirtd.
func TestScenarioOnTheLibvirtTestDriver(t *testing.T) {
	env := testenv.Start(t)
	s := startAgentsServer(t)
	s.startAgent(t, "agent-test", "--backend", "libvirt", "--libvirt-uri", env.TestURI)
	hosts := s.waitHosts(t, 1)
	runScenarioOverBothProtocols(t, s, hosts[0], "", "")
}

// runScenarioOverBothProtocols runs the scenario once per protocol on host;
// same and other, if not empty, are hosts the VM can and cannot migrate to.
func runScenarioOverBothProtocols(t *testing.T, s server, host, same, other string) {
	for _, c := range s.clients() {
		t.Run("over "+c.Protocol(), func(t *testing.T) {
			t.Parallel() // the runs create differently named objects
			sc := &scenario{session: newSession(t, c), host: host, same: same, other: other, name: "scn-" + c.Protocol()}
			sc.discover()
			sc.steps(t)
		})
	}
}

// scenario is the state one protocol's run carries from step to step.
type scenario struct {
	*session
	host        string // the VM's host
	same, other string // hosts the VM can and cannot migrate to, or ""
	name        string // prefix of everything the run creates
	pool, sw    string // a concrete disk pool and a switch of the host
	vm          cim.ObjectPath
	vmID        string
}

// step is one stage of the scenario; a failed step ends the run, since the
// later ones build on it.
type step struct {
	name string
	run  func(sc *scenario)
}

func (sc *scenario) steps(t *testing.T) {
	steps := []step{
		{"define a VM with processor, memory, disk and NIC settings", (*scenario).define},
		{"refusals of DefineSystem change nothing", (*scenario).defineRefusals},
		{"refusals of RequestStateChange on the stopped VM change nothing", (*scenario).stateRefusalsWhileOff},
		{"start → EnabledState 2", func(sc *scenario) { sc.changeState(2, 2) }},
		{"pause → EnabledState 9", func(sc *scenario) { sc.changeState(9, 9) }},
		{"reboot of a paused VM → 4097, still paused", func(sc *scenario) { sc.refusedState(10, 4097, 9) }},
		{"resume → EnabledState 2", func(sc *scenario) { sc.changeState(2, 2) }},
		{"reboot → EnabledState 2", func(sc *scenario) { sc.changeState(10, 2) }},
		{"migratable check", (*scenario).migratable},
		{"add a NIC and a disk", (*scenario).addDevices},
		{"modify memory and vCPUs", (*scenario).modifyQuantities},
		{"refusals of the resource methods change nothing", (*scenario).resourceRefusals},
		{"remove a device", (*scenario).removeDevice},
		{"shut down → EnabledState 3", func(sc *scenario) { sc.changeState(4, 3) }},
		{"snapshot create, apply and destroy", (*scenario).snapshots},
		{"destroy", (*scenario).destroy},
		{"pool create, volume create, clone and delete", (*scenario).pools},
		{"switch with a port and a VLAN", (*scenario).switches},
	}
	for _, st := range steps {
		ok := t.Run(st.name, func(t *testing.T) {
			parent := sc.t
			sc.t = t
			defer func() { sc.t = parent }()
			st.run(sc)
		})
		if !ok {
			t.Fatalf("step %q failed; the later steps build on it", st.name)
		}
	}
}

// discover finds, through the host's hosted pools, a concrete disk pool
// (a shared one if there is one: the migration check needs the VM's disks
// on storage both hosts reach) and a switch (network pool) for the VM's
// devices.
func (sc *scenario) discover() {
	sc.t.Helper()
	for _, p := range sc.assocInstances(model.HostPath(sc.host), model.AssocHostedPool, "") {
		_, kind, name, ok := model.ParsePoolID(p.Str("InstanceID"))
		switch {
		case !ok || name == "":
		case kind == model.KindDisk && (sc.pool == "" || sharedPoolTypes[p.Str("ResourceSubType")]):
			sc.pool = name
		case kind == model.KindNetwork && sc.sw == "":
			sc.sw = name
		}
	}
	if sc.pool == "" || sc.sw == "" {
		sc.t.Fatalf("host %s has no concrete disk pool (%q) or network pool (%q)", sc.host, sc.pool, sc.sw)
	}
}

// sharedPoolTypes are the storage pool types (ResourceSubType) other hosts
// reach too.
var sharedPoolTypes = map[string]bool{"netfs": true, "iscsi": true, "rbd": true, "gluster": true}

func (sc *scenario) vsms() cim.ObjectPath { return model.VSMSPath(sc.host) }

// service returns the host's one service of class, found through
// HostedService; ok is false when the host has none.
func (sc *scenario) service(class string) (cim.ObjectPath, bool) {
	sc.t.Helper()
	for _, p := range sc.assoc(model.HostPath(sc.host), model.AssocHostedService, "") {
		if strings.EqualFold(p.ClassName, class) {
			return p, true
		}
	}
	return cim.ObjectPath{}, false
}
