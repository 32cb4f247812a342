package site

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/search"
	"github.com/lamport-kb/lamport/site/view"
)

// resultsPerPage is the size of a page of the results page.
const resultsPerPage = 20

// The results page and the API read the same parameters: q, category and
// tag (catalog ids). The page shows the reader's language first
// (search.Query.Prefer) and pages with page=N; the API chooses with
// lang= (only that language) or prefer=, and pages with offset= and
// limit=. A bad parameter is a 400 in the reader's language.

// searchFilters reads q, category and tag.
func searchFilters(params url.Values, lib *content.Library, m *i18n.Messages) (search.Query, error) {
	q := search.Query{Text: strings.TrimSpace(params.Get("q")), Category: params.Get("category"), Tag: params.Get("tag")}
	if q.Category != "" && lib.Category(q.Category) == nil {
		return q, httpError(http.StatusBadRequest, sprintf(m.SearchBadCat, q.Category))
	}
	if q.Tag != "" && lib.Tag(q.Tag) == nil {
		return q, httpError(http.StatusBadRequest, sprintf(m.SearchBadTag, q.Tag))
	}
	return q, nil
}

// intParam reads a whole number from lo to hi, or def when absent.
func intParam(params url.Values, name string, lo, hi, def int) (int, bool) {
	if !params.Has(name) {
		return def, true
	}
	n, err := strconv.Atoi(params.Get(name))
	return n, err == nil && n >= lo && n <= hi
}

// maxPage is the last page the results page can have.
const maxPage = (search.MaxResults + resultsPerPage - 1) / resultsPerPage

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) error {
	st, lang := s.current(), langOf(r)
	m := i18n.For(lang)
	params := r.URL.Query()
	q, err := searchFilters(params, st.Library, m)
	if err != nil {
		return err
	}
	page, ok := intParam(params, "page", 1, maxPage, 1)
	if !ok {
		return httpError(http.StatusBadRequest, sprintf(m.SearchBadPage, maxPage))
	}
	q.Prefer, q.Offset, q.Limit = lang, (page-1)*resultsPerPage, resultsPerPage
	d := view.SearchData{Query: q.Text, Page: page}
	if q.Text != "" && st.Search != nil {
		res, err := runSearch(r, st, q)
		if err != nil {
			return err
		}
		d = searchData(st.Library, lang, q, page, res)
	}
	p := s.page(r, lang, m.SearchTitle)
	p.Nav, p.Query, p.NoIndex = "search", q.Text, true
	p.Description, p.KeepQuery = m.SearchEmpty, true
	// the language switch keeps the query and the filters
	p.SwitchQuery = strings.TrimPrefix(searchQuery(q, 0), "?")
	s.render(w, r, http.StatusOK, p, view.SearchPage(p, d))
	return nil
}

// searchQuery is the query string of the results page for q's text and
// filters, on page (none for the first).
func searchQuery(q search.Query, page int) string {
	v := url.Values{}
	if q.Text != "" {
		v.Set("q", q.Text)
	}
	if q.Category != "" {
		v.Set("category", q.Category)
	}
	if q.Tag != "" {
		v.Set("tag", q.Tag)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// searchData is the results page of q's results.
func searchData(lib *content.Library, lang string, q search.Query, page int, res *search.Results) view.SearchData {
	href := func(q search.Query, page int) string { return "/" + lang + "/search" + searchQuery(q, page) }
	d := view.SearchData{Query: q.Text, Total: res.Total, Took: res.Took.Round(time.Microsecond).String(), Page: page,
		Pages: (res.Total + resultsPerPage - 1) / resultsPerPage, Start: q.Offset + 1}
	for _, h := range res.Hits {
		hit := view.SearchHit{Title: h.Title, Heading: h.Heading, URL: h.URL, Snippet: h.Snippet, Planned: h.Planned}
		if h.Lang != lang {
			hit.Lang, hit.LangName = h.Lang, i18n.For(h.Lang).LangName
		}
		d.Hits = append(d.Hits, hit)
	}
	if res.Suggestion != "" {
		d.Suggestion = res.Suggestion
		d.SuggestionURL = href(search.Query{Text: res.Suggestion, Category: q.Category, Tag: q.Tag}, 1)
	}
	for _, f := range res.Categories {
		c := q
		c.Category = f.Value
		if f.Value == q.Category {
			c.Category = ""
		}
		d.Categories = append(d.Categories, view.FacetLink{Name: lib.Category(f.Value).Name.In(lang), Count: f.Count,
			URL: href(c, 1), Selected: f.Value == q.Category})
	}
	for _, f := range res.Tags {
		c := q
		c.Tag = f.Value
		if f.Value == q.Tag {
			c.Tag = ""
		}
		name := f.Value
		if t := lib.Tag(f.Value); t != nil {
			name = t.Name.In(lang)
		}
		d.Tags = append(d.Tags, view.FacetLink{Name: name, Count: f.Count, URL: href(c, 1), Selected: f.Value == q.Tag})
	}
	if q.Category != "" || q.Tag != "" {
		d.ClearURL = href(search.Query{Text: q.Text}, 1)
	}
	if page > 1 {
		d.PrevURL = href(q, page-1)
	}
	if page < d.Pages {
		d.NextURL = href(q, page+1)
	}
	return d
}

// runSearch runs q on the state's index and turns the index's refusals
// into the errors the adapter answers: 400 for a query too long, 503 with
// Retry-After when searches are busy or ran out of time.
func runSearch(r *http.Request, st *state, q search.Query) (*search.Results, error) {
	m := i18n.For(langOf(r))
	res, err := st.Search.Search(r.Context(), q)
	switch {
	case errors.Is(err, search.ErrQueryTooLong):
		return nil, httpError(http.StatusBadRequest, sprintf(m.SearchTooLong, search.MaxQueryRunes, search.MaxQueryWords))
	case errors.Is(err, search.ErrBusy),
		errors.Is(err, context.DeadlineExceeded) && r.Context().Err() == nil: // our deadline, not the client's
		return nil, errSearchBusy(http.StatusServiceUnavailable, 1)
	}
	return res, err
}
