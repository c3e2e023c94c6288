package wsman

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func TestParseXMLLimits(t *testing.T) {
	deep := strings.Repeat("<a>", maxDepth+1) + strings.Repeat("</a>", maxDepth+1)
	for _, c := range []struct{ name, doc, wantErr string }{
		{"DOCTYPE is refused", `<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>`, "DOCTYPE"},
		{"nesting beyond the limit is refused", deep, "nested"},
		{"undeclared entities are refused", `<x>&e;</x>`, "entity"},
		{"two roots are refused", `<x/><y/>`, "root"},
		{"UTF-16 is refused", `<?xml version="1.0" encoding="UTF-16"?><x/>`, "encoding"},
		{"empty input is refused", ``, "root"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseXML([]byte(c.doc))
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("parseXML: %v, want an error about %q", err, c.wantErr)
			}
		})
	}
	n, err := parseXML([]byte(strings.Repeat("<a>", maxDepth) + strings.Repeat("</a>", maxDepth)))
	if err != nil || n == nil {
		t.Errorf("nesting at the limit: %v", err)
	}
}

func TestEscapeKeepsResponsesWellFormed(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`a<b>&"c"`, `a&lt;b&gt;&amp;"c"`},
		{"bell\x07 and nul\x00", "bell\uFFFD and nul\uFFFD"},
		{"bad utf-8 \xff!", "bad utf-8 \uFFFD!"},
		{"line\r\nbreak", "line&#xD;\nbreak"},
		{"ünïcödé ✓", "ünïcödé ✓"},
	} {
		var b bytes.Buffer
		escape(&b, c.in, false)
		if b.String() != c.want {
			t.Errorf("escape(%q) = %q, want %q", c.in, b.String(), c.want)
		}
	}
}

func TestResourceURIs(t *testing.T) {
	for _, c := range []struct {
		uri, class string
		ok         bool
	}{
		{DMTFResourcePrefix + "CIM_ComputerSystem", "CIM_ComputerSystem", true},
		{FerrumResourcePrefix + "Ferrum_ComputerSystem", "Ferrum_ComputerSystem", true},
		{"http://schemas.dell.com/wbem/wscim/1/cim-schema/2/DCIM_SystemView", "DCIM_SystemView", true},
		{DMTFResourcePrefix + "CIM_ComputerSystem?__cimnamespace=root/virt", "CIM_ComputerSystem", true},
		{"http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd", "", false},
		{DMTFResourcePrefix + "CIM_Bad-Name", "", false},
		{DMTFResourcePrefix, "", false},
	} {
		class, ok := classFromResourceURI(c.uri)
		if class != c.class || ok != c.ok {
			t.Errorf("classFromResourceURI(%q) = %q, %v; want %q, %v", c.uri, class, ok, c.class, c.ok)
		}
	}
	if got := ResourceURI("CIM_ComputerSystem"); got != DMTFResourcePrefix+"CIM_ComputerSystem" {
		t.Errorf("ResourceURI(CIM_) = %s", got)
	}
	if got := ResourceURI("Ferrum_HostSystem"); got != FerrumResourcePrefix+"Ferrum_HostSystem" {
		t.Errorf("ResourceURI(Ferrum_) = %s", got)
	}
	if !isAllClassesURI(AllClassesURI) || !isAllClassesURI(DMTFResourcePrefix+"*") {
		t.Error("the all-classes URIs are not recognized")
	}
}

// TestCIMStatusFaults checks the DSP0227 mapping of CIM status codes to
// faults, for each kind of operation.
func TestCIMStatusFaults(t *testing.T) {
	for _, c := range []struct {
		status  cim.Status
		op      operation
		subcode string
		detail  string
	}{
		{cim.ErrAccessDenied, opOther, "wsman:AccessDenied", ""},
		{cim.ErrAlreadyExists, opRepresent, "wsman:AlreadyExists", ""},
		{cim.ErrInvalidClass, opOther, "wsa:DestinationUnreachable", "InvalidResourceURI"},
		{cim.ErrInvalidNamespace, opOther, "wsa:DestinationUnreachable", ""},
		{cim.ErrNotFound, opOther, "wsa:DestinationUnreachable", ""},
		{cim.ErrInvalidParameter, opOther, "wsman:InvalidParameter", ""},
		{cim.ErrInvalidParameter, opRepresent, "wxf:InvalidRepresentation", ""},
		{cim.ErrInvalidParameter, opFilter, "wsman:CannotProcessFilter", ""},
		{cim.ErrTypeMismatch, opRepresent, "wxf:InvalidRepresentation", ""},
		{cim.ErrInvalidQuery, opFilter, "wsman:CannotProcessFilter", ""},
		{cim.ErrQueryLanguageNotSupported, opFilter, "wsen:FilterDialectRequestedUnavailable", ""},
		{cim.ErrNotSupported, opOther, "wsa:ActionNotSupported", "ActionMismatch"},
		{cim.ErrMethodNotFound, opInvoke, "wsa:ActionNotSupported", "ActionMismatch"},
		{cim.ErrInvalidEnumerationContext, opOther, "wsen:InvalidEnumerationContext", ""},
		{cim.ErrServerLimitsExceeded, opOther, "wsman:QuotaLimit", ""},
		{cim.ErrServerIsShuttingDown, opOther, "wsa:EndpointUnavailable", ""},
		{cim.ErrFailed, opOther, "wsman:InternalError", ""},
		{cim.ErrClassHasChildren, opOther, "wsman:InternalError", ""},
	} {
		f := faultFor(cim.Errorf(c.status, "test"), c.op)
		if f.Subcode() != c.subcode || f.detail != c.detail {
			t.Errorf("%s (op %d) → %s %q, want %s %q", c.status, c.op, f.Subcode(), f.detail, c.subcode, c.detail)
		}
	}
}
