// Package cimom is the heart of Ferrum's CIM object manager: the dispatcher
// that implements the semantics of every CIM operation once — class,
// qualifier, instance, association and method operations — for every
// protocol binding. Providers register for (namespace, class) pairs the way
// http.Handlers register with a ServeMux; classes without a provider keep
// their instances in the store. Bindings (cimom/cimxml, wsman) decode a
// request, call the Dispatcher, and encode what it returns; they translate
// the *cim.Error values it returns into their own error forms.
package cimom
