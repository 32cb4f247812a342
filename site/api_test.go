package site

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/lamport-kb/lamport/playground"
	"github.com/lamport-kb/lamport/store"
)

func post(t *testing.T, s http.Handler, path, ctype, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("POST", path, strings.NewReader(body))
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

// apiError decodes an API error answer, failing unless it is JSON.
func apiError(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("status %d: Content-Type %q, want JSON; body %.200s", w.Code, ct, w.Body.String())
	}
	var e struct{ Error string }
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error == "" {
		t.Fatalf("status %d: body %.200s is not {\"Error\": ...}", w.Code, w.Body.String())
	}
	return e.Error
}

// TestAPIErrorsAreJSON checks that every refusal of the playground API is
// {"Error": message} in the reader's language, with Retry-After when
// waiting helps.
func TestAPIErrorsAreJSON(t *testing.T) {
	warming := &playground.WarmingError{Remaining: 11500 * time.Millisecond}
	tests := []struct {
		name    string
		runner  playground.Runner
		path    string
		header  []string
		status  int
		want    string
		retryOK bool
	}{
		{"busy", fakeRunner{err: playground.ErrBusy}, "/api/run", nil, 429, "The playground is busy", true},
		{"busy zh by query", fakeRunner{err: playground.ErrBusy}, "/api/run?lang=zh", nil, 429, "在线运行环境正忙", true},
		{"warming", fakeRunner{err: warming}, "/api/run", nil, 503, "the playground is warming up (about 12 s)", true},
		{"warming zh by referer", fakeRunner{err: warming}, "/api/run", []string{"Referer", "http://x.test/zh/patterns/circuit-breaker"}, 503, "在线运行环境正在预热（约 12 秒）", true},
		{"warming zh by cookie", fakeRunner{err: warming}, "/api/run", []string{"Cookie", "lang=zh"}, 503, "预热", true},
		{"warming zh by header", fakeRunner{err: warming}, "/api/run", []string{"Accept-Language", "zh-CN"}, 503, "预热", true},
		{"query beats referer", fakeRunner{err: warming}, "/api/run?lang=en", []string{"Referer", "http://x.test/zh/"}, 503, "warming up", true},
		{"unavailable", nil, "/api/run", nil, 503, "not available", false},
		{"share disabled", nil, "/api/share?lang=zh", nil, 503, "分享", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustServer(t)
			s.cfg.Runner = tt.runner
			w := post(t, s, tt.path, "application/json", `{"body":"package main"}`, tt.header...)
			msg := apiError(t, w)
			if w.Code != tt.status || !strings.Contains(msg, tt.want) {
				t.Errorf("status %d, error %q; want %d with %q", w.Code, msg, tt.status, tt.want)
			}
			if got := w.Header().Get("Retry-After"); (got != "") != tt.retryOK {
				t.Errorf("Retry-After %q", got)
			}
		})
	}
	if w := post(t, mustServer(t), "/api/run", "application/json", `{"body":"x"}`); w.Header().Get("Retry-After") != "" {
		t.Error("Retry-After on a request that cannot succeed later")
	}
	s := mustServer(t)
	s.cfg.Runner = fakeRunner{err: warming}
	if w := post(t, s, "/api/run", "application/json", `{"body":"x"}`); w.Header().Get("Retry-After") != "12" {
		t.Errorf("warming: Retry-After %q, want 12", w.Header().Get("Retry-After"))
	}
}

// TestRateLimitAnswers sends one client's requests past the limit: the API
// answers 429 as JSON in the reader's language, the no-JS form a localized
// page with the site's chrome; both say when to retry.
func TestRateLimitAnswers(t *testing.T) {
	tests := []struct {
		path, ctype, body string
		limit             int
	}{
		{"/api/run?lang=zh", "application/json", `{"body":"x"}`, 30},
		{"/api/fmt?lang=zh", "application/json", `{"body":"x"}`, 60},
		{"/api/share?lang=zh", "application/json", `{"body":"x"}`, 30},
		{"/zh/play/circuit-breaker", "application/x-www-form-urlencoded", "body=x", 30},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			s := mustServer(t)
			s.cfg.Runner = fakeRunner{}
			for range tt.limit {
				post(t, s, tt.path, tt.ctype, tt.body)
			}
			w := post(t, s, tt.path, tt.ctype, tt.body)
			if w.Code != 429 || w.Header().Get("Retry-After") == "" {
				t.Fatalf("status %d, Retry-After %q; want 429 with Retry-After", w.Code, w.Header().Get("Retry-After"))
			}
			if strings.HasPrefix(tt.path, "/api/") {
				if msg := apiError(t, w); !strings.Contains(msg, "请求过于频繁") {
					t.Errorf("error %q, want the Chinese rate-limit message", msg)
				}
				return
			}
			doc, err := goquery.NewDocumentFromReader(w.Body)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Find("html[lang=zh-CN] header").Length() == 0 || !strings.Contains(doc.Find("[data-testid=error]").Text(), "请求过于频繁") {
				t.Errorf("the form got no localized page with the chrome: %.400s", doc.Text())
			}
		})
	}
}

// TestFormBusyPage posts the no-JS form while the playground cannot run:
// a localized page with Retry-After, not a bare status.
func TestFormBusyPage(t *testing.T) {
	tests := []struct {
		err    error
		path   string
		status int
		want   string
	}{
		{playground.ErrBusy, "/en/play/circuit-breaker", 429, "The playground is busy"},
		{&playground.WarmingError{Remaining: 30 * time.Second}, "/zh/play/circuit-breaker", 503, "在线运行环境正在预热（约 30 秒）"},
	}
	for _, tt := range tests {
		s := mustServer(t)
		s.cfg.Runner = fakeRunner{err: tt.err}
		w := post(t, s, tt.path, "application/x-www-form-urlencoded", "body=x")
		if w.Code != tt.status || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), tt.want) ||
			!strings.Contains(w.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%v: status %d, Retry-After %q, body %.300s", tt.err, w.Code, w.Header().Get("Retry-After"), w.Body.String())
		}
	}
}

// TestReadRequestStatuses checks the status of each kind of bad body.
func TestReadRequestStatuses(t *testing.T) {
	big := strings.Repeat("x", playground.MaxSource+1)
	tests := []struct {
		name, ctype, body string
		status            int
	}{
		{"json", "application/json", `{"body":"x"}`, 200},
		{"json with charset", "application/json; charset=utf-8", `{"body":"x"}`, 200},
		{"json then newline", "application/json", "{\"body\":\"x\"}\n", 200},
		{"form", "application/x-www-form-urlencoded", "body=x", 200},
		{"oversized json", "application/json", `{"body":"` + big + `"}`, 413},
		{"oversized json body", "application/json", `{"body":"x","pad":"` + strings.Repeat("y", 1<<20) + `"}`, 413},
		{"escaped json within the limit", "application/json", `{"body":"` + strings.Repeat(`\"`, playground.MaxSource) + `"}`, 200},
		{"oversized form", "application/x-www-form-urlencoded", "body=" + big, 413},
		{"malformed json", "application/json", `{"body":`, 400},
		{"trailing junk", "application/json", `{"body":"x"} {"body":"y"}`, 400},
		{"trailing garbage", "application/json", `{"body":"x"}garbage`, 400},
		{"malformed form", "application/x-www-form-urlencoded", "body=%zz", 400},
		{"plain text", "text/plain", "package main", 415},
		{"no content type", "", "package main", 415},
		{"bad content type", "application/", "x", 415},
	}
	s := mustServer(t)
	s.cfg.Runner = fakeRunner{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := post(t, s, "/api/run", tt.ctype, tt.body)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d; body %.200s", w.Code, tt.status, w.Body.String())
			}
			if tt.status != 200 {
				apiError(t, w)
			}
		})
	}
}

// TestCrossSiteRefused checks that a browser's cross-site POST to the
// playground is refused, while same-origin pages and non-browser clients
// are served.
func TestCrossSiteRefused(t *testing.T) {
	shares, err := store.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer shares.Close()
	id, err := shares.Put(context.Background(), "package main")
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"/api/run", "/api/fmt", "/api/share", "/en/play/circuit-breaker", "/p/" + id}
	tests := []struct {
		name   string
		header []string
		status int
	}{
		{"curl", nil, 200},
		{"same origin", []string{"Sec-Fetch-Site", "same-origin", "Origin", "http://example.com"}, 200},
		{"typed by the user", []string{"Sec-Fetch-Site", "none"}, 200},
		{"cross site", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.test"}, 403},
		{"same site", []string{"Sec-Fetch-Site", "same-site", "Origin", "http://other.example.com"}, 403},
		{"origin of another host", []string{"Origin", "https://evil.test"}, 403},
		{"origin of this host", []string{"Origin", "http://example.com"}, 200},
		{"opaque origin", []string{"Origin", "null"}, 403},
	}
	for _, tt := range tests {
		s := mustServer(t) // one per case: the paths share a rate limit
		s.cfg.Runner, s.cfg.Shares = fakeRunner{}, shares
		for _, path := range paths {
			t.Run(tt.name+path, func(t *testing.T) {
				w := post(t, s, path, "application/x-www-form-urlencoded", "body=package+main", tt.header...)
				if w.Code != tt.status {
					t.Fatalf("status %d, want %d; body %.200s", w.Code, tt.status, w.Body.String())
				}
				if w.Code == 403 && strings.HasPrefix(path, "/api/") {
					apiError(t, w)
				}
			})
		}
	}
}

// TestHeadAndAllow checks that every GET route answers HEAD with the GET
// answer's status and headers and no body, and that 405 names the allowed
// methods.
func TestHeadAndAllow(t *testing.T) {
	s := mustServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	paths := []string{"/", "/healthz", "/readyz", "/robots.txt", "/sitemap.xml", "/favicon.svg",
		"/en/", "/zh/patterns/", "/en/patterns/circuit-breaker", "/en/tags/", "/en/search?q=retry",
		"/en/play/circuit-breaker", "/en/patterns", "/en/no-such-page"}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, path := range paths {
		for _, enc := range []string{"gzip", "identity"} { // set, so that the client does not decompress
			t.Run(path+" "+enc, func(t *testing.T) {
				get, body := do(t, client, "GET", ts.URL+path, enc)
				head, headBody := do(t, client, "HEAD", ts.URL+path, enc)
				if head.StatusCode != get.StatusCode || len(headBody) != 0 || len(body) == 0 {
					t.Errorf("HEAD: status %d with %d bytes; GET: %d with %d", head.StatusCode, len(headBody), get.StatusCode, len(body))
				}
				for _, h := range []string{"Content-Type", "Content-Length", "Content-Encoding", "Cache-Control", "Location", "Vary"} {
					if head.Header.Get(h) != get.Header.Get(h) {
						t.Errorf("%s: HEAD %q, GET %q", h, head.Header.Get(h), get.Header.Get(h))
					}
				}
			})
		}
	}
	allow := []struct {
		method, path, want string
	}{
		{"POST", "/en/", "GET, HEAD"},
		{"DELETE", "/en/patterns/circuit-breaker", "GET, HEAD"},
		{"GET", "/api/run", "POST"},
		{"HEAD", "/api/fmt", "POST"},
		{"PUT", "/en/play/circuit-breaker", "GET, HEAD, POST"},
	}
	for _, tt := range allow {
		r := httptest.NewRequest(tt.method, tt.path, nil)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != 405 || w.Header().Get("Allow") != tt.want {
			t.Errorf("%s %s: status %d, Allow %q; want 405 with %q", tt.method, tt.path, w.Code, w.Header().Get("Allow"), tt.want)
		}
	}
}

func do(t *testing.T, client *http.Client, method, url, encoding string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", encoding)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// timeoutRunner answers like a program stopped by the time limit.
type timeoutRunner struct{}

func (timeoutRunner) Run(context.Context, playground.Request) (*playground.Response, error) {
	return &playground.Response{Events: []playground.Event{{Message: "tick", Kind: "stdout"}}, Status: 137, Limit: "time"}, nil
}

// TestTimeoutInOutput checks that a timed-out run says so in its output,
// as the Go playground does, in the reader's language.
func TestTimeoutInOutput(t *testing.T) {
	s := mustServer(t)
	s.cfg.Runner = timeoutRunner{}
	for lang, want := range map[string]string{"en": "tick\ntimeout running program\n", "zh": "tick\n程序运行超时\n"} {
		w := post(t, s, "/api/run?lang="+lang, "application/json", `{"body":"x"}`)
		var resp playground.Response
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || w.Code != 200 {
			t.Fatalf("%s: status %d %.200s", lang, w.Code, w.Body.String())
		}
		if got := resp.Output(); got != want || resp.Events[len(resp.Events)-1].Kind != "stderr" {
			t.Errorf("%s: output %q, want %q on stderr", lang, got, want)
		}
		page := post(t, s, "/"+lang+"/play/circuit-breaker", "application/x-www-form-urlencoded", "body=x")
		doc, err := goquery.NewDocumentFromReader(page.Body)
		if err != nil {
			t.Fatal(err)
		}
		if got := doc.Find("[data-testid=play-output]").Text(); !strings.Contains(got, want) {
			t.Errorf("%s: the form's output %q lacks %q", lang, got, want)
		}
		limit := map[string]string{"en": "the time limit", "zh": "时间限制"}[lang]
		if got := doc.Find(".play-status").Text(); !strings.Contains(got, limit) {
			t.Errorf("%s: the status line %q does not name %q", lang, got, limit)
		}
	}
}

// TestHeadOfLiveStream checks that HEAD on the author-mode event stream
// answers its headers and ends, instead of streaming forever.
func TestHeadOfLiveStream(t *testing.T) {
	s := mustServer(t)
	s.cfg.Live = true
	s.router = s.routes()
	ts := httptest.NewServer(s)
	defer ts.Close()
	client := &http.Client{Timeout: 10 * time.Second}
	head, _ := do(t, client, "HEAD", ts.URL+"/_live", "identity")
	if head.StatusCode != 200 || head.Header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("HEAD /_live: %d %q", head.StatusCode, head.Header.Get("Content-Type"))
	}
}
