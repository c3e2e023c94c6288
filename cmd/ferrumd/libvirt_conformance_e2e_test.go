package main

import (
	"context"
	"testing"

	"github.com/ferrum-virt/ferrum/backends/libvirt/testenv"
	"github.com/ferrum-virt/ferrum/conformance"
	wbem "github.com/ferrum-virt/ferrum/conformance/client"
)

// TestLibvirtConformanceOnTheTestDriver runs the whole conformance suite,
// destructive checks included, over CIM-XML and WS-Man against ferrumd
// backed by one ferrum-agent on libvirt's test driver: no check may fail.
func TestLibvirtConformanceOnTheTestDriver(t *testing.T) {
	env := testenv.Start(t)
	s := startAgentsServer(t)
	s.startAgent(t, "agent-conformance", "--backend", "libvirt", "--libvirt-uri", env.TestURI)
	s.waitHosts(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), failsafe)
	defer cancel()
	rep := conformance.Run(ctx, s.httpAddr, []wbem.Client{s.cimxml(), s.wsman()}, conformance.Options{Destructive: true})
	for _, r := range rep.Results {
		if r.Status == conformance.Fail {
			t.Errorf("FAIL %s %s %s: %s", r.Profile, r.Protocol, r.Check, r.Reason)
		}
	}
	if passed, _, _ := rep.Counts(); passed == 0 {
		t.Errorf("nothing passed: %s", rep.Summary())
	}
	t.Log(rep.Summary())
}
