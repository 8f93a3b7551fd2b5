package oauth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mailwiz/mailwiz/keychain"
	"golang.org/x/oauth2"
)

// The refresh token is kept in the OS keychain (service "mailwiz"), under
// the item ItemName(username, provider) = "oauth2://<username>@<provider>",
// e.g. "oauth2://alice@outlook.com@microsoft". Access tokens are never
// kept: they live in memory for an hour or so, and a new one comes from the
// refresh token.
//
// Windows' Credential Manager holds at most 2,560 bytes per item, and a
// Microsoft refresh token can come close to that or pass it. So a token
// longer than chunkSize is split: the parts go to the items "<name>#1",
// "<name>#2", ..., and the main item holds "mailwiz-split:<n>". Every
// platform does the same, so the scheme is tested where tests run. A
// refresh token never starts with "mailwiz-split:".
const (
	chunkSize   = 2000
	splitPrefix = "mailwiz-split:"
	// maxChunks bounds a split token (40,000 bytes): anything longer is
	// not a refresh token.
	maxChunks = 20
)

// ItemName is the keychain item of username's refresh token at provider.
func ItemName(username, provider string) string {
	return "oauth2://" + username + "@" + provider
}

// SaveToken keeps tok's refresh token for username at provider in the OS
// keychain, replacing the one kept before. A token without a refresh token
// is an error: nothing could renew the sign-in.
func SaveToken(ctx context.Context, username, provider string, tok *oauth2.Token) error {
	if username == "" || provider == "" {
		return errors.New("oauth: a sign-in is kept for a username at a provider; one of them is empty")
	}
	if tok == nil || tok.RefreshToken == "" {
		return fmt.Errorf("oauth: %s gave no refresh token, so the sign-in cannot be kept; sign in again (for Microsoft the offline_access scope must be allowed)", provider)
	}
	name := ItemName(username, provider)
	rt := tok.RefreshToken
	if len(rt) > chunkSize*maxChunks {
		return fmt.Errorf("oauth: the refresh token for %s is %d bytes, longer than any mailwiz keeps", name, len(rt))
	}
	// Parts of an earlier, longer token would linger otherwise.
	old := chunkCount(ctx, name)
	if len(rt) <= chunkSize {
		if err := keychain.SaveItem(ctx, name, rt); err != nil {
			return err
		}
		deleteChunks(ctx, name, 1, old)
		return nil
	}
	var n int
	for i := 0; i < len(rt); i += chunkSize {
		n++
		if err := keychain.SaveItem(ctx, name+"#"+strconv.Itoa(n), rt[i:min(i+chunkSize, len(rt))]); err != nil {
			return err
		}
	}
	if err := keychain.SaveItem(ctx, name, splitPrefix+strconv.Itoa(n)); err != nil {
		return err
	}
	deleteChunks(ctx, name, n+1, old)
	return nil
}

// LoadToken returns the kept sign-in of username at provider: a token with
// only its refresh token, which [Flow.TokenSource] turns into access
// tokens. An error matching keychain.ErrNotFound when there is none.
func LoadToken(ctx context.Context, username, provider string) (*oauth2.Token, error) {
	name := ItemName(username, provider)
	v, err := keychain.GetItem(ctx, name)
	if err != nil {
		return nil, err
	}
	if n, ok := splitCount(v); ok {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			part, err := keychain.GetItem(ctx, name+"#"+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			b.WriteString(part)
		}
		v = b.String()
	}
	return &oauth2.Token{RefreshToken: v}, nil
}

// DeleteToken removes the kept sign-in (and its parts); an error matching
// keychain.ErrNotFound when there was none.
func DeleteToken(ctx context.Context, username, provider string) error {
	name := ItemName(username, provider)
	n := chunkCount(ctx, name)
	if err := keychain.DeleteItem(ctx, name); err != nil {
		return err
	}
	deleteChunks(ctx, name, 1, n)
	return nil
}

func splitCount(v string) (int, bool) {
	s, ok := strings.CutPrefix(v, splitPrefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxChunks {
		return 0, false
	}
	return n, true
}

// chunkCount is how many parts the item now has (0 for none or unsplit).
func chunkCount(ctx context.Context, name string) int {
	v, err := keychain.GetItem(ctx, name)
	if err != nil {
		return 0
	}
	n, _ := splitCount(v)
	return n
}

// deleteChunks removes parts from..to; a part already gone is fine.
func deleteChunks(ctx context.Context, name string, from, to int) {
	for i := from; i <= to; i++ {
		keychain.DeleteItem(ctx, name+"#"+strconv.Itoa(i)) //nolint:errcheck // best effort: an orphan part holds no whole token
	}
}

// Resume returns a source of access tokens for username's kept sign-in: it
// reads the refresh token from the keychain and keeps each rotated one
// there. A failed save of a rotated token is reported through saveErr, if
// set (the new access token still works; the old refresh token may not).
func (f *Flow) Resume(ctx context.Context, username string, saveErr func(error)) (oauth2.TokenSource, error) {
	tok, err := LoadToken(ctx, username, f.Provider.ID)
	if err != nil {
		return nil, err
	}
	return f.TokenSource(ctx, tok, func(refresh string) {
		if err := SaveToken(ctx, username, f.Provider.ID, &oauth2.Token{RefreshToken: refresh}); err != nil && saveErr != nil {
			saveErr(err)
		}
	}), nil
}
