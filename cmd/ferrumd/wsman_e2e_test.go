package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func soap(t *testing.T, c *http.Client, url, user, pw, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	if user != "" {
		req.SetBasicAuth(user, pw)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const identifyRequest = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>`

const enumerateProfiles = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
 xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing"
 xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
 xmlns:wsen="http://schemas.xmlsoap.org/ws/2004/09/enumeration">
 <s:Header>
  <wsa:To>/wsman</wsa:To>
  <wsman:ResourceURI s:mustUnderstand="true">http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_RegisteredProfile</wsman:ResourceURI>
  <wsa:ReplyTo><wsa:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:Address></wsa:ReplyTo>
  <wsa:Action s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate</wsa:Action>
  <wsa:MessageID>uuid:6f1c1b46-2c3e-4f57-9d3d-9f0a0d4e1a01</wsa:MessageID>
  <wsman:SelectorSet><wsman:Selector Name="__cimnamespace">root/interop</wsman:Selector></wsman:SelectorSet>
 </s:Header>
 <s:Body><wsen:Enumerate><wsman:OptimizeEnumeration/><wsman:MaxElements>50</wsman:MaxElements></wsen:Enumerate></s:Body>
</s:Envelope>`

// TestWSManOnTheRunningDaemon talks WS-Management to a real ferrumd:
// Identify without credentials, and profile discovery in root/interop with
// the admin's.
func TestWSManOnTheRunningDaemon(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	p := startFerrumd(t, data)
	httpAddr, _ := p.waitReady()
	defer p.stop(syscall.SIGTERM)
	c := client(t, data)
	url := "http://" + httpAddr + "/wsman"
	password := strings.TrimSpace(readFile(t, filepath.Join(data, "admin-password")))

	code, body := soap(t, c, url, "", "", identifyRequest)
	if code != 200 || !strings.Contains(body, "ProductVendor>Ferrum<") {
		t.Fatalf("Identify without credentials: %d %s", code, body)
	}
	if code, _ := soap(t, c, url, "", "", enumerateProfiles); code != 401 {
		t.Fatalf("Enumerate without credentials: status %d, want 401", code)
	}
	code, body = soap(t, c, url, "admin", password, enumerateProfiles)
	if code != 200 || !strings.Contains(body, "Profile Registration") || !strings.Contains(body, "EndOfSequence") {
		t.Fatalf("Enumerate CIM_RegisteredProfile in root/interop: %d %s", code, body)
	}
}
