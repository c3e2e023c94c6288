package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	wbem "github.com/ferrum-virt/ferrum/conformance/client"
)

// scenarioPassword is the admin password of every ferrumd the scenario
// tests start.
const scenarioPassword = "scenario-e2e-secret"

// server is a running ferrumd the scenario tests talk to.
type server struct {
	p         *proc
	httpAddr  string
	agentAddr string // with FERRUM_BACKEND=agents
}

// cimxml and wsman return a client of each protocol for the server.
func (s server) cimxml() wbem.Client {
	return wbem.NewCIMXML(wbem.Config{URL: "http://" + s.httpAddr + "/cimom", User: "admin", Password: scenarioPassword})
}

func (s server) wsman() wbem.Client {
	return wbem.NewWSMan(wbem.Config{URL: "http://" + s.httpAddr + "/wsman", User: "admin", Password: scenarioPassword})
}

// clients returns one client per protocol, CIM-XML first.
func (s server) clients() []wbem.Client { return []wbem.Client{s.cimxml(), s.wsman()} }

// startServer starts ferrumd with the scenario password, HTTP only, plus
// env, and waits until it is ready.
func startServer(t testing.TB, env ...string) server {
	t.Helper()
	env = append([]string{"FERRUM_ADMIN_PASSWORD=" + scenarioPassword, "FERRUM_LOG_LEVEL=info"}, env...)
	p := startFerrumd(t, filepath.Join(t.TempDir(), "data"), env...)
	httpAddr, _ := p.waitReady()
	t.Cleanup(func() { p.stop(syscall.SIGTERM) })
	return server{p: p, httpAddr: httpAddr}
}

// startSimServer starts ferrumd on the sim backend with hosts hosts and no
// predefined virtual servers.
func startSimServer(t testing.TB, hosts int) server {
	t.Helper()
	return startServer(t, "FERRUM_BACKEND=sim", fmt.Sprintf("FERRUM_SIM_HOSTS=%d", hosts), "FERRUM_SIM_VMS=0")
}

// startAgentsServer starts ferrumd with FERRUM_BACKEND=agents, waiting for
// agents on a free loopback port.
func startAgentsServer(t testing.TB) server {
	t.Helper()
	addr := freeAddr(t)
	s := startServer(t, "FERRUM_BACKEND=agents", "FERRUM_AGENT_ADDR="+addr)
	s.agentAddr = addr
	return s
}

// joinToken asks the server for a one-time join token (POST
// /admin/join-token, what `ferrumctl node token` does).
func (s server) joinToken(t testing.TB) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+s.httpAddr+"/admin/join-token", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("admin", scenarioPassword)
	resp, err := (&http.Client{Timeout: failsafe}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 || body.Token == "" {
		t.Fatalf("POST /admin/join-token: %d %v %+v", resp.StatusCode, err, body)
	}
	return body.Token
}

var (
	agentBuild   sync.Once
	agentBinPath string
	agentBuilt   error
)

// agentBinary builds ferrum-agent once for the whole test binary, beside
// ferrumd (TestMain removes that directory).
func agentBinary(t testing.TB) string {
	t.Helper()
	agentBuild.Do(func() {
		agentBinPath = filepath.Join(filepath.Dir(ferrumdBin), "ferrum-agent")
		out, err := exec.Command("go", "build", "-o", agentBinPath, "github.com/ferrum-virt/ferrum/cmd/ferrum-agent").CombinedOutput()
		if err != nil {
			agentBuilt = fmt.Errorf("go build ferrum-agent: %v\n%s", err, out)
		}
	})
	if agentBuilt != nil {
		t.Fatal(agentBuilt)
	}
	return agentBinPath
}

// startAgent enrols a ferrum-agent with args (its backend) on the server;
// it runs until the test ends.
func (s server) startAgent(t testing.TB, name string, args ...string) {
	t.Helper()
	args = append([]string{"--manager", s.agentAddr, "--join-token", s.joinToken(t),
		"--state-dir", filepath.Join(t.TempDir(), name), "--heartbeat", "200ms"}, args...)
	cmd := exec.Command(agentBinary(t), args...)
	log, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("%s log:\n%s", name, b)
		}
		log.Close()
	})
}

// waitHosts waits until the server serves n hosts and returns their names
// (the Name keys of Ferrum_HostSystem).
func (s server) waitHosts(t testing.TB, n int) []string {
	t.Helper()
	c := s.cimxml()
	ctx, cancel := context.WithTimeout(context.Background(), failsafe)
	defer cancel()
	for {
		paths, err := c.EnumerateInstanceNames(ctx, "root/virt", "Ferrum_HostSystem")
		if err == nil && len(paths) >= n {
			var names []string
			for _, p := range paths {
				v, _ := p.Key("Name")
				names = append(names, v.Text())
			}
			return names
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d hosts seen after %v (want %d): %v", len(paths), failsafe, n, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
