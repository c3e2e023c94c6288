package indication

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	ind "github.com/ferrum-virt/ferrum/cimom/indication"
	"github.com/ferrum-virt/ferrum/cimom/store"
)

// TestWSManDestinationsUseTheDelivererAndKeepTheirQueueOnRenew checks that
// a CIM_ListenerDestinationWSManagement is served by Config.WSMan, which is
// given the destination and the subscription (with its SubscriptionInfo),
// and that changing SubscriptionDuration and SubscriptionInfo, as a
// WS-Eventing Renew does, keeps the active delivery (its counters and
// sequence numbers) rather than restarting it.
func TestWSManDestinationsUseTheDelivererAndKeepTheirQueueOnRenew(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "f.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := cimom.NewSchemaRepository()
	if err != nil {
		t.Fatal(err)
	}
	raw := cimom.SQLStore{S: st}
	d := cimom.New(r, raw)
	var mu sync.Mutex
	var infos []string
	var seqs []int64
	got := make(chan struct{}, 10)
	deliverer := ind.DelivererFunc(func(dest, sub *cim.Instance) (ind.Sender, error) {
		mu.Lock()
		infos = append(infos, dest.Str("Destination")+" "+sub.Str("SubscriptionInfo"))
		mu.Unlock()
		return ind.SenderFunc(func(_ context.Context, x *cim.Instance) error {
			n, _ := x.Get("SequenceNumber")
			v, _ := n.AsInt64()
			mu.Lock()
			seqs = append(seqs, v)
			mu.Unlock()
			got <- struct{}{}
			return nil
		}), nil
	})
	_, svc, err := Register(ctx, d, nil, Config{Host: "test", Store: raw, WSMan: deliverer}, ind.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	d.Store = ind.ObserveStore(raw, svc, ind.SkipInterop)
	in := cimom.InteropNamespace
	fp, err := d.CreateInstance(ctx, in, cim.NewInstance(ClassFilter).Set("Query", cim.String("SELECT * FROM CIM_InstCreation")).
		Set("QueryLanguage", cim.String("WQL")))
	if err != nil {
		t.Fatal(err)
	}
	hp, err := d.CreateInstance(ctx, in, cim.NewInstance(ClassDestWSMan).Set("Destination", cim.String("http://listener.test/")).
		Set("DeliveryMode", cim.Uint16(3)))
	if err != nil {
		t.Fatal(err)
	}
	sp, err := d.CreateInstance(ctx, in, cim.NewInstance(ClassSubscription).Set("Filter", cim.Ref(fp)).Set("Handler", cim.Ref(hp)).
		Set("SubscriptionInfo", cim.String("info-1")).Set("SubscriptionDuration", cim.Uint64(60)))
	if err != nil {
		t.Fatal(err)
	}
	create := func(name string) {
		if _, err := d.CreateInstance(ctx, "root/virt", vm(name, 2)); err != nil {
			t.Fatal(err)
		}
		<-got
	}
	create("vm1")
	err = d.ModifyInstance(ctx, in, sp, cim.NewInstance(ClassSubscription).Set("SubscriptionInfo", cim.String("info-2")).
		Set("SubscriptionDuration", cim.Uint64(3600)), []string{"SubscriptionInfo", "SubscriptionDuration"})
	if err != nil {
		t.Fatal(err)
	}
	create("vm2")
	mu.Lock()
	defer mu.Unlock()
	if len(infos) != 1 || infos[0] != "http://listener.test/ info-1" {
		t.Errorf("the deliverer was asked for %q", infos)
	}
	if len(seqs) != 2 || seqs[0] != 0 || seqs[1] != 1 {
		t.Errorf("SequenceNumbers %v: the renewal restarted the delivery", seqs)
	}
	cur, err := d.GetInstance(ctx, in, sp, cimom.InstanceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if dur, _ := cur.Get("SubscriptionDuration"); cur.Str("SubscriptionInfo") != "info-2" || !cim.Equal(dur, cim.Uint64(3600)) {
		t.Errorf("after the change: %v", cur.Properties)
	}
}
