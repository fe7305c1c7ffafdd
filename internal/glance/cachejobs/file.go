package cachejobs

import (
	"strings"
)

// File is a parsed cron.d file. Every line is kept byte for byte (a
// trailing "\r" included); only the entries this package is asked to
// change are rewritten. A File is a value: Ensure and Remove return a new
// File and leave the receiver as it was.
//
// A managed entry is a marker line "#Ansible: NAME" (the format of
// ansible.builtin.cron; a trailing "\r" on the marker is tolerated) and
// the line after it, its job line. When the line after a marker is itself
// a marker, the first marker has no job line (ansible.builtin.cron would
// take the second marker as the job and overwrite it; this package does
// not). Every other line is foreign and never altered, moved or removed.
type File struct {
	blocks       []block
	finalNewline bool
}

// block is a foreign line, or a marker with its optional job line.
type block struct {
	managed bool
	name    string // managed: the name in the marker
	first   string // foreign: the line; managed: the marker line as read
	job     string // managed: the job line
	hasJob  bool
}

func markerName(line string) (string, bool) {
	l := strings.TrimSuffix(line, "\r")
	if strings.HasPrefix(l, MarkerPrefix) {
		return l[len(MarkerPrefix):], true
	}
	return "", false
}

// ParseFile splits content into lines at "\n" and recognises the managed
// entries. It never fails: any byte sequence is a File. For content that
// is empty or ends in "\n", ParseFile(content).Render() == content.
func ParseFile(content []byte) File {
	var f File
	if len(content) == 0 {
		return f
	}
	lines := strings.Split(string(content), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
		f.finalNewline = true
	}
	for i := 0; i < len(lines); i++ {
		name, ok := markerName(lines[i])
		if !ok {
			f.blocks = append(f.blocks, block{first: lines[i]})
			continue
		}
		b := block{managed: true, name: name, first: lines[i]}
		if i+1 < len(lines) {
			if _, next := markerName(lines[i+1]); !next {
				b.job, b.hasJob = lines[i+1], true
				i++
			}
		}
		f.blocks = append(f.blocks, b)
	}
	return f
}

// HasFinalNewline reports whether the parsed content ended in "\n" (or was
// empty). Render always ends in "\n", so a file without one is rewritten,
// as ansible.builtin.cron does.
func (f File) HasFinalNewline() bool {
	return f.finalNewline || len(f.blocks) == 0
}

// Lines returns the lines of the file (without "\n").
func (f File) Lines() []string {
	var out []string
	for _, b := range f.blocks {
		out = append(out, b.first)
		if b.managed && b.hasJob {
			out = append(out, b.job)
		}
	}
	return out
}

// Render returns the lines joined with "\n" plus a final "\n", like
// ansible.builtin.cron. A file without lines renders as empty content;
// the caller deletes the file instead when nothing else is left (see
// IsBlank).
func (f File) Render() []byte {
	lines := f.Lines()
	if len(lines) == 0 {
		return []byte{}
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

// IsBlank reports whether the file has no line other than blank ones
// (spaces, tabs, "\r" only). ansible.builtin.cron deletes a cron_file in
// that state when removing jobs.
func (f File) IsBlank() bool {
	for _, l := range f.Lines() {
		if strings.Trim(l, " \t\r\v\f") != "" {
			return false
		}
	}
	return true
}

// Jobs returns the names of all marker lines in file order, each name
// once (ansible.builtin.cron's "jobs": entries of other tasks included).
func (f File) Jobs() []string {
	out := []string{}
	seen := map[string]bool{}
	for _, b := range f.blocks {
		if b.managed && !seen[b.name] {
			seen[b.name] = true
			out = append(out, b.name)
		}
	}
	return out
}

// Job returns the job line under the first marker named name.
func (f File) Job(name string) (line string, ok bool) {
	for _, b := range f.blocks {
		if b.managed && b.name == name {
			return b.job, b.hasJob
		}
	}
	return "", false
}

func (f File) clone() File {
	return File{blocks: append([]block(nil), f.blocks...), finalNewline: f.finalNewline}
}

// Ensure makes every entry present (state=present), in the order given:
//
//   - marker found: the first marker with the entry's name is kept; when
//     its job line differs from Entry.Line (or it has none) the marker and
//     job line are rewritten in place; every later marker with the same
//     name is removed with its job line (two markers would run the job
//     twice; ansible.builtin.cron rewrites them all instead);
//   - no marker, but a foreign line exactly equal to Entry.Line: that line
//     is adopted by inserting the marker above it (ansible.builtin.cron's
//     rule, which counts as a change);
//   - otherwise the marker and job line are appended at the end.
//
// Foreign lines keep their bytes and their order. Entries are expected
// to be valid (NewRequest renders them so); with a repeated name the last one wins.
// Ensure is idempotent: f.Ensure(e).Ensure(e) renders as f.Ensure(e), and
// so does ParseFile(f.Ensure(e).Render()).Ensure(e).
func (f File) Ensure(entries []Entry) File {
	out := f.clone()
	for _, e := range entries {
		line := e.Line()
		first := -1
		kept := make([]block, 0, len(out.blocks))
		for _, b := range out.blocks {
			if b.managed && b.name == e.Name {
				if first >= 0 {
					continue
				}
				first = len(kept)
			}
			kept = append(kept, b)
		}
		out.blocks = kept
		if first >= 0 {
			b := &out.blocks[first]
			if !b.hasJob || b.job != line {
				b.first, b.job, b.hasJob = e.Marker(), line, true
			}
			continue
		}
		adopted := false
		for i := range out.blocks {
			b := &out.blocks[i]
			if !b.managed && b.first == line {
				*b = block{managed: true, name: e.Name, first: e.Marker(), job: line, hasJob: true}
				adopted = true
				break
			}
		}
		if !adopted {
			out.blocks = append(out.blocks, block{managed: true, name: e.Name, first: e.Marker(), job: line, hasJob: true})
		}
	}
	return out
}

// Remove removes every marker named in names together with its job line
// (state=absent). Foreign lines and other markers are kept.
func (f File) Remove(names []string) File {
	drop := map[string]bool{}
	for _, n := range names {
		drop[n] = true
	}
	out := File{finalNewline: f.finalNewline}
	for _, b := range f.blocks {
		if b.managed && drop[b.name] {
			continue
		}
		out.blocks = append(out.blocks, b)
	}
	return out
}
