package oauth

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// RedirectKind is how a registration gets the authorization back.
type RedirectKind string

const (
	// RedirectLoopback: the system browser, redirected to
	// http://127.0.0.1:<port>/ on a port chosen at run time (RFC 8252 §7.3).
	RedirectLoopback RedirectKind = "loopback"
	// RedirectDevice: the device authorization grant (RFC 8628): the person
	// enters a code on another device.
	RedirectDevice RedirectKind = "device"
)

// Registration is one client registration at a provider: what a
// distributor or an administrator got by registering mailwiz there (see
// docs/oauth2.md). mailwiz ships none of its own.
type Registration struct {
	// Provider is the provider's ID ("google", "microsoft", ...).
	Provider string `json:"provider"`
	// ClientID is the application (client) ID the provider issued.
	ClientID string `json:"client_id"`
	// ClientSecret is the client secret, for providers that want one even
	// from an installed app (Google, Yahoo, AOL, Yandex, Mail.ru). An
	// installed app cannot keep it confidential (RFC 8252 §8.5); PKCE is
	// what protects the code.
	ClientSecret string `json:"client_secret,omitempty"`
	// Redirect is RedirectLoopback or RedirectDevice.
	Redirect RedirectKind `json:"redirect"`
	// Tenant is, for Microsoft, the tenant to sign in to: "common"
	// (default), "consumers", "organizations", or a directory ID or domain.
	Tenant string `json:"tenant,omitempty"`
	// Port, when not 0, fixes the loopback port, for a provider that
	// matches registered redirect URIs port and all. 0 (the default and the
	// RFC 8252 way) picks a free port for each sign-in.
	Port int `json:"port,omitempty"`
	// Source says where the registration was read from (not in the file).
	Source string `json:"-"`
}

// String describes r without its secret.
func (r Registration) String() string {
	s := r.Provider + " client " + r.ClientID + " (" + string(r.Redirect) + ")"
	if r.Source != "" {
		s += " from " + r.Source
	}
	return s
}

// GoString keeps the secret out of %#v too.
func (r Registration) GoString() string { return "oauth.Registration{" + r.String() + "}" }

// Registrations are the client registrations mailwiz knows, in the order
// they are preferred.
type Registrations []Registration

// ClientsFile is the name of the user's or administrator's file in
// mailwiz's configuration folder (os.UserConfigDir()/mailwiz).
const ClientsFile = "oauth2-clients.json"

// clientsVersion is the format version this mailwiz reads.
const clientsVersion = 1

// maxClientsFile bounds the size of a registrations file.
const maxClientsFile = 64 << 10

// embedded is the distributor's file, copied over oauth/clients.json at
// build time (make build OAUTH2_CLIENTS=path); the repository's is empty.
//
//go:embed clients.json
var embedded []byte

type clientsFile struct {
	Version int            `json:"version"`
	Clients []Registration `json:"clients"`
}

// ParseRegistrations reads a clients.json file's content; source names it
// in errors and in each Registration. Empty content is no registrations.
func ParseRegistrations(data []byte, source string) (Registrations, error) {
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, nil
	}
	var f clientsFile
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("oauth: %s is not a registrations file: %v; see docs/oauth2.md for the format", source, err)
	}
	if f.Version != clientsVersion {
		return nil, fmt.Errorf("oauth: %s has format version %d; this mailwiz reads version %d (see docs/oauth2.md)", source, f.Version, clientsVersion)
	}
	out := make(Registrations, 0, len(f.Clients))
	for i, r := range f.Clients {
		r.Source = source
		if r.Redirect == "" {
			r.Redirect = RedirectLoopback
		}
		where := fmt.Sprintf("oauth: %s, client %d", source, i+1)
		p, ok := Lookup(r.Provider)
		switch {
		case !ok:
			return nil, fmt.Errorf("%s: unknown provider %q; known: %s", where, r.Provider, strings.Join(providerIDs(), ", "))
		case strings.TrimSpace(r.ClientID) == "" || r.ClientID != strings.TrimSpace(r.ClientID):
			return nil, fmt.Errorf("%s: client_id is empty or has spaces around it", where)
		case r.Redirect != RedirectLoopback && r.Redirect != RedirectDevice:
			return nil, fmt.Errorf("%s: redirect %q is neither \"loopback\" nor \"device\"", where, r.Redirect)
		case r.Redirect == RedirectDevice && p.DeviceAuthURL == "":
			return nil, fmt.Errorf("%s: %s offers no device sign-in for mail; use \"redirect\": \"loopback\"", where, p.Name)
		case p.SecretRequired && r.ClientSecret == "":
			return nil, fmt.Errorf("%s: %s wants the client_secret too (it is not confidential in an installed app, but its token endpoint asks for it)", where, p.Name)
		case r.Tenant != "" && r.Provider != "microsoft":
			return nil, fmt.Errorf("%s: tenant is for Microsoft only", where)
		case r.Port < 0 || r.Port > 65535:
			return nil, fmt.Errorf("%s: port %d is not a TCP port", where, r.Port)
		}
		out = append(out, r)
	}
	return out, nil
}

func providerIDs() []string {
	var ids []string
	for _, p := range providers() {
		ids = append(ids, p.ID)
	}
	return ids
}

// Embedded returns the registrations built into this mailwiz.
func Embedded() (Registrations, error) {
	return ParseRegistrations(embedded, "the built-in registrations")
}

// ClientsPath is the user's registrations file:
// os.UserConfigDir()/mailwiz/oauth2-clients.json.
func ClientsPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("oauth: no settings folder: %v", err)
	}
	return filepath.Join(dir, "mailwiz", ClientsFile), nil
}

// ReadRegistrations reads a registrations file; a missing file is none.
func ReadRegistrations(path string) (Registrations, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("oauth: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxClientsFile+1))
	if err != nil {
		return nil, fmt.Errorf("oauth: reading %s: %v", path, err)
	}
	if len(data) > maxClientsFile {
		return nil, fmt.Errorf("oauth: %s is larger than %d KiB; a registrations file is a few lines", path, maxClientsFile>>10)
	}
	return ParseRegistrations(data, path)
}

// LoadRegistrations returns the user's file's registrations (which win)
// followed by the built-in ones. path "" is [ClientsPath].
func LoadRegistrations(path string) (Registrations, error) {
	if path == "" {
		p, err := ClientsPath()
		if err != nil {
			return nil, err
		}
		path = p
	}
	user, err := ReadRegistrations(path)
	if err != nil {
		return nil, err
	}
	built, err := Embedded()
	if err != nil {
		return nil, err
	}
	return append(user, built...), nil
}

// Find returns the first registration for the provider and redirect kind
// (any kind when kind is ""), or a *NoClientError.
func (rs Registrations) Find(provider string, kind RedirectKind) (Registration, error) {
	for _, r := range rs {
		if r.Provider == provider && (kind == "" || r.Redirect == kind) {
			return r, nil
		}
	}
	e := &NoClientError{Provider: provider, Flow: kind}
	if p, ok := Lookup(provider); ok {
		e.Name = p.Name
	}
	return Registration{}, e
}

// Has reports whether any registration exists for provider, so a face can
// offer "Sign in with <provider>" or say at once what is missing.
func (rs Registrations) Has(provider string) bool {
	_, err := rs.Find(provider, "")
	return err == nil
}
