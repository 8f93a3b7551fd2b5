// Package winconsole gives the Windows GUI build of mailwiz a console when
// it is started from one with a command (mailwiz detect ... typed in cmd.exe
// or PowerShell).
//
// mailwiz.exe is a GUI-subsystem program, so a double-click opens no black
// window; but then Windows gives it no standard streams, and the CLI would
// print nothing. Attach binds the streams that have nowhere to go to the
// console of the process that started it (AttachConsole with
// ATTACH_PARENT_PROCESS). Streams already redirected (to a file, a pipe)
// are left alone, so `mailwiz detect --json x@y > out.json` still writes the
// file. Two limits stay, which is why the package also ships the console
// twin mailwiz-cli.exe for scripts: cmd.exe and PowerShell do not wait for
// a GUI program, so the prompt comes back before mailwiz's output, and
// %ERRORLEVEL% / $LASTEXITCODE do not see its exit code.
package winconsole

// Streams says which standard streams a process has (a valid handle).
type Streams struct{ In, Out, Err bool }

// toBind is which streams to bind to the parent's console: those without
// a handle of their own, and only when the program was given a command
// (args) and the parent has a console to attach to.
func toBind(args []string, have Streams, parentConsole bool) Streams {
	if len(args) == 0 || !parentConsole {
		return Streams{}
	}
	return Streams{In: !have.In, Out: !have.Out, Err: !have.Err}
}
