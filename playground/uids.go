package playground

import "context"

// The run uids, playground/jail's FirstUID and UIDs (jail is not imported
// here: its init would lock down the server). Each running program holds
// one, so that programs running at the same time cannot signal each other
// (the kernel lets a process signal only its own uid's) and the jail's
// RLIMIT_NPROC, which counts every task of a uid, counts one run's threads.
const (
	firstRunUID = 90000
	runUIDCount = 32
)

// uidPool hands out run uids, each to one run at a time.
type uidPool chan int

// runUIDs is the process's pool. uids belong to the machine, not to a
// Service: every Service in the process draws from this one, so that two
// of them (tests make several) never run programs as the same uid at once.
// Two server processes on one machine would still share uids; run one.
var runUIDs = newUIDPool(firstRunUID, runUIDCount)

func newUIDPool(first, n int) uidPool {
	p := make(uidPool, n)
	for uid := first; uid < first+n; uid++ {
		p <- uid
	}
	return p
}

// take waits for a free uid. Runs hold a slot first and there are fewer
// slots than uids unless MaxConcurrent is above runUIDCount, so it
// normally returns at once.
func (p uidPool) take(ctx context.Context) (int, error) {
	select {
	case uid := <-p:
		return uid, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// give returns a uid once its run has exited: with fork forbidden, a run
// leaves no process behind.
func (p uidPool) give(uid int) { p <- uid }
