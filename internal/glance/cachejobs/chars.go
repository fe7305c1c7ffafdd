package cachejobs

import "strings"

const (
	letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	alnum   = letters + "0123456789"
)

// charClass matches names of the form first-character then rest-characters,
// with a length between min and max (0: no limit): the few anchored
// character-class patterns this package needs, without linking package
// regexp into the module binary.
type charClass struct {
	first, rest string
	min, max    int
}

// MatchString reports whether s is made of the class's characters.
func (c charClass) MatchString(s string) bool {
	if len(s) < c.min || (c.max > 0 && len(s) > c.max) {
		return false
	}
	for i := 0; i < len(s); i++ {
		allowed := c.rest
		if i == 0 {
			allowed = c.first
		}
		if strings.IndexByte(allowed, s[i]) < 0 {
			return false
		}
	}
	return true
}
