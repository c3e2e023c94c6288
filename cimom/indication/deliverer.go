package indication

import (
	"context"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// A Deliverer makes the Senders of one listener protocol: given a
// subscription's listener destination instance and the subscription
// instance itself (whose SubscriptionInfo may carry protocol data), it
// returns the Sender that delivers to that listener, or a *cim.Error when
// the destination cannot be served. Bindings implement it (wsman for
// CIM_ListenerDestinationWSManagement), so that the core never imports
// them; the daemon hands it to the subscription provider.
type Deliverer interface {
	Sender(dest, sub *cim.Instance) (Sender, error)
}

// DelivererFunc adapts a function to Deliverer.
type DelivererFunc func(dest, sub *cim.Instance) (Sender, error)

// Sender calls f.
func (f DelivererFunc) Sender(dest, sub *cim.Instance) (Sender, error) { return f(dest, sub) }

// An Ender is a Sender that can tell its listener that the subscription
// ended (WS-Eventing's wse:SubscriptionEnd). When OnFatalErrorPolicy stops
// a subscription after a delivery failed every retry, the service calls
// End with the reason before Config.OnFatal; its error is only logged.
type Ender interface {
	End(ctx context.Context, reason string) error
}
