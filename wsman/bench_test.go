package wsman

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var endOfSequenceRE = regexp.MustCompile(`EndOfSequence`)

// benchEnumerate enumerates n virtual machines with an optimized
// Enumerate followed by Pulls, batch items at a time, and reports items/s
// and the response octets per item.
func benchEnumerate(b *testing.B, n, batch int) {
	e := newTestEnv(b)
	addVMs(e, n-2)
	enum := []byte(fmt.Sprintf(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:wsen="http://schemas.xmlsoap.org/ws/2004/09/enumeration">
<s:Header><wsa:To>/wsman</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate</wsa:Action>
<wsa:MessageID>uuid:44444444-4444-4444-8444-444444444444</wsa:MessageID><wsman:ResourceURI>%s</wsman:ResourceURI></s:Header>
<s:Body><wsen:Enumerate><wsman:OptimizeEnumeration/><wsman:MaxElements>%d</wsman:MaxElements></wsen:Enumerate></s:Body></s:Envelope>`, vmURI, batch))
	var octets, items int64
	b.ResetTimer()
	for b.Loop() {
		r := e.post(enum, testUser)
		octets += int64(len(r.body))
		for !endOfSequenceRE.Match(r.body) {
			m := contextRE.FindSubmatch(r.body)
			if r.status != 200 || m == nil {
				b.Fatalf("HTTP %d\n%s", r.status, r.body[min(len(r.body), 700):])
			}
			r = e.pull(testUser, string(m[1]), batch)
			octets += int64(len(r.body))
		}
		items += int64(n)
	}
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(octets)/float64(items), "bytes/item")
}

func BenchmarkEnumeratePull1k(b *testing.B)  { benchEnumerate(b, 1000, 500) }
func BenchmarkEnumeratePull10k(b *testing.B) { benchEnumerate(b, 10000, 500) }

// BenchmarkGet measures WS-Transfer Get of one virtual machine.
func BenchmarkGet(b *testing.B) {
	e := newTestEnv(b)
	get := []byte(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">
<s:Header><wsa:To>/wsman</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</wsa:Action>
<wsa:MessageID>uuid:55555555-5555-4555-8555-555555555555</wsa:MessageID><wsman:ResourceURI>` + vmURI + `</wsman:ResourceURI>
<wsman:SelectorSet><wsman:Selector Name="CreationClassName">Ferrum_ComputerSystem</wsman:Selector><wsman:Selector Name="Name">vm1</wsman:Selector></wsman:SelectorSet></s:Header>
<s:Body/></s:Envelope>`)
	var octets int64
	for b.Loop() {
		r := e.post(get, testUser)
		if r.status != 200 || !strings.Contains(string(r.body), "vm1") {
			b.Fatalf("HTTP %d\n%s", r.status, r.body)
		}
		octets += int64(len(r.body))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(octets)/float64(b.N), "bytes/item")
}
