package stores

import (
	"fmt"
	"strings"

	"github.com/kolla-glance/kolla-glance/internal/problem"
)

// problems collects the problems of one Select call: argument problems
// (malformed, contradictory) and refusals (a store the release removed, an
// override that would corrupt an unshared file store, a cache flavor Glance
// does not recognise), built and rendered by internal/problem. A refusal's
// message starts with what is refused, names the globals.yml variable as
// well as the option, and says what to do instead.
type problems struct{ problem.List }

func (p *problems) add(option, field, format string, args ...any) {
	p.Argument(option, field, format, args...)
}

func (p *problems) refuse(options []string, format string, args ...any) {
	p.Refuse(options, format, args...)
}

// err is nil, or every problem as a *problem.Error behind "glance backends: ".
func (p *problems) err() error {
	if err := p.Err(); err != nil {
		return fmt.Errorf("glance backends: %w", err)
	}
	return nil
}

// quoteList renders names as "a", "b", "c".
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
