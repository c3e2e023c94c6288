package store

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func seqInstance(i int) (cim.ObjectPath, *cim.Instance) {
	in := cim.NewInstance("Ferrum_Seq").Set("Seq", cim.Uint32(uint32(i)))
	return cim.NewInstancePath("root/virt", "Ferrum_Seq", cim.KeyBinding{Name: "Seq", Value: cim.Uint32(uint32(i))}), in
}

// TestReadersDuringWrites runs readers beside a writer: every enumeration
// is a consistent prefix of the creation order, and counts never go back.
func TestReadersDuringWrites(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	const n = 300
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(done)
		for i := range n {
			p, in := seqInstance(i)
			if err := s.CreateInstance(ctx, "root/virt", p, in); err != nil {
				t.Errorf("create %d: %v", i, err)
				return
			}
		}
	})
	for r := range 4 {
		wg.Go(func() {
			prev := 0
			for finished := false; !finished; {
				select {
				case <-done:
					finished = true // one more pass after the writer ends
				default:
				}
				got := 0
				err := s.EnumerateInstances(ctx, "root/virt", "Ferrum_Seq", func(_ cim.ObjectPath, in *cim.Instance) bool {
					v, _ := in.Get("Seq")
					if seq, _ := v.AsUint64(); int(seq) != got {
						t.Errorf("reader %d: instance %d at position %d", r, seq, got)
						return false
					}
					got++
					return true
				})
				if err != nil {
					t.Errorf("reader %d: %v", r, err)
					return
				}
				if got < prev {
					t.Errorf("reader %d: saw %d instances after %d", r, got, prev)
					return
				}
				prev = got
				if got > 0 {
					if p, _ := seqInstance(got - 1); true {
						if _, err := s.GetInstance(ctx, "root/virt", p); err != nil {
							t.Errorf("reader %d: get %d: %v", r, got-1, err)
							return
						}
					}
				}
			}
			if prev != n {
				t.Errorf("reader %d: final pass saw %d of %d", r, prev, n)
			}
		})
	}
	wg.Wait()
}

// TestConcurrentWriters checks that writers from many goroutines queue for
// the single write connection instead of failing with SQLITE_BUSY.
func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	const writers, each = 8, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				p, in := seqInstance(w*each + i)
				if err := s.CreateInstance(ctx, "root/virt", p, in); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				if err := s.PutSetting(ctx, fmt.Sprint("w", w), fmt.Sprint(i)); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if got, err := s.CountInstances(ctx, "root/virt", "Ferrum_Seq"); err != nil || got != writers*each {
		t.Fatalf("CountInstances = %d, %v; want %d", got, err, writers*each)
	}
}
