package i18n

import "strings"

// FyneEnv is environ (os.Environ's form) for a process that runs Fyne, which
// reads the locale from the environment as the process starts, before any
// of the app's code runs. A locale whose language is C or POSIX with a
// character set, such as the C.UTF-8 of many servers and containers, is
// one Fyne cannot parse: it would log an error at every start. LANGUAGE,
// which Fyne reads next, then names the app's language, so that Fyne's own
// words match the app's too. Only the language of messages changes: the
// character set, which text input needs, stays as it was.
func FyneEnv(environ []string) []string {
	get := func(name string) string {
		for _, kv := range environ {
			if v, ok := strings.CutPrefix(kv, name+"="); ok {
				return v
			}
		}
		return ""
	}
	locale := ""
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = get(name); locale != "" {
			break
		}
	}
	language := locale
	if i := strings.IndexAny(locale, "_.@"); i >= 0 {
		language = locale[:i]
	}
	switch {
	case locale == "C", locale == "POSIX":
		return environ // Fyne takes these as English, silently
	case get("LANGUAGE") != "":
		return environ // the user's choice, which Fyne reads
	case locale != "" && language != "C" && language != "POSIX":
		return environ
	}
	out := make([]string, 0, len(environ)+1)
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "LANGUAGE=") {
			out = append(out, kv)
		}
	}
	return append(out, "LANGUAGE="+Detect(get))
}
