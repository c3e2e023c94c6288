package daemon

import (
	"context"
	"log/slog"

	"github.com/ferrum-virt/ferrum/cimom/indication"
	indprov "github.com/ferrum-virt/ferrum/providers/indication"
	"github.com/ferrum-virt/ferrum/wsman"
)

// startIndications registers the DSP1054 subscription provider in
// root/interop, with WS-Management destinations delivered by wsman,
// activates the stored subscriptions, and makes store-backed
// classes raise lifecycle indications by wrapping the dispatcher's store.
// Providers publish through e.indications. The service stops with the
// engine.
func startIndications(ctx context.Context, e *engine, host string, log *slog.Logger) error {
	raw := e.d.Store
	// WS-Management listeners get DSP0226 event messages; WS-Eventing
	// Subscribe (wsman.Handler) creates their subscriptions.
	ws := wsman.NewDeliverer(e.d, wsman.DelivererOptions{Log: log.With("component", "wsman-events")})
	_, svc, err := indprov.Register(ctx, e.d, e.interop,
		indprov.Config{Host: host, Store: raw, WSMan: ws, Log: log.With("component", "indication")},
		indication.Config{Log: log.With("component", "indication")})
	if err != nil {
		return err
	}
	e.d.Store = indication.ObserveStore(raw, svc, indication.SkipInterop)
	e.indications = svc
	e.closers = append(e.closers, func() { _ = svc.Close() })
	return nil
}

// Publisher is what providers use to raise indications.
var _ indication.Publisher = (*indication.Service)(nil)
