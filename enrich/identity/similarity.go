package identity

// Phonetic returns a sound key of a folded name word for blocking: letters
// grouped by how they are confused across the languages Earshot meets
// (w/v/f, c/k/q/g, s/z and the Slavic digraphs sz, cz, rz), vowels and
// h dropped after the first position, repeats collapsed, at most six codes.
// "kowalski", "kovalsky" and "cowalski" share "KFLSK".
func Phonetic(word string) string {
	var out [6]byte
	n := 0
	var last byte
	for i := 0; i < len(word) && n < len(out); i++ {
		c := word[i]
		var next byte
		if i+1 < len(word) {
			next = word[i+1]
		}
		var code byte
		switch c {
		case 'a', 'e', 'i', 'o', 'u', 'y', 'j':
			if n == 0 && last == 0 {
				code = 'A'
			} else {
				last = 'A' // a vowel separates repeated consonants
				continue
			}
		case 'h':
			continue
		case 'b', 'p':
			code = 'P'
		case 'f', 'v', 'w':
			code = 'F'
		case 'c':
			switch next {
			case 'z', 'h':
				code = 'C'
				i++
			case 'e', 'i', 'y':
				code = 'S'
			default:
				code = 'K'
			}
		case 'k', 'q', 'g', 'x':
			code = 'K'
		case 's':
			if next == 'z' || next == 'h' {
				i++
			}
			code = 'S'
		case 'z':
			code = 'S'
		case 'r':
			if next == 'z' {
				code = 'S'
				i++
			} else {
				code = 'R'
			}
		case 't':
			if next == 'h' {
				i++
			}
			code = 'T'
		case 'd':
			code = 'T'
		case 'l':
			code = 'L'
		case 'm', 'n':
			code = 'M'
		default:
			if c >= '0' && c <= '9' || c == ' ' {
				continue
			}
			code = c // unromanised letters keep themselves
		}
		if code == last {
			continue
		}
		out[n] = code
		n++
		last = code
	}
	return string(out[:n])
}

// JaroWinkler returns the Jaro–Winkler similarity of two strings in [0,1]
// (1 for equal strings), with the usual prefix scale 0.1 up to 4 characters.
// Folded names are ASCII, compared byte by byte; anything else by runes.
func JaroWinkler(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	if !isPlainASCII(a) || !isPlainASCII(b) {
		return jaroWinklerRunes([]rune(a), []rune(b))
	}
	j := jaro(a, b)
	return winkler(j, commonPrefix(a, b))
}

func winkler(j float64, prefix int) float64 {
	if j <= 0.7 {
		return j
	}
	return j + float64(min(prefix, 4))*0.1*(1-j)
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && n < 4 && a[n] == b[n] {
		n++
	}
	return n
}

// jaro compares byte strings; names longer than 64 bytes are cut.
func jaro(a, b string) float64 {
	if len(a) > 64 {
		a = a[:64]
	}
	if len(b) > 64 {
		b = b[:64]
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	var ma, mb uint64 // matched flags as bit sets
	matches := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb-1, i+window)
		for k := lo; k <= hi; k++ {
			if mb&(1<<k) == 0 && a[i] == b[k] {
				ma |= 1 << i
				mb |= 1 << k
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	transpositions := 0
	k := 0
	for i := 0; i < la; i++ {
		if ma&(1<<i) == 0 {
			continue
		}
		for mb&(1<<k) == 0 {
			k++
		}
		if a[i] != b[k] {
			transpositions++
		}
		k++
	}
	m := float64(matches)
	return (m/float64(la) + m/float64(lb) + (m-float64(transpositions)/2)/m) / 3
}

func jaroWinklerRunes(a, b []rune) float64 {
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(max(la, lb)/2-1, 0)
	fa, fb := make([]bool, la), make([]bool, lb)
	matches := 0
	for i := range a {
		for k := max(0, i-window); k <= min(lb-1, i+window); k++ {
			if !fb[k] && a[i] == b[k] {
				fa[i], fb[k] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	t, k := 0, 0
	for i := range a {
		if !fa[i] {
			continue
		}
		for !fb[k] {
			k++
		}
		if a[i] != b[k] {
			t++
		}
		k++
	}
	m := float64(matches)
	j := (m/float64(la) + m/float64(lb) + (m-float64(t)/2)/m) / 3
	p := 0
	for p < la && p < lb && p < 4 && a[p] == b[p] {
		p++
	}
	return winkler(j, p)
}

// editDistanceAtMost1 reports whether a and b differ by at most one
// substitution, insertion, deletion or adjacent transposition (typos in
// digits of dates and phone numbers).
func editDistanceAtMost1(a, b string) bool {
	if a == b {
		return true
	}
	la, lb := len(a), len(b)
	switch {
	case la == lb:
		i := 0
		for i < la && a[i] == b[i] {
			i++
		}
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case la == lb+1:
		a, b = b, a
		fallthrough
	case la+1 == lb:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		return a[i:] == b[i+1:]
	}
	return false
}

// EditDistanceAtMost1 reports whether a and b differ by at most one
// inserted, deleted or replaced byte.
func EditDistanceAtMost1(a, b string) bool { return editDistanceAtMost1(a, b) }
