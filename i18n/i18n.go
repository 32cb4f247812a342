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

	"golang.org/x/text/language"
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

// matcher matches a reader's preferences against Langs, in order: a
// reader of Traditional Chinese (zh-TW, zh-HK) gets the Chinese pages,
// whose simplified script they read, rather than English.
var matcher = language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese})

// Negotiate returns the language for a request: the cookie value when it
// names a supported language, else the best match of the Accept-Language
// header (x/text's matcher: q-values, regions and scripts), else English.
func Negotiate(cookie, acceptLanguage string) string {
	if Supported(cookie) {
		return cookie
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return English
	}
	_, i, confidence := matcher.Match(prefs...)
	if confidence == language.No {
		return English
	}
	return Langs[i]
}
