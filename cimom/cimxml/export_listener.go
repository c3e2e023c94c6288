package cimxml

import (
	"context"
	"net/http"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// ListenerFunc receives one exported indication. Returning an error makes
// the listener answer with an ERROR (CIM_ERR_FAILED unless err is a
// *cim.Error), so that the sender retries.
type ListenerFunc func(ctx context.Context, ind *cim.Instance) error

// NewListener returns an http.Handler for a CIM-XML indication listener
// (DSP0200 §7; digest §1.5): it accepts POSTed ExportIndication requests,
// hands each indication to fn and answers with EXPMETHODRESPONSE. Requests
// other than a single ExportIndication with one NewIndication are answered
// with CIM_ERR_INVALID_PARAMETER.
func NewListener(fn ListenerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "CIM-XML exports are POSTed", http.StatusMethodNotAllowed)
			return
		}
		id, ind, err := DecodeExportIndication(http.MaxBytesReader(w, r.Body, maxExportBody))
		if err == nil {
			err = fn(r.Context(), ind)
		}
		w.Header().Set("Content-Type", `application/xml; charset="utf-8"`)
		w.Header().Set("CIMExport", exportResponse)
		_, _ = w.Write(EncodeExportResponse(id, err))
	})
}
