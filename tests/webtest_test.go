package tests

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestScripts runs the HTTP scripts in testdata/*.txt against the real site.
//
// A script is a list of cases separated by blank lines. A case is a request
// line, optional request headers, and assertions:
//
//	# comment
//	GET /en/patterns/circuit-breaker
//	> Accept-Language: zh-CN
//	code == 200
//	header Content-Type == text/html; charset=utf-8
//	header Cache-Control contains immutable
//	body contains <h2 id="definition">
//	body !contains TODO
//	body ~ <title>[^<]*Circuit
func TestScripts(t *testing.T) {
	ts := mustServer(t)
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no scripts in testdata")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			cases, err := parseScript(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cases {
				c.run(t, client, ts.URL)
			}
		})
	}
}

type scriptCase struct {
	at         string // file:line of the request
	method     string
	path       string
	headers    [][2]string
	assertions []assertion
}

type assertion struct {
	at, what, name, op, want string
}

func parseScript(file string) ([]*scriptCase, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cases []*scriptCase
	var cur *scriptCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		at := fmt.Sprintf("%s:%d", file, n)
		switch {
		case line == "":
			cur = nil
		case strings.HasPrefix(line, "#"):
		case cur == nil:
			method, path, ok := strings.Cut(line, " ")
			if !ok {
				return nil, fmt.Errorf("%s: want METHOD PATH, got %q", at, line)
			}
			cur = &scriptCase{at: at, method: method, path: path}
			cases = append(cases, cur)
		case strings.HasPrefix(line, ">"):
			k, v, _ := strings.Cut(strings.TrimSpace(line[1:]), ":")
			cur.headers = append(cur.headers, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
		default:
			a, err := parseAssertion(at, line)
			if err != nil {
				return nil, err
			}
			cur.assertions = append(cur.assertions, a)
		}
	}
	return cases, sc.Err()
}

var assertionRE = regexp.MustCompile(`^(code|body|header (\S+)) (==|contains|!contains|~) (.*)$`)

func parseAssertion(at, line string) (assertion, error) {
	m := assertionRE.FindStringSubmatch(line)
	if m == nil {
		return assertion{}, fmt.Errorf("%s: bad assertion %q", at, line)
	}
	what := strings.Fields(m[1])[0]
	return assertion{at: at, what: what, name: m[2], op: m[3], want: m[4]}, nil
}

func (c *scriptCase) run(t *testing.T, client *http.Client, base string) {
	t.Helper()
	req, err := http.NewRequest(c.method, base+c.path, nil)
	if err != nil {
		t.Fatalf("%s: %v", c.at, err)
	}
	for _, h := range c.headers {
		req.Header.Set(h[0], h[1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", c.at, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, a := range c.assertions {
		var got string
		switch a.what {
		case "code":
			got = strconv.Itoa(resp.StatusCode)
		case "header":
			got = resp.Header.Get(a.name)
		case "body":
			got = string(body)
		}
		if !a.holds(got) {
			if len(got) > 300 {
				got = got[:300] + "…"
			}
			t.Errorf("%s: %s %s: %s %s %q; got %q", a.at, c.method, c.path, a.what+" "+a.name, a.op, a.want, got)
		}
	}
}

func (a assertion) holds(got string) bool {
	switch a.op {
	case "==":
		return got == a.want
	case "contains":
		return strings.Contains(got, a.want)
	case "!contains":
		return !strings.Contains(got, a.want)
	case "~":
		return regexp.MustCompile(a.want).MatchString(got)
	}
	return false
}
