package wsman

import "bytes"

// faultEnvelope writes f as a SOAP fault in version v (digest §2.6).
func faultEnvelope(v soapVersion, f *Fault, relatesTo string) *bytes.Buffer {
	rp := reply{action: f.kind.action(), relatesTo: relatesTo, headers: func(w xw) { faultHeaders(w, f) },
		eventing: f.kind.ns == nsWSE}
	return envelope(v, rp, func(w xw) {
		if v == soap11 {
			writeFault11(w, f)
		} else {
			writeFault12(w, f)
		}
	})
}

// faultHeaders writes the SOAP 1.2 headers that s:MustUnderstand and
// s:VersionMismatch carry.
func faultHeaders(w xw, f *Fault) {
	switch f.kind {
	case faultMustUnderstand:
		if n := f.notUnderstood; n != nil {
			w.empty("s:NotUnderstood", "qname", "nu:"+n.Local, "xmlns:nu", n.Space)
		}
	case faultVersionMismatch:
		w.open("s:Upgrade")
		w.empty("s:SupportedEnvelope", "qname", "se:Envelope", "xmlns:se", nsSOAP12)
		w.close("s:Upgrade")
	}
}

func writeFault12(w xw, f *Fault) {
	w.open("s:Fault")
	w.open("s:Code")
	if f.kind.ns == "" {
		w.elem("s:Value", "s:"+f.kind.local)
	} else {
		code := "s:Sender"
		if f.kind.receiver {
			code = "s:Receiver"
		}
		w.elem("s:Value", code)
		w.open("s:Subcode")
		w.elem("s:Value", f.Subcode())
		w.close("s:Subcode")
	}
	w.close("s:Code")
	w.open("s:Reason")
	w.elem("s:Text", f.Reason(), "xml:lang", "en")
	w.close("s:Reason")
	writeFaultDetail(w, f, "s:Detail")
	w.close("s:Fault")
}

// writeFault11 writes the SOAP 1.1 form, where the WS-Addressing binding
// puts the subcode in faultcode.
func writeFault11(w xw, f *Fault) {
	w.open("s:Fault")
	if f.kind.ns == "" {
		w.elem("faultcode", "s:"+f.kind.local)
	} else {
		w.elem("faultcode", f.Subcode())
	}
	w.elem("faultstring", f.Reason(), "xml:lang", "en")
	writeFaultDetail(w, f, "detail")
	w.close("s:Fault")
}

func writeFaultDetail(w xw, f *Fault, name string) {
	if f.detail == "" && !f.supportedDialects && f.action == "" {
		return
	}
	w.open(name)
	if f.detail != "" {
		w.elem("wsman:FaultDetail", faultDetailPrefix+f.detail)
	}
	if f.supportedDialects {
		for _, d := range supportedDialects {
			w.elem("wsen:SupportedDialect", d)
		}
	}
	if f.action != "" {
		w.elem("wsa:Action", f.action)
	}
	w.close(name)
}
