package virt_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/ferrum-virt/ferrum/backends/sim"
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/interop"
	"github.com/ferrum-virt/ferrum/providers/virt"
	"github.com/ferrum-virt/ferrum/providers/virt/model"
)

// registry is the shape of ferrumd's host registry: a list of hosts and a
// lookup by host ID.
type registry struct {
	hosts []backends.Host
	byID  map[string]backends.Host
}

func (r registry) Hosts(context.Context) []backends.Host { return r.hosts }

func (r registry) Host(_ context.Context, id string) (backends.Host, error) {
	if h, ok := r.byID[id]; ok {
		return h, nil
	}
	return nil, fmt.Errorf("host %s: %w", id, backends.ErrNotFound)
}

// Example wires the virtualization providers the way ferrumd does: one
// instance store (cimom.SQLStore in production) for the jobs and the VM
// settings Ferrum keeps, interop for profile registration, a job manager,
// and the host registry as the Inventory.
func Example() {
	ctx := context.Background()
	repo, err := cimom.NewSchemaRepository()
	if err != nil {
		log.Fatal(err)
	}
	store := cimom.NewMemoryStore()
	d := cimom.New(repo, store)
	ip, err := interop.Register(d, interop.Config{Host: "mgr.example", Version: "dev"})
	if err != nil {
		log.Fatal(err)
	}
	jm, err := jobs.NewManager(ctx, jobs.Config{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	defer jm.Close(ctx)
	if err := jobs.Register(d, jm); err != nil {
		log.Fatal(err)
	}

	dc, _ := sim.NewDataCenter(sim.Config{Hosts: 2, Seed: 1})
	reg := registry{byID: map[string]backends.Host{}}
	for _, h := range dc.Hosts() {
		reg.hosts = append(reg.hosts, h)
		reg.byID[h.ID()] = h
	}
	if _, err := virt.Register(ctx, d, ip, reg, jm, virt.Options{Store: store}); err != nil {
		log.Fatal(err)
	}

	dc.Host(0).VMs().Define(ctx, backends.VMSpec{Name: "web01", VCPUs: 2, MemoryMiB: 1024})
	d.EnumerateInstances(ctx, model.Namespace, "CIM_ComputerSystem", cimom.InstanceOptions{}, func(_ cim.ObjectPath, in *cim.Instance) bool {
		if in.ClassName == model.ClassVM {
			fmt.Println(in.Str("ElementName"))
		}
		return true
	})
	// Output: web01
}
