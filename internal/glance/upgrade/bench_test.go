package upgrade

import (
	"strconv"
	"testing"
)

// benchInput is a rolling upgrade of n hosts, a tenth of them already
// upgraded, the database needing migrate, max_unavailable n/10.
func benchInput(n int) Input {
	hosts := make([]string, n)
	var upgraded []string
	for i := range hosts {
		hosts[i] = "controller-" + strconv.Itoa(i) + ".example.org"
		if i%10 == 9 {
			upgraded = append(upgraded, hosts[i])
		}
	}
	in := NewInput(hosts...)
	in.Rolling = true
	in.MaxUnavailable = max(1, n/10)
	in.DBState = intp(DBNeedsMigrate)
	in.UpgradedHosts = upgraded
	return in
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		in := benchInput(n)
		b.Run("hosts="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Build(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
