package cimxml

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// benchVMs serves n virtual machines made on the fly from one template, as
// a backend reading its own state would, so that 100k instances do not
// have to sit in memory.
type benchVMs struct {
	n    int
	tmpl *cim.Instance
}

func (p *benchVMs) EnumerateInstances(ctx context.Context, _ string, _ *cim.Class, yield func(*cim.Instance) bool) error {
	for i := range p.n {
		if !yield(p.make(i)) {
			return nil
		}
	}
	return ctx.Err()
}

func (p *benchVMs) GetInstance(_ context.Context, _ string, path cim.ObjectPath, _ *cim.Class) (*cim.Instance, error) {
	name, _ := path.Key("Name")
	var i int
	if _, err := fmt.Sscanf(name.Str(), "vm%d", &i); err != nil || i < 1 || i > p.n {
		return nil, cim.Errorf(cim.ErrNotFound, "no virtual machine %s", name.Str())
	}
	return p.make(i - 1), nil
}

func (p *benchVMs) make(i int) *cim.Instance {
	inst := p.tmpl.Clone()
	name := fmt.Sprintf("vm%d", i+1)
	inst.Set("Name", cim.String(name)).Set("ElementName", cim.String("Web server "+name))
	return inst
}

// benchServer serves n Ferrum_ComputerSystem instances of 22 properties on
// a loopback listener. Authentication is replaced by a fixed principal:
// what is measured is the binding, the dispatcher and the provider.
func benchServer(b *testing.B, n int) (string, *http.Client) {
	b.Helper()
	r, err := cimom.NewSchemaRepository()
	if err != nil {
		b.Fatal(err)
	}
	d := cimom.New(r, cimom.NewMemoryStore())
	d.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	d.Providers.Handle(ns, csClass, &benchVMs{n: n, tmpl: newVM("vm0", "vm0")})
	h := NewHandler(d, Options{Logger: d.Log, HostName: "ferrum.test"})
	b.Cleanup(h.Close)
	srv := httptest.NewServer(withPrincipal("bench", h))
	b.Cleanup(srv.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4, DisableCompression: true}}
	b.Cleanup(client.CloseIdleConnections)
	return srv.URL, client
}

// post sends one intrinsic call and returns the response size and, for
// pull operations, the EnumerationContext and whether the sequence ended.
func post(b *testing.B, client *http.Client, url, method, body string) (int64, string, bool) {
	req, _ := http.NewRequest(http.MethodPost, url+"/cimom", strings.NewReader(body))
	req.Header = newCIMRequest(method, ns, "").Header
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	tail := &tailWriter{}
	buf := copyBuf.Get().(*[]byte)
	n, err := io.CopyBuffer(tail, resp.Body, *buf)
	copyBuf.Put(buf)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("%s: HTTP %d, %v", method, resp.StatusCode, err)
	}
	if strings.Contains(string(tail.b), "<ERROR") {
		b.Fatalf("%s failed: %s", method, tail.b)
	}
	m := benchCtx.FindStringSubmatch(string(tail.b))
	if m == nil {
		return n, "", true
	}
	return n, m[1], false
}

// copyBuf holds the client's read buffers, so that the client allocates
// little next to the server being measured.
var copyBuf = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

var benchCtx = regexp.MustCompile(`NAME="EnumerationContext" PARAMTYPE="string"><VALUE>([0-9a-f]{32})<`)

// tailWriter keeps the last bytes of a response, where the output
// parameters are.
type tailWriter struct{ b []byte }

func (t *tailWriter) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = append(t.b[:0], t.b[len(t.b)-1024:]...)
	}
	return len(p), nil
}

func benchSizes() []int {
	if testing.Short() {
		return []int{1000, 10000}
	}
	return []int{1000, 10000, 100000}
}

// reportThroughput reports instances per second and bytes per instance.
func reportThroughput(b *testing.B, perOp int, bytes int64) {
	b.ReportMetric(float64(perOp)*float64(b.N)/b.Elapsed().Seconds(), "inst/s")
	b.ReportMetric(float64(bytes)/float64(perOp*b.N), "B/inst")
}

// benchEnumerate runs EnumerateInstances or EnumerateInstanceNames over n
// instances.
func benchEnumerate(b *testing.B, n int, method string) {
	url, client := benchServer(b, n)
	params := []string{ipv("ClassName", `<CLASSNAME NAME="Ferrum_ComputerSystem"/>`)}
	if method == "EnumerateInstances" {
		params = append(params, ipv("LocalOnly", xval("FALSE")))
	}
	body := requestBody(method, ns, params...)
	b.ReportAllocs()
	var total int64
	for b.Loop() {
		size, _, _ := post(b, client, url, method, body)
		total += size
	}
	reportThroughput(b, n, total)
}

// benchPull enumerates n instances with OpenEnumerateInstances and
// PullInstancesWithPath, 1000 instances per response.
func benchPull(b *testing.B, n int) {
	url, client := benchServer(b, n)
	open := requestBody("OpenEnumerateInstances", ns, ipv("ClassName", `<CLASSNAME NAME="Ferrum_ComputerSystem"/>`), ipv("MaxObjectCount", xval(1000)))
	b.ReportAllocs()
	var total int64
	for b.Loop() {
		size, ctx, eos := post(b, client, url, "OpenEnumerateInstances", open)
		total += size
		for !eos {
			pull := requestBody("PullInstancesWithPath", ns, ipv("EnumerationContext", xval(ctx)), ipv("MaxObjectCount", xval(1000)))
			size, ctx, eos = post(b, client, url, "PullInstancesWithPath", pull)
			total += size
		}
	}
	reportThroughput(b, n, total)
}

// benchGet reports the median and 99th percentile latency of GetInstance
// over a warm connection.
func benchGet(b *testing.B) {
	url, client := benchServer(b, 1000)
	body := requestBody("GetInstance", ns, ipv("InstanceName", vmName("vm500")), ipv("LocalOnly", xval("FALSE")))
	var lat []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		post(b, client, url, "GetInstance", body)
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
}

func BenchmarkEnumerateInstances(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchEnumerate(b, n, "EnumerateInstances") })
	}
}

func BenchmarkEnumerateInstanceNames(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchEnumerate(b, n, "EnumerateInstanceNames") })
	}
}

func BenchmarkOpenPull(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchPull(b, n) })
	}
}

func BenchmarkGetInstance(b *testing.B) { benchGet(b) }

// BenchmarkEncodeNamedInstance measures the encoder alone on the benchmark
// instance: the part of an enumeration's cost that is this package's.
func BenchmarkEncodeNamedInstance(b *testing.B) {
	r, err := cimom.NewSchemaRepository()
	if err != nil {
		b.Fatal(err)
	}
	class, err := r.Class(ns, csClass)
	if err != nil {
		b.Fatal(err)
	}
	var cache classCache
	inst := newVM("vm1", "Web server 1")
	path, err := inst.Path(ns, class)
	if err != nil {
		b.Fatal(err)
	}
	e := &encoder{host: "ferrum.test", ns: ns, classOf: func(string, string) *classInfo { return cache.get(class) }}
	b.ReportAllocs()
	for b.Loop() {
		e.b = e.b[:0]
		e.namedInstance(path, inst)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inst/s")
	b.ReportMetric(float64(len(e.b)), "B/inst")
}
