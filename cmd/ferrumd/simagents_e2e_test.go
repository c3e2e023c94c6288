package main

import (
	"bufio"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestSimHostsAreBehindInProcessAgents starts ferrumd on its defaults and
// finds each simulated host served through an in-process ferrum-agent: the
// node registry enrols and links one node per host, the hosts the
// providers serve are exactly those nodes, and join tokens are issued. A
// restart on the same data dir reuses the enrolments: the same hosts, and
// no node enrols again.
func TestSimHostsAreBehindInProcessAgents(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	first := startSimDefaults(t, data)
	hosts := first.waitHosts(t, 4)
	slices.Sort(hosts)
	if got := nodeIDs(first.p.log(), "node enrolled"); !slices.Equal(got, hosts) {
		t.Fatalf("nodes enrolled on the first start: %v; want the hosts served, %v", got, hosts)
	}
	if got := nodeIDs(first.p.log(), "node alive"); !slices.Equal(got, hosts) {
		t.Fatalf("nodes alive: %v; want the hosts served, %v", got, hosts)
	}
	checkLinked(t, first.p.log(), 4, 4)
	first.joinToken(t) // the sim backend has a node registry too
	if code := first.p.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("ferrumd exited with %d on SIGTERM", code)
	}

	second := startSimDefaults(t, data)
	again := second.waitHosts(t, 4)
	slices.Sort(again)
	if !slices.Equal(again, hosts) {
		t.Fatalf("hosts after a restart: %v; want the same as before, %v", again, hosts)
	}
	if got := nodeIDs(second.p.log(), "node enrolled"); len(got) != 0 {
		t.Fatalf("nodes enrolled again after a restart: %v; want none (the agents keep their certificates)", got)
	}
	if got := nodeIDs(second.p.log(), "node alive"); !slices.Equal(got, hosts) {
		t.Fatalf("nodes alive after a restart: %v; want %v", got, hosts)
	}
	checkLinked(t, second.p.log(), 4, 0)
	second.p.stop(syscall.SIGTERM)
}

// startSimDefaults starts ferrumd on data with no backend settings; it is
// killed when the test ends unless stopped before.
func startSimDefaults(t *testing.T, data string) server {
	t.Helper()
	p := startFerrumd(t, data, "FERRUM_ADMIN_PASSWORD="+scenarioPassword)
	httpAddr, _ := p.waitReady()
	return server{p: p, httpAddr: httpAddr}
}

// logRecords returns the JSON log records whose msg is msg.
func logRecords(log, msg string) []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// nodeIDs returns the sorted, distinct hosts of the records msg.
func nodeIDs(log, msg string) []string {
	var ids []string
	for _, rec := range logRecords(log, msg) {
		if id, _ := rec["host"].(string); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// checkLinked checks the start-up summary of the in-process agents.
func checkLinked(t *testing.T, log string, agents, enrolled float64) {
	t.Helper()
	recs := logRecords(log, "simulated hosts linked through in-process agents")
	if len(recs) != 1 || recs[0]["agents"] != agents || recs[0]["enrolled"] != enrolled {
		t.Fatalf("in-process agents summary: %v; want agents=%v enrolled=%v", recs, agents, enrolled)
	}
}
