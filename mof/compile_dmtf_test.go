package mof

import (
	"runtime"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/repo"
)

// compileDMTF compiles the whole DMTF schema into a fresh repository.
func compileDMTF(tb testing.TB) *repo.Repository {
	tb.Helper()
	z, err := OpenZip(dmtfZip(tb))
	if err != nil {
		tb.Fatal(err)
	}
	defer z.Close()
	res, err := ParseAll(z, "cim_schema_2.49.0.mof")
	if err != nil {
		tb.Fatalf("parse: %v", err)
	}
	r := repo.New()
	c := &Compiler{Target: r, DefaultNamespace: "root/cimv2"}
	if err := c.Compile(res.Decls); err != nil {
		if l, ok := err.(ErrorList); ok {
			tb.Fatalf("compile: %d errors:\n%s", len(l), l.Detail())
		}
		tb.Fatalf("compile: %v", err)
	}
	return r
}

func TestCompileDMTFSchema249(t *testing.T) {
	r := compileDMTF(t)
	classes, err := r.Classes("root/cimv2")
	if err != nil {
		t.Fatal(err)
	}
	if len(classes) < 1400 {
		t.Fatalf("compiled %d classes, want the whole schema (> 1400)", len(classes))
	}
	for _, c := range classes {
		if c.SuperClass != "" && !r.IsA("root/cimv2", c.Name, c.SuperClass) {
			t.Errorf("class %s: superclass %s not resolved", c.Name, c.SuperClass)
		}
	}
	cs, err := r.Class("root/cimv2", "CIM_ComputerSystem")
	if err != nil {
		t.Fatal(err)
	}
	name := cs.Property("Name")
	if name == nil || !name.IsKey() || name.ClassOrigin != "CIM_System" {
		t.Fatalf("CIM_ComputerSystem.Name: %+v", name)
	}
	if cs.Method("RequestStateChange") == nil {
		t.Fatal("CIM_ComputerSystem lacks the inherited RequestStateChange")
	}
	if !r.IsA("root/cimv2", "CIM_ComputerSystem", "CIM_ManagedElement") {
		t.Fatal("superclass chain not resolved")
	}
	quals, _ := r.QualifierDecls("root/cimv2")
	if len(quals) < 60 {
		t.Fatalf("%d qualifier declarations", len(quals))
	}
	t.Logf("compiled %d classes, %d qualifier declarations", len(classes), len(quals))
}

// BenchmarkCompileDMTFSchema measures parsing and compiling the whole DMTF
// schema, and reports the peak heap in use during a compile.
func BenchmarkCompileDMTFSchema(b *testing.B) {
	dmtfZip(b)
	var peak uint64
	for b.Loop() {
		runtime.GC()
		stop := make(chan struct{})
		done := make(chan uint64)
		go samplePeak(stop, done)
		compileDMTF(b)
		close(stop)
		peak = max(peak, <-done)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

func samplePeak(stop <-chan struct{}, done chan<- uint64) {
	var ms runtime.MemStats
	var peak uint64
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
		select {
		case <-stop:
			done <- peak
			return
		case <-t.C:
		}
	}
}
