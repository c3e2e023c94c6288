package conformance_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/conformance"
	"github.com/ferrum-virt/ferrum/conformance/client"
)

// TestSuiteAgainstFerrumd builds ferrumd, starts it on a fresh data
// directory and runs the whole suite over both protocols: no check may fail
// for the profiles it advertises.
func TestSuiteAgainstFerrumd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs ferrumd; not in -short mode")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "ferrumd")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/ferrumd").CombinedOutput(); err != nil {
		t.Fatalf("go build ferrumd: %v\n%s", err, out)
	}
	const password = "conformance-e2e"
	cmd := exec.Command(bin)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FERRUM_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "FERRUM_DATA_DIR="+filepath.Join(dir, "data"), "FERRUM_HTTP_ADDR=127.0.0.1:0", "FERRUM_HTTPS_ADDR=",
		"FERRUM_LOG_FORMAT=json", "FERRUM_ADMIN_PASSWORD="+password)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == "ferrumd ready" {
				addr, _ := rec["http"].(string)
				ready <- addr
			}
		}
	}()
	var addr string
	select {
	case addr = <-ready:
	case <-time.After(time.Minute):
		t.Fatal("ferrumd not ready after a minute")
	}
	cfg := client.Config{URL: "http://" + addr + "/cimom", User: "admin", Password: password}
	wcfg := cfg
	wcfg.URL = "http://" + addr + "/wsman"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cimxml := client.NewCIMXML(cfg)
	before := virtualSystems(ctx, t, cimxml)
	rep := conformance.Run(ctx, addr, []client.Client{cimxml, client.NewWSMan(wcfg)}, conformance.Options{Destructive: true})
	if after := virtualSystems(ctx, t, cimxml); !slices.Equal(before, after) {
		t.Errorf("the destructive checks left the virtual systems %v, found %v", after, before)
	}
	for _, r := range rep.Results {
		if r.Status == conformance.Fail {
			t.Errorf("FAIL %s %s %s: %s", r.Profile, r.Protocol, r.Check, r.Reason)
		}
	}
	if p, _, _ := rep.Counts(); p == 0 {
		t.Errorf("nothing passed: %s", rep.Summary())
	}
	t.Log(rep.Summary())
}

// virtualSystems lists the ElementNames of the DSP1057 central instances.
func virtualSystems(ctx context.Context, t *testing.T, c client.Client) []string {
	d := conformance.Discover(ctx, c)
	p := d.Profile("DSP1057")
	if p == nil {
		t.Fatalf("no DSP1057 profile: %v", d.Err)
	}
	var out []string
	for _, vm := range p.Central {
		inst, err := c.GetInstance(ctx, vm)
		if err != nil {
			t.Fatalf("GetInstance %s: %v", vm, err)
		}
		out = append(out, inst.Str("ElementName"))
	}
	slices.Sort(out)
	return out
}
