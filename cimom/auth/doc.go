// Package auth holds Ferrum's users and how a request proves who it comes from.
//
// A UserStore keeps users with bcrypt password hashes (the SQLite store in
// cimom/store in the daemon, MemoryUserStore in tests). An Authenticator checks
// a user name and password against the store, refusing unknown and disabled
// users in the same time it takes to refuse a wrong password, and caches
// successful checks briefly because bcrypt is deliberately slow and CIM clients
// send many requests. RequireBasic is the HTTP middleware that protects the CIM
// routes with HTTP Basic authentication and puts the authenticated Principal in
// the request context. EnsureAdmin creates the first administrator.
package auth
