package wsman

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func openAs(user, uri string) func(e *testEnv) map[string]string {
	return func(e *testEnv) map[string]string {
		return map[string]string{"Context": e.openEnumeration(user, uri)}
	}
}

const vmURI = FerrumResourcePrefix + "Ferrum_ComputerSystem"

// TestEnumerate covers wsen:Enumerate: modes, optimization, expiry,
// polymorphism, filters and faults.
func TestEnumerate(t *testing.T) {
	noContextLeft := func(t *testing.T, e *testEnv, _ response) {
		if n := e.h.enums.count(); n != 0 {
			t.Errorf("%d enumeration contexts left open after the sequence ended", n)
		}
	}
	runGolden(t, []goldenCase{
		{name: "enumerate_optimized_objects", check: noContextLeft},
		{name: "enumerate_optimized_epr", check: noContextLeft},
		{name: "enumerate_optimized_object_and_epr", check: noContextLeft},
		{name: "enumerate_not_optimized"},
		{name: "enumerate_optimized_max_elements_one"},
		{name: "enumerate_expires_duration"},
		{name: "enumerate_expires_datetime"},
		{name: "enumerate_expires_in_the_past"},
		{name: "enumerate_polymorphism_include_subclass_properties"},
		{name: "enumerate_polymorphism_exclude_subclass_properties"},
		{name: "enumerate_polymorphism_none"},
		{name: "enumerate_polymorphism_unknown"},
		{name: "enumerate_unknown_mode"},
		{name: "enumerate_total_items_count_estimate"},
		{name: "enumerate_selector_filter"},
		{name: "enumerate_selector_filter_unknown_property"},
		{name: "enumerate_filter_dialect_unavailable"},
		{name: "enumerate_all_classes_without_filter"},
		{name: "enumerate_associated_instances"},
		{name: "enumerate_associated_instances_epr"},
		{name: "enumerate_association_instances"},
		{name: "enumerate_associated_instances_wrong_role"},
		{name: "enumerate_association_filter_unknown_class"},
		{name: "enumerate_access_denied", check: noContextLeft},
		{name: "enumerate_cut_by_max_envelope_size", setup: func(e *testEnv) map[string]string {
			for i := 10; i < 30; i++ {
				e.vms.add(testVM(fmt.Sprintf("vm%d", i), "worker", 2))
			}
			return nil
		}, check: func(t *testing.T, e *testEnv, r response) {
			if len(r.body) > 8192 || strings.Contains(string(r.body), "EndOfSequence") {
				t.Errorf("%d octets, EndOfSequence %v: want at most 8192 and more to pull", len(r.body), strings.Contains(string(r.body), "EndOfSequence"))
			}
		}},
	})
}

// TestPull covers wsen:Pull, Release, Renew and GetStatus, and the life
// of enumeration contexts.
func TestPull(t *testing.T) {
	runGolden(t, []goldenCase{
		{name: "pull_one", setup: openAs(testUser, vmURI)},
		{name: "pull_to_the_end", setup: openAs(testUser, vmURI), check: func(t *testing.T, e *testEnv, _ response) {
			if n := e.h.enums.count(); n != 0 {
				t.Errorf("%d contexts left after EndOfSequence", n)
			}
		}},
		{name: "pull_after_end_invalid_context", setup: func(e *testEnv) map[string]string {
			ctx := e.openEnumeration(testUser, vmURI)
			e.pull(testUser, ctx, 10)
			return map[string]string{"Context": ctx}
		}},
		{name: "pull_unknown_context", setup: func(*testEnv) map[string]string {
			return map[string]string{"Context": "uuid:00000000-0000-4000-8000-999999999999"}
		}},
		{name: "pull_another_users_context", setup: openAs(otherUser, vmURI)},
		{name: "pull_expired_context", setup: func(e *testEnv) map[string]string {
			vars := openAs(testUser, vmURI)(e)
			e.now = e.now.Add(11 * time.Minute)
			return vars
		}},
		{name: "pull_max_characters", setup: openAs(testUser, vmURI)},
		{name: "pull_max_time_timed_out", setup: openAs(testUser, FerrumResourcePrefix+"Ferrum_DiskPool")},
		{name: "release", setup: openAs(testUser, vmURI), check: func(t *testing.T, e *testEnv, _ response) {
			if n := e.h.enums.count(); n != 0 {
				t.Errorf("%d contexts left after Release", n)
			}
		}},
		{name: "renew", setup: openAs(testUser, vmURI)},
		{name: "get_status", setup: func(e *testEnv) map[string]string {
			vars := openAs(testUser, vmURI)(e)
			e.now = e.now.Add(4 * time.Minute)
			return vars
		}},
	})
}

// TestQueryFilters covers the WQL (both dialect URIs) and CQL filters.
func TestQueryFilters(t *testing.T) {
	runGolden(t, []goldenCase{
		{name: "enumerate_wql_filter_dmtf_dialect"},
		{name: "enumerate_wql_filter_microsoft_dialect"},
		{name: "enumerate_cql_filter"},
		{name: "enumerate_wql_syntax_error_cannot_process_filter"},
		{name: "enumerate_wql_unknown_property_cannot_process_filter"},
		{name: "enumerate_wql_unknown_class_cannot_process_filter"},
		{name: "enumerate_wql_join_not_supported"},
	})
}
