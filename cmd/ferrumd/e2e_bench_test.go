package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkEndToEnd measures a real ferrumd over loopback, as a client
// sees it: CIM-XML and WS-Management enumerations of Ferrum_ComputerSystem
// at 1k and 10k virtual servers (100k with FERRUM_BENCH_LARGE=1), single
// instance fetches, and ferrumd's peak RSS. It prints one table row per
// measurement: go test -run '^$' -bench EndToEnd ./cmd/ferrumd
func BenchmarkEndToEnd(b *testing.B) {
	sizes := []int{1000, 10000}
	if os.Getenv("FERRUM_BENCH_LARGE") != "" {
		sizes = append(sizes, 100000)
	}
	fmt.Printf("\n%-8s %-44s %12s %12s %10s %10s %10s\n", "VMs", "operation", "inst/s", "bytes/inst", "p50", "p99", "RSS MiB")
	for _, n := range sizes {
		b.Run(fmt.Sprintf("vms=%d", n), func(b *testing.B) {
			for b.Loop() {
				benchSize(b, n)
			}
		})
	}
}

type benchServer struct {
	b        *testing.B
	url      string
	password string
	pid      int
	n        int
}

func benchSize(b *testing.B, n int) {
	data := filepath.Join(b.TempDir(), "data")
	hosts := n / 250
	p := startFerrumd(b, data, "FERRUM_SIM_HOSTS="+strconv.Itoa(hosts), "FERRUM_SIM_VMS=250", "FERRUM_LOG_LEVEL=info")
	defer p.stop(syscall.SIGTERM)
	httpAddr, _ := p.waitReady()
	pw, _ := os.ReadFile(filepath.Join(data, "admin-password"))
	s := &benchServer{b: b, url: "http://" + httpAddr, password: strings.TrimSpace(string(pw)), pid: p.cmd.Process.Pid, n: n}
	waitIdle(b, s.pid)
	s.post("/cimom", "EnumerateInstances", "root/virt", imethod("EnumerateInstances", vmClass)) // warm caches and the heap
	s.cimxmlEnumerate("EnumerateInstances", "VALUE.NAMEDINSTANCE")
	s.cimxmlEnumerate("EnumerateInstanceNames", "INSTANCENAME")
	s.cimxmlPull()
	s.cimxmlGet()
	s.wsmanEnumerate(100)
	s.wsmanEnumerate(1000)
	s.wsmanLatency("Identify", identifyRequest, "")
	s.wsmanGet()
}

func (s *benchServer) row(op string, insts int, bytes int64, d time.Duration, lat []time.Duration) {
	rate, per := "", ""
	if insts > 0 {
		rate = fmt.Sprintf("%.0f", float64(insts)/d.Seconds())
		per = fmt.Sprintf("%d", bytes/int64(insts))
	}
	p50, p99 := "", ""
	if len(lat) > 0 {
		slices.Sort(lat)
		p50 = lat[len(lat)/2].Round(time.Microsecond).String()
		p99 = lat[len(lat)*99/100].Round(time.Microsecond).String()
	}
	fmt.Printf("%-8d %-44s %12s %12s %10s %10s %10s\n", s.n, op, rate, per, p50, p99, peakRSS(s.pid))
}

// waitIdle waits until ferrumd has finished the work it does after it is
// ready (the lifecycle indications' baseline of every VM, the agents'
// first heartbeats): until it used under a tenth of a core over half a
// second, for a minute at most. The figures are of the steady state.
func waitIdle(b *testing.B, pid int) {
	b.Helper()
	ticks := func() int64 {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			b.Fatal(err)
		}
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		return utime + stime // clock ticks, 100 a second
	}
	for end := time.Now().Add(time.Minute); time.Now().Before(end); {
		before := ticks()
		time.Sleep(500 * time.Millisecond)
		if ticks()-before <= 5 {
			return
		}
	}
}

// peakRSS is ferrumd's VmHWM from /proc, in MiB.
func peakRSS(pid int) string {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status)
	if m == nil {
		return "?"
	}
	kb, _ := strconv.Atoi(string(m[1]))
	return fmt.Sprintf("%.0f", float64(kb)/1024)
}

func (s *benchServer) post(path, op, object, body string) (int, []byte) {
	req, _ := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(body))
	req.SetBasicAuth("admin", s.password)
	if op != "" {
		req.Header.Set("Content-Type", `application/xml; charset="utf-8"`)
		req.Header.Set("CIMOperation", "MethodCall")
		req.Header.Set("CIMMethod", op)
		req.Header.Set("CIMObject", object)
		req.Header.Set("CIMProtocolVersion", "1.0")
	} else {
		req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.b.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func imethod(name, params string) string {
	return `<?xml version="1.0" encoding="utf-8"?><CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE ID="1" PROTOCOLVERSION="1.0"><SIMPLEREQ>` +
		`<IMETHODCALL NAME="` + name + `"><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="virt"/></LOCALNAMESPACEPATH>` +
		params + `</IMETHODCALL></SIMPLEREQ></MESSAGE></CIM>`
}

const vmClass = `<IPARAMVALUE NAME="ClassName"><CLASSNAME NAME="Ferrum_ComputerSystem"/></IPARAMVALUE>`

func (s *benchServer) cimxmlEnumerate(op, element string) {
	start := time.Now()
	code, body := s.post("/cimom", op, "root/virt", imethod(op, vmClass))
	d := time.Since(start)
	got := bytes.Count(body, []byte("<"+element+">")) + bytes.Count(body, []byte("<"+element+" "))
	if code != 200 || got < s.n {
		s.b.Fatalf("%s: status %d, %d of %d instances", op, code, got, s.n)
	}
	s.row("CIM-XML "+op, got, int64(len(body)), d, nil)
}

var contextRE = regexp.MustCompile(`NAME="EnumerationContext"[^>]*>\s*<VALUE>([^<]*)</VALUE>`)

func (s *benchServer) cimxmlPull() {
	start := time.Now()
	_, body := s.post("/cimom", "OpenEnumerateInstances", "root/virt", imethod("OpenEnumerateInstances", vmClass+
		`<IPARAMVALUE NAME="MaxObjectCount"><VALUE>1000</VALUE></IPARAMVALUE>`))
	total, size := bytes.Count(body, []byte("<VALUE.INSTANCEWITHPATH>")), int64(len(body))
	for !bytes.Contains(body, []byte("EndOfSequence")) || !regexp.MustCompile(`NAME="EndOfSequence"[^>]*>\s*<VALUE>TRUE`).Match(body) {
		m := contextRE.FindSubmatch(body)
		if m == nil {
			s.b.Fatalf("pull: no enumeration context in %.500s", body)
		}
		_, body = s.post("/cimom", "PullInstancesWithPath", "root/virt", imethod("PullInstancesWithPath",
			`<IPARAMVALUE NAME="EnumerationContext"><VALUE>`+string(m[1])+`</VALUE></IPARAMVALUE><IPARAMVALUE NAME="MaxObjectCount"><VALUE>1000</VALUE></IPARAMVALUE>`))
		total += bytes.Count(body, []byte("<VALUE.INSTANCEWITHPATH>"))
		size += int64(len(body))
	}
	if total < s.n {
		s.b.Fatalf("pull: %d of %d instances", total, s.n)
	}
	s.row("CIM-XML OpenEnumerateInstances+Pull (1000)", total, size, time.Since(start), nil)
}

var nameKeyRE = regexp.MustCompile(`<KEYBINDING NAME="Name">\s*<KEYVALUE[^>]*>([^<]+)</KEYVALUE>`)

func (s *benchServer) firstVM() string {
	_, body := s.post("/cimom", "EnumerateInstanceNames", "root/virt", imethod("EnumerateInstanceNames", vmClass))
	m := nameKeyRE.FindSubmatch(body)
	if m == nil {
		s.b.Fatalf("no VM name in %.500s", body)
	}
	return string(m[1])
}

func (s *benchServer) cimxmlGet() {
	name := s.firstVM()
	req := imethod("GetInstance", `<IPARAMVALUE NAME="InstanceName"><INSTANCENAME CLASSNAME="Ferrum_ComputerSystem">`+
		`<KEYBINDING NAME="CreationClassName"><KEYVALUE VALUETYPE="string">Ferrum_ComputerSystem</KEYVALUE></KEYBINDING>`+
		`<KEYBINDING NAME="Name"><KEYVALUE VALUETYPE="string">`+name+`</KEYVALUE></KEYBINDING></INSTANCENAME></IPARAMVALUE>`)
	lat := make([]time.Duration, 0, 300)
	for range 300 {
		start := time.Now()
		code, body := s.post("/cimom", "GetInstance", "root/virt", req)
		lat = append(lat, time.Since(start))
		if code != 200 || !bytes.Contains(body, []byte("<INSTANCE ")) {
			s.b.Fatalf("GetInstance: %d %.300s", code, body)
		}
	}
	s.row("CIM-XML GetInstance", 0, 0, 0, lat)
}

func wsmanRequest(action, headers, body string) string {
	return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" ` +
		`xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:wsen="http://schemas.xmlsoap.org/ws/2004/09/enumeration"><s:Header>` +
		`<wsa:To>/wsman</wsa:To><wsman:ResourceURI>http://schemas.ferrum.dev/wbem/wscim/1/cim-schema/2/Ferrum_ComputerSystem</wsman:ResourceURI>` +
		`<wsa:ReplyTo><wsa:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:Address></wsa:ReplyTo>` +
		`<wsa:Action>` + action + `</wsa:Action><wsa:MessageID>uuid:6f1c1b46-2c3e-4f57-9d3d-9f0a0d4e1a02</wsa:MessageID>` +
		`<wsman:MaxEnvelopeSize>104857600</wsman:MaxEnvelopeSize>` + headers + `</s:Header><s:Body>` + body + `</s:Body></s:Envelope>`
}

const enumAction = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/"

var wsContextRE = regexp.MustCompile(`<wsen:EnumerationContext>([^<]+)</wsen:EnumerationContext>`)

func (s *benchServer) wsmanEnumerate(max int) {
	start := time.Now()
	m := strconv.Itoa(max)
	_, body := s.post("/wsman", "", "", wsmanRequest(enumAction+"Enumerate", "",
		`<wsen:Enumerate><wsman:OptimizeEnumeration/><wsman:MaxElements>`+m+`</wsman:MaxElements></wsen:Enumerate>`))
	count := func(b []byte) int {
		return bytes.Count(b, []byte(":Ferrum_ComputerSystem ")) + bytes.Count(b, []byte(":Ferrum_ComputerSystem>"))
	}
	total, size := count(body), int64(len(body))
	for !bytes.Contains(body, []byte("EndOfSequence")) {
		mm := wsContextRE.FindSubmatch(body)
		if mm == nil {
			s.b.Fatalf("wsman pull: no context in %.500s", body)
		}
		_, body = s.post("/wsman", "", "", wsmanRequest(enumAction+"Pull", "",
			`<wsen:Pull><wsen:EnumerationContext>`+string(mm[1])+`</wsen:EnumerationContext><wsen:MaxElements>`+m+`</wsen:MaxElements></wsen:Pull>`))
		total += count(body)
		size += int64(len(body))
	}
	if total < s.n {
		s.b.Fatalf("wsman enumerate: %d of %d items", total, s.n)
	}
	s.row("WS-Man Enumerate+Pull (MaxElements "+m+")", total, size, time.Since(start), nil)
}

func (s *benchServer) wsmanLatency(op, req, must string) {
	lat := make([]time.Duration, 0, 300)
	for range 300 {
		start := time.Now()
		code, body := s.post("/wsman", "", "", req)
		lat = append(lat, time.Since(start))
		if code != 200 || !bytes.Contains(body, []byte(must)) {
			s.b.Fatalf("WS-Man %s: %d %.300s", op, code, body)
		}
	}
	s.row("WS-Man "+op, 0, 0, 0, lat)
}

func (s *benchServer) wsmanGet() {
	name := s.firstVM()
	selectors := `<wsman:SelectorSet><wsman:Selector Name="CreationClassName">Ferrum_ComputerSystem</wsman:Selector>` +
		`<wsman:Selector Name="Name">` + name + `</wsman:Selector></wsman:SelectorSet>`
	s.wsmanLatency("Get", wsmanRequest("http://schemas.xmlsoap.org/ws/2004/09/transfer/Get", selectors, ""), name)
}
