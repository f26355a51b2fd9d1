package report

import (
	"html"
	"regexp"
	"strings"
)

// markdownToHTML converts the small Markdown subset Markdown emits
// (headings, pipe tables, bullet lists, fenced code, quotes, bold and
// code spans) to HTML, escaping all text.
func markdownToHTML(md string) string {
	var b strings.Builder
	lines := strings.Split(md, "\n")
	inCode, inList := false, false
	var tableRows [][]string
	flushTable := func() {
		if len(tableRows) == 0 {
			return
		}
		b.WriteString("<table>\n")
		for i, row := range tableRows {
			if i == 1 {
				continue // the |---| separator
			}
			tag := "td"
			if i == 0 {
				tag = "th"
			}
			b.WriteString("<tr>")
			for _, c := range row {
				b.WriteString("<" + tag + ">" + inline(strings.TrimSpace(c)) + "</" + tag + ">")
			}
			b.WriteString("</tr>\n")
		}
		b.WriteString("</table>\n")
		tableRows = nil
	}
	closeList := func() {
		if inList {
			b.WriteString("</ul>\n")
			inList = false
		}
	}
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "```"):
			flushTable()
			closeList()
			if inCode {
				b.WriteString("</pre>\n")
			} else {
				b.WriteString("<pre>")
			}
			inCode = !inCode
		case inCode:
			b.WriteString(html.EscapeString(l) + "\n")
		case strings.HasPrefix(l, "|"):
			closeList()
			tableRows = append(tableRows, strings.Split(strings.Trim(l, "|"), "|"))
		case strings.HasPrefix(l, "#"):
			flushTable()
			closeList()
			n := len(l) - len(strings.TrimLeft(l, "#"))
			tag := "h" + string(rune('0'+min(n, 6)))
			b.WriteString("<" + tag + ">" + inline(strings.TrimSpace(l[n:])) + "</" + tag + ">\n")
		case strings.HasPrefix(l, "- ") || strings.HasPrefix(l, "  - "):
			flushTable()
			if !inList {
				b.WriteString("<ul>\n")
				inList = true
			}
			b.WriteString("<li>" + inline(strings.TrimSpace(l)[2:]) + "</li>\n")
		case strings.HasPrefix(l, "> "):
			flushTable()
			closeList()
			b.WriteString("<blockquote>" + inline(l[2:]) + "</blockquote>\n")
		case strings.TrimSpace(l) == "":
			flushTable()
			closeList()
		default:
			flushTable()
			closeList()
			b.WriteString("<p>" + inline(l) + "</p>\n")
		}
	}
	flushTable()
	closeList()
	return b.String()
}

var (
	boldRE = regexp.MustCompile(`\*\*([^*]+)\*\*`)
	codeRE = regexp.MustCompile("`([^`]+)`")
)

func inline(s string) string {
	s = html.EscapeString(s)
	s = boldRE.ReplaceAllString(s, "<b>$1</b>")
	return codeRE.ReplaceAllString(s, "<code>$1</code>")
}
