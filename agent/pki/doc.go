// Package pki is the manager's internal certificate authority and the
// credentials of the nodes it admits.
//
// The manager keeps an ECDSA P-256 CA under its data directory (key 0600).
// It issues itself a fresh server certificate at each start, marked with
// ManagerURI and ServerAuth, and issues each enrolled node a client
// certificate whose common name is the node's host UUID, marked with
// NodeURI and ClientAuth. A join token (FormatToken) carries the CA's
// SHA-256 fingerprint and a one-time secret: the agent trusts the manager
// whose chain holds that CA, and the manager trusts the agent that knows the
// secret; from then on both sides pin the CA (mutual TLS 1.3).
package pki
