package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/agent/agenttest"
	"github.com/ferrum-virt/ferrum/agent/manager"
	"github.com/ferrum-virt/ferrum/backends/sim"
	"github.com/spf13/pflag"
)

func load(t *testing.T, args ...string) (config, error) {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	registerFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return loadConfig(fs)
}

func TestConfigPrecedenceIsFlagsThenEnvironmentThenDefaults(t *testing.T) {
	t.Setenv("FERRUM_AGENT_MANAGER", "env:5990")
	t.Setenv("FERRUM_AGENT_BACKEND", "sim")
	t.Setenv("FERRUM_AGENT_HEARTBEAT", "2s")
	t.Setenv("FERRUM_AGENT_LIBVIRT_DOMAIN_TYPE", "kvm")
	c, err := load(t, "--heartbeat", "250ms", "--sim-index", "3", "--libvirt-domain-type", "qemu")
	if err != nil {
		t.Fatal(err)
	}
	if c.Manager != "env:5990" || c.Backend != "sim" || c.Heartbeat != 250*time.Millisecond || c.SimIndex != 3 || c.DomainType != "qemu" {
		t.Fatalf("config %+v", c)
	}
	if c.StateDir != "/var/lib/ferrum-agent" || c.ReconnectMax != 30*time.Second || c.LibvirtURI != "qemu:///system" {
		t.Fatalf("defaults %+v", c)
	}
}

func TestInvalidSettingsAreEachReported(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a missing manager is reported", []string{"--backend", "sim"}, "--manager"},
		{"an unknown backend is reported", []string{"--manager", "m:1", "--backend", "xen"}, "must be libvirt or sim"},
		{"a zero heartbeat is reported", []string{"--manager", "m:1", "--backend", "sim", "--heartbeat", "0s"}, "--heartbeat"},
		{"a sim index that is not a number is reported", []string{"--manager", "m:1", "--backend", "sim", "--sim-index", "2x"}, "--sim-index"},
		{"an unknown log level is reported", []string{"--manager", "m:1", "--backend", "sim", "--log-level", "loud"}, "--log-level"},
		{"an unknown domain type is reported", []string{"--manager", "m:1", "--backend", "libvirt", "--libvirt-domain-type", "xen"}, "--libvirt-domain-type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(t.Context(), tt.args, &bytes.Buffer{}, &stderr)
			if code != exitUsage || !strings.Contains(stderr.String(), tt.want) {
				t.Fatalf("exit %d, stderr %q; want %d naming %s", code, stderr.String(), exitUsage, tt.want)
			}
		})
	}
}

func TestAnUnreachableLibvirtDaemonFailsTheStart(t *testing.T) {
	var stderr bytes.Buffer
	code := run(t.Context(), []string{"--manager", "m:1", "--backend", "libvirt", "--state-dir", t.TempDir(),
		"--libvirt-uri", "qemu:///system?socket=" + t.TempDir() + "/no-libvirtd.sock"}, &bytes.Buffer{}, &stderr)
	if code != exitFailure || !strings.Contains(stderr.String(), "no-libvirtd.sock") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}

// TestAgentEnrolsServesAndStops runs the command against an in-process
// manager: it enrols with the token, comes alive, serves calls, and on
// cancellation (SIGTERM) says goodbye and exits 0.
func TestAgentEnrolsServesAndStops(t *testing.T) {
	m := agenttest.StartManager(t)
	tok, err := m.NewJoinToken(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := sim.NewDataCenter(sim.Config{Hosts: 3, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	id := dc.Host(2).ID()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	t.Setenv("FERRUM_AGENT_JOIN_TOKEN", tok.Value)
	exit := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		exit <- run(ctx, []string{"--manager", m.Addr, "--backend", "sim", "--sim-seed", "42", "--sim-index", "2",
			"--state-dir", t.TempDir(), "--heartbeat", "50ms", "--log-level", "debug"}, &bytes.Buffer{}, &stderr)
	}()
	if err := agenttest.WaitState(t.Context(), m.Registry, id, manager.StateAlive); err != nil {
		cancel()
		<-exit
		t.Fatalf("%v; agent log:\n%s", err, stderr.String())
	}
	h, err := m.Host(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	info, err := h.Info(t.Context())
	if err != nil || info.ID != id {
		t.Fatalf("Info through the agent = %+v, %v", info.ID, err)
	}
	cancel()
	if code := <-exit; code != 0 {
		t.Fatalf("exit %d after cancellation; log:\n%s", code, stderr.String())
	}
	if err := agenttest.WaitState(t.Context(), m.Registry, id, manager.StateDead); err != nil {
		t.Fatalf("after the agent stopped: %v", err)
	}
}
