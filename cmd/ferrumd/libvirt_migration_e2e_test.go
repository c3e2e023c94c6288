package main

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends/libvirt/testenv"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// migrationHosts is ferrumd with two ferrum-agents on the QEMU daemons A
// and B of the test environment.
type migrationHosts struct {
	s    server
	a, b string // the hosts' names (Ferrum_HostSystem.Name)
}

// startMigrationHosts starts ferrumd with FERRUM_BACKEND=agents and one
// ferrum-agent per QEMU daemon. The daemons run in network namespaces
// fe-a and fe-b, joined by a veth; the agents run here, in the host's
// namespace, and reach their daemon through its unix socket, which is
// fine. Each agent advertises that socket's URI as its migration URI
// (--migration-uri): the source agent dials the destination's migration
// URI itself (for the check and the job's progress), and from this
// namespace the daemons' TCP peer URIs (APeer, BPeer, on the veth) cannot
// be reached. The source daemon, in its namespace, reaches the unix socket
// too (the file system is shared), and QEMU's own migration stream goes
// over the veth to the address the destination daemon names
// (migration_host in its qemu.conf).
func startMigrationHosts(t *testing.T) migrationHosts {
	t.Helper()
	env := testenv.Start(t)
	s := startAgentsServer(t)
	// TCG guests, as on hosts without KVM (this machine may have it).
	tcg := []string{"--backend", "libvirt", "--libvirt-domain-type", "qemu"}
	s.startAgent(t, "agent-a", append(tcg, "--libvirt-uri", env.AURI, "--migration-uri", env.AURI)...)
	a := s.waitHosts(t, 1)[0]
	s.startAgent(t, "agent-b", append(tcg, "--libvirt-uri", env.BURI, "--migration-uri", env.BURI)...)
	var b string
	for _, h := range s.waitHosts(t, 2) {
		if h != a {
			b = h
		}
	}
	return migrationHosts{s: s, a: a, b: b}
}

// TestLibvirtLiveMigrationThroughTwoAgents defines a guest on daemon A over
// CIM-XML, starts it, checks it can move to B, migrates it live with the
// job's progress rising to completion, finds it running on B with the
// migration's figures on the job, and migrates it back.
//
// The agents define TCG guests (--libvirt-domain-type qemu). ferrum-agent
// has no option for a direct kernel boot (libvirt.Options GuestKernel) and
// no VSSD or RASD property expresses one, so the guest is diskless: QEMU
// runs it (the firmware finds nothing to boot and waits), which is all a
// live migration needs.
func TestLibvirtLiveMigrationThroughTwoAgents(t *testing.T) {
	m := startMigrationHosts(t)
	s := newSession(t, m.s.cimxml())
	out, _ := s.run(model.VSMSPath(m.a), "DefineSystem", defineParams(vssdRequest("migrating-guest"), procRequest(1), memRequest(256)))
	vm := outRef(t, out, "ResultingSystem")
	t.Cleanup(func() { removeGuest(s, vm) })
	s.run(vm, "RequestStateChange", rscParams(2))
	s.requireState(vm, 2)
	s.requireLinked(vm, model.AssocHostedDependency, model.HostPath(m.a), true)
	requireDomainType(t, testenv.Start(t).AURI, vm, "qemu")
	requireMigrationRefusals(s, migrationService(s, m.a), vm, m.a)

	for _, leg := range []struct{ name, from, to string }{{"A to B", m.a, m.b}, {"B back to A", m.b, m.a}} {
		ok := t.Run("live migration "+leg.name, func(t *testing.T) {
			s := newSession(t, s.c)
			svc := migrationService(s, leg.from)
			out, _ := s.run(svc, "CheckVirtualSystemIsMigratableToHost", toHostParams(vm, leg.to, 0))
			if ok, _ := boolParam(out, "IsMigratable"); !ok {
				t.Fatalf("IsMigratable %v from %s to %s", out, leg.from, leg.to)
			}
			migrateLive(s, svc, vm, leg.to)
			s.requireState(vm, 2)
			s.requireLinked(vm, model.AssocHostedDependency, model.HostPath(leg.to), true)
			s.requireLinked(vm, model.AssocHostedDependency, model.HostPath(leg.from), false)
		})
		if !ok {
			t.Fatalf("migration %s failed; the way back starts from there", leg.name)
		}
	}
}

// requireDomainType requires the libvirt domain of vm on the daemon at
// uri to be of type want ("qemu" is TCG).
func requireDomainType(t *testing.T, uri string, vm cim.ObjectPath, want string) {
	t.Helper()
	name, _ := vm.Key("Name")
	out, err := exec.Command("virsh", "-c", uri, "dumpxml", name.Str()).CombinedOutput()
	if err != nil {
		t.Fatalf("virsh dumpxml %s: %v\n%s", name.Str(), err, out)
	}
	if !strings.Contains(string(out), "<domain type='"+want+"'") {
		t.Fatalf("domain %s is not of type %s:\n%.300s", name.Str(), want, out)
	}
}

// requireMigrationRefusals requires bad migrations of vm, running on host,
// to be refused at once, leaving it running there.
func requireMigrationRefusals(s *session, svc, vm cim.ObjectPath, host string) {
	s.t.Helper()
	migrate := "MigrateVirtualSystemToHost"
	s.requireRefusals([]refusal{
		{name: "to the host it runs on", target: svc, method: migrate, in: toHostParams(vm, host, 2), code: 4},
		{name: "to an unknown host", target: svc, method: migrate, in: toHostParams(vm, "no-such-host.invalid", 2), code: 4},
		{name: "of an unknown VM", target: svc, method: migrate, in: toHostParams(model.VMPath(unknownVM), host, 2), code: 4},
		{name: "without ComputerSystem", target: svc, method: migrate,
			in: cim.Params{{Name: "DestinationHost", Value: cim.String(host)}}, code: 4},
	}, func() {
		s.requireState(vm, 2)
		s.requireLinked(vm, model.AssocHostedDependency, model.HostPath(host), true)
	})
}

// migrationService returns host's migration service, found through
// HostedService.
func migrationService(s *session, host string) cim.ObjectPath {
	s.t.Helper()
	for _, p := range s.assoc(model.HostPath(host), model.AssocHostedService, "") {
		if p.ClassName == classMigrationService {
			return p
		}
	}
	s.t.Fatalf("host %s has no %s", host, classMigrationService)
	return cim.ObjectPath{}
}

// migrateLive migrates vm live to dest, requires the job's PercentComplete
// never to go back and to end at 100 in Completed, and logs the figures
// the job reports.
func migrateLive(s *session, svc, vm cim.ObjectPath, dest string) {
	s.t.Helper()
	start := time.Now()
	code, out := s.call(svc, "MigrateVirtualSystemToHost", toHostParams(vm, dest, 2))
	if code != 4096 {
		s.t.Fatalf("MigrateVirtualSystemToHost returned %d, want 4096", code)
	}
	var percents []uint64
	j := s.pollJob(s.jobRef(out), func(j *cim.Instance) {
		if p, ok := prop(j, "PercentComplete"); ok && (len(percents) == 0 || percents[len(percents)-1] != p) {
			percents = append(percents, p)
		}
	})
	elapsed := time.Since(start)
	if st, _ := prop(j, "JobState"); st != jobCompleted {
		s.t.Fatalf("migration job ended in JobState %d: %s", st, j.Str("ErrorDescription"))
	}
	for i := 1; i < len(percents); i++ {
		if percents[i] < percents[i-1] {
			s.t.Fatalf("PercentComplete went back: %v", percents)
		}
	}
	if len(percents) == 0 || percents[len(percents)-1] != 100 {
		s.t.Fatalf("PercentComplete %v does not end at 100", percents)
	}
	figures := jobFigures(s, j)
	s.t.Logf("migration to %s: PercentComplete %v, %s; %v from the call to the job's end as polled", dest, percents, figures, elapsed)
}

// jobFigures returns the migration's figures from the job's
// JobOutParameters, requiring a downtime.
func jobFigures(s *session, j *cim.Instance) string {
	s.t.Helper()
	jo, _ := j.Get("JobOutParameters")
	params := jo.AsInstance()
	if params == nil {
		s.t.Fatalf("finished migration job without JobOutParameters: %v", j)
	}
	down, ok := params.Get("Downtime")
	if !ok || down.IsNull() {
		s.t.Fatalf("JobOutParameters without Downtime: %v", params)
	}
	total, _ := params.Get("TotalTime")
	rounds, _ := params.Get("Rounds")
	sent, _ := params.Get("BytesSent")
	return "downtime " + interval(down) + ", total time " + interval(total) + ", rounds " + rounds.Text() + ", bytes sent " + sent.Text()
}

// interval renders a CIM interval (either protocol's form) as a duration.
func interval(v cim.Value) string {
	d, ok := v.AsDatetime()
	if !ok {
		var err error
		d, err = cim.ParseDatetime(v.Text())
		ok = err == nil
	}
	if dur, err := d.Duration(); ok && err == nil {
		return dur.String()
	}
	return v.Text()
}

// removeGuest stops and destroys vm wherever it is, so a failed run leaves
// no domain on the daemons.
func removeGuest(s *session, vm cim.ObjectPath) {
	hosts, err := s.c.AssociatorNames(s.ctx, vm, wbemAssoc(model.AssocHostedDependency))
	if err != nil || len(hosts) != 1 {
		return
	}
	host, _ := model.HostOf(hosts[0])
	s.c.InvokeMethod(s.ctx, vm, "RequestStateChange", rscParams(3))
	if rv, out, err := s.c.InvokeMethod(s.ctx, model.VSMSPath(host), "DestroySystem", affected(vm)); err == nil && mustUint(rv) == 4096 {
		s.waitJob(out)
	}
}
