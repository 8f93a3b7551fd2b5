package winconsole

import "testing"

func TestToBind(t *testing.T) {
	none := Streams{}
	tests := []struct {
		name   string
		args   []string
		have   Streams
		parent bool
		want   Streams
	}{
		{"double-click: the window, no console", nil, none, true, none},
		{"typed in cmd.exe: every stream to the console", []string{"detect", "a@b.c"}, none, true, Streams{In: true, Out: true, Err: true}},
		{"output redirected to a file: only stdin and stderr", []string{"detect", "--json", "a@b.c"}, Streams{Out: true}, true, Streams{In: true, Err: true}},
		{"password piped in: stdin kept", []string{"test", "--password-stdin", "a@b.c"}, Streams{In: true}, true, Streams{Out: true, Err: true}},
		{"started by Explorer with a file: no console to attach", []string{"detect", "a@b.c"}, none, false, none},
		{"everything redirected", []string{"detect", "a@b.c"}, Streams{In: true, Out: true, Err: true}, true, none},
	}
	for _, tt := range tests {
		if got := toBind(tt.args, tt.have, tt.parent); got != tt.want {
			t.Errorf("%s: %+v; want %+v", tt.name, got, tt.want)
		}
	}
}
