package eventsourcing

import "fmt"

// SchemaKey names one schema version of one event type.
type SchemaKey struct {
	Type   string
	Schema int
}

// Upcasters maps an old schema of an event type to a function that rewrites the
// event into a newer schema (and possibly a new type). Stored events are never
// changed; the rewrite happens on every read. A nil Upcasters changes nothing.
type Upcasters map[SchemaKey]func(Event) (Event, error)

// Upcast applies upcasters to e until none matches, so v1 -> v2 -> v3 chains work.
// Each step must raise the schema or change the type; a chain longer than the
// number of upcasters is reported as a loop.
func (u Upcasters) Upcast(e Event) (Event, error) {
	for range len(u) + 1 {
		f, ok := u[SchemaKey{e.Type, e.Schema}]
		if !ok {
			return e, nil
		}
		next, err := f(e)
		if err != nil {
			return e, fmt.Errorf("upcast %s v%d: %w", e.Type, e.Schema, err)
		}
		e = next
	}
	return e, fmt.Errorf("upcast %s v%d: upcaster loop", e.Type, e.Schema)
}
