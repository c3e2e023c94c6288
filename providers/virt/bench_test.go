package virt

import (
	"fmt"
	"testing"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// populate defines n VMs spread over the fixture's hosts, each with a NIC,
// and starts every other one; it returns the last VM's UUID.
func populate(b *testing.B, f *fixture, n int) string {
	b.Helper()
	hosts := f.dc.Hosts()
	var last string
	for i := range n {
		h := hosts[i%len(hosts)]
		vm, err := h.VMs().Define(f.ctx, backends.VMSpec{Name: fmt.Sprintf("vm%05d", i), VCPUs: 1, MemoryMiB: 256,
			NICs: []backends.NICSpec{{Switch: "internal"}}})
		if err != nil {
			b.Fatal(err)
		}
		if i%2 == 0 {
			if err := h.VMs().Start(f.ctx, vm.UUID); err != nil {
				b.Fatal(err)
			}
		}
		last = vm.UUID
	}
	return last
}

func BenchmarkEnumerateComputerSystems(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("%dVMs", n), func(b *testing.B) {
			f := newFixture(b, n/100)
			populate(b, f, n)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				count := 0
				err := f.d.EnumerateInstances(f.ctx, ns, model.ClassVM, cimom.InstanceOptions{}, func(cim.ObjectPath, *cim.Instance) bool {
					count++
					return true
				})
				if err != nil || count != n {
					b.Fatalf("%d instances, %v", count, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/vm")
		})
	}
}

func BenchmarkAssociatorsOfOneVM(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("%dVMs", n), func(b *testing.B) {
			f := newFixture(b, n/100)
			vm := model.VMPath(populate(b, f, n))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				count := 0
				err := f.d.Associators(f.ctx, ns, vm, cimom.AssocFilter{}, cimom.InstanceOptions{}, func(cim.ObjectPath, *cim.Instance) bool {
					count++
					return true
				})
				if err != nil || count == 0 {
					b.Fatalf("%d associators, %v", count, err)
				}
			}
		})
	}
}

// BenchmarkVirtAssociationsOfOneVM traverses each of this package's
// association classes from one VM, leaving out interop's
// ElementConformsToProfile, which lists every central instance of every
// profile on each traversal.
func BenchmarkVirtAssociationsOfOneVM(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("%dVMs", n), func(b *testing.B) {
			f := newFixture(b, n/100)
			vm := model.VMPath(populate(b, f, n))
			var classes []string
			for c := range f.p.associations() {
				classes = append(classes, c)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				count := 0
				for _, c := range classes {
					err := f.d.Associators(f.ctx, ns, vm, cimom.AssocFilter{AssocClass: c}, cimom.InstanceOptions{}, func(cim.ObjectPath, *cim.Instance) bool {
						count++
						return true
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				if count == 0 {
					b.Fatal("no associators")
				}
			}
		})
	}
}

func BenchmarkGetInstanceOfOneVM(b *testing.B) {
	f := newFixture(b, 100)
	vm := model.VMPath(populate(b, f, 10000))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.d.GetInstance(f.ctx, ns, vm, cimom.InstanceOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
