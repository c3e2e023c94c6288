package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"sync"
	"time"
)

// verifiedCache remembers, for a short time, the (user, stored hash, password)
// triples bcrypt has accepted. Its keys are HMAC-SHA256 digests under a key
// drawn at start-up, so the cache never holds a password nor a digest of one
// that could be attacked offline without the process memory. Because the
// stored hash is part of the key, changing a password invalidates every entry
// made under the old one.
type verifiedCache struct {
	ttl time.Duration
	max int

	mu      sync.Mutex
	mac     hash.Hash
	entries map[[sha256.Size]byte]time.Time // key → expiry
}

func newVerifiedCache(ttl time.Duration, max int) (*verifiedCache, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("verification cache key: %w", err)
	}
	return &verifiedCache{
		ttl:     ttl,
		max:     max,
		mac:     hmac.New(sha256.New, secret),
		entries: make(map[[sha256.Size]byte]time.Time),
	}, nil
}

// key returns the digest for a verification. Each field is length-prefixed so
// no two different triples share an encoding.
func (c *verifiedCache) key(user, storedHash, password string) [sha256.Size]byte {
	var k [sha256.Size]byte
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mac.Reset()
	for _, f := range [...]string{user, storedHash, password} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(f)))
		c.mac.Write(n[:])
		c.mac.Write([]byte(f))
	}
	c.mac.Sum(k[:0])
	return k
}

// hit reports whether k was verified and has not expired at now.
func (c *verifiedCache) hit(k [sha256.Size]byte, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	exp, ok := c.entries[k]
	if ok && !now.Before(exp) {
		delete(c.entries, k)
		return false
	}
	return ok
}

// add records k as verified at now. When the cache is full it first drops
// expired entries and then, if still full, an arbitrary one.
func (c *verifiedCache) add(k [sha256.Size]byte, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		for ek, exp := range c.entries {
			if !now.Before(exp) {
				delete(c.entries, ek)
			}
		}
	}
	if len(c.entries) >= c.max {
		for ek := range c.entries {
			delete(c.entries, ek)
			break
		}
	}
	c.entries[k] = now.Add(c.ttl)
}

// len returns the number of entries, expired or not.
func (c *verifiedCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
