package sentiment

// romanKey reduces a romanised Hindi word to a key its spelling variants
// share, written into buf: vowels after the first letter are dropped (a
// leading vowel becomes "a"), w/v, z/j and c/q/k are merged and doubled
// letters collapse. So "nahi" and "nhi" → "nh", "bahut", "bohot" and
// "bhut" → "bht", "accha", "acha" and "achha" → "akh", "pyar" and "pyaar"
// → "pr", "zabardast" and "jabardast" → "jbrdst". Words with anything but
// ASCII letters, and keys shorter than two letters, give false.
func romanKey(w string, buf *[]byte) ([]byte, bool) {
	if len(w) < 2 || len(w) > 24 {
		return nil, false
	}
	b := (*buf)[:0]
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c < 'a' || c > 'z' {
			return nil, false
		}
		switch c {
		case 'a', 'e', 'i', 'o', 'u':
			if i > 0 {
				continue
			}
			c = 'a'
		case 'y':
			if i > 0 {
				continue
			}
		case 'w':
			c = 'v'
		case 'z':
			c = 'j'
		case 'q', 'c':
			c = 'k'
		}
		if len(b) > 0 && b[len(b)-1] == c {
			continue
		}
		b = append(b, c)
	}
	*buf = b
	return b, len(b) >= 2
}

func hashBytes(seed uint32, s []byte) uint32 {
	h := seed
	for _, c := range s {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}
