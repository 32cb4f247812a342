package eventsourcing

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"io"
	"sync"
)

// ErrShredded is returned by [Vault.Open] for a subject whose key was forgotten.
var ErrShredded = errors.New("eventsourcing: key shredded")

// Vault implements crypto-shredding: personal data inside events is encrypted with
// a key per subject (a customer, say), and forgetting the key makes every copy of
// that data unreadable, in the store, its backups and any replica, without
// rewriting the append-only log. It is safe for concurrent use. The zero value is
// ready. A production vault keeps keys in a KMS, not in memory.
type Vault struct {
	// Rand supplies keys and nonces; nil means crypto/rand.
	Rand io.Reader

	mu   sync.Mutex
	keys map[string][]byte // subject -> AES-256 key; nil value: shredded
}

// Seal encrypts plaintext under subject's key (created on first use) with AES-GCM
// and returns nonce||ciphertext. It returns ErrShredded after Forget(subject).
func (v *Vault) Seal(subject string, plaintext []byte) ([]byte, error) {
	aead, err := v.aead(subject, true)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := io.ReadFull(v.rand(), nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, plaintext, []byte(subject)), nil
}

// Open decrypts what Seal returned for the same subject, or returns ErrShredded.
func (v *Vault) Open(subject string, sealed []byte) ([]byte, error) {
	aead, err := v.aead(subject, false)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("eventsourcing: sealed data too short")
	}
	return aead.Open(nil, sealed[:n], sealed[n:], []byte(subject))
}

// Forget destroys subject's key. Data sealed for it can no longer be opened, and
// Seal refuses new data for it.
func (v *Vault) Forget(subject string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys == nil {
		v.keys = make(map[string][]byte)
	}
	v.keys[subject] = nil
}

func (v *Vault) aead(subject string, create bool) (cipher.AEAD, error) {
	key, err := v.key(subject, create)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func (v *Vault) key(subject string, create bool) ([]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	key, seen := v.keys[subject]
	switch {
	case seen && key == nil:
		return nil, ErrShredded
	case seen:
		return key, nil
	case !create:
		return nil, ErrShredded
	}
	key = make([]byte, 32)
	if _, err := io.ReadFull(v.rand(), key); err != nil {
		return nil, err
	}
	if v.keys == nil {
		v.keys = make(map[string][]byte)
	}
	v.keys[subject] = key
	return key, nil
}

func (v *Vault) rand() io.Reader {
	if v.Rand != nil {
		return v.Rand
	}
	return rand.Reader
}
