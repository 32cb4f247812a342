// Package i18n holds Lamport's user-interface text in every supported
// language and chooses a reader's language.
//
// Each language's catalog is a Messages value: a struct, not a map, so a
// missing string is a compile error in the catalog's literal and a test
// (TestCatalogsComplete) fails if any field is left empty. Templates call
// For(lang) once per request and read fields (m.Search) or call the
// formatting helpers (m.PatternCount(3)).
//
// Negotiate picks the language for a request that does not name one: an
// explicit cookie wins, then the Accept-Language header (with q-values),
// then English. The package knows nothing of HTTP; the site passes the
// header values in.
package i18n

import (
	"slices"
	"strconv"
	"strings"
)

// The supported languages. The first is the default.
const (
	English = "en"
	Chinese = "zh"
)

// Langs lists the supported language codes, default first.
var Langs = []string{English, Chinese}

// Supported reports whether lang is one of Langs.
func Supported(lang string) bool { return slices.Contains(Langs, lang) }

// For returns the catalog of lang, or English for an unknown language.
func For(lang string) *Messages {
	if lang == Chinese {
		return &zh
	}
	return &en
}

// Other returns the language a reader switches to from lang.
func Other(lang string) string {
	if lang == Chinese {
		return English
	}
	return Chinese
}

// Negotiate returns the language for a request: the cookie value when it
// names a supported language, else the best match of the Accept-Language
// header, else English.
func Negotiate(cookie, acceptLanguage string) string {
	if Supported(cookie) {
		return cookie
	}
	best, bestQ := English, 0.0
	for _, part := range strings.Split(acceptLanguage, ",") {
		lang, q := parseRange(part)
		if q > bestQ && Supported(lang) {
			best, bestQ = lang, q
		}
	}
	return best
}

// parseRange parses one Accept-Language item such as "zh-CN;q=0.8" into a
// base language ("zh") and its quality.
func parseRange(item string) (string, float64) {
	tag, params, _ := strings.Cut(strings.TrimSpace(item), ";")
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	q := 1.0
	if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return base, 0
		}
		q = f
	}
	return base, q
}
