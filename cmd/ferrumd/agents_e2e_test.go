package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildCommand builds ./cmd/NAME into a temporary directory.
func buildCommand(t *testing.T, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	out, err := exec.Command("go", "build", "-o", bin, "github.com/ferrum-virt/ferrum/cmd/"+name).CombinedOutput()
	if err != nil {
		t.Fatalf("go build %s: %v\n%s", name, err, out)
	}
	return bin
}

// freeAddr returns a loopback address no one listens on right now.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestAgentsEnrolAndServeTheirHosts runs ferrumd with FERRUM_BACKEND=agents,
// issues join tokens with ferrumctl, starts two ferrum-agents (each with a
// simulated host) and finds both hosts and their virtual servers through
// CIM-XML; a reused token is refused.
func TestAgentsEnrolAndServeTheirHosts(t *testing.T) {
	cli := wbemcli(t)
	ctl, agentBin := buildCommand(t, "ferrumctl"), buildCommand(t, "ferrum-agent")
	data := filepath.Join(t.TempDir(), "data")
	agentAddr := freeAddr(t)
	p := startFerrumd(t, data, "FERRUM_BACKEND=agents", "FERRUM_AGENT_ADDR="+agentAddr, "FERRUM_ADMIN_PASSWORD=agents-e2e-secret")
	httpAddr, _ := p.waitReady()
	defer p.stop(syscall.SIGTERM)

	ctx, cancel := context.WithTimeout(context.Background(), failsafe)
	defer cancel()
	token := func() string {
		out, err := exec.CommandContext(ctx, ctl, "node", "token", "--url", "http://"+httpAddr, "--password", "agents-e2e-secret").Output()
		if err != nil {
			t.Fatalf("ferrumctl node token: %v", err)
		}
		return strings.TrimSpace(string(out))
	}
	startAgent := func(index, tok string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, agentBin, "--backend", "sim", "--sim-index", index, "--manager", agentAddr,
			"--join-token", tok, "--state-dir", filepath.Join(t.TempDir(), "agent"+index), "--heartbeat", "200ms")
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
		return cmd
	}
	first := token()
	startAgent("0", first)
	startAgent("1", token())

	base := "http://admin:agents-e2e-secret@" + httpAddr
	var hosts []string
	for ctx.Err() == nil {
		out, _ := exec.CommandContext(ctx, cli, "-noverify", "ein", base+"/root/virt:Ferrum_HostSystem").Output()
		hosts = strings.Fields(string(out))
		if len(hosts) == 2 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(hosts) != 2 {
		t.Fatalf("hosts seen through the agents: %v", hosts)
	}

	reuse := exec.CommandContext(ctx, agentBin, "--backend", "sim", "--sim-index", "2", "--manager", agentAddr,
		"--join-token", first, "--state-dir", filepath.Join(t.TempDir(), "agent-reuse"))
	out, err := reuse.CombinedOutput()
	if err == nil || !strings.Contains(strings.ToLower(string(out)), "token") {
		t.Fatalf("an agent enrolling with a used token: err %v, output %s", err, out)
	}
}
