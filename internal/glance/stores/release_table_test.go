package stores_test

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kolla-glance/kolla-glance/internal/problem"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kolla-glance/kolla-glance/internal/glance/release"
	"github.com/kolla-glance/kolla-glance/internal/glance/stores"
)

// The expectations of this file are stated apart from the code under test:
//
//   - testdata/kolla/<release>.txt holds, for every combination of a
//     release's store variables, what that release's own group_vars, role
//     defaults and glance-api.conf.j2 compute (see each file's header);
//   - releaseVariables, apiHostRows, sectionContents and removedReasons
//     below are written out by hand from the same upstream files.

// releaseVariables are the store variables each release has (besides
// glance_backend_file): swift went in 2025.1, vmware in 2025.2.
var releaseVariables = map[release.Release][]string{
	"2024.1": {"ceph", "s3", "swift", "vmware", "cinder"},
	"2025.1": {"ceph", "s3", "vmware", "cinder"},
	"2025.2": {"ceph", "s3", "cinder"},
	"2026.1": {"ceph", "s3", "cinder"},
	"master": {"ceph", "s3", "cinder"},
}

var (
	oneHost    = []string{"ctl1"}
	threeHosts = []string{"ctl1", "ctl2", "ctl3"}
	nfsVolume  = "/mnt/nfs/glance"
)

// apiHostRows is glance_api_hosts, the same in every release: the first
// glance-api host when glance_backend_file is on and
// glance_file_datadir_volume is the named volume "glance", else the group.
var apiHostRows = []struct {
	fileOn bool
	volume string
	hosts  []string
	want   []string
}{
	{true, "glance", oneHost, []string{"ctl1"}},
	{true, "glance", threeHosts, []string{"ctl1"}},
	{true, nfsVolume, oneHost, []string{"ctl1"}},
	{true, nfsVolume, threeHosts, []string{"ctl1", "ctl2", "ctl3"}},
	{false, "glance", oneHost, []string{"ctl1"}},
	{false, "glance", threeHosts, []string{"ctl1", "ctl2", "ctl3"}},
	{false, nfsVolume, oneHost, []string{"ctl1"}},
	{false, nfsVolume, threeHosts, []string{"ctl1", "ctl2", "ctl3"}},
}

// The settings the table's inputs carry.
var (
	tableS3     = stores.S3Settings{URL: "http://s3.example:9000", Bucket: "images", AccessKey: "ak", SecretKey: "sk"}
	tableVMware = stores.VMwareSettings{ServerHost: "vc", ServerUsername: "u", ServerPassword: "p", Datastores: "dc:ds"}
)

// sectionContents is what each release's template writes in each store
// section for the table's inputs, secrets and deployment credentials left
// out (2024.1-2025.1 s3_store_secret_key and vmware_server_password, the
// 2026.1 [cinder] ca file, auth address, user, password and domain).
var sectionContents = func() map[release.Release]map[string]map[string]string {
	file := map[string]string{"filesystem_store_datadir": "/var/lib/glance/images/"}
	rbd := map[string]string{"rbd_store_user": "glance", "rbd_store_pool": "images", "rbd_store_ceph_conf": "/etc/ceph/ceph.conf"}
	s3 := map[string]string{"s3_store_host": "http://s3.example:9000", "s3_store_access_key": "ak", "s3_store_bucket": "images"}
	swift := map[string]string{
		"swift_store_container": "glance", "swift_store_multiple_containers_seed": "0",
		"swift_store_multi_tenant": "False", "swift_store_create_container_on_put": "True",
		"swift_store_region": "RegionOne", "default_swift_reference": "swift",
		"swift_store_config_file": "/etc/glance/glance-swift.conf", "swift_store_auth_insecure": "True",
	}
	vmware := func(insecure string) map[string]string {
		return map[string]string{"vmware_server_host": "vc", "vmware_server_username": "u", "vmware_datastores": "dc:ds", "vmware_insecure": insecure}
	}
	cinder := map[string]string{"cinder_catalog_info": "block-storage::internalURL", "cinder_store_project_name": "service"}
	return map[release.Release]map[string]map[string]string{
		"2024.1": {"file": file, "rbd": rbd, "s3": s3, "swift": swift, "vmware": vmware("True")},
		"2025.1": {"file": file, "rbd": rbd, "s3": s3, "vmware": vmware("true")},
		"2025.2": {"file": file, "rbd": rbd, "s3": s3},
		"2026.1": {"file": file, "rbd": rbd, "s3": s3, "cinder": cinder},
		"master": {"file": file, "rbd": rbd, "s3": s3, "cinder": cinder},
	}
}()

// alwaysSections are rendered by every release whatever the stores.
var alwaysSections = map[string]map[string]string{
	"os_glance_tasks_store":   {"filesystem_store_datadir": "/var/lib/glance/tasks_work_dir"},
	"os_glance_staging_store": {"filesystem_store_datadir": "/var/lib/glance/staging"},
}

// kollaRow is one line of testdata/kolla/<release>.txt.
type kollaRow struct {
	on       map[string]bool // variables that are on
	file     *bool           // glance_backend_file given: nil = derived
	fileOn   bool            // glance_backend_file as computed
	conf     string          // enabled_backends
	def      string          // default_backend
	sections []string        // store sections besides the always-present ones
	line     string
}

func loadKollaRows(t *testing.T, rel release.Release) []kollaRow {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "kolla", string(rel)+".txt"))
	require.NoError(t, err)
	defer f.Close()
	var rows []kollaRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		cols := strings.Split(line, "|")
		require.Len(t, cols, 5, line)
		for i := range cols {
			cols[i] = strings.TrimSpace(cols[i])
		}
		row := kollaRow{on: map[string]bool{}, fileOn: cols[1] == "on", conf: cols[2], def: cols[3], line: line}
		for _, w := range strings.Fields(cols[0]) {
			switch w {
			case "-":
			case "file=on":
				row.file = bp(true)
			case "file=off":
				row.file = bp(false)
			default:
				row.on[w] = true
			}
		}
		if cols[4] != "-" {
			row.sections = strings.Fields(cols[4])
		}
		rows = append(rows, row)
	}
	require.NoError(t, sc.Err())
	return rows
}

// tableInput is the input for one row of a release's table.
func tableInput(rel release.Release, row kollaRow, volume string, hosts []string) stores.Input {
	return stores.Input{
		Release:  rel,
		APIHosts: hosts,
		File:     row.file,
		Ceph:     row.on["ceph"],
		CephBackends: []stores.CephBackend{
			{Name: "rbd", Type: "rbd", Cluster: "ceph", Pool: "images", User: "glance", Enabled: true},
		},
		Swift:             row.on["swift"],
		VMware:            row.on["vmware"],
		S3:                row.on["s3"],
		Cinder:            row.on["cinder"],
		HTTP:              true,
		S3Settings:        tableS3,
		SwiftSettings:     stores.SwiftSettings{Region: "RegionOne"},
		VMwareSettings:    tableVMware,
		FileDatadirVolume: volume,
	}
}

func rowKey(on map[string]bool, file *bool) string {
	var ks []string
	for k, v := range on {
		if v {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	return strings.Join(ks, " ") + " file=" + showBool(file)
}

// TestTablesCoverEveryCombination: each release's table has one row for
// every combination of its store variables and the three states of
// glance_backend_file, and no other.
func TestTablesCoverEveryCombination(t *testing.T) {
	for _, rel := range release.Kolla() {
		vars := releaseVariables[rel]
		require.NotEmpty(t, vars, rel)
		want := map[string]bool{}
		for mask := 0; mask < 1<<len(vars); mask++ {
			on := map[string]bool{}
			for i, v := range vars {
				on[v] = mask&(1<<i) != 0
			}
			for _, file := range []*bool{nil, bp(true), bp(false)} {
				want[rowKey(on, file)] = true
			}
		}
		got := map[string]bool{}
		for _, row := range loadKollaRows(t, rel) {
			k := rowKey(row.on, row.file)
			assert.False(t, got[k], "%s: row %q twice", rel, k)
			got[k] = true
		}
		assert.Equal(t, want, got, rel)
	}
}

// TestMatchesEachReleasesOwnTemplates runs every row of every release's
// table with the named volume and a shared host path, on one and on three
// hosts, and compares Select with what that release computes. One departure:
// where a release writes a default_backend that is not enabled (every image
// store off), Select reports it instead.
func TestMatchesEachReleasesOwnTemplates(t *testing.T) {
	for _, rel := range release.Kolla() {
		rows := loadKollaRows(t, rel)
		combos, departures := 0, 0
		for _, row := range rows {
			enabledNames := map[string]bool{}
			for _, item := range strings.Split(row.conf, ", ") {
				enabledNames[strings.SplitN(item, ":", 2)[0]] = true
			}
			for _, hr := range apiHostRows {
				if hr.fileOn != row.fileOn {
					continue
				}
				combos++
				name := string(rel) + ": " + row.line + " | volume=" + hr.volume + " hosts=" + strings.Join(hr.hosts, ",")
				sel, err := stores.Select(tableInput(rel, row, hr.volume, hr.hosts))
				if !enabledNames[row.def] {
					departures++
					require.Error(t, err, name)
					assert.Equal(t, []string{"default_backend"}, optionsOf(err), name)
					assert.Empty(t, problem.Of(err).Refusals(), name)
					continue
				}
				require.NoError(t, err, name)
				assert.Equal(t, row.fileOn, sel.FileEnabled, name)
				assert.Equal(t, row.conf, sel.EnabledBackendsConf, name)
				assert.Equal(t, row.def, sel.DefaultBackend, name)
				assert.Equal(t, hr.want, sel.APIHosts, name)

				wantSections := map[string]map[string]string{"glance_store": {"default_backend": row.def}}
				for s, kv := range alwaysSections {
					wantSections[s] = kv
				}
				for _, s := range row.sections {
					kv, ok := sectionContents[rel][s]
					require.True(t, ok, "%s: no contents stated for section %s", name, s)
					wantSections[s] = kv
				}
				assert.Equal(t, wantSections, sel.StoreSections, name)
			}
		}
		t.Logf("%s: %d table rows, %d combinations checked (%d where Select reports a default that is not enabled)", rel, len(rows), combos, departures)
	}
}

// removedReasons are the refusals of a store a release no longer has.
var removedReasons = map[string]string{
	"swift@2025.1":  "swift was removed in kolla-ansible 2025.1: set glance_backend_swift to no and choose ceph, s3 or file instead (option swift is on while openstack_release is 2025.1, and a deployment that still runs kolla-ansible 2024.1 or older sets openstack_release to that release)",
	"swift@2025.2":  "swift was removed in kolla-ansible 2025.1: set glance_backend_swift to no and choose ceph, s3 or file instead (option swift is on while openstack_release is 2025.2, and a deployment that still runs kolla-ansible 2024.1 or older sets openstack_release to that release)",
	"swift@2026.1":  "swift was removed in kolla-ansible 2025.1: set glance_backend_swift to no and choose ceph, s3 or file instead (option swift is on while openstack_release is 2026.1, and a deployment that still runs kolla-ansible 2024.1 or older sets openstack_release to that release)",
	"swift@master":  "swift was removed in kolla-ansible 2025.1: set glance_backend_swift to no and choose ceph, s3 or file instead (option swift is on while openstack_release is master, and a deployment that still runs kolla-ansible 2024.1 or older sets openstack_release to that release)",
	"vmware@2025.2": "vmware was removed in kolla-ansible 2025.2: set glance_backend_vmware to no and choose ceph, s3 or file instead (option vmware is on while openstack_release is 2025.2, and a deployment that still runs kolla-ansible 2025.1 or older sets openstack_release to that release)",
	"vmware@2026.1": "vmware was removed in kolla-ansible 2025.2: set glance_backend_vmware to no and choose ceph, s3 or file instead (option vmware is on while openstack_release is 2026.1, and a deployment that still runs kolla-ansible 2025.1 or older sets openstack_release to that release)",
	"vmware@master": "vmware was removed in kolla-ansible 2025.2: set glance_backend_vmware to no and choose ceph, s3 or file instead (option vmware is on while openstack_release is master, and a deployment that still runs kolla-ansible 2025.1 or older sets openstack_release to that release)",
}

// TestRemovedStoresAreRefused turns on, in every row of a release's table,
// each store that release no longer has: Select refuses each of them, in the
// order swift, vmware, and reports nothing else (a refused store counts as
// off, as it does for that release's own role).
func TestRemovedStoresAreRefused(t *testing.T) {
	for _, rel := range release.Kolla() {
		has := map[string]bool{}
		for _, v := range releaseVariables[rel] {
			has[v] = true
		}
		var gone []string
		for _, s := range []string{"swift", "vmware"} {
			if !has[s] {
				gone = append(gone, s)
			}
		}
		combos := 0
		for _, row := range loadKollaRows(t, rel) {
			for mask := 1; mask < 1<<len(gone); mask++ {
				var want []string
				on := map[string]bool{}
				for k, v := range row.on {
					on[k] = v
				}
				for i, s := range gone {
					if mask&(1<<i) != 0 {
						on[s] = true
						want = append(want, removedReasons[s+"@"+string(rel)])
					}
				}
				for _, hosts := range [][]string{oneHost, threeHosts} {
					combos++
					r := row
					r.on = on
					name := string(rel) + ": " + rowKey(on, row.file)
					sel, err := stores.Select(tableInput(rel, r, "glance", hosts))
					require.Error(t, err, name)
					assert.Equal(t, stores.Selection{}, sel, name)
					assert.ErrorIs(t, err, problem.ErrRefused, name)
					assert.NotErrorIs(t, err, problem.ErrArgument, name)
					var got []string
					for _, rf := range problem.Of(err).Refusals() {
						got = append(got, rf.Msg)
					}
					assert.Equal(t, want, got, name)
					assert.Empty(t, problem.Of(err).Arguments(), name)
				}
			}
		}
		t.Logf("%s: %d combinations with a removed store checked", rel, combos)
	}
}

// sharednessRows: the sharedness decision, stated for the file store on
// three hosts, for each volume kind and each file_datadir_shared value.
var sharednessRows = []struct {
	volume    string
	shared    *bool
	wantErr   bool
	decided   bool
	wantHosts []string
}{
	{"glance", nil, false, false, []string{"ctl1"}},
	{"glance", bp(false), false, false, []string{"ctl1"}},
	{"glance", bp(true), true, false, nil},
	{nfsVolume, nil, false, true, threeHosts},
	{nfsVolume, bp(true), false, true, threeHosts},
	{nfsVolume, bp(false), false, false, []string{"ctl1"}},
	{"glance_nfs", nil, false, true, threeHosts},
	{"glance_nfs", bp(false), false, false, []string{"ctl1"}},
}

func TestSharednessTable(t *testing.T) {
	for _, rel := range release.Kolla() {
		for _, sr := range sharednessRows {
			in := tableInput(rel, kollaRow{on: map[string]bool{}}, sr.volume, threeHosts)
			in.FileDatadirShared = sr.shared
			name := string(rel) + " " + sr.volume + " shared=" + showBool(sr.shared)
			sel, err := stores.Select(in)
			if sr.wantErr {
				require.Error(t, err, name)
				assert.Equal(t, []string{"file_datadir_shared"}, optionsOf(err), name)
				continue
			}
			require.NoError(t, err, name)
			assert.Equal(t, sr.decided, sel.FileDatadirShared, name)
			assert.Equal(t, sr.wantHosts, sel.APIHosts, name)
			assert.Equal(t, sr.decided, sel.RollingUpgradeSafe, name)
		}
	}
}
