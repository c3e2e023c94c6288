package wsman

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParseSubscribe feeds arbitrary bytes through the wse:Subscribe
// decoder and what its result is stored as: the reference parameters
// written back as XML, the SubscriptionInfo it becomes and reads back
// from. None of it may panic, and what is written must read back.
func FuzzParseSubscribe(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "eventing_*.xml"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, fault := decodeEnvelope(data)
		if fault != nil || req.payload == nil {
			return
		}
		sr, fault := parseSubscribe(req.payload, testNow, time.Hour)
		if fault != nil {
			_ = faultEnvelope(soap12, fault, "")
			return
		}
		info := &eventInfo{id: "uuid:x", manager: req.to, resourceURI: req.resourceURI, notifyTo: sr.notifyTo.refParams,
			endTo: sr.endTo, expires: sr.expires, asDuration: sr.asDuration}
		back, err := parseEventInfo(info.marshal())
		if err != nil {
			t.Fatalf("SubscriptionInfo does not read back: %v\n%s", err, info.marshal())
		}
		if back.notifyTo != info.notifyTo {
			t.Fatalf("reference parameters changed:\n%s\n%s", info.notifyTo, back.notifyTo)
		}
	})
}
