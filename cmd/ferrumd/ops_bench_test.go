package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/libvirt"
	"github.com/ferrum-virt/ferrum/backends/libvirt/testenv"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// BenchmarkVMCycleThroughCIMXML measures one VM's define, start, power off
// and destroy as a CIM client sees it — DefineSystem, RequestStateChange 2
// and 3, DestroySystem over CIM-XML, each job awaited — through ferrumd and
// a ferrum-agent in front of libvirt's test driver, and the same four steps
// with go-libvirt directly on the same daemon; "cimxml-agent" reports how
// many times slower it is. Jobs are polled every millisecond.
func BenchmarkVMCycleThroughCIMXML(b *testing.B) {
	env := testenv.Start(b)
	var directNs float64
	b.Run("go-libvirt", func(b *testing.B) {
		h := testenv.Dial(b, env.TestURI, libvirt.Options{})
		ctx, vms := context.Background(), h.VMs()
		for i := 0; b.Loop(); i++ {
			vm, err := vms.Define(ctx, backends.VMSpec{Name: fmt.Sprintf("direct-%d", i), VCPUs: 1, MemoryMiB: 256})
			if err != nil {
				b.Fatal(err)
			}
			for _, op := range []func(context.Context, string) error{vms.Start, vms.Stop, vms.Undefine} {
				if err := op(ctx, vm.UUID); err != nil {
					b.Fatal(err)
				}
			}
		}
		directNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("cimxml-agent", func(b *testing.B) {
		s := startAgentsServer(b)
		s.startAgent(b, "agent-bench", "--backend", "libvirt", "--libvirt-uri", env.TestURI)
		host := s.waitHosts(b, 1)[0]
		sess := newSession(b, s.cimxml())
		for i := 0; b.Loop(); i++ {
			out := sess.runPolling(model.VSMSPath(host), "DefineSystem",
				defineParams(vssdRequest(fmt.Sprintf("cimxml-%d", i)), procRequest(1), memRequest(256)))
			vm := outRef(b, out, "ResultingSystem")
			sess.runPolling(vm, "RequestStateChange", rscParams(2))
			sess.runPolling(vm, "RequestStateChange", rscParams(3))
			sess.runPolling(model.VSMSPath(host), "DestroySystem", affected(vm))
		}
		if directNs > 0 {
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/directNs, "x-direct")
		}
	})
}

// runPolling is run with the job polled every millisecond, so that the
// poll interval does not hide the cost measured.
func (s *session) runPolling(p cim.ObjectPath, method string, in cim.Params) cim.Params {
	s.t.Helper()
	code, out := s.call(p, method, in)
	switch code {
	case 0:
		return out
	case 4096:
		job := s.jobRef(out)
		for {
			j := s.get(job)
			if st, _ := prop(j, "JobState"); st >= jobCompleted {
				if st != jobCompleted {
					s.t.Fatalf("%s: job ended in JobState %d: %s", method, st, j.Str("ErrorDescription"))
				}
				return out
			}
			time.Sleep(time.Millisecond)
		}
	}
	s.t.Fatalf("%s returned %d", method, code)
	return nil
}
