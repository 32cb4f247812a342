package raft

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/anishathalye/porcupine"

	"github.com/lamport-kb/lamport/sim"
)

// Kind is what a client operation does.
type Kind uint8

// The operations of the key-value store.
const (
	Get Kind = iota + 1 // read a key
	Put                 // write a key
)

// Command is one client operation as it travels through the log: who sent
// it (Client, Seq: the client's session), what it does, on which key.
// Seq grows with every operation of a client, so a retried command is
// recognised and applied once.
type Command struct {
	Client sim.NodeID
	Seq    int
	Kind   Kind
	Key    string
	Value  string // the value a Put writes
}

func (c Command) String() string {
	if c.Kind == Put {
		return fmt.Sprintf("put %s=%s", c.Key, c.Value)
	}
	return "get " + c.Key
}

// Result is what a command returned: the value a Get read ("" when the
// key was never written).
type Result struct {
	Value string
}

// encode appends the command's wire form to b.
func (c Command) encode(b []byte) []byte {
	b = binary.AppendVarint(b, int64(c.Client))
	b = binary.AppendUvarint(b, uint64(c.Seq))
	b = append(b, byte(c.Kind))
	b = appendString(b, c.Key)
	return appendString(b, c.Value)
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

var errCommand = errors.New("raft: malformed command")

// decodeCommand reads a command encoded by encode.
func decodeCommand(b []byte) (Command, error) {
	r := reader{b: b}
	c := Command{Client: sim.NodeID(r.varint()), Seq: int(r.uvarint()), Kind: Kind(r.byte()), Key: r.string(), Value: r.string()}
	if r.err != nil || len(r.b) != 0 || (c.Kind != Get && c.Kind != Put) {
		return Command{}, errCommand
	}
	return c, nil
}

// reader decodes varints and strings, remembering the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, n = errCommand, len(r.b)
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err, n = errCommand, len(r.b)
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.err = errCommand
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) string() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err = errCommand
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// KV is the replicated state machine: a map of strings, with one session
// per client so that a command retried after a timeout takes effect once
// (the Raft dissertation, §6.3). Apply is fed the committed entries in
// index order; Digest fingerprints the whole sequence applied so far, so
// two replicas with the same (Index, Digest) applied the same commands.
type KV struct {
	data     map[string]string
	sessions map[sim.NodeID]session
	index    uint64
	digest   uint64
}

// session is the last command a client had applied, and its result.
type session struct {
	seq    int
	result Result
}

// NewKV returns an empty store that has applied nothing.
func NewKV() *KV {
	return &KV{data: map[string]string{}, sessions: map[sim.NodeID]session{}}
}

// Apply applies the entry at index (the next one: Index()+1), whose
// command is cmd, or nothing for an entry that carries none (a new
// leader's no-op). It returns the command's result; a command its
// session has seen is not applied again, and the last one returns its
// saved result.
func (kv *KV) Apply(index uint64, cmd *Command) Result {
	if index != kv.index+1 {
		panic(fmt.Sprintf("raft: applying entry %d after %d", index, kv.index))
	}
	kv.index = index
	kv.digest = chain(kv.digest, cmd)
	if cmd == nil {
		return Result{}
	}
	if s, ok := kv.sessions[cmd.Client]; ok && cmd.Seq == s.seq {
		return s.result // a retry of the last command: its result again
	} else if ok && cmd.Seq < s.seq {
		return Result{} // an older one: its client has had its answer
	}
	var res Result
	switch cmd.Kind {
	case Put:
		kv.data[cmd.Key] = cmd.Value
	case Get:
		res.Value = kv.data[cmd.Key]
	}
	kv.sessions[cmd.Client] = session{cmd.Seq, res}
	return res
}

// Applied returns the saved result of the client's command seq, if its
// session has applied it.
func (kv *KV) Applied(client sim.NodeID, seq int) (Result, bool) {
	s, ok := kv.sessions[client]
	if !ok || s.seq != seq {
		return Result{}, false
	}
	return s.result, true
}

// Index returns the index of the last entry applied.
func (kv *KV) Index() uint64 { return kv.index }

// Digest returns the fingerprint of every entry applied, in order.
func (kv *KV) Digest() uint64 { return kv.digest }

// chain extends a digest with one entry's command (nil: a no-op).
func chain(digest uint64, cmd *Command) uint64 {
	h := fnv.New64a()
	b := binary.BigEndian.AppendUint64(nil, digest)
	if cmd != nil {
		b = cmd.encode(append(b, 1))
	}
	h.Write(b)
	return h.Sum64()
}

// Model is the porcupine model of one key of the store, a register:
// histories are partitioned by key, Get must read the latest Put (""
// before any), and an operation that never returned may return anything.
var Model = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string]int{}
		var parts [][]porcupine.Operation
		for _, op := range history {
			k := op.Input.(Command).Key
			i, ok := byKey[k]
			if !ok {
				i = len(parts)
				byKey[k] = i
				parts = append(parts, nil)
			}
			parts[i] = append(parts[i], op)
		}
		return parts
	},
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		cmd := input.(Command)
		if cmd.Kind == Put {
			return true, cmd.Value
		}
		res, done := output.(Result)
		return !done || res.Value == state.(string), state
	},
	Equal: func(a, b any) bool { return a == b },
	DescribeOperation: func(input, output any) string {
		if res, ok := output.(Result); ok && input.(Command).Kind == Get {
			return fmt.Sprintf("%v → %q", input, res.Value)
		}
		return fmt.Sprint(input)
	},
}
