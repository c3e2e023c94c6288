package wsman

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeRequest feeds arbitrary bytes through everything that reads a
// request before a provider is called: the XML parser, the envelope, the
// headers and selectors, the Enumerate body and its filters, instance and
// parameter decoding. None of it may panic, whatever arrives.
func FuzzDecodeRequest(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	e := newTestEnv(f)
	h := e.h
	vm := h.classOf("root/virt", "Ferrum_ComputerSystem")
	vsms := h.classOf("root/virt", "Ferrum_VirtualSystemManagementService")
	f.Fuzz(func(t *testing.T, data []byte) {
		req, fault := decodeEnvelope(data)
		if fault != nil {
			_ = faultEnvelope(soap12, fault, "")
			return
		}
		if req.isIdentify() {
			_ = h.identify(req)
		}
		if fault := req.readHeaders(); fault != nil {
			_ = faultEnvelope(req.soap, fault, req.messageID)
		}
		_ = req.checkOptions()
		_, _ = h.resolveClass(req)
		_, _ = instancePath("root/virt", vm, req.selectors)
		for _, s := range req.selectors {
			if s.epr != nil {
				_, _ = eprToPath(s.epr, "root/virt")
			}
		}
		if req.payload == nil {
			return
		}
		dec := &decoder{classOf: h.classOf, ns: "root/virt"}
		_, _ = dec.instance(req.payload, vm)
		_, _ = dec.params(req.payload, vsms.Method("DefineSystem"))
		if er, f := h.parseEnumerate(req); f == nil {
			_, _ = h.source(req, er)
		}
	})
}
