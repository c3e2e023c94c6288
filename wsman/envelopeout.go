package wsman

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
)

// The prefixes every response declares on its Envelope, so that bodies and
// faults can use them without further declarations.
var envelopeNamespaces = []struct{ prefix, uri string }{
	{"wsa", nsWSA}, {"wsman", nsWSMAN}, {"wsen", nsWSEN}, {"wxf", nsWXF},
	{"wsmb", nsWSMB}, {"xsi", nsXSI}, {"cim", nsCIM},
}

// prefixFor returns the prefix responses use for a namespace ("s" for the
// SOAP envelope, whose faults have no namespace of their own).
func prefixFor(uri string) string {
	if uri == nsWSE {
		return "wse"
	}
	for _, n := range envelopeNamespaces {
		if n.uri == uri {
			return n.prefix
		}
	}
	return "s"
}

// A reply describes the headers of a response.
type reply struct {
	action    string
	relatesTo string
	headers   func(w xw) // further headers, or nil
	// eventing declares the wse prefix too; other responses leave it out
	// so that they stay as they were before eventing.
	eventing bool
}

// writeEnvelopeStart writes the XML declaration, the Envelope with its
// namespace declarations, the Header and the opening of the Body.
func writeEnvelopeStart(w xw, v soapVersion, rp reply) {
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	attrs := []string{"xmlns:s", v.ns()}
	for _, n := range envelopeNamespaces {
		attrs = append(attrs, "xmlns:"+n.prefix, n.uri)
	}
	if rp.eventing {
		attrs = append(attrs, "xmlns:wse", nsWSE)
	}
	w.open("s:Envelope", attrs...)
	w.open("s:Header")
	w.elem("wsa:To", anonymousAddress)
	w.elem("wsa:Action", rp.action)
	w.elem("wsa:MessageID", newUUID())
	if rp.relatesTo != "" {
		w.elem("wsa:RelatesTo", rp.relatesTo)
	}
	if rp.headers != nil {
		rp.headers(w)
	}
	w.close("s:Header")
	w.open("s:Body")
}

const envelopeEnd = "</s:Body></s:Envelope>"

// envelope builds a whole response whose body is written by body.
func envelope(v soapVersion, rp reply, body func(w xw)) *bytes.Buffer {
	b := &bytes.Buffer{}
	w := xw{b}
	writeEnvelopeStart(w, v, rp)
	if body != nil {
		body(w)
	}
	b.WriteString(envelopeEnd)
	return b
}

// newUUID returns a random (version 4) UUID URN such as
// uuid:0f8fad5b-d9cb-469f-a165-70867728950e. Enumeration contexts use it
// too, so it must be unguessable: it comes from crypto/rand.
func newUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return "uuid:" + string(s[:])
}
