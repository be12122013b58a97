package lang

// fallback scores a text for the languages of one script group when some
// of them are not in the compact model. Only binaries built with
// `-tags lingua` have one (fallback_lingua.go).
type fallback interface {
	// scores fills probs (one per code) and reports whether any is above 0.
	scores(text string, codes []string, probs []float64) bool
}

// knownCodes are the ISO 639-1 codes a detector accepts: the 75 languages
// lingua-go knows, whether or not this binary carries its models
// (fallback_lingua_test.go checks the list against lingua-go's).
var knownCodes = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range []string{
		"af", "ar", "az", "be", "bg", "bn", "bs", "ca", "cs", "cy", "da", "de", "el", "en", "eo", "es", "et", "eu",
		"fa", "fi", "fr", "ga", "gu", "he", "hi", "hr", "hu", "hy", "id", "is", "it", "ja", "ka", "kk", "ko", "la",
		"lg", "lt", "lv", "mi", "mk", "mn", "mr", "ms", "nb", "nl", "nn", "pa", "pl", "pt", "ro", "ru", "sk", "sl",
		"sn", "so", "sq", "sr", "st", "sv", "sw", "ta", "te", "th", "tl", "tn", "tr", "ts", "uk", "ur", "vi", "xh",
		"yo", "zh", "zu",
	} {
		m[c] = true
	}
	return m
}()
