// Package indication is Ferrum's indication service (DSP1054): it builds the
// lifecycle and alert indications (CIM_InstCreation, CIM_InstModification,
// CIM_InstDeletion, CIM_AlertIndication), matches each published indication
// against the active subscriptions' filters, and delivers it to each
// subscriber in order, from one goroutine per subscription, with
// DeliveryRetryAttempts retries DeliveryRetryInterval apart and a bounded
// queue (overflow drops the oldest waiting indication, counts it and raises
// one CIM_AlertIndication per overflow episode).
//
// Filters are cimom/query WQL or DMTF:CQL SELECT statements. A filter
// selects an indication whose class is its FROM class or a subclass, in one
// of its SourceNamespaces (all when none are given), that satisfies its
// WHERE condition. Properties of the embedded instances are reached with a
// dotted path and classes tested with ISA:
//
//	SELECT * FROM CIM_InstModification
//	  WHERE SourceInstance ISA CIM_ComputerSystem AND SourceInstance.EnabledState = 2
//
// CQL's class-qualified form SourceInstance.CIM_ComputerSystem::EnabledState
// is not part of the query package's grammar; write SourceInstance.EnabledState
// together with an ISA test instead.
//
// Lifecycle indications for store-backed classes come from ObserveStore, a
// decorator of the dispatcher's InstanceStore; providers publish their own
// with Publish and the InstCreation/InstModification/InstDeletion/Alert
// helpers. The transport of each subscription is a Sender: CIM-XML export
// (cimxml.ExportClient) or WS-Management push, whose Senders come from a
// Deliverer the wsman binding implements (wsman.Deliverer), so that the core
// never imports a binding.
package indication
