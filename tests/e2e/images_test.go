//go:build e2e

package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// The ledger's images: a few stored before the upgrade through HAProxy,
// then one every uploadInterval straight to the API hosts in turn while
// the upgrade runs, so that both releases store images.
const (
	ledgerImagesBefore = 3
	ledgerImageSize    = 64 << 10
	uploadInterval     = 2 * time.Second
)

// storedImage is an image an API acknowledged: its upload returned 204.
type storedImage struct {
	ID, SHA256 string
	Via        string // "haproxy" or the host that took it
	API        string // that API's first CURRENT version (2.15 Zed, 2.17 2025.1)
}

// imageLedger keeps every acknowledged image, to check after the upgrade
// that none was lost.
type imageLedger struct {
	mu     sync.Mutex
	images []storedImage
	// uploads started during the upgrade; refusals by a host (each one
	// retried on the next host); uploads no host acknowledged
	attempts, refused, unstored int
	stop                        chan struct{}
	done                        chan struct{}
}

// uploadReport says what became of the uploads made during the upgrade.
func (l *imageLedger) uploadReport() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprintf("%d uploads during the upgrade: %d refused by a host and retried on the next, %d acknowledged by no host",
		l.attempts, l.refused, l.unstored)
}

func (l *imageLedger) add(img storedImage) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.images = append(l.images, img)
}

// storeBefore uploads ledgerImagesBefore images through base.
func (l *imageLedger) storeBefore(base, name string) error {
	api, err := currentAPIVersion(base)
	if err != nil {
		return err
	}
	for i := 0; i < ledgerImagesBefore; i++ {
		img, err := createImage(base, fmt.Sprintf("e2e-ledger-%s-before-%d", name, i), randomBytes(ledgerImageSize))
		if err != nil {
			return err
		}
		l.add(storedImage{ID: img.ID, SHA256: img.SHA256, Via: "haproxy", API: api})
	}
	return nil
}

// uploadDuring starts uploading one image every uploadInterval, to each
// host of urls in turn (by host name), until stopUploads. An upload a host
// refuses or drops (it is restarting) is counted as refused and retried on
// the next hosts in turn; one that no host acknowledges is counted as
// unstored: a failed upload, which the rolling tests refuse.
func (l *imageLedger) uploadDuring(name string, urls map[string]string) {
	l.stop, l.done = make(chan struct{}), make(chan struct{})
	hosts := make([]string, 0, len(urls))
	for h := range urls {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	go func() {
		defer close(l.done)
		tick := time.NewTicker(uploadInterval)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-l.stop:
				return
			case <-tick.C:
			}
			l.mu.Lock()
			l.attempts++
			l.mu.Unlock()
			data := randomBytes(ledgerImageSize)
			stored := false
			for k := 0; k < len(hosts) && !stored; k++ {
				h := hosts[(i+k)%len(hosts)]
				img, api, err := l.uploadTo(urls[h], fmt.Sprintf("e2e-ledger-%s-during-%d", name, i), data)
				if err != nil {
					l.mu.Lock()
					l.refused++
					l.mu.Unlock()
					continue
				}
				l.add(storedImage{ID: img.ID, SHA256: img.SHA256, Via: h, API: api})
				stored = true
			}
			if !stored {
				l.mu.Lock()
				l.unstored++
				l.mu.Unlock()
			}
		}
	}()
}

// uploadTo stores data as a new image through one API host, and says
// which API version that host serves.
func (l *imageLedger) uploadTo(base, name string, data []byte) (storedImage, string, error) {
	api, err := currentAPIVersion(base)
	if err != nil {
		return storedImage{}, "", err
	}
	img, err := uploadImage(base, name, data)
	return img, api, err
}

func (l *imageLedger) stopUploads() {
	if l.stop != nil {
		close(l.stop)
		<-l.done
		l.stop = nil
	}
}

// lost lists, through base, every acknowledged image that is not listed,
// not active or whose data does not match its checksum.
func (l *imageLedger) lost(base string) (lost []string, total int, err error) {
	l.mu.Lock()
	images := append([]storedImage(nil), l.images...)
	l.mu.Unlock()
	listed, err := listImages(base)
	if err != nil {
		return nil, len(images), err
	}
	for _, img := range images {
		status, ok := listed[img.ID]
		switch {
		case !ok:
			lost = append(lost, img.ID+" (via "+img.Via+"): not listed")
			continue
		case status != "active":
			lost = append(lost, img.ID+" (via "+img.Via+"): "+status)
			continue
		}
		data, err := downloadImage(base, img.ID)
		if err != nil {
			lost = append(lost, img.ID+" (via "+img.Via+"): "+err.Error())
			continue
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != img.SHA256 {
			lost = append(lost, fmt.Sprintf("%s (via %s): %d bytes with another checksum", img.ID, img.Via, len(data)))
		}
	}
	return lost, len(images), nil
}

// byAPI counts the images acknowledged during the upgrade by API version.
func (l *imageLedger) byAPI() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := map[string]int{}
	for _, img := range l.images {
		if img.Via != "haproxy" {
			n[img.API]++
		}
	}
	return n
}

// ids lists the images acknowledged so far.
func (l *imageLedger) ids() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var ids []string
	for _, img := range l.images {
		ids = append(ids, img.ID)
	}
	return ids
}

// uploadImage creates an image and uploads data, without reading it back.
func uploadImage(base, name string, data []byte) (storedImage, error) {
	body, _ := json.Marshal(map[string]string{"name": name, "disk_format": "raw", "container_format": "bare"})
	resp, err := apiClient.Post(base+"/v2/images", "application/json", bytes.NewReader(body))
	if err != nil {
		return storedImage{}, err
	}
	var created struct {
		ID string `json:"id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || err != nil || created.ID == "" {
		return storedImage{}, fmt.Errorf("POST /v2/images: %s (%v)", resp.Status, err)
	}
	req, _ := http.NewRequest(http.MethodPut, base+"/v2/images/"+created.ID+"/file", bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err = apiClient.Do(req)
	if err != nil {
		return storedImage{}, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return storedImage{}, fmt.Errorf("PUT /v2/images/%s/file: %s", created.ID, resp.Status)
	}
	sum := sha256.Sum256(data)
	return storedImage{ID: created.ID, SHA256: hex.EncodeToString(sum[:])}, nil
}

// listImages returns every image's status by id, following the pages.
func listImages(base string) (map[string]string, error) {
	out := map[string]string{}
	next := "/v2/images?limit=200"
	for next != "" {
		resp, err := apiClient.Get(base + next)
		if err != nil {
			return nil, err
		}
		var page struct {
			Images []struct{ ID, Status string }
			Next   string
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || err != nil {
			return nil, fmt.Errorf("GET %s: %s (%v)", next, resp.Status, err)
		}
		for _, img := range page.Images {
			out[img.ID] = img.Status
		}
		next = page.Next
	}
	return out, nil
}

// currentAPIVersion is the image API version an endpoint marks CURRENT
// (Zed 2.15 here, 2025.1 2.17; the newest comes first): which release answered.
func currentAPIVersion(base string) (string, error) {
	resp, err := apiClient.Get(base + "/versions")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var v struct {
		Versions []struct{ ID, Status string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return "", fmt.Errorf("GET /versions: %s: %v", resp.Status, err)
	}
	for _, ver := range v.Versions { // newest first
		if ver.Status == "CURRENT" {
			return strings.TrimPrefix(ver.ID, "v"), nil
		}
	}
	return "", fmt.Errorf("GET /versions: no CURRENT version")
}
