package hashring_test

import (
	"fmt"

	"github.com/lamport-kb/lamport/content/patterns/hashring"
)

func ExampleRing() {
	r := hashring.New(hashring.Options{})
	r.Add("cache-a", "cache-b", "cache-c")
	before, _ := r.Get("user:42")
	r.Add("cache-d")
	after, _ := r.Get("user:42")
	fmt.Println(after == before || after == "cache-d")
	// Output: true
}

func ExampleRing_GetN() {
	r := hashring.New(hashring.Options{})
	r.Add("a", "b", "c", "d")
	fmt.Println(len(r.GetN("order:7", 3)))
	// Output: 3
}

func ExampleJump() {
	fmt.Println(hashring.Jump(0, 1), hashring.Jump(hashring.Hash64([]byte("k")), 10) < 10)
	// Output: 0 true
}

func ExampleSlot() {
	fmt.Println(hashring.Slot("{user1000}.following") == hashring.Slot("{user1000}.followers"))
	// Output: true
}
