package playground

import (
	"fmt"
	"strings"
	"testing"
)

// TestCacheBoundedByBytes: the result cache holds responses within its
// budget of bytes however many arrive, evicts the least recently used
// first, and keeps no response too large for its share of the budget.
func TestCacheBoundedByBytes(t *testing.T) {
	s := &Service{cache: newResultCache(cacheBytes)}
	big := strings.Repeat("x", 3<<20) // shared: the test holds one copy
	resp := func() *Response { return &Response{Events: []Event{{Message: big, Kind: "stdout"}}} }
	for i := range 40 { // 120 MiB of output
		s.store(fmt.Sprint(i), resp())
		s.cached("0") // the first stays in use
	}
	held := 0
	for i := range 40 {
		if r := s.cached(fmt.Sprint(i)); r != nil {
			held += len(r.Output())
		}
	}
	if held > cacheBytes {
		t.Errorf("the cache holds %d bytes of output; the budget is %d", held, cacheBytes)
	}
	for _, key := range []string{"0", "39"} {
		if s.cached(key) == nil {
			t.Errorf("response %s, recently used, was evicted", key)
		}
	}
	if s.cached("1") != nil {
		t.Error("response 1, the least recently used, is still cached")
	}
	s.store("flood", &Response{Events: []Event{{Message: strings.Repeat("x", 60<<20), Kind: "stdout"}}})
	if s.cached("flood") != nil {
		t.Error("a 60 MB response was cached")
	}
	if s.cached("39") == nil {
		t.Error("a response too large to cache evicted others")
	}
}
