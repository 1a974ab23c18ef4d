package main

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
)

// The README is the front page for an agent and their IT; everything else
// is in docs/. These tests keep it short, keep every link between the
// pages working, and keep the repository about itself.

// maxFrontPage is the most the README may weigh: a page read in a minute.
const maxFrontPage = 8192

func TestReadmeIsAFrontPage(t *testing.T) {
	fi, err := os.Stat("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > maxFrontPage {
		t.Errorf("README.md is %d bytes, more than %d: move the detail to docs/", fi.Size(), maxFrontPage)
	}
}

func TestDocLinksResolve(t *testing.T) {
	for _, p := range linkProblems(os.DirFS("."), docPages(t)) {
		t.Error(p)
	}
}

func TestDocsStayInTheRepository(t *testing.T) {
	files := docPages(t)
	// Comments, scripts and build files too: they are read as documentation.
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "bin", "dist", "test-output":
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".go", ".sh", ".wxs", ".toml", ".json":
			files = append(files, filepath.ToSlash(p))
		}
		if d.Name() == "Makefile" || strings.HasPrefix(p, ".ci"+string(filepath.Separator)) {
			files = append(files, filepath.ToSlash(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range outsideReferences(os.DirFS("."), files) {
		t.Error(p)
	}
}

// The map of the house in docs/architecture.md names every package: a
// package that is not under one of its entries, or an entry that is not in
// the repository, is a map out of date.
func TestArchitectureMapIsComplete(t *testing.T) {
	text, err := os.ReadFile("docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	entries := mapEntries(string(text))
	if len(entries) < 10 {
		t.Fatalf("docs/architecture.md: found %d entries in the map of the house, want its table", len(entries))
	}
	for _, e := range entries {
		if _, err := os.Stat(strings.TrimSuffix(e, "/")); err != nil {
			t.Errorf("docs/architecture.md's map names %s, which is not in the repository", e)
		}
	}
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := range strings.Lines(string(out)) {
		rel, err := filepath.Rel(wd, strings.TrimSpace(dir))
		if err != nil {
			t.Fatal(err)
		}
		if pkg := filepath.ToSlash(rel); !mapCovers(entries, pkg) {
			t.Errorf("docs/architecture.md's map of the house has no entry for %s", pkg)
		}
	}
}

// The checks must be able to fail: each is given a page that breaks it.
func TestDocChecksCatchMistakes(t *testing.T) {
	pages := fstest.MapFS{
		"README.md": page("# Title\n\n## What happens when…\n\n" +
			"[ok](docs/a.md#the-map) [ok](#what-happens-when) [ok](https://example.com/x)\n" +
			"[gone](docs/missing.md) [bad anchor](docs/a.md#no-such-heading)\n" +
			"[across\nlines](docs/a.md#nothing-here)\n" +
			"```\n[in code](docs/missing-too.md)\n# not a heading\n```\n" +
			"`[in a code span](docs/missing-three.md)`\n"),
		"docs/a.md": page("# The map\n\n[up](../README.md#title) [wrong](#title)\n" +
			"See " + "ucontact-api" + ".md, ../" + "shared/x and " + "Issue" + " 15.\n"),
	}
	problems := linkProblems(pages, []string{"README.md", "docs/a.md"})
	want := []string{
		"README.md: link to docs/missing.md: no such file",
		"README.md: link to docs/a.md#no-such-heading: no heading with that anchor",
		"README.md: link to docs/a.md#nothing-here: no heading with that anchor",
		"docs/a.md: link to #title: no heading with that anchor",
	}
	if !slices.Equal(problems, want) {
		t.Errorf("link problems:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
	}
	if got := outsideReferences(pages, []string{"README.md", "docs/a.md"}); len(got) != 3 {
		t.Errorf("outside references found: %q, want 3 in docs/a.md", got)
	}
}

// docPages are README.md and docs/*.md.
func docPages(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob("docs/*.md")
	if err != nil || len(docs) == 0 {
		t.Fatalf("docs/*.md: %v (%d files)", err, len(docs))
	}
	return append([]string{"README.md"}, docs...)
}

var (
	fence    = regexp.MustCompile("(?m)^[ \t]*```")
	codeSpan = regexp.MustCompile("`[^`]*`")
	mdLink   = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	heading  = regexp.MustCompile(`^#{1,6}\s+(.+?)\s*#*\s*$`)
)

// linkProblems checks every relative link of pages (paths in fsys): the
// file it points to exists, and so does the heading of its #anchor.
func linkProblems(fsys fs.FS, pages []string) []string {
	var problems []string
	for _, page := range pages {
		text, err := fs.ReadFile(fsys, page)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", page, err))
			continue
		}
		prose := codeSpan.ReplaceAllString(withoutCodeBlocks(string(text)), "")
		for _, m := range mdLink.FindAllStringSubmatch(prose, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			dest := page
			if file != "" {
				dest = path.Join(path.Dir(page), file)
			}
			destText, err := fs.ReadFile(fsys, dest)
			if err != nil {
				if _, statErr := fs.Stat(fsys, dest); statErr == nil {
					continue // a folder
				}
				problems = append(problems, fmt.Sprintf("%s: link to %s: no such file", page, target))
				continue
			}
			if anchor != "" && !slices.Contains(anchors(string(destText)), anchor) {
				problems = append(problems, fmt.Sprintf("%s: link to %s: no heading with that anchor", page, target))
			}
		}
	}
	return problems
}

// withoutCodeBlocks blanks the lines of fenced code blocks, which hold
// neither links nor headings.
func withoutCodeBlocks(text string) string {
	var b strings.Builder
	in := false
	for line := range strings.Lines(text) {
		if fence.MatchString(line) {
			in = !in
			b.WriteString("\n")
			continue
		}
		if in {
			b.WriteString("\n")
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}

// anchors are the ids a Markdown renderer such as GitHub's gives the
// headings of text: lower case, punctuation dropped, spaces as hyphens, a
// repeated one numbered.
func anchors(text string) []string {
	var ids []string
	seen := map[string]int{}
	for line := range strings.Lines(withoutCodeBlocks(text)) {
		m := heading.FindStringSubmatch(strings.TrimRight(line, "\n"))
		if m == nil {
			continue
		}
		var id strings.Builder
		for _, r := range strings.ToLower(m[1]) {
			switch {
			case r == ' ':
				id.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
				id.WriteRune(r)
			}
		}
		s := id.String()
		if n := seen[s]; n > 0 {
			seen[s]++
			s = fmt.Sprintf("%s-%d", s, n)
		} else {
			seen[s] = 1
		}
		ids = append(ids, s)
	}
	return ids
}

// outside are what a page of this repository must not point to: notes and
// documents that live elsewhere. Spelt in pieces so that this file passes.
var outside = []*regexp.Regexp{
	regexp.MustCompile(regexp.QuoteMeta("ucontact-api" + ".md")),
	regexp.MustCompile(regexp.QuoteMeta("../" + "shared")),
	regexp.MustCompile(`(?i)\bissue\s*#?\s*\d+`),
	regexp.MustCompile(`(?i)\bclosing` + `\s+notes?\b`),
}

// outsideReferences lists, as "file:line: text", each mention in files of
// something outside the repository.
func outsideReferences(fsys fs.FS, files []string) []string {
	var found []string
	for _, f := range files {
		text, err := fs.ReadFile(fsys, f)
		if err != nil {
			found = append(found, fmt.Sprintf("%s: %v", f, err))
			continue
		}
		n := 0
		for line := range strings.Lines(string(text)) {
			n++
			for _, re := range outside {
				if m := re.FindString(line); m != "" {
					found = append(found, fmt.Sprintf("%s:%d: %q refers to something outside the repository", f, n, m))
				}
			}
		}
	}
	return found
}

// mapEntries are the paths in the first column of the map of the house:
// the first code block after its heading, one entry a line (lines that
// start with a space continue the one before), "a/, b/" being two.
func mapEntries(text string) []string {
	_, after, ok := strings.Cut(text, "## The map of the house")
	if !ok {
		return nil
	}
	blocks := fence.Split(after, 3)
	if len(blocks) < 3 {
		return nil
	}
	var entries []string
	for i, line := range strings.Split(blocks[1], "\n") {
		if i <= 1 || line == "" || line[0] == ' ' || line[0] == '\t' { // the fence's tail, the header
			continue
		}
		first, _, _ := strings.Cut(line, "  ")
		for e := range strings.SplitSeq(first, ",") {
			entries = append(entries, strings.TrimSpace(e))
		}
	}
	return entries
}

// mapCovers tells whether pkg (a folder, "." for the root) is in entries:
// a package of the layers (app/, cmd/, internal/, session/) by its own
// folder, any other under its folder or a parent of it (assets/, bench/,
// a test helper beside the package it serves), the root as main.go.
func mapCovers(entries []string, pkg string) bool {
	if pkg == "." {
		return slices.Contains(entries, "main.go")
	}
	if layer, rest, _ := strings.Cut(pkg, "/"); slices.Contains([]string{"app", "cmd", "internal", "session"}, layer) && rest != "" && !strings.Contains(rest, "/") {
		return slices.Contains(entries, pkg+"/")
	}
	for _, e := range entries {
		if strings.HasSuffix(e, "/") && strings.HasPrefix(pkg+"/", e) {
			return true
		}
	}
	return false
}

func page(text string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(text)} }
