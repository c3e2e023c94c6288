package indication_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/cimxml"
	"github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/cimom/query"
)

// BenchmarkDelivery publishes CIM_InstCreation indications to 1 and to 50
// subscriptions, each exporting over CIM-XML/HTTP to its own listener, and
// reports delivered indications per second and the latency from Publish to
// the listener (p50, p99).
func BenchmarkDelivery(b *testing.B) {
	for _, subs := range []int{1, 50} {
		b.Run(fmt.Sprintf("subscribers=%d", subs), func(b *testing.B) { benchDelivery(b, subs) })
	}
}

func benchDelivery(b *testing.B, subs int) {
	svc := indication.New(indication.Config{QueueLength: 1 << 20})
	defer svc.Close()
	q, err := query.Parse("WQL", "SELECT * FROM CIM_InstCreation")
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	sent := map[string]time.Time{}
	var lat []time.Duration
	done := make(chan struct{}, 1<<16)
	client := &cimxml.ExportClient{}
	for i := range subs {
		srv := httptest.NewServer(cimxml.NewListener(func(_ context.Context, ind *cim.Instance) error {
			now := time.Now()
			mu.Lock()
			lat = append(lat, now.Sub(sent[ind.Str("IndicationIdentifier")]))
			mu.Unlock()
			done <- struct{}{}
			return nil
		}))
		defer srv.Close()
		url := srv.URL
		if err := svc.Add(indication.Subscription{ID: fmt.Sprint(i), Query: q,
			Sender: indication.SenderFunc(func(ctx context.Context, ind *cim.Instance) error { return client.Export(ctx, url, ind) })}); err != nil {
			b.Fatal(err)
		}
	}
	src := cim.NewInstance("Ferrum_ComputerSystem").Set("Name", cim.String("vm")).Set("EnabledState", cim.Uint16(2))
	path := cim.NewInstancePath("root/virt", "Ferrum_ComputerSystem", cim.KeyBinding{Name: "Name", Value: cim.String("vm")})
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		ind := indication.InstCreation("root/virt", src, path)
		id := fmt.Sprint("bench:", i)
		ind.Set("IndicationIdentifier", cim.String(id))
		mu.Lock()
		sent[id] = time.Now()
		mu.Unlock()
		svc.Publish(context.Background(), "root/virt", ind)
	}
	for range b.N * subs {
		<-done
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	rate := float64(b.N*subs) / elapsed.Seconds()
	b.ReportMetric(rate, "deliveries/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.Logf("\n| subscribers | indications | deliveries/s | p50 | p99 |\n|---|---|---|---|---|\n| %d | %d | %.0f | %v | %v |",
		subs, b.N, rate, lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond))
}
