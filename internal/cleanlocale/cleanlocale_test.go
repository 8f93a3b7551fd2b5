package cleanlocale

import "testing"

func TestFix(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string // LANGUAGE afterwards
	}{
		{map[string]string{"LANG": "C.UTF-8"}, "en"},
		{map[string]string{"LANG": "C.utf8"}, "en"},
		{map[string]string{"LC_ALL": "C.UTF-8", "LANG": "ru_RU.UTF-8"}, "en"},
		{map[string]string{"LANG": "ru_RU.UTF-8"}, ""},
		{map[string]string{"LANG": "C"}, ""}, // go-locale handles plain C itself
		{map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "ru"}, "ru"},
		{map[string]string{"LC_ALL": "de_DE.UTF-8", "LANG": "C.UTF-8"}, ""},
		{map[string]string{}, ""},
	}
	for _, tt := range tests {
		env := map[string]string{}
		for k, v := range tt.env {
			env[k] = v
		}
		fix(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
		if env["LANGUAGE"] != tt.want {
			t.Errorf("%v: LANGUAGE = %q, want %q", tt.env, env["LANGUAGE"], tt.want)
		}
	}
}
