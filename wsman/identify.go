package wsman

import "bytes"

// identify answers wsmid:Identify (DSP0226 §11). The response has no
// WS-Addressing headers, like the request.
func (h *Handler) identify(req *request) *bytes.Buffer {
	b := &bytes.Buffer{}
	w := xw{b}
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	w.open("s:Envelope", "xmlns:s", req.soap.ns(), "xmlns:wsmid", nsWSMID)
	w.empty("s:Header")
	w.open("s:Body")
	w.open("wsmid:IdentifyResponse")
	w.elem("wsmid:ProtocolVersion", nsWSMAN)
	w.elem("wsmid:ProductVendor", "Ferrum")
	w.elem("wsmid:ProductVersion", h.opts.ProductVersion)
	w.open("wsmid:SecurityProfiles")
	w.elem("wsmid:SecurityProfileName", profileHTTPBasic)
	w.elem("wsmid:SecurityProfileName", profileHTTPSBasic)
	w.close("wsmid:SecurityProfiles")
	w.close("wsmid:IdentifyResponse")
	w.close("s:Body")
	w.close("s:Envelope")
	return b
}
