package wsman

import (
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// TestIdentifyAndAuthentication: Identify is answered without credentials;
// everything else needs them.
func TestIdentifyAndAuthentication(t *testing.T) {
	runGolden(t, []goldenCase{
		{name: "identify_without_credentials", user: "-"},
		{name: "identify_soap11", user: "-"},
		{name: "get_without_credentials", user: "-"},
		{name: "get_with_wrong_password", user: "!wrong"},
	})
}

// TestTransferGet covers WS-Transfer Get and the selector rules of DSP0227.
func TestTransferGet(t *testing.T) {
	runGolden(t, []goldenCase{
		{name: "get"},
		{name: "get_soap11"},
		{name: "get_vendor_prefix_and_namespace_selector"},
		{name: "get_tolerates_relative_to_numeric_messageid_unprefixed_mustunderstand"},
		{name: "get_exclude_nil_properties"},
		{name: "get_missing_key_insufficient_selectors"},
		{name: "get_unknown_selector_unexpected_selectors"},
		{name: "get_duplicate_selector"},
		{name: "get_reference_key_as_text_type_mismatch"},
		{name: "get_reference_keys_as_eprs"},
		{name: "get_no_such_instance_destination_unreachable"},
		{name: "get_unknown_class_invalid_resource_uri"},
		{name: "get_foreign_resource_uri"},
		{name: "get_unknown_namespace"},
		{name: "get_all_classes_uri"},
		{name: "get_access_denied"},
		{name: "get_max_envelope_size_below_minimum"},
		{name: "get_response_over_max_envelope_size", setup: func(e *testEnv) map[string]string {
			e.vm("vm1").Set("ElementName", cim.String(strings.Repeat("x", 9000)))
			return nil
		}},
		{name: "get_operation_timeout_timed_out"},
		{name: "get_fragment_transfer_unsupported"},
	})
}

// TestHeaders covers WS-Addressing and WS-Management header processing and
// the SOAP-level faults.
func TestHeaders(t *testing.T) {
	runGolden(t, []goldenCase{
		{name: "missing_message_id"},
		{name: "missing_to"},
		{name: "unknown_must_understand_header"},
		{name: "unknown_optional_header_ignored"},
		{name: "locale_must_understand_unsupported"},
		{name: "duplicate_action_header"},
		{name: "unknown_action"},
		{name: "reply_to_not_anonymous"},
		{name: "invalid_operation_timeout"},
		{name: "option_must_comply_unknown"},
		{name: "version_mismatch"},
		{name: "malformed_xml_schema_validation_error"},
		{name: "doctype_rejected"},
	})
}

// TestTransferPutCreateDelete covers the modifying WS-Transfer operations.
func TestTransferPutCreateDelete(t *testing.T) {
	runGolden(t, []goldenCase{
		{name: "put", check: func(t *testing.T, e *testEnv, _ response) {
			vm := e.vm("vm1")
			if got := vm.Str("ElementName"); got != "web server (renamed)" {
				t.Errorf("ElementName = %q after Put", got)
			}
			if v, _ := vm.Get("Caption"); !v.IsNull() {
				t.Errorf("Caption = %v after Put with xsi:nil", v)
			}
		}},
		{name: "put_datetime_child_elements", check: func(t *testing.T, e *testEnv, _ response) {
			v, _ := e.vm("vm1").Get("InstallDate")
			if d, _ := v.AsDatetime(); d.String() != "20240229235959.500000-300" {
				t.Errorf("InstallDate = %v after Put", v)
			}
		}},
		{name: "put_body_of_another_class_invalid_representation"},
		{name: "put_unknown_property_invalid_representation"},
		{name: "put_bad_value_invalid_representation"},
		{name: "put_changed_key_invalid_representation"},
		{name: "put_scalar_repeated_invalid_representation"},
		{name: "create", check: func(t *testing.T, e *testEnv, _ response) {
			if e.vm("vm3") == nil {
				t.Error("vm3 was not created")
			}
		}},
		{name: "create_existing_already_exists"},
		{name: "create_empty_body"},
		{name: "delete", check: func(t *testing.T, e *testEnv, _ response) {
			if e.vm("vm1") != nil {
				t.Error("vm1 was not deleted")
			}
		}},
		{name: "delete_not_supported_action_not_supported"},
	})
}

// TestInvoke covers extrinsic methods.
func TestInvoke(t *testing.T) {
	runGolden(t, []goldenCase{
		{name: "invoke_request_state_change", check: func(t *testing.T, e *testEnv, _ response) {
			if v, _ := e.vm("vm1").Get("EnabledState"); v.Text() != "3" {
				t.Errorf("EnabledState = %v after RequestStateChange(3)", v)
			}
		}},
		{name: "invoke_action_names_defining_cim_class"},
		{name: "invoke_define_system_embedded_instances", check: func(t *testing.T, e *testEnv, _ response) {
			vm := e.vm("vm5")
			if vm == nil || vm.Str("ElementName") != "vm5 (2 devices)" {
				t.Errorf("DefineSystem made %v", vm)
			}
		}},
		{name: "invoke_unknown_method"},
		{name: "invoke_unknown_parameter_invalid_parameter"},
		{name: "invoke_wrong_body_element"},
		{name: "invoke_provider_failure_internal_error"},
		{name: "invoke_missing_selectors"},
	})
}
