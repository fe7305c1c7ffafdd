package cachejobs

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testEntries(t testing.TB) []Entry {
	pr, err := ParseSchedule("*/30 * * * *")
	require.NoError(t, err)
	cl, err := ParseSchedule("1 0 * * *")
	require.NoError(t, err)
	return []Entry{
		{Name: ToolPruner, Schedule: pr, User: "root", Command: "flock -n /run/lock/p docker exec glance_api sh -c 'exec timeout -k 10s 1620s glance-cache-pruner'", Timeout: 1620},
		{Name: ToolCleaner, Schedule: cl, User: "root", Command: "flock -n /run/lock/c docker exec glance_api sh -c 'exec timeout -k 10s 3600s glance-cache-cleaner'", Timeout: 3600},
	}
}

func TestParseFileRoundTrip(t *testing.T) {
	inputs := []string{
		"",
		"\n",
		"\n\n\n",
		"# comment\n",
		"SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n\n",
		"MAILTO=\"\"\n  # indented comment\n\t30 3 * * *\troot\t/usr/bin/thing   --odd   spacing  \n",
		"line with CRLF\r\n#Ansible: x\r\n5 * * * * root x\r\n",
		"#Ansible: job one\n5 2 * * * root echo one\n#Ansible: job two\n@daily root echo two\n",
		"#Ansible: lonely marker\n",
		"#Ansible: a\n#Ansible: b\n1 * * * * root b\n",
		"bytes \xff\xfe\x00 nul\n",
		"   \n\t\n",
		"#Ansible: \n",
		"trailing spaces   \n",
	}
	for _, in := range inputs {
		f := ParseFile([]byte(in))
		assert.Equal(t, in, string(f.Render()), "%q", in)
		assert.True(t, f.HasFinalNewline())
	}
}

func TestParseFileMissingFinalNewline(t *testing.T) {
	f := ParseFile([]byte("a\nb"))
	assert.False(t, f.HasFinalNewline())
	assert.Equal(t, []string{"a", "b"}, f.Lines())
	assert.Equal(t, "a\nb\n", string(f.Render()), "a final newline is added, like ansible.builtin.cron")
	assert.Equal(t, "x\r\n", string(ParseFile([]byte("x\r")).Render()))
}

func TestJobs(t *testing.T) {
	f := ParseFile([]byte("#Ansible: b\n1 * * * * root b\nfoo\n#Ansible: a\n2 * * * * root a\n#Ansible: b\n3 * * * * root b\n#Ansible: c\r\n"))
	assert.Equal(t, []string{"b", "a", "c"}, f.Jobs())
	line, ok := f.Job("b")
	assert.True(t, ok)
	assert.Equal(t, "1 * * * * root b", line)
	_, ok = f.Job("c")
	assert.False(t, ok)
	_, ok = f.Job("zz")
	assert.False(t, ok)
	assert.Equal(t, []string{}, ParseFile(nil).Jobs())
}

func TestEnsureNewFile(t *testing.T) {
	es := testEntries(t)
	f := ParseFile(nil).Ensure(es)
	want := "#Ansible: glance-cache-pruner\n" + es[0].Line() + "\n#Ansible: glance-cache-cleaner\n" + es[1].Line() + "\n"
	assert.Equal(t, want, string(f.Render()))
	assert.Equal(t, []string{ToolPruner, ToolCleaner}, f.Jobs())
}

func TestEnsureKeepsForeignLinesAndAppends(t *testing.T) {
	es := testEntries(t)
	in := "# managed by hand\nSHELL=/bin/sh\n\n  17 *  * * *   root   run-parts  /etc/odd\r\n"
	out := string(ParseFile([]byte(in)).Ensure(es).Render())
	assert.True(t, strings.HasPrefix(out, in), "foreign lines byte for byte, in place")
	assert.Equal(t, in+"#Ansible: glance-cache-pruner\n"+es[0].Line()+"\n#Ansible: glance-cache-cleaner\n"+es[1].Line()+"\n", out)
}

func TestEnsureUpdatesInPlace(t *testing.T) {
	es := testEntries(t)
	in := "# head\n#Ansible: glance-cache-pruner\n0 * * * * root old pruner\n# middle\n#Ansible: glance-cache-cleaner\n" + es[1].Line() + "\n# tail\n"
	out := string(ParseFile([]byte(in)).Ensure(es).Render())
	want := "# head\n#Ansible: glance-cache-pruner\n" + es[0].Line() + "\n# middle\n#Ansible: glance-cache-cleaner\n" + es[1].Line() + "\n# tail\n"
	assert.Equal(t, want, out)
}

func TestEnsureAdoptsAnsibleBuiltinCronFile(t *testing.T) {
	es := testEntries(t)
	// What ansible.builtin.cron writes for cron_file with two named jobs.
	in := "#Ansible: glance-cache-pruner\n" + es[0].Line() + "\n#Ansible: glance-cache-cleaner\n" + es[1].Line() + "\n"
	f := ParseFile([]byte(in))
	assert.Equal(t, []string{ToolPruner, ToolCleaner}, f.Jobs())
	assert.Equal(t, in, string(f.Ensure(es).Render()), "adopted without change")

	// An entry of another ansible task is kept.
	other := "#Ansible: other job\n5 2 * * * root echo one\n"
	out := string(ParseFile([]byte(other + in)).Ensure(es).Render())
	assert.Equal(t, other+in, out)
	assert.Equal(t, []string{"other job", ToolPruner, ToolCleaner}, ParseFile([]byte(out)).Jobs())
}

func TestEnsureAdoptsIdenticalUnmanagedLine(t *testing.T) {
	es := testEntries(t)
	in := "SHELL=/bin/sh\n" + es[0].Line() + "\n# x\n"
	out := string(ParseFile([]byte(in)).Ensure(es[:1]).Render())
	assert.Equal(t, "SHELL=/bin/sh\n#Ansible: glance-cache-pruner\n"+es[0].Line()+"\n# x\n", out, "marker inserted above, counts as a change")
	// A line differing only in spacing is not identical: a new entry is appended.
	odd := strings.Replace(es[0].Line(), " root ", "  root ", 1)
	out2 := string(ParseFile([]byte(odd + "\n")).Ensure(es[:1]).Render())
	assert.Equal(t, odd+"\n#Ansible: glance-cache-pruner\n"+es[0].Line()+"\n", out2)
	// Only the first identical line is adopted; a second copy stays foreign.
	two := es[0].Line() + "\n" + es[0].Line() + "\n"
	out3 := string(ParseFile([]byte(two)).Ensure(es[:1]).Render())
	assert.Equal(t, "#Ansible: glance-cache-pruner\n"+two, out3)
	// A line under another task's marker is not adopted.
	under := "#Ansible: old name\n" + es[0].Line() + "\n"
	out4 := string(ParseFile([]byte(under)).Ensure(es[:1]).Render())
	assert.Equal(t, under+"#Ansible: glance-cache-pruner\n"+es[0].Line()+"\n", out4)
}

func TestEnsureDuplicateMarkers(t *testing.T) {
	es := testEntries(t)
	in := "#Ansible: glance-cache-pruner\n1 * * * * root a\nkeep me\n#Ansible: glance-cache-pruner\n2 * * * * root b\n#Ansible: glance-cache-pruner\n"
	out := string(ParseFile([]byte(in)).Ensure(es[:1]).Render())
	assert.Equal(t, "#Ansible: glance-cache-pruner\n"+es[0].Line()+"\nkeep me\n", out)
}

func TestEnsureMarkerWithoutJobLine(t *testing.T) {
	es := testEntries(t)
	// our marker directly followed by another marker: the other one is not
	// taken as our job line.
	in := "#Ansible: glance-cache-pruner\n#Ansible: other\n5 * * * * root other\n"
	out := string(ParseFile([]byte(in)).Ensure(es[:1]).Render())
	assert.Equal(t, "#Ansible: glance-cache-pruner\n"+es[0].Line()+"\n#Ansible: other\n5 * * * * root other\n", out)
	// our marker as the last line
	out = string(ParseFile([]byte("x\n#Ansible: glance-cache-pruner")).Ensure(es[:1]).Render())
	assert.Equal(t, "x\n#Ansible: glance-cache-pruner\n"+es[0].Line()+"\n", out)
}

func TestEnsureCRLFMarker(t *testing.T) {
	es := testEntries(t)
	// Same job under a CRLF marker: untouched.
	in := "#Ansible: glance-cache-pruner\r\n" + es[0].Line() + "\n"
	assert.Equal(t, in, string(ParseFile([]byte(in)).Ensure(es[:1]).Render()))
	// A CRLF job line is different: marker and line are rewritten.
	in = "a\r\n#Ansible: glance-cache-pruner\r\n" + es[0].Line() + "\r\nb\r\n"
	assert.Equal(t, "a\r\n#Ansible: glance-cache-pruner\n"+es[0].Line()+"\nb\r\n", string(ParseFile([]byte(in)).Ensure(es[:1]).Render()))
}

func TestEnsureIdempotent(t *testing.T) {
	es := testEntries(t)
	inputs := []string{
		"",
		"SHELL=/bin/sh\n",
		"#Ansible: glance-cache-pruner\n0 * * * * root old\n",
		es[1].Line() + "\n",
		"#Ansible: glance-cache-pruner\n#Ansible: glance-cache-pruner\nx\n#Ansible: y",
		"no newline at end",
	}
	for _, in := range inputs {
		once := ParseFile([]byte(in)).Ensure(es)
		twice := once.Ensure(es)
		assert.Equal(t, string(once.Render()), string(twice.Render()), "%q", in)
		again := ParseFile(once.Render()).Ensure(es)
		assert.Equal(t, string(once.Render()), string(again.Render()), "%q", in)
	}
}

func TestEnsureDoesNotModifyReceiver(t *testing.T) {
	es := testEntries(t)
	in := "#Ansible: glance-cache-pruner\n0 * * * * root old\nfoo\n"
	f := ParseFile([]byte(in))
	_ = f.Ensure(es)
	_ = f.Remove([]string{ToolPruner})
	assert.Equal(t, in, string(f.Render()))
}

func TestRemove(t *testing.T) {
	es := testEntries(t)
	in := "SHELL=/bin/sh\n#Ansible: glance-cache-pruner\n" + es[0].Line() + "\n# keep\n#Ansible: other\n5 * * * * root o\n#Ansible: glance-cache-cleaner\n" + es[1].Line() + "\n#Ansible: glance-cache-pruner\nold dup\n"
	f := ParseFile([]byte(in)).Remove([]string{ToolPruner, ToolCleaner})
	assert.Equal(t, "SHELL=/bin/sh\n# keep\n#Ansible: other\n5 * * * * root o\n", string(f.Render()))
	assert.Equal(t, []string{"other"}, f.Jobs())
	assert.False(t, f.IsBlank())
	// Removing an absent name changes nothing.
	assert.Equal(t, in, string(ParseFile([]byte(in)).Remove([]string{"nope"}).Render()))
}

func TestRemoveLeavesBlank(t *testing.T) {
	es := testEntries(t)
	f := ParseFile(nil).Ensure(es)
	r := f.Remove([]string{ToolPruner, ToolCleaner})
	assert.True(t, r.IsBlank())
	assert.Empty(t, r.Render())
	r2 := ParseFile([]byte("\n  \n" + string(f.Render()) + "\t\r\n")).Remove([]string{ToolPruner, ToolCleaner})
	assert.True(t, r2.IsBlank(), "only whitespace left: the caller deletes the file")
	assert.Equal(t, "\n  \n\t\r\n", string(r2.Render()))
	assert.True(t, ParseFile(nil).IsBlank())
}
