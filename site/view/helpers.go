package view

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lamport-kb/lamport/i18n"
)

func langs() []string { return i18n.Langs }

func pageTitle(p Page) string {
	if p.Title == "" {
		return p.M.SiteName + " — " + p.M.Tagline
	}
	return p.Title + " · " + p.M.SiteName
}

func otherLangName(p Page) string { return i18n.For(p.OtherLang()).LangName }

func levelClass(level int) string { return "badge level-" + strconv.Itoa(level) }

func itoa(n int) string { return strconv.Itoa(n) }

func join(s []string) string { return strings.Join(s, ", ") }

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// playHeading is "Playground: <pattern>", or "Playground" for a shared
// program.
func playHeading(p Page, d PlayData) string {
	if d.Title == "" {
		return p.M.PlayTitle
	}
	if p.Lang == "zh" {
		return p.M.PlayTitle + "：" + d.Title
	}
	return p.M.PlayTitle + ": " + d.Title
}

func playStatus(p Page, d PlayData) string {
	s := sprintf(p.M.PlayStatus, d.Status)
	if d.Limit != "" {
		s += " — " + p.M.PlayStopped(d.Limit)
	}
	return s
}

// sep is what follows a lead-in such as "Did you mean": a space in
// English, a full-width colon in Chinese.
func sep(p Page) string {
	if p.Lang == "zh" {
		return "："
	}
	return " "
}

// questionMark ends a question in the page's language.
func questionMark(p Page) string {
	if p.Lang == "zh" {
		return "？"
	}
	return "?"
}
