package deadline

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// HeaderName is the gRPC request header that carries a call's timeout.
const HeaderName = "grpc-timeout"

// maxValue is the largest value the header allows: at most 8 digits.
const maxValue = 99_999_999

// units are the header's units, finest first.
var units = []struct {
	symbol byte
	d      time.Duration
}{
	{'n', time.Nanosecond},
	{'u', time.Microsecond},
	{'m', time.Millisecond},
	{'S', time.Second},
	{'M', time.Minute},
	{'H', time.Hour},
}

// ErrMalformed is returned by Decode for a value that is not a timeout.
var ErrMalformed = errors.New("deadline: malformed grpc-timeout value")

// Encode formats d as a grpc-timeout value: at most 8 digits and a unit
// (H, M, S, m, u, n). It uses the finest unit whose value fits and rounds
// down, so the receiver is never given more time than d. A d below one
// nanosecond encodes as "0n", a deadline already passed.
func Encode(d time.Duration) string {
	if d <= 0 {
		return "0n"
	}
	for _, u := range units[:len(units)-1] {
		if v := d / u.d; v <= maxValue {
			return strconv.FormatInt(int64(v), 10) + string(u.symbol)
		}
	}
	return strconv.FormatInt(int64(d/time.Hour), 10) + "H" // at most 2,562,047 hours
}

// Decode parses a grpc-timeout value. It accepts 1 to 8 digits followed
// by one unit letter, and returns ErrMalformed for anything else.
func Decode(s string) (time.Duration, error) {
	if len(s) < 2 || len(s) > 9 {
		return 0, fmt.Errorf("%w: %q", ErrMalformed, s)
	}
	unit, digits := s[len(s)-1], s[:len(s)-1]
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: %q", ErrMalformed, s)
		}
	}
	v, _ := strconv.ParseInt(digits, 10, 64) // 8 digits always fit
	for _, u := range units {
		if u.symbol == unit {
			return time.Duration(v) * u.d, nil
		}
	}
	return 0, fmt.Errorf("%w: unknown unit in %q", ErrMalformed, s)
}

// Header returns the grpc-timeout value for a call made at now under ctx:
// the time left, encoded by Encode. It returns "" when ctx has no deadline
// (send no header: the server assumes none), and ErrBudgetExhausted when
// nothing is left, so a call that is already late is not sent.
func Header(ctx context.Context, now time.Time) (string, error) {
	left, ok := Remaining(ctx, now)
	if !ok {
		return "", nil
	}
	if left <= 0 {
		return "", ErrBudgetExhausted
	}
	return Encode(left), nil
}

// Server derives the context a request is served under from the
// timeout its caller sent. The zero value trusts the caller's timeout
// as it is and imposes none of its own.
type Server struct {
	Max     time.Duration // cap on any request's budget, also applied when the caller sent none; 0: no cap
	Margin  time.Duration // taken off the caller's timeout, for the reply's trip back
	MinWork time.Duration // a request with less time than this left is refused; 0: only an expired one

	Now func() time.Time // nil: time.Now
}

func (s Server) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Budget returns the time a request whose caller sent header may use:
// the decoded timeout less Margin, capped by Max. It returns false when
// neither the header nor Max bounds the request.
func (s Server) Budget(header string) (time.Duration, bool, error) {
	budget, bounded := time.Duration(0), false
	if header != "" {
		d, err := Decode(header)
		if err != nil {
			return 0, false, err
		}
		budget, bounded = d-s.Margin, true
	}
	if s.Max > 0 && (!bounded || s.Max < budget) {
		budget, bounded = s.Max, true
	}
	return budget, bounded, nil
}

// Context returns a context derived from parent that ends when the
// request's budget (see Budget) runs out. It returns ErrMalformed for a
// header that does not parse, and ErrBudgetExhausted when less than
// MinWork is left, so the handler can refuse the work before starting it.
// The returned context and cancel function are never nil.
func (s Server) Context(parent context.Context, header string) (context.Context, context.CancelFunc, error) {
	budget, bounded, err := s.Budget(header)
	if err != nil {
		return parent, func() {}, err
	}
	if !bounded {
		ctx, cancel := context.WithCancel(parent)
		return ctx, cancel, nil
	}
	if budget <= 0 || budget < s.MinWork {
		return parent, func() {}, ErrBudgetExhausted
	}
	ctx, cancel := context.WithDeadline(parent, s.now().Add(budget))
	return ctx, cancel, nil
}
