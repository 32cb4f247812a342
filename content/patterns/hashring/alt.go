package hashring

import "strings"

// Rendezvous returns the node with the highest hash of (node, key): highest
// random weight hashing. Removing a node moves only that node's keys, and
// adding one moves only keys to it, like a ring, with no ring to store, but
// each lookup hashes every node: O(n). A nil hash
// means Hash64. It reports false when nodes is empty.
func Rendezvous(key string, nodes []string, hash func([]byte) uint64) (string, bool) {
	if hash == nil {
		hash = Hash64
	}
	best, bestScore, found := "", uint64(0), false
	for _, n := range nodes {
		s := hash([]byte(n + "\x00" + key))
		if !found || s > bestScore || (s == bestScore && n < best) {
			best, bestScore, found = n, s, true
		}
	}
	return best, found
}

// Jump returns the bucket in [0, buckets) for key: jump consistent hash
// (Lamping and Veach, 2014), in O(log buckets) time and no memory. Growing
// from n to n+1 buckets moves only keys to the new bucket n, about 1/(n+1)
// of them. Buckets are numbered, so only the last can be removed. Jump
// returns -1 when buckets is less than 1.
func Jump(key uint64, buckets int) int {
	b, j := int64(-1), int64(0)
	for j < int64(buckets) {
		b = j
		key = key*2862933555777941757 + 1
		j = int64(float64(b+1) * (float64(int64(1)<<31) / float64((key>>33)+1)))
	}
	return int(b)
}

// Slots is the number of hash slots in a Redis Cluster.
const Slots = 16384

// Slot returns the Redis Cluster hash slot of key: CRC16 (XMODEM) of the
// key modulo 16384. If the key contains a hash tag, a "{...}" with at least
// one byte between the first "{" and the next "}", only the tag is hashed,
// so "{user:42}.cart" and "{user:42}.profile" share a slot.
func Slot(key string) int {
	return int(crc16([]byte(hashTag(key))) % Slots)
}

// hashTag returns the part of key that Redis hashes: the bytes between
// the first "{" and the first "}" after it, if there are any; else the key.
func hashTag(key string) string {
	open := strings.IndexByte(key, '{')
	if open < 0 {
		return key
	}
	end := strings.IndexByte(key[open+1:], '}')
	if end <= 0 { // no "}", or "{}"
		return key
	}
	return key[open+1 : open+1+end]
}

// crc16 is CRC-16/XMODEM (polynomial 0x1021, initial value 0), the CRC
// Redis Cluster uses.
func crc16(data []byte) uint16 {
	var crc uint16
	for _, b := range data {
		crc ^= uint16(b) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
