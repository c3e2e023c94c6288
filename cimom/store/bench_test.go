package store

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// benchInstance is a typical stored instance: a resource allocation
// setting with a dozen properties of the usual types.
func benchInstance(i int) (cim.ObjectPath, *cim.Instance) {
	id := fmt.Sprintf("Ferrum:vm-%06d:disk0", i)
	host := cim.NewInstancePath("root/virt", "Ferrum_Host", cim.KeyBinding{Name: "Name", Value: cim.String("host-1.example.net")})
	in := cim.NewInstance("Ferrum_StorageAllocationSettingData").
		Set("InstanceID", cim.String(id)).
		Set("ElementName", cim.String(fmt.Sprintf("disk0 of vm-%06d", i))).
		Set("ResourceType", cim.Uint16(31)).
		Set("ResourceSubType", cim.String("qcow2")).
		Set("VirtualQuantity", cim.Uint64(uint64(i)*1<<20)).
		Set("AllocationUnits", cim.String("byte")).
		Set("Reservation", cim.Uint64(0)).
		Set("Limit", cim.Null(cim.TypeUint64)).
		Set("Weight", cim.Uint32(100)).
		Set("HostResource", cim.StringArray("/var/lib/ferrum/images/"+id+".qcow2")).
		Set("Parent", cim.Ref(host)).
		Set("Created", cim.DateTimeValue(cim.NewTimestamp(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))).
		Set("OperationalStatus", cim.Uint16Array(2, 32768))
	return cim.NewInstancePath("root/virt", in.ClassName, cim.KeyBinding{Name: "InstanceID", Value: cim.String(id)}), in
}

// fill stores n bench instances, 1000 per transaction.
func fill(b *testing.B, s *Store, n int) {
	ctx := context.Background()
	for start := 0; start < n; start += 1000 {
		err := s.write(ctx, func(tx *sql.Tx) error {
			for i := start; i < min(start+1000, n); i++ {
				p, in := benchInstance(i)
				if err := insertInstance(ctx, tx.StmtContext(ctx, s.stmts.insert), "root/virt", p, in); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// fileBytes checkpoints the WAL and returns the size of the database file.
func fileBytes(b *testing.B, s *Store) int64 {
	var pages, size int64
	if _, err := s.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	if err := s.w.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		b.Fatal(err)
	}
	if err := s.w.QueryRow("PRAGMA page_size").Scan(&size); err != nil {
		b.Fatal(err)
	}
	return pages * size
}

// BenchmarkCreateInstance measures one durable CreateInstance: one
// transaction, one fsync of the WAL.
func BenchmarkCreateInstance(b *testing.B) {
	ctx := context.Background()
	s := openTest(b)
	i := 0
	for b.Loop() {
		p, in := benchInstance(i)
		if err := s.CreateInstance(ctx, "root/virt", p, in); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "instances/s")
	b.ReportMetric(float64(fileBytes(b, s))/float64(i), "file-bytes/instance")
}

func BenchmarkGetInstance(b *testing.B) {
	ctx := context.Background()
	s := openTest(b)
	const n = 10000
	fill(b, s, n)
	i := 0
	for b.Loop() {
		p, _ := benchInstance(i * 7919 % n)
		if _, err := s.GetInstance(ctx, "root/virt", p); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "instances/s")
}

func BenchmarkEnumerateInstances(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			if n > 10_000 && testing.Short() {
				b.Skip("100k instances take a few seconds to fill; run without -short")
			}
			ctx := context.Background()
			s := openTest(b)
			fill(b, s, n)
			total := 0
			for b.Loop() {
				got := 0
				err := s.EnumerateInstances(ctx, "root/virt", "Ferrum_StorageAllocationSettingData", func(cim.ObjectPath, *cim.Instance) bool {
					got++
					return true
				})
				if err != nil || got != n {
					b.Fatalf("enumerated %d of %d: %v", got, n, err)
				}
				total += got
			}
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "instances/s")
			b.ReportMetric(float64(fileBytes(b, s))/float64(n), "file-bytes/instance")
		})
	}
}

func BenchmarkEncodeInstance(b *testing.B) {
	_, in := benchInstance(42)
	var size int
	for b.Loop() {
		rec, err := EncodeInstance(in)
		if err != nil {
			b.Fatal(err)
		}
		size = len(rec)
	}
	b.ReportMetric(float64(size), "record-bytes")
}

func BenchmarkDecodeInstance(b *testing.B) {
	_, in := benchInstance(42)
	rec := must(EncodeInstance(in))
	for b.Loop() {
		if _, err := DecodeInstance(rec); err != nil {
			b.Fatal(err)
		}
	}
}
