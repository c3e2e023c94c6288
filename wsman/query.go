package wsman

// querySource serves the WQL and CQL filter dialects through cimom/query.
func (h *Handler) querySource(req *request, er *enumerateRequest) (*enumSource, *Fault) {
	return nil, newFault(faultFilteringNotSupported, "", "WQL and CQL filters are not available yet.")
}
