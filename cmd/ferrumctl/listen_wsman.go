package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/wsman"
)

// A wseSubscription is what Subscribe granted: where its manager is and
// the identifier that names it there.
type wseSubscription struct {
	manager, id string
}

// runListenWSMan subscribes through WS-Eventing, prints each event's
// indication until ctx ends, renewing the subscription at half its expiry,
// and unsubscribes.
func runListenWSMan(ctx context.Context, o listenOptions, stdout, stderr io.Writer) error {
	c, err := wsmanClientFor(o)
	if err != nil {
		return err
	}
	mode := modePushAck
	switch o.delivery {
	case "pushwithack":
	case "push":
		mode = modePush
	default:
		return fmt.Errorf("--delivery %s: use push or pushwithack", o.delivery)
	}
	repo, err := cimom.NewSchemaRepository()
	if err != nil {
		return fmt.Errorf("load the schema: %w", err)
	}
	classes := func(class string) *cim.Class {
		for _, ns := range []string{cimom.InteropNamespace, cimom.VirtNamespace} {
			if cl, err := repo.Class(ns, class); err == nil {
				return cl
			}
		}
		return nil
	}
	ln, dest, err := listenerAddress(o)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	enc := json.NewEncoder(stdout)
	srv := &http.Server{ReadHeaderTimeout: 30 * time.Second, Handler: wsman.NewEventListener(wsman.ListenerOptions{
		Classes: classes,
		OnEvent: func(_ context.Context, ev *wsman.Event) error {
			mu.Lock()
			defer mu.Unlock()
			return enc.Encode(instanceJSON(ev.Indication))
		},
		OnEnd: func(_ context.Context, status, reason string) {
			fmt.Fprintf(stderr, "subscription ended: %s (%s)\n", reason, status)
		},
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	sub, err := c.subscribe(ctx, o, mode, dest)
	if err != nil {
		return err
	}
	defer c.unsubscribe(sub, stderr)
	fmt.Fprintf(stderr, "listening on %s for %q\n", dest, o.query)
	renew := time.NewTicker(max(o.expires/2, time.Second))
	defer renew.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-renew.C:
			if err := c.renew(ctx, sub, o.expires); err != nil && ctx.Err() == nil {
				fmt.Fprintln(stderr, "ferrumctl listen: renew:", err)
			}
		}
	}
}

// wsmanClientFor returns the client for --url; without --url it is
// http://localhost:5985/wsman, and a URL without a path gets /wsman.
func wsmanClientFor(o listenOptions) (*wsmanClient, error) {
	raw := o.url
	if !o.urlSet {
		raw = "http://localhost:5985/wsman"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("--url: %w", err)
	}
	var user, password string
	if u.User != nil {
		user = u.User.Username()
		password, _ = u.User.Password()
		u.User = nil
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/wsman"
	}
	return newWSManClient(u.String(), user, password, o.insecure), nil
}

// subscribe sends wse:Subscribe for o's WQL filter and source namespace,
// delivering to dest in mode.
func (c *wsmanClient) subscribe(ctx context.Context, o listenOptions, mode, dest string) (*wseSubscription, error) {
	headers := fmt.Sprintf(`<wsman:SelectorSet><wsman:Selector Name="__cimnamespace">%s</wsman:Selector></wsman:SelectorSet>`, xmlEscape(o.namespace))
	body := fmt.Sprintf(`<wse:Subscribe><wse:Delivery Mode="%s"><wse:NotifyTo><wsa:Address>%s</wsa:Address></wse:NotifyTo></wse:Delivery>`+
		`<wse:Expires>%s</wse:Expires><wsman:Filter Dialect="%s">%s</wsman:Filter></wse:Subscribe>`,
		mode, xmlEscape(dest), xsDuration(o.expires), dialectWQL, xmlEscape(o.query))
	resp, err := c.call(ctx, c.url, nsWSE+"/Subscribe", allClassesURI, headers, body)
	if err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	mgr := resp.find(nsWSE, "SubscriptionManager")
	sub := &wseSubscription{manager: mgr.find(nsWSA, "Address").text(), id: mgr.find(nsWSE, "Identifier").text()}
	if sub.id == "" {
		return nil, fmt.Errorf("subscribe: the response names no subscription manager")
	}
	if sub.manager == "" || sub.manager == anonymous {
		sub.manager = c.url
	}
	return sub, nil
}

// manage sends a Renew, GetStatus or Unsubscribe to the subscription's
// manager.
func (c *wsmanClient) manage(ctx context.Context, sub *wseSubscription, action, body string) (*xnode, error) {
	headers := fmt.Sprintf(`<wse:Identifier>%s</wse:Identifier>`, xmlEscape(sub.id))
	return c.call(ctx, sub.manager, nsWSE+"/"+action, allClassesURI, headers, body)
}

// renew extends the subscription by expires.
func (c *wsmanClient) renew(ctx context.Context, sub *wseSubscription, expires time.Duration) error {
	_, err := c.manage(ctx, sub, "Renew", "<wse:Renew><wse:Expires>"+xsDuration(expires)+"</wse:Expires></wse:Renew>")
	return err
}

// unsubscribe ends the subscription; a failure is reported on stderr.
func (c *wsmanClient) unsubscribe(sub *wseSubscription, stderr io.Writer) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.manage(ctx, sub, "Unsubscribe", "<wse:Unsubscribe/>"); err != nil {
		fmt.Fprintln(stderr, "ferrumctl listen: unsubscribe:", err)
	}
}

// xsDuration formats d as an xs:duration in seconds.
func xsDuration(d time.Duration) string {
	return fmt.Sprintf("PT%dS", max(int64(d/time.Second), 1))
}
