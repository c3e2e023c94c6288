package migration

import (
	"context"
	"net"
	"net/url"
	"strings"
)

// A host backend may tell addresses it is known by: libvirt hosts have a
// connection URI, others may list addresses.
type (
	withURI       interface{ URI() string }
	withAddresses interface{ Addresses() []string }
)

// resolveHost finds the host a DestinationHost string names: its ID, host
// name, short host name or an address (see the package documentation). It
// fails with InvalidParameter for a malformed, unknown or ambiguous name.
func (p *Provider) resolveHost(ctx context.Context, dest string) (hostEntry, error) {
	format, want, ok := destFormat(dest)
	if !ok {
		return hostEntry{}, invalid("DestinationHost %q is neither a domain name nor an IPv4 or IPv6 address", dest)
	}
	if format == formatDomainName {
		if h, err := p.host(ctx, strings.TrimSpace(dest)); err == nil {
			return h, nil
		}
	}
	hosts := p.hosts(ctx)
	found := p.matching(ctx, hosts, []string{want}, false)
	if len(found) == 0 {
		found = p.matching(ctx, hosts, []string{want}, true) // renamed since?
	}
	if len(found) == 0 && format != formatDomainName {
		found = p.matching(ctx, hosts, p.reverseLookup(ctx, want), false)
	}
	switch len(found) {
	case 0:
		return hostEntry{}, invalid("DestinationHost %q is no host this manager knows", dest)
	case 1:
		return found[0], nil
	}
	return hostEntry{}, invalid("DestinationHost %q is ambiguous: %d hosts match", dest, len(found))
}

// destFormat tells the format of a DestinationHost and normalizes it:
// lower case without a trailing dot, or an IP address in canonical form.
func destFormat(s string) (format int, norm string, ok bool) {
	s = strings.TrimSpace(s)
	if ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); ip != nil {
		if ip.To4() != nil && !strings.Contains(s, ":") {
			return formatIPv4, ip.String(), true
		}
		return formatIPv6, ip.String(), true
	}
	s = strings.TrimSuffix(strings.ToLower(s), ".")
	if s == "" || len(s) > 253 {
		return 0, "", false
	}
	for _, label := range strings.Split(s, ".") {
		if !validLabel(label) {
			return 0, "", false
		}
	}
	return formatDomainName, s, true
}

// validLabel checks an RFC 1035 label (digits first allowed, as RFC 1123).
func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, c := range l {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// matching returns the hosts known by one of names; fresh asks every host
// its name again instead of using the one it last gave.
func (p *Provider) matching(ctx context.Context, hosts []hostEntry, names []string, fresh bool) []hostEntry {
	var out []hostEntry
	for _, h := range hosts {
		known := p.knownAs(ctx, h, fresh)
		for _, n := range names {
			if _, ok := known[normalize(n)]; ok {
				out = append(out, h)
				break
			}
		}
	}
	return out
}

// knownAs returns the names and addresses h is known by, normalized.
func (p *Provider) knownAs(ctx context.Context, h hostEntry, fresh bool) map[string]struct{} {
	names := []string{h.id}
	if full := p.hostname(ctx, h, fresh); full != "" {
		short, _, _ := strings.Cut(full, ".")
		names = append(names, full, short)
	}
	if u, ok := h.h.(withURI); ok {
		if pu, err := url.Parse(u.URI()); err == nil && pu.Hostname() != "" {
			names = append(names, pu.Hostname())
		}
	}
	if a, ok := h.h.(withAddresses); ok {
		names = append(names, a.Addresses()...)
	}
	out := make(map[string]struct{}, len(names))
	for _, n := range names {
		out[normalize(n)] = struct{}{}
	}
	return out
}

// hostname returns h's host name, normalized: the one it last gave unless
// fresh, as asking costs a round trip to an agent; "" when it cannot tell.
func (p *Provider) hostname(ctx context.Context, h hostEntry, fresh bool) string {
	if name, ok := p.hostnames.Load(h.id); ok && !fresh {
		return name.(string)
	}
	info, err := h.h.Info(ctx)
	if err != nil || info.Hostname == "" {
		return ""
	}
	name := normalize(info.Hostname)
	p.hostnames.Store(h.id, name)
	return name
}

// normalize lower-cases a name without its trailing dot and puts an IP
// address in canonical form.
func normalize(n string) string {
	n = strings.TrimSpace(n)
	if ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(n, "["), "]")); ip != nil {
		return ip.String()
	}
	return strings.TrimSuffix(strings.ToLower(n), ".")
}

// reverseLookup returns the host names of an IP address, within
// Options.LookupTimeout; none when the lookup fails.
func (p *Provider) reverseLookup(ctx context.Context, addr string) []string {
	ctx, cancel := context.WithTimeout(ctx, p.opts.LookupTimeout)
	defer cancel()
	names, err := p.opts.Resolver.LookupAddr(ctx, addr)
	if err != nil {
		p.log.DebugContext(ctx, "reverse lookup of a destination failed", "addr", addr, "err", err)
		return nil
	}
	return names
}
