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

// join lists s inline, with the language's separator.
func join(p Page, s []string) string { return strings.Join(s, p.M.ListSep) }

// description is the page's meta description: its own, else the tagline.
func description(p Page) string {
	if p.Description != "" {
		return p.Description
	}
	return p.M.Tagline
}

func ogType(p Page) string {
	if p.Kind != "" {
		return p.Kind
	}
	return "website"
}

// socialTitle is the title a shared link shows: the page's own, or the
// site's name and tagline on the home page.
func socialTitle(p Page) string {
	if p.Title == "" {
		return p.M.SiteName + " — " + p.M.Tagline
	}
	return p.Title
}

func ogLocale(lang string) string {
	if lang == i18n.Chinese {
		return "zh_CN"
	}
	return "en_US"
}

// themeLabels are the theme button's names of its three states, in the
// order theme.js cycles through them: system, light, dark.
func themeLabels(p Page) string {
	return strings.Join([]string{p.M.ThemeSystem, p.M.ThemeLight, p.M.ThemeDark}, "|")
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// playHeading is "Playground: <pattern>", or "Playground" for a shared
// program.
func playHeading(p Page, d PlayData) string {
	if d.Heading != "" {
		return d.Heading
	}
	if d.Title == "" {
		return p.M.PlayTitle
	}
	return p.M.Label(p.M.PlayTitle, d.Title)
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
