package conformance

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/ferrum-virt/ferrum/conformance/client"
)

// Options select what a run does.
type Options struct {
	Profiles    []string // DSP numbers or registered names to check; empty = all
	Destructive bool     // also run the checks that change server state
}

// Checks returns every check of the suite, in the order they run.
func Checks() []Check {
	var cs []Check
	cs = append(cs, dsp1033Checks()...)
	cs = append(cs, operationChecks()...)
	cs = append(cs, virtChecks()...)
	cs = append(cs, serviceChecks()...)
	cs = append(cs, destructiveChecks()...)
	return cs
}

func (o Options) wants(profile string) bool {
	if len(o.Profiles) == 0 || profile == "DSP0200" || profile == "DSP0227" {
		return true
	}
	for _, p := range o.Profiles {
		if strings.EqualFold(p, profile) || slices.ContainsFunc(profileNames[profile], func(n string) bool { return strings.EqualFold(n, p) }) {
			return true
		}
	}
	return false
}

// Run discovers the server's profiles over each client and runs every
// selected check over each; with more than one client it adds the
// cross-protocol agreement checks.
func Run(ctx context.Context, target string, clients []client.Client, opts Options) *Report {
	rep := &Report{Target: target}
	byProto := map[string]map[string]Result{}
	discs := map[string]*Discovery{}
	for _, c := range clients {
		d := Discover(ctx, c)
		discs[c.Protocol()] = d
		if d.Err != nil {
			slog.Warn("discovery failed", "protocol", c.Protocol(), "err", d.Err)
		}
		byProto[c.Protocol()] = map[string]Result{}
		for _, chk := range Checks() {
			if !opts.wants(chk.Profile) {
				continue
			}
			var res Result
			if chk.Destructive && !opts.Destructive {
				res = Result{Profile: chk.Profile, Requirement: chk.Requirement, Check: chk.Name, Protocol: c.Protocol(),
					Status: Skip, Reason: "changes server state; run with --destructive"}
			} else {
				res = run(ctx, chk, c, d)
			}
			slog.Debug("check", "protocol", res.Protocol, "profile", res.Profile, "check", res.Check, "status", res.Status, "reason", res.Reason)
			rep.Results = append(rep.Results, res)
			byProto[c.Protocol()][chk.Name] = res
		}
	}
	if len(clients) > 1 {
		rep.Results = append(rep.Results, agreement(ctx, clients, discs, byProto)...)
	}
	return rep
}

// agreement compares the protocols: the same profiles discovered, and the
// same outcome for every check that ran over each.
func agreement(ctx context.Context, clients []client.Client, discs map[string]*Discovery, byProto map[string]map[string]Result) []Result {
	a, b := clients[0].Protocol(), clients[1].Protocol()
	req := "DSP0227: the WS-Man binding exposes the same instances and outcomes as CIM-XML"
	var out []Result
	res := Result{Profile: "DSP0227", Requirement: req, Check: "the same registered profiles over both protocols", Protocol: "both", Status: Pass}
	pa, pb := profileKeys(discs[a]), profileKeys(discs[b])
	if !slices.Equal(pa, pb) {
		res.Status, res.Reason = Fail, fmt.Sprintf("%s found %v, %s found %v", a, pa, b, pb)
	}
	out = append(out, res)
	var names []string
	for name := range byProto[a] {
		names = append(names, name)
	}
	slices.Sort(names)
	var diffs []string
	for _, name := range names {
		ra, rb := byProto[a][name], byProto[b][name]
		if _, ok := byProto[b][name]; !ok || ra.Status == Skip || rb.Status == Skip {
			continue
		}
		if ra.Status != rb.Status {
			diffs = append(diffs, fmt.Sprintf("%q: %s %s, %s %s", name, a, ra.Status, b, rb.Status))
		}
	}
	res = Result{Profile: "DSP0227", Requirement: req, Check: "the same check outcomes over both protocols", Protocol: "both", Status: Pass}
	if len(diffs) > 0 {
		res.Status, res.Reason = Fail, strings.Join(diffs, "; ")
	}
	out = append(out, res)
	return append(out, sameInstances(ctx, clients, discs))
}

func profileKeys(d *Discovery) []string {
	var out []string
	for _, p := range d.Profiles {
		out = append(out, pathKey(p.Path))
	}
	slices.Sort(out)
	return out
}
